"""The Content-Security-Policy in a real browser: no page of the portal, the admin or the API
docs triggers a single violation, and what the policy must not break still works (the
programme page's JSON-LD, Swagger UI, the admin's widgets)."""

import json
import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.factories import add_participation, make_nrw_chain, make_programme, make_topic
from tests.test_browser import browser, open_page  # noqa: F401 (the module's browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


@pytest.fixture
def watched(browser):  # noqa: F811
    context, page = open_page(browser)
    page.add_init_script(LISTEN)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page, console
    context.close()


def test_public_pages_and_api_docs_cause_no_violation(live_server, watched):
    page, console = watched
    places = make_nrw_chain()
    programme = make_programme(
        "Bürgerhäuser im Quartier", topics=[make_topic("Ehrenamt")], region=places["nrw"]
    )
    add_participation(programme, places["wuppertal"], role="leitkommune")
    problems = {}
    for path in [
        "/",
        "/programme/?q=B%C3%BCrgerhaus",
        programme.get_absolute_url(),
        "/kommunen/wuppertal/",
        "/leitbild/",
        "/themen/ehrenamt/",
        "/gibt-es-nicht/",
    ]:
        page.goto(live_server.url + path)
        if found := violations(page):
            problems[path] = found
        if path == programme.get_absolute_url():
            # JSON-LD is data: present, parseable, and no violation reported for it.
            data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
            assert data["name"] == "Bürgerhäuser im Quartier"
    assert problems == {}
    assert console == []


def test_swagger_ui_renders_under_the_policy(live_server, watched):
    page, console = watched
    make_programme("Bürgerhäuser im Quartier")
    page.goto(live_server.url + "/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kommunalkompass NRW")
    operation = page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/programmes/$"))
    expect(operation.first).to_be_visible()
    operation.first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200")
    assert violations(page) == []
    assert console == []


def test_admin_works_under_the_policy(live_server, watched):
    page, console = watched
    User.objects.create_superuser("chefin", password="ein-langes-Testpasswort")
    programme = make_programme("Bürgerhäuser im Quartier")
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Benutzername").fill("chefin")
    page.get_by_label("Passwort").fill("ein-langes-Testpasswort")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    problems = {}
    for path in [
        "/admin/",
        "/admin/programmes/programme/",
        f"/admin/programmes/programme/{programme.pk}/change/",
        "/admin/programmes/programme/add/",
        f"/admin/programmes/programme/{programme.pk}/history/",
        "/admin/municipalities/municipality/",
    ]:
        page.goto(live_server.url + path)
        if found := violations(page):
            problems[path] = found
    # The slug is filled from the title by the admin's script (loaded from /static/).
    page.goto(live_server.url + "/admin/programmes/programme/add/")
    page.locator("#id_title").press_sequentially("Lebensräume für Ältere – Straßen")
    expect(page.locator("#id_slug")).to_have_value("lebensraeume-fuer-aeltere-strassen")
    assert problems == {}
    assert console == []
