"""An e-mail alert in a real browser and a real SMTP server: from a filtered list, subscribe,
confirm by the mail's link, receive a digest, manage it and unsubscribe by the mail's link;
every page axe-clean."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from alerts.delivery import deliver_waiting
from alerts.models import Subscription
from alerts.sending import send_alerts
from tests.factories import make_programme, make_topic
from tests.smtp_sink import Sink
from tests.test_browser import AXE_OPTIONS, browser, open_page  # noqa: F401 (module fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ADDRESS = "stadtentwicklung@iserlohn.example"


def axe_clean(page):
    result = Axe().run(page, options=AXE_OPTIONS)
    assert result.violations_count == 0, result.generate_report()


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_subscribe_confirm_receive_and_unsubscribe(browser, live_server, settings):  # noqa: F811
    sink = Sink().up()
    settings.SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
    topic = make_topic("Digitalisierung")
    make_programme("Digitale Verwaltung", topics=[topic])
    context, page = open_page(browser)
    try:
        page.goto(f"{live_server.url}/programme/?topic=digitalisierung")
        page.get_by_text("Abonnieren und herunterladen").click()  # the list's one place for it
        page.get_by_role("link", name="Per E-Mail benachrichtigen").click()
        expect(page).to_have_url(re.compile(r"/benachrichtigung/\?topic=digitalisierung$"))
        expect(page.locator(".lead")).to_have_text(
            "Neue und geänderte Programme – Thema: Digitalisierung"
        )
        axe_clean(page)
        page.get_by_label("E-Mail-Adresse").fill(ADDRESS)
        page.get_by_label("täglich").check()
        page.get_by_role("button", name="Benachrichtigung anfordern").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Bitte bestätigen Sie Ihre E-Mail-Adresse"
        )
        axe_clean(page)

        deliver_waiting(timezone.now())
        (confirmation,) = sink.messages
        page.goto(re.search(r"http\S+/bestaetigen/\S+/", body(confirmation)).group())
        axe_clean(page)
        page.get_by_role("button", name="Ja, benachrichtigen Sie mich").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Benachrichtigung bestätigt")
        assert Subscription.objects.get().rhythm == "daily"

        make_programme("Digitale Schule", topics=[topic])
        send_alerts(timezone.now(), every=True)  # as `send_alerts --now`
        digest = sink.messages[1]
        assert "- Digitale Schule" in body(digest)

        page.goto(re.search(r"http\S+/verwalten/\S+/", body(digest)).group())
        expect(page.get_by_text(f"E-Mails gehen an {ADDRESS}")).to_be_visible()
        axe_clean(page)

        page.goto(str(digest["List-Unsubscribe"]).strip().strip("<>"))
        axe_clean(page)
        page.get_by_role("button", name="Abbestellen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Abgemeldet")
        axe_clean(page)
        assert not Subscription.objects.exists()
    finally:
        context.close()
        sink.down()
