"""Who gets into the admin: lockout after repeated wrong passwords (per account and client
address, also behind a proxy, IPv6 per /64; per account from all addresses at a higher limit),
two-factor login with TOTP when ADMIN_REQUIRE_2FA is on, set up only with an enrolment code from
an administrator, strong passwords, expiring sessions, and editors kept out of user management."""

import io
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.enrolment import issue
from portal.models import EnrolmentCode
from tests.admin_builders import make_editor

pytestmark = pytest.mark.django_db

PASSWORD = "ein-langes-Testpasswort"
LOGIN = "/admin/login/"


def attempt(client, username, password, **meta):
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


# Lockout ---------------------------------------------------------------------------------------


def test_fifth_wrong_password_locks_the_account_for_that_address(client):
    User.objects.create_user("redaktion", password=PASSWORD, is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "redaktion", "falsch", REMOTE_ADDR="198.51.100.4")
        assert response.status_code == 200  # the form again, with its error
    response = attempt(client, "redaktion", "falsch", REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in response.content.decode()

    # Locked: even the right password is refused from there …
    assert attempt(client, "redaktion", PASSWORD, REMOTE_ADDR="198.51.100.4").status_code == 429
    # … but the editor still gets in from her own office.
    response = attempt(client, "redaktion", PASSWORD, REMOTE_ADDR="203.0.113.20")
    assert response.status_code == 302


def test_a_successful_login_resets_the_count(client):
    User.objects.create_user("redaktion", password=PASSWORD, is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "redaktion", "falsch", REMOTE_ADDR="198.51.100.4")
    assert attempt(client, "redaktion", PASSWORD, REMOTE_ADDR="198.51.100.4").status_code == 302
    client.logout()
    assert attempt(client, "redaktion", "falsch", REMOTE_ADDR="198.51.100.4").status_code == 200


@override_settings(BEHIND_PROXY=True, PROXY_COUNT=1)
def test_behind_a_proxy_a_forged_forwarded_for_does_not_dodge_the_lockout(client):
    User.objects.create_user("redaktion", password=PASSWORD, is_staff=True)
    statuses = []
    for i in range(settings.AXES_FAILURE_LIMIT + 1):
        # The attacker varies the first entry; the proxy (10.0.0.2) appends the real address.
        forwarded = f"192.0.2.{i}, 198.51.100.4"
        response = attempt(
            client, "redaktion", "falsch", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded
        )
        statuses.append(response.status_code)
    assert statuses[-2:] == [429, 429]
    # Another client behind the same proxy is not affected.
    response = attempt(
        client, "redaktion", PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.20"
    )
    assert response.status_code == 302


def test_without_a_proxy_forwarded_for_is_ignored(rf):
    from core.proxy import client_ip

    request = rf.get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert client_ip(request) == "198.51.100.4"
    with override_settings(BEHIND_PROXY=True, PROXY_COUNT=2):
        request = rf.get(
            "/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.4, 10.0.0.2"
        )
        assert client_ip(request) == "198.51.100.4"
        request = rf.get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="kein-ip, 10.0.0.2")
        assert client_ip(request) == "10.0.0.3"


def test_an_account_is_locked_from_every_address_after_more_failures(client):
    """A guesser who changes address after every few tries is stopped too, at a higher limit,
    so that one client's failures alone do not lock the editor out everywhere."""
    User.objects.create_user("redaktion", password=PASSWORD, is_staff=True)
    User.objects.create_user("lektorat", password=PASSWORD, is_staff=True)
    limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
    assert limit == 3 * settings.AXES_FAILURE_LIMIT
    statuses = [
        attempt(client, "redaktion", "falsch", REMOTE_ADDR=f"198.51.100.{i}").status_code
        for i in range(limit)
    ]
    assert statuses == [200] * (limit - 1) + [429]
    # The right password from an address that never failed: refused as well …
    response = attempt(client, "redaktion", PASSWORD, REMOTE_ADDR="203.0.113.20")
    assert response.status_code == 429
    assert "von verschiedenen Anschlüssen" in response.content.decode()
    # … while other accounts log in as usual, from the guesser's addresses too.
    assert attempt(client, "lektorat", PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 302


def test_ipv6_addresses_in_one_64_count_as_one_address(client):
    User.objects.create_user("redaktion", password=PASSWORD, is_staff=True)
    statuses = [
        attempt(client, "redaktion", "falsch", REMOTE_ADDR=f"2001:db8:1:2::{i + 1:x}").status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
    response = attempt(client, "redaktion", PASSWORD, REMOTE_ADDR="2001:db8:1:2:ffff:1:2:3")
    assert response.status_code == 429
    # The neighbouring /64 is another connection.
    assert attempt(client, "redaktion", PASSWORD, REMOTE_ADDR="2001:db8:1:3::1").status_code == 302


def test_ipv6_addresses_in_different_64s_count_apart(client):
    User.objects.create_user("redaktion", password=PASSWORD, is_staff=True)
    below = settings.AXES_FAILURE_LIMIT - 1
    for network in ("2001:db8:1:2", "2001:db8:1:3"):
        for i in range(below):
            response = attempt(client, "redaktion", "falsch", REMOTE_ADDR=f"{network}::{i + 1}")
            assert response.status_code == 200
    assert attempt(client, "redaktion", PASSWORD, REMOTE_ADDR="2001:db8:1:3::9").status_code == 302


@pytest.mark.parametrize(
    ("remote", "counted"),
    [
        ("198.51.100.4", "198.51.100.4"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
    ],
)
def test_the_lockout_counts_ipv6_per_64(rf, remote, counted):
    from core.proxy import lockout_address

    assert lockout_address(rf.get("/", REMOTE_ADDR=remote)) == counted
    with override_settings(BEHIND_PROXY=True, PROXY_COUNT=1):
        request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.1, {remote}")
        assert lockout_address(request) == counted


# Passwords and sessions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["kurz1!", "password1234", "123456789012345", "redaktion-nrw-2025"]
)
def test_weak_passwords_are_refused(password):
    user = User(username="redaktion-nrw", email="redaktion@example.org")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_sessions_expire_and_cookies_are_httponly():
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY


# Two-factor login ------------------------------------------------------------------------------


@pytest.fixture
def two_factor(settings):
    settings.ADMIN_REQUIRE_2FA = True


@pytest.fixture
def staff(client):
    user = User.objects.create_user("redaktion", password=PASSWORD, is_staff=True)
    return user


def test_with_2fa_a_password_alone_does_not_open_the_admin(client, two_factor, staff):
    response = attempt(client, "redaktion", PASSWORD)
    assert response.status_code == 302
    index = client.get("/admin/")
    assert index.status_code == 302
    assert index["Location"].startswith("/admin/2fa/?next=")
    # Every admin page, not only the index.
    page = client.get("/admin/programmes/programme/")
    assert page["Location"] == "/admin/2fa/?next=%2Fadmin%2Fprogrammes%2Fprogramme%2F"


def enrolment_code(user, **fields) -> str:
    return issue(EnrolmentCode(user=user, **fields))


def test_first_login_asks_for_an_enrolment_code_before_the_qr_code(client, two_factor, staff):
    """Without a code from an administrator the password alone cannot set up a second factor."""
    attempt(client, "redaktion", PASSWORD)
    page = client.get("/admin/2fa/")
    content = page.content.decode()
    assert page.status_code == 200
    assert "Einrichtungscode" in content
    assert "two-factor-qr" not in content and "otpauth" not in content
    assert not TOTPDevice.objects.filter(user=staff).exists()  # no secret made yet

    refused = client.post("/admin/2fa/", {"code": "ABCD-EFGH-JKLM-NPQR", "next": "/admin/"})
    assert refused.status_code == 200
    assert "Dieser Einrichtungscode stimmt nicht" in refused.content.decode()
    assert "two-factor-qr" not in refused.content.decode()
    assert client.get("/admin/").status_code == 302


def test_first_login_sets_up_the_authenticator_with_a_code_and_a_qr_code(client, two_factor, staff):
    code = enrolment_code(staff)
    stored = EnrolmentCode.objects.get(user=staff)
    assert code.replace("-", "") not in stored.code_hash  # kept hashed only
    attempt(client, "redaktion", PASSWORD)
    response = client.post(
        "/admin/2fa/", {"code": code.lower(), "next": "/admin/programmes/programme/"}
    )
    assert response["Location"] == "/admin/2fa/?next=%2Fadmin%2Fprogrammes%2Fprogramme%2F"
    stored.refresh_from_db()
    assert stored.used is not None

    page = client.get(response["Location"])
    content = page.content.decode()
    assert page.status_code == 200
    assert "Zwei-Faktor-Anmeldung einrichten" in content
    qr_code = content.split('<figure class="two-factor-qr">', 1)[1].split("</figure>")[0]
    assert "<svg" in qr_code and "style=" not in qr_code
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", content).group(1).replace(" ", "")
    assert len(secret) == 32

    wrong = client.post("/admin/2fa/", {"token": "000000", "next": "/admin/"})
    assert "Der Code stimmt nicht" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # skip the throttle's waiting time
    device.save()

    response = client.post(
        "/admin/2fa/", {"token": current_code(device), "next": "/admin/programmes/programme/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/programmes/programme/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_an_enrolment_code_works_once(client, two_factor, staff):
    code = enrolment_code(staff)
    attempt(client, "redaktion", PASSWORD)
    assert client.post("/admin/2fa/", {"code": code})["Location"].startswith("/admin/2fa/")
    # Another session (someone else with the password) cannot use it again.
    other = Client()
    attempt(other, "redaktion", PASSWORD)
    response = other.post("/admin/2fa/", {"code": code})
    assert response.status_code == 200
    assert "bereits verwendet" in response.content.decode()
    assert "two-factor-qr" not in response.content.decode()


def test_an_expired_enrolment_code_is_refused(client, two_factor, staff):
    code = enrolment_code(staff, expires=timezone.now() - timedelta(minutes=1))
    attempt(client, "redaktion", PASSWORD)
    response = client.post("/admin/2fa/", {"code": code})
    assert response.status_code == 200
    assert "Dieser Einrichtungscode ist abgelaufen" in response.content.decode()
    assert not EnrolmentCode.objects.get(user=staff).used


def test_a_new_enrolment_code_replaces_the_earlier_one(client, two_factor, staff):
    first = enrolment_code(staff)
    second = enrolment_code(staff)
    attempt(client, "redaktion", PASSWORD)
    assert "stimmt nicht" in client.post("/admin/2fa/", {"code": first}).content.decode()
    assert client.post("/admin/2fa/", {"code": second}).status_code == 302


def test_a_secret_shown_before_the_fix_is_not_reused(client, two_factor, staff):
    """A pending authenticator from before enrolment codes may have been seen by anyone with the
    password: the code starts from a new secret."""
    old = TOTPDevice.objects.create(user=staff, name="Authenticator", confirmed=False)
    code = enrolment_code(staff)
    attempt(client, "redaktion", PASSWORD)
    client.post("/admin/2fa/", {"code": code})
    client.get("/admin/2fa/")
    assert TOTPDevice.objects.get(user=staff).key != old.key


def test_wrong_enrolment_codes_count_toward_the_lockout(client, two_factor, staff):
    enrolment_code(staff)
    attempt(client, "redaktion", PASSWORD, REMOTE_ADDR="198.51.100.4")
    statuses = [
        client.post("/admin/2fa/", {"code": f"WRONG{i}"}, REMOTE_ADDR="198.51.100.4").status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert "WRONG" not in AccessAttempt.objects.get(ip_address="198.51.100.4").post_data
    # The session is gone, and the password no longer opens it from there.
    assert client.get("/admin/2fa/")["Location"].startswith("/admin/login/")
    assert attempt(client, "redaktion", PASSWORD, REMOTE_ADDR="198.51.100.4").status_code == 429


def test_create_enrolment_code_prints_a_code_once(staff):
    out = io.StringIO()
    call_command("create_enrolment_code", "redaktion", "--hours", "24", stdout=out)
    code = re.search(r"Einrichtungscode für „redaktion“: ([A-Z2-9-]{19})", out.getvalue())
    assert code
    entry = EnrolmentCode.objects.get(user=staff)
    assert code.group(1) not in entry.code_hash
    assert timedelta(hours=23) < entry.expires - timezone.now() <= timedelta(hours=24)

    User.objects.create_user("buerger", password=PASSWORD)
    with pytest.raises(CommandError, match="kein Redaktionskonto"):
        call_command("create_enrolment_code", "buerger", stdout=io.StringIO())
    TOTPDevice.objects.create(user=staff, name="Authenticator", confirmed=True)
    with pytest.raises(CommandError, match="bereits einen Authenticator"):
        call_command("create_enrolment_code", "redaktion", stdout=io.StringIO())


def test_a_superuser_creates_enrolment_codes_in_the_admin(client, staff):
    client.force_login(User.objects.create_superuser("admin", password=PASSWORD))
    response = client.post(
        "/admin/portal/enrolmentcode/add/",
        {"user": staff.pk, "expires_0": "31.12.2099", "expires_1": "12:00:00"},
        follow=True,
    )
    content = response.content.decode()
    match = re.search(r"Einrichtungscode für „redaktion“: ([A-Z2-9-]{19})", content)
    assert match, content
    entry = EnrolmentCode.objects.get(user=staff)
    assert entry.created_by.username == "admin"
    assert match.group(1) not in entry.code_hash


def test_later_logins_ask_for_the_code(client, two_factor, staff):
    device = TOTPDevice.objects.create(user=staff, name="Authenticator", confirmed=True)
    attempt(client, "redaktion", PASSWORD)
    page = client.get("/admin/2fa/")
    assert "Bitte geben Sie den Code" in page.content.decode()
    assert "two-factor-qr" not in page.content.decode()  # the secret is never shown again

    code = current_code(device)
    assert client.post("/admin/2fa/", {"token": code}).status_code == 302
    assert client.get("/admin/").status_code == 200

    # A new session cannot replay the code just used.
    client.logout()
    attempt(client, "redaktion", PASSWORD)
    replay = client.post("/admin/2fa/", {"token": code})
    assert replay.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_wrong_codes_are_throttled(client, two_factor, staff):
    device = TOTPDevice.objects.create(user=staff, name="Authenticator", confirmed=True)
    attempt(client, "redaktion", PASSWORD)
    client.post("/admin/2fa/", {"token": "000000"})
    response = client.post("/admin/2fa/", {"token": current_code(device)})
    assert "Zu viele falsche Codes" in response.content.decode()


def test_the_2fa_page_only_redirects_within_the_site(client, two_factor, staff):
    device = TOTPDevice.objects.create(user=staff, name="Authenticator", confirmed=True)
    attempt(client, "redaktion", PASSWORD)
    response = client.post(
        "/admin/2fa/", {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/"


def test_without_2fa_setting_the_password_is_enough(client, staff, settings):
    settings.ADMIN_REQUIRE_2FA = False
    attempt(client, "redaktion", PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_the_public_site_is_not_affected_by_2fa(client, two_factor, staff):
    attempt(client, "redaktion", PASSWORD)
    assert client.get("/").status_code == 200


def test_create_totp_device_prints_the_provisioning_uri(staff):
    out = io.StringIO()
    call_command("create_totp_device", "redaktion", "--no-qr", stdout=out)
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed
    assert f"URI: {device.config_url}" in out.getvalue()
    assert "otpauth://totp/Kommunalkompass%20NRW%3Aredaktion?secret=" in out.getvalue()
    with pytest.raises(CommandError, match="bereits einen Authenticator"):
        call_command("create_totp_device", "redaktion", stdout=io.StringIO())
    call_command("create_totp_device", "redaktion", "--replace", stdout=io.StringIO())
    assert TOTPDevice.objects.filter(user=staff).count() == 1
    assert TOTPDevice.objects.get(user=staff).key != device.key


def test_create_totp_device_refuses_non_staff():
    User.objects.create_user("buerger", password=PASSWORD)
    with pytest.raises(CommandError, match="kein Redaktionskonto"):
        call_command("create_totp_device", "buerger", stdout=io.StringIO())


# Editors' reach --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/auth/group/",
        "/admin/otp_totp/totpdevice/",
        "/admin/axes/accessattempt/",
        "/admin/portal/enrolmentcode/",
        "/admin/portal/enrolmentcode/add/",
    ],
)
def test_a_verified_editor_cannot_reach_user_management(client, two_factor, path):
    editor = make_editor()
    device = TOTPDevice.objects.create(user=editor, name="Authenticator", confirmed=True)
    attempt(client, editor.username, "ein-langes-Testpasswort")
    client.post("/admin/2fa/", {"token": current_code(device)})
    assert client.get("/admin/").status_code == 200
    assert client.get(path).status_code == 403
    assert reverse("admin:auth_user_changelist") not in client.get("/admin/").content.decode()
