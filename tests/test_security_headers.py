"""Response headers in the production configuration: Mozilla HTTP Observatory A+ (scored by its
own rules in tests/observatory.py), a Content-Security-Policy without unsafe sources, and
`manage.py check --deploy` without findings."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tests import observatory
from tests.factories import make_programme
from tests.production import security_overrides

pytestmark = pytest.mark.django_db

PRODUCTION = security_overrides()


@pytest.fixture
def production():
    with override_settings(**PRODUCTION):
        yield


def follow_http(client, path, limit=5) -> list[str]:
    """The redirect chain from http:// as the Observatory walks it."""
    route = [f"http://testserver{path}"]
    response = client.get(path)
    while response.status_code in (301, 302, 307, 308) and len(route) <= limit:
        location = response["Location"]
        route.append(location)
        secure = location.startswith("https:")
        path = location.split("testserver", 1)[-1]
        response = client.get(path, secure=secure)
    return route


def cookies_of(response) -> list[dict]:
    return [
        {
            "name": morsel.key,
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"] or None,
        }
        for morsel in response.cookies.values()
    ]


def observe(client, path, response=None) -> observatory.Scan:
    response = response or client.get(path, secure=True)
    assert 200 <= response.status_code < 300, (path, response.status_code)
    cors = client.get(
        path, secure=True, HTTP_ORIGIN="https://http-observatory.security.mozilla.org"
    )
    return observatory.Scan(
        url=f"https://testserver{path}",
        headers={name.lower(): value for name, value in response.headers.items()},
        body=response.content.decode(),
        set_cookies=cookies_of(response),
        http_route=follow_http(client, path),
        cors_headers={name.lower(): value for name, value in cors.headers.items()},
    )


def test_home_page_scores_a_plus(client, production):
    result = observatory.score(observe(client, "/"))
    assert result.grade == "A+", str(result)
    assert result.score >= 100, str(result)
    assert result.tests == {
        "content-security-policy": "csp-implemented-with-no-unsafe-default-src-none",
        "cookies": "cookies-not-found",
        "cross-origin-resource-sharing": "cross-origin-resource-sharing-not-implemented",
        "redirection": "redirection-to-https",
        "referrer-policy": "referrer-policy-private",
        "strict-transport-security": "hsts-implemented-max-age-at-least-six-months",
        "subresource-integrity": "sri-not-implemented-but-no-scripts-loaded",
        "x-content-type-options": "x-content-type-options-nosniff",
        "x-frame-options": "x-frame-options-implemented-via-csp",
        "cross-origin-resource-policy": "cross-origin-resource-policy-implemented-with-same-origin",
    }
    assert result.score == 130


def test_programme_page_api_and_admin_login_score_a_plus(client, production):
    programme = make_programme("Bürgerhäuser im Quartier")
    for path in [
        programme.get_absolute_url(),
        "/programme/?q=B%C3%BCrgerhaus",
        "/api/v1/programmes/",
        "/api/v1/docs/",
        reverse("admin:login"),
    ]:
        result = observatory.score(observe(client, path))
        assert result.grade == "A+", f"{path}: {result}"


def test_cookies_of_a_login_are_secure_httponly_and_samesite(client, production, django_user_model):
    django_user_model.objects.create_user(
        "redaktion", password="ein-langes-Testpasswort", is_staff=True
    )
    page = client.get(reverse("admin:login"), secure=True)
    scan = observe(client, reverse("admin:login"), page)
    assert observatory.cookies_test(scan) == "cookies-secure-with-httponly-sessions-and-samesite"

    login = client.post(
        reverse("admin:login"),
        {"username": "redaktion", "password": "ein-langes-Testpasswort"},
        secure=True,
    )
    assert login.status_code == 302
    cookies = cookies_of(login)
    assert {c["name"] for c in cookies} >= {"sessionid", "csrftoken"}
    scan.set_cookies = cookies
    assert observatory.cookies_test(scan) == "cookies-secure-with-httponly-sessions-and-samesite"
    session = next(c for c in cookies if c["name"] == "sessionid")
    assert session == {"name": "sessionid", "secure": True, "httponly": True, "samesite": "Lax"}


def test_policy_headers_in_production(client, production):
    response = client.get("/", secure=True)
    csp = observatory.parse_csp(response["Content-Security-Policy"])
    assert csp["default-src"] == {"'none'"}
    assert csp["frame-ancestors"] == {"'none'"}
    assert csp["form-action"] == {"'self'"}
    assert csp["base-uri"] == {"'none'"}
    assert "upgrade-insecure-requests" in csp
    every_source = set().union(*csp.values())
    assert not every_source & {"'unsafe-inline'", "'unsafe-eval'", "*", "https:", "http:"}
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_open_data_may_be_embedded_elsewhere(client, production):
    response = client.get("/api/v1/programmes/", secure=True)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_http_is_redirected_to_https_on_the_same_host(client, production):
    assert follow_http(client, "/programme/") == [
        "http://testserver/programme/",
        "https://testserver/programme/",
    ]


def test_check_deploy_reports_nothing_for_production(production):
    out = io.StringIO()
    call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
    assert "no issues" in out.getvalue()


def test_the_observatory_port_punishes_what_it_should():
    """The scorer itself: a site without any of the headers gets 30 (D), an inline-script
    policy costs 20 points."""
    bare = observatory.Scan(url="https://x.example/", headers={}, body="<html></html>")
    assert (observatory.score(bare).score, observatory.score(bare).grade) == (30, "D")
    unsafe = observatory.Scan(
        url="https://x.example/",
        headers={
            "content-security-policy": "default-src 'self'; script-src 'self' 'unsafe-inline'",
            "strict-transport-security": "max-age=31536000",
            "x-content-type-options": "nosniff",
            "x-frame-options": "DENY",
        },
        body="<html></html>",
        http_route=["http://x.example/", "https://x.example/"],
    )
    result = observatory.score(unsafe)
    assert result.tests["content-security-policy"] == "csp-implemented-with-unsafe-inline"
    assert result.score == 80
