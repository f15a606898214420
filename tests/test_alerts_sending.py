"""What the alerts send and how: digests from the history, reminders on fixed dates, one mail
per period even across crashes, waiting and backoff while the SMTP server is down, the
sent log pruned, no address in any log line."""

import logging
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts import sending
from alerts.changes import changes_since
from alerts.delivery import deliver_waiting
from alerts.models import Delivery, Subscription
from alerts.sending import compose_due, next_due, prune, send_alerts
from programmes.models import ApplicationWindow
from tests.factories import make_programme, make_topic
from tests.smtp_sink import Sink

pytestmark = pytest.mark.django_db
ADDRESS = "foerdermittel@wuppertal.example"


@pytest.fixture
def smtp(settings):
    sink = Sink().up()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
    settings.EMAIL_TIMEOUT = 2
    yield sink
    sink.down()


def at(day: date, hour=7) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def subscribe(since: datetime, email=ADDRESS, **fields) -> Subscription:
    return Subscription.objects.create(
        email=email, created=since, confirmed=since, covered_until=since, due=since, **fields
    )


@pytest.fixture
def watched_list():
    """A confirmed daily alert on topic Digitalisierung, and one programme of it that existed
    before the alert began."""
    topic = make_topic("Digitalisierung")
    old = make_programme("Digitale Verwaltung", topics=[topic])
    subscription = subscribe(timezone.now(), query="topic=digitalisierung", rhythm="daily")
    return topic, old, subscription


def test_a_digest_names_new_and_changed_programmes_and_what_changed(smtp, watched_list):
    topic, old, subscription = watched_list
    old.title = "Digitale Verwaltung 2027"
    old.summary = "Neu gefasst."
    old.save()
    make_programme("Digitale Schule", topics=[topic])
    make_programme("Sportstätten")  # another list

    run = send_alerts(timezone.now())
    assert run.composed == 1 and run.delivered.sent == 1
    (mail,) = smtp.messages
    text = mail.get_body(("plain",)).get_content()
    assert "Neuigkeiten: Neue und geänderte Programme – Thema: Digitalisierung" in mail["Subject"]
    new_part, changed_part = text.split("Geändert")
    assert "Digitale Schule" in new_part and "Sportstätten" not in text
    assert "Digitale Verwaltung 2027 – geändert: Titel, Kurzbeschreibung" in changed_part
    assert "Digitale Schule" in mail.get_body(("html",)).get_content()
    unsubscribe = str(mail["List-Unsubscribe"]).strip()  # folded: it is long
    assert unsubscribe.startswith("<http") and "/abmelden/" in unsubscribe
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Delivery.objects.get().text == ""  # the sent log keeps no text


def test_changes_since_reads_windows_from_the_history(watched_list):
    _topic, old, subscription = watched_list
    ApplicationWindow.objects.create(programme=old, closes=date(2027, 5, 1))
    old.save()  # the admin saves the programme with its windows
    assert changes_since([old.pk], subscription.confirmed) == {old.pk: ["Antragsfenster"]}


def test_alerts_on_one_list_share_the_digest_but_each_gets_its_own_mail(
    watched_list, django_assert_max_num_queries
):
    topic, _old, first = watched_list
    subscribe(first.covered_until, "zweite@example.org", query=first.query, rhythm="weekly")
    make_programme("Digitale Schule", topics=[topic])
    with django_assert_max_num_queries(20):  # 18: the digest's 8 queries once, not twice
        assert compose_due(timezone.now(), every=True) == 2
    texts = {d.subscription.email: d.text for d in Delivery.objects.select_related("subscription")}
    assert all("Digitale Schule" in text for text in texts.values())
    assert texts[ADDRESS] != texts["zweite@example.org"]  # each its own management link


def test_nothing_happened_sends_nothing_and_moves_the_mark(smtp, watched_list):
    *_, subscription = watched_list
    now = timezone.now()
    assert send_alerts(now).composed == 0
    subscription.refresh_from_db()
    assert smtp.messages == [] and subscription.covered_until == now
    assert subscription.due == next_due("daily", now)


def test_daily_digests_are_due_at_seven_and_weekly_ones_on_monday():
    wednesday_noon = at(date(2027, 3, 3), 12)
    assert next_due("daily", wednesday_noon) == at(date(2027, 3, 4))
    assert next_due("weekly", wednesday_noon) == at(date(2027, 3, 8))
    assert next_due("weekly", at(date(2027, 3, 7), 23)) == at(date(2027, 3, 8))


def test_windows_are_announced_once_when_they_come_within_fourteen_days(watched_list):
    _topic, old, subscription = watched_list
    ApplicationWindow.objects.create(
        programme=old, opens=date(2027, 3, 10), closes=date(2027, 4, 2)
    )
    Subscription.objects.filter(pk=subscription.pk).update(covered_until=at(date(2027, 2, 20)))
    for offset in range(1, 28):  # a run each morning, 21 February to 19 March
        compose_due(at(date(2027, 2, 20) + timedelta(days=offset)), every=True)
    announced = [
        (timezone.localdate(delivery.covered_until), delivery.text)
        for delivery in Delivery.objects.order_by("covered_until")
    ]
    assert [day for day, _text in announced] == [date(2027, 2, 24), date(2027, 3, 19)]
    assert "10. März 2027: Antrag ab dann möglich" in announced[0][1]
    assert "2. April 2027: Antragsfrist" in announced[1][1]


def test_a_watched_programme_reminds_fourteen_and_three_days_before_its_deadline():
    programme = make_programme("Sportstätten", windows=[(None, date(2027, 3, 20))])
    subscribe(at(date(2027, 2, 28)), programme=programme)
    reminded = []
    for offset in range(1, 21):
        now = at(date(2027, 2, 28) + timedelta(days=offset))
        if compose_due(now, every=True):
            reminded.append(timezone.localdate(now))
    assert reminded == [date(2027, 3, 6), date(2027, 3, 17)]
    subjects = list(Delivery.objects.order_by("pk").values_list("subject", flat=True))
    assert subjects == ["Frist in 14 Tagen: Sportstätten", "Frist in 3 Tagen: Sportstätten"]


def test_after_an_outage_only_the_nearest_reminder_is_sent():
    programme = make_programme("Sportstätten", windows=[(None, date(2027, 3, 20))])
    subscribe(at(date(2027, 3, 1)), programme=programme)
    assert compose_due(at(date(2027, 3, 18)), every=True) == 1
    assert Delivery.objects.get().subject == "Frist in 2 Tagen: Sportstätten"


def test_a_crash_between_recording_and_marking_neither_sends_nor_skips(
    smtp, watched_list, monkeypatch
):
    topic, _old, subscription = watched_list
    make_programme("Digitale Schule", topics=[topic])

    def crash(*args):
        raise SystemExit("killed")

    with monkeypatch.context() as patch:
        patch.setattr(sending, "next_due", crash)  # after the mail is stored, before the mark
        with pytest.raises(SystemExit):
            send_alerts(timezone.now())
    assert not Delivery.objects.exists()
    assert Subscription.objects.get().covered_until == subscription.covered_until

    send_alerts(timezone.now())
    send_alerts(timezone.now() + timedelta(days=1))
    assert len(smtp.messages) == 1
    assert "Digitale Schule" in smtp.messages[0].get_body(("plain",)).get_content()


def test_a_mail_stored_before_a_crash_is_delivered_once_and_not_composed_again(smtp, watched_list):
    topic, *_ = watched_list
    make_programme("Digitale Schule", topics=[topic])
    composed_at = timezone.now()
    assert compose_due(composed_at, every=True) == 1  # then the process dies
    run = send_alerts(composed_at + timedelta(days=1))
    assert run.composed == 0 and run.delivered.sent == 1
    assert len(smtp.messages) == 1


def test_a_crash_just_after_the_server_accepted_repeats_the_mail_with_its_message_id(
    smtp, watched_list, monkeypatch
):
    """The one instant no database can cover: the SMTP server said yes, the mark was not yet
    committed. The mail goes again, recognisable as the same one."""
    topic, *_ = watched_list
    make_programme("Digitale Schule", topics=[topic])
    now = timezone.now()
    compose_due(now)
    with monkeypatch.context() as patch:
        patch.setattr("alerts.delivery._finish", lambda *a, **k: (_ for _ in ()).throw(SystemExit))
        with pytest.raises(SystemExit):
            deliver_waiting(now)
    deliver_waiting(now)
    first, second = smtp.messages
    assert first["Message-ID"] == second["Message-ID"]
    assert Delivery.objects.get().sent is not None


def test_while_the_server_is_down_mails_wait_with_backoff_and_go_out_once(smtp, watched_list):
    topic, *_ = watched_list
    make_programme("Digitale Schule", topics=[topic])
    smtp.down()
    now = timezone.now()
    assert send_alerts(now).delivered.server_down
    waiting = Delivery.objects.get()
    assert waiting.attempts == 1 and waiting.next_attempt == now + timedelta(minutes=1)

    assert deliver_waiting(now + timedelta(seconds=30)).sent == 0  # not yet due again
    assert deliver_waiting(now + timedelta(minutes=1)).server_down
    waiting.refresh_from_db()
    assert waiting.attempts == 2 and waiting.next_attempt == now + timedelta(minutes=3)

    smtp.up()
    assert deliver_waiting(now + timedelta(minutes=3)).sent == 1
    assert deliver_waiting(now + timedelta(minutes=10)).sent == 0
    assert len(smtp.messages) == 1


def test_addresses_never_appear_in_logs(client, smtp, caplog):
    make_topic("Digitalisierung")
    caplog.set_level(logging.DEBUG)
    client.post("/benachrichtigung/?topic=digitalisierung", {"email": ADDRESS, "rhythm": "daily"})
    smtp.down()
    call_command("send_alerts", "--now")
    smtp.up()
    deliver_waiting(timezone.now() + timedelta(hours=1))
    assert len(smtp.messages) == 1
    assert "SMTP server unavailable" in caplog.text
    assert ADDRESS not in caplog.text and "wuppertal" not in caplog.text.lower()


def test_the_sent_log_is_pruned_after_ninety_days_but_waiting_mail_is_kept(watched_list):
    *_, subscription = watched_list
    now = timezone.now()
    old = now - timedelta(days=91)
    Delivery.objects.create(subscription=subscription, kind="digest", created=old, sent=old)
    waiting = Delivery.objects.create(subscription=subscription, kind="confirmation", created=old)
    prune(now)
    assert list(Delivery.objects.all()) == [waiting]


def test_send_alerts_now_treats_every_confirmed_subscription_as_due(watched_list, capsys):
    topic, *_ = watched_list
    make_programme("Digitale Schule", topics=[topic])
    Subscription.objects.update(due=timezone.now() + timedelta(days=1))
    call_command("send_alerts")
    assert Delivery.objects.count() == 0
    call_command("send_alerts", "--now")
    assert Delivery.objects.count() == 1
    assert "1 Mails zusammengestellt" in capsys.readouterr().out


def test_the_worker_runs_send_alerts_every_five_minutes():
    from procrastinate.contrib.django import app

    schedules = {
        periodic.task.name: periodic.cron
        for periodic in app.periodic_registry.periodic_tasks.values()
    }
    assert schedules.get("alerts.tasks.send_alerts") == "*/5 * * * *"


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_confirmations_right_after_the_requests(client, smtp, monkeypatch):
    from django.db import connection
    from procrastinate.contrib.django import app
    from procrastinate.contrib.django.models import ProcrastinateJob

    # The job runs in a worker thread with a Django connection of its own; without a maximum
    # age, procrastinate closes it after the job, so the test database can be dropped.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)

    make_topic("Digitalisierung")
    for email in ["eins@example.org", "zwei@example.org"]:
        client.post("/benachrichtigung/?topic=digitalisierung", {"email": email, "rhythm": "daily"})
    waiting = ProcrastinateJob.objects.filter(task_name="alerts.tasks.deliver", status="todo")
    assert waiting.count() == 1  # one job for both mails
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(queues=["alerts"], wait=False, install_signal_handlers=False)
    assert sorted(str(m["To"]) for m in smtp.messages) == ["eins@example.org", "zwei@example.org"]
