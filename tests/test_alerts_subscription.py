"""E-mail alerts without an account: the subscribe page, double opt-in, the abuse limits, the
signed links to confirm, manage and unsubscribe (RFC 8058 one-click)."""

import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from alerts import tokens
from alerts.delivery import deliver_waiting
from alerts.models import Attempt, Delivery, Subscription
from alerts.sending import prune, send_alerts
from tests.factories import make_nrw_chain, make_programme, make_topic
from tests.smtp_sink import Sink

pytestmark = pytest.mark.django_db
ADDRESS = "kaemmerei@iserlohn.example"


@pytest.fixture
def smtp(settings):
    sink = Sink().up()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
    yield sink
    sink.down()


@pytest.fixture
def digital():
    topic = make_topic("Digitalisierung")
    make_programme("Digitale Verwaltung", topics=[topic])
    return topic


def post(client, query="topic=digitalisierung", email=ADDRESS, ip="192.0.2.1", **data):
    return client.post(
        f"/benachrichtigung/?{query}",
        {"email": email, "rhythm": "daily", **data},
        REMOTE_ADDR=ip,
    )


def link(message, name: str) -> str:
    """The path of the first link to /benachrichtigung/<name>/ in the mail's plain text."""
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"https?://[^/\s]+(/benachrichtigung/{name}/[^\s]+/)", text).group(1)


def test_the_page_says_in_words_what_a_list_alert_watches(client, digital):
    make_nrw_chain()
    response = client.get("/benachrichtigung/?open_to=Iserlohn&topic=digitalisierung&page=2")
    assert response.status_code == 200
    assert (
        "Neue und geänderte Programme – Thema: Digitalisierung; offen für: Iserlohn"
        in response.content.decode()
    )
    assert response["Cache-Control"] == "private, no-store"


def test_a_programme_alert_names_the_programme_and_is_looked_at_daily(client):
    programme = make_programme("Sportstätten 2027", slug="sportstaetten")
    page = client.get("/benachrichtigung/?programme=sportstaetten").content.decode()
    assert "Änderungen und Fristen: „Sportstätten 2027“" in page
    assert 'name="rhythm"' not in page
    post(client, query="programme=sportstaetten", rhythm="weekly")
    subscription = Subscription.objects.get()
    assert subscription.programme == programme and subscription.query == ""
    assert subscription.rhythm == "daily"  # reminders fall on a given day


def test_an_unknown_filter_value_is_a_400_naming_the_parameter(client, digital):
    for response in [
        client.get("/benachrichtigung/?topic=gibt-es-nicht"),
        post(client, query="topic=gibt-es-nicht"),
    ]:
        assert response.status_code == 400
        assert "Parameter „topic“ (Thema)" in response.content.decode()
    assert not Subscription.objects.exists()


def test_an_unpublished_or_unknown_programme_cannot_be_watched(client):
    make_programme("Entwurf", slug="entwurf", publication="draft")
    for slug in ["entwurf", "gibt-es-nicht"]:
        response = client.get(f"/benachrichtigung/?programme={slug}")
        assert response.status_code == 400
        assert "Kein veröffentlichtes Programm" in response.content.decode()
        assert "Entwurf" not in response.content.decode()


def test_a_bad_address_gets_a_clear_400(client, digital):
    response = post(client, email="keine-adresse")
    assert response.status_code == 400
    assert "Bitte eine gültige E-Mail-Adresse angeben." in response.content.decode()
    assert not Subscription.objects.exists()


def test_nothing_but_the_confirmation_is_sent_before_confirming(client, smtp, digital):
    assert post(client).status_code == 200
    deliver_waiting(timezone.now())
    (mail,) = smtp.messages
    assert mail["To"] == ADDRESS and "Bitte bestätigen" in mail["Subject"]
    assert "Thema: Digitalisierung" in mail.get_body(("plain",)).get_content()
    assert mail.get_body(("html",)) is not None

    make_programme("Digitale Schule", topics=[digital])
    send_alerts(timezone.now() + timedelta(days=8), every=True)
    assert len(smtp.messages) == 1  # no digest for an unconfirmed request


def test_the_confirmation_link_asks_for_a_click_and_then_confirms(client, smtp, digital):
    post(client)
    deliver_waiting(timezone.now())
    path = link(smtp.messages[0], "bestaetigen")

    assert "Ja, benachrichtigen Sie mich" in client.get(path).content.decode()
    assert Subscription.objects.get().confirmed is None  # a link scanner's GET confirms nothing
    response = client.post(path)
    assert "Benachrichtigung bestätigt" in response.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.confirmed and subscription.due > subscription.confirmed


def test_a_forged_or_expired_confirmation_link_is_a_clear_400(client, digital, monkeypatch):
    post(client)
    token = tokens.confirm_token(Subscription.objects.get())
    forged = client.get(f"/benachrichtigung/bestaetigen/{token[:-2]}xx/")
    assert forged.status_code == 400
    assert "Der Link ist unvollständig" in forged.content.decode()

    later = time.time() + 49 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    expired = client.post(f"/benachrichtigung/bestaetigen/{token}/")
    assert expired.status_code == 400
    assert "abgelaufen" in expired.content.decode()
    assert Subscription.objects.get().confirmed is None


def test_an_address_gets_at_most_three_mails_a_day_and_the_page_never_says_so(client, digital):
    pages = {post(client, ip=f"192.0.2.{n}").content for n in range(1, 6)}
    assert len(pages) == 1  # the same answer each time
    assert Delivery.objects.count() == 3
    assert not Attempt.objects.filter(digest__icontains="iserlohn").exists()  # hashes only


def test_one_client_gets_429_after_ten_requests_an_hour(client, digital):
    for n in range(10):
        assert post(client, email=f"person{n}@example.org").status_code == 200
    response = post(client, email="elfte@example.org")
    assert response.status_code == 429
    assert "Zu viele Anfragen" in response.content.decode()
    assert post(client, email="elfte@example.org", ip="192.0.2.99").status_code == 200


def test_the_honeypot_answers_like_success_and_stores_nothing(client, digital):
    response = post(client, website="https://spam.example")
    assert response.status_code == 200
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in response.content.decode()
    assert not Subscription.objects.exists() and not Delivery.objects.exists()


def test_the_answer_does_not_reveal_an_existing_subscription(client, smtp, digital):
    new_answer = post(client, email="neu@example.org").content
    post(client)
    Subscription.objects.filter(email=ADDRESS).update(confirmed=timezone.now())
    known_answer = post(client, ip="192.0.2.7").content
    assert known_answer == new_answer
    deliver_waiting(timezone.now())
    text = smtp.to(ADDRESS)[-1].get_body(("plain",)).get_content()
    assert "bereits eine Benachrichtigung eingerichtet" in text
    assert "/benachrichtigung/verwalten/" in text


def test_unconfirmed_requests_are_deleted_after_48_hours(client, digital):
    post(client)
    asked = Subscription.objects.get().created
    prune(asked + timedelta(hours=47))
    assert Subscription.objects.exists()
    prune(asked + timedelta(hours=49))
    assert not Subscription.objects.exists() and not Delivery.objects.exists()


def confirmed(email=ADDRESS, **fields) -> Subscription:
    now = timezone.now()
    return Subscription.objects.create(
        email=email, created=now, confirmed=now, covered_until=now, due=now, **fields
    )


def test_one_click_unsubscribe_works_without_login_cookies_or_csrf(digital):
    subscription = confirmed(query="topic=digitalisierung")
    path = f"/benachrichtigung/abmelden/{tokens.manage_token(subscription)}/"
    browserless = Client(enforce_csrf_checks=True)
    assert "Abbestellen" in browserless.get(path).content.decode()
    assert Subscription.objects.exists()  # GET only asks

    response = browserless.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    assert browserless.post(path).status_code == 200  # a second click: still unsubscribed
    assert browserless.post("/benachrichtigung/abmelden/gefaelscht:abc/").status_code == 400


def test_the_management_link_changes_rhythm_pauses_and_resumes(client, digital):
    subscription = confirmed(query="topic=digitalisierung", rhythm="daily")
    path = f"/benachrichtigung/verwalten/{tokens.manage_token(subscription)}/"
    page = client.get(path).content.decode()
    assert ADDRESS in page and "Thema: Digitalisierung" in page

    client.post(path, {"action": "save", "rhythm": "weekly"})
    subscription.refresh_from_db()
    assert subscription.rhythm == "weekly"
    assert client.post(path, {"action": "save", "rhythm": "hourly"}).status_code == 400

    client.post(path, {"action": "pause"})
    assert Subscription.objects.get().paused
    resumed_at = timezone.now()
    client.post(path, {"action": "resume"})
    subscription.refresh_from_db()
    assert not subscription.paused and subscription.covered_until >= resumed_at


def test_reminder_days_of_a_programme_alert_can_be_chosen(client):
    programme = make_programme("Sportstätten", slug="sportstaetten")
    subscription = confirmed(programme=programme)
    path = f"/benachrichtigung/verwalten/{tokens.manage_token(subscription)}/"
    client.post(path, {"action": "save", "reminder_days": ["7", "1"]})
    subscription.refresh_from_db()
    assert sorted(subscription.reminder_days) == [1, 7]


def test_delete_everything_removes_every_subscription_and_mail_of_the_address(client, digital):
    mine = confirmed(query="topic=digitalisierung")
    confirmed(query="")
    other = confirmed(email="andere@example.org")
    Delivery.objects.create(subscription=mine, kind="digest", text="…")
    path = f"/benachrichtigung/verwalten/{tokens.manage_token(mine)}/"
    response = client.post(path, {"action": "delete"})
    assert "Alles gelöscht" in response.content.decode()
    assert list(Subscription.objects.all()) == [other]
    assert not Delivery.objects.exists()
    assert client.get(path).status_code == 400  # the link ends with what it managed


def test_lists_and_programme_pages_offer_an_alert(client, digital):
    page = client.get("/programme/?topic=digitalisierung").content.decode()
    assert 'href="/benachrichtigung/?topic=digitalisierung"' in page
    detail = client.get("/programme/digitale-verwaltung/").content.decode()
    assert 'href="/benachrichtigung/?programme=digitale-verwaltung"' in detail
