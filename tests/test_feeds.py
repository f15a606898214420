"""Atom feeds and iCalendar deadlines of any filtered programme list, parsed back."""

from datetime import date, timedelta

import feedparser
import icalendar
import pytest
from django.utils import timezone

from programmes.models import ApplicationWindow, Programme
from tests.factories import make_programme, make_topic

DAY = timedelta(days=1)
LONG_TITLE = (
    "Förderung für Straßen, Plätze; Grünflächen und Backslashes \\ in Städten und Gemeinden "
    "Nordrhein-Westfalens – mit einem sehr langen Titel, der gefaltet werden muss"
)


@pytest.fixture
def catalogue(db, today):
    klima, wohnen = make_topic("Klima"), make_topic("Wohnen")
    long = make_programme(
        LONG_TITLE,
        slug="lange-foerderung",
        summary="Mehr <b>Geld</b> & Hilfe.\nZweite Zeile, mit Komma.",
        topics=[klima],
        windows=[(today - DAY, today + 10 * DAY), (date(2030, 1, 1), date(2030, 3, 31))],
    )
    long.application_windows.create(opens=None, closes=None, note="jederzeit")
    make_programme("Wohnbau", topics=[wohnen], windows=[(None, today + 20 * DAY)])
    make_programme("Beendet", topics=[klima], end_date=today - DAY)
    make_programme(
        "Entwurf",
        topics=[klima, wohnen],
        publication=Programme.Publication.DRAFT,
        windows=[(None, today + 5 * DAY)],
    )
    # The newest change first: Wohnbau, then the long one.
    Programme.objects.filter(slug="wohnbau").update(updated=timezone.now() + DAY)
    return long


def html_titles(client, query):
    return {p.title for p in client.get(f"/programme/?{query}").context["page"].object_list}


def streamed(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class TestAtomFeed:
    def parse(self, client, query=""):
        response = client.get(f"/programme/feed/?{query}")
        assert response.status_code == 200
        # application/xml, so that browsers apply the feed's stylesheet (opendata.feeds)
        assert response["Content-Type"] == "application/xml; charset=utf-8"
        assert response["Access-Control-Allow-Origin"] == "*"
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == "atom10"
        return feed

    def test_newest_changes_first_with_absolute_links(self, client, catalogue):
        feed = self.parse(client)
        assert [e.title for e in feed.entries] == ["Wohnbau", LONG_TITLE]
        entry = feed.entries[1]
        assert entry.link == "http://testserver/programme/lange-foerderung/"
        assert entry.id == entry.link  # stable: a change updates the entry
        assert entry.updated_parsed and entry.published_parsed
        assert [tag.term for tag in entry.tags] == ["Klima"]
        assert feed.feed.link == "http://testserver/programme/"
        assert feed.feed.language == "de"

    def test_summaries_escape_editor_text(self, client, catalogue):
        summary = self.parse(client).entries[1].summary
        assert "&lt;b&gt;Geld&lt;/b&gt; &amp; Hilfe." in summary
        assert "<b>" not in summary
        assert "Status: Antrag möglich" in summary

    @pytest.mark.parametrize("query", ["topic=klima", "topic=wohnen&topic=klima", "status=closed"])
    def test_follows_a_filtered_list(self, client, catalogue, query):
        feed = self.parse(client, query)
        assert {e.title for e in feed.entries} == html_titles(client, query)
        normalised = "&".join(sorted(query.split("&")))  # as the page cache hands it over
        assert feed.feed.link == f"http://testserver/programme/?{normalised}"

    def test_search_names_itself_in_the_title(self, client, catalogue):
        assert self.parse(client, "q=Wohnbau").feed.title.endswith("Suchbegriff: „Wohnbau“")

    def test_drafts_never_appear(self, client, catalogue):
        statuses = "status=open&status=upcoming&status=running&status=closed&status=announced"
        titles = [e.title for e in self.parse(client, statuses).entries]
        assert "Entwurf" not in titles
        assert len(titles) == 3

    def test_holds_the_fifty_newest(self, client, db):
        for number in range(55):
            make_programme(f"Programm {number:02d}")
        for number, programme in enumerate(Programme.objects.order_by("title")):
            Programme.objects.filter(pk=programme.pk).update(
                updated=timezone.now() + timedelta(minutes=number)
            )
        titles = [e.title for e in self.parse(client).entries]
        assert titles == [f"Programm {n:02d}" for n in range(54, 4, -1)]

    def test_bad_parameters_answer_400_json(self, client, catalogue):
        response = client.get("/programme/feed/?topic=gibt-es-nicht")
        assert response.status_code == 400
        assert response.json()["errors"][0]["parameter"] == "topic"
        assert response["Access-Control-Allow-Origin"] == "*"

    def test_query_count_is_bounded(self, client, catalogue, django_assert_max_num_queries):
        for number in range(20):
            make_programme(f"Programm {number}", topics=[catalogue.topics.get()])
        # topic lookup, the topic names for the title, entries, their topics
        with django_assert_max_num_queries(5):
            response = client.get("/programme/feed/?topic=klima")
        assert response.status_code == 200
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        titles = [e.title for e in feed.entries]
        assert len(titles) == 21 and LONG_TITLE in titles and "Wohnbau" not in titles
        assert all([tag.term for tag in e.tags] == ["Klima"] for e in feed.entries)


class TestCalendar:
    def fetch(self, client, path):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert response["Access-Control-Allow-Origin"] == "*"
        return streamed(response)

    def events(self, raw):
        calendar = icalendar.Calendar.from_ical(raw)
        return list(calendar.walk("VEVENT"))

    def test_one_all_day_event_per_deadline(self, client, catalogue):
        raw = self.fetch(client, "/programme/lange-foerderung/fristen.ics")
        calendar = icalendar.Calendar.from_ical(raw)
        assert calendar["VERSION"] == "2.0"
        assert calendar["PRODID"] == "-//Kommunalkompass NRW//Antragsfristen//DE"
        assert calendar["X-WR-TIMEZONE"] == "Europe/Berlin"
        events = self.events(raw)
        windows = catalogue.application_windows.exclude(closes=None).order_by("closes")
        assert [e.decoded("DTSTART") for e in events] == [w.closes for w in windows]
        assert [e.decoded("DTEND") for e in events] == [w.closes + DAY for w in windows]
        assert all(e["DTSTART"].params["VALUE"] == "DATE" for e in events)
        assert [str(e["UID"]) for e in events] == [f"window-{w.pk}@127.0.0.1" for w in windows]
        assert all(e.decoded("DTSTAMP").tzinfo is not None for e in events)
        assert str(events[0]["URL"]) == "http://testserver/programme/lange-foerderung/"

    def test_long_lines_are_folded_and_text_is_escaped(self, client, catalogue):
        raw = self.fetch(client, "/programme/lange-foerderung/fristen.ics")
        assert raw.endswith(b"END:VCALENDAR\r\n")
        lines = raw.split(b"\r\n")
        assert b"\n" not in b"".join(lines)  # no bare line feeds
        assert max(len(line) for line in lines) <= 75
        assert any(line.startswith(b" ") for line in lines)  # folded somewhere
        unfolded = raw.replace(b"\r\n ", b"").decode()
        assert r"Straßen\, Plätze\; Grünflächen und Backslashes \\ in" in unfolded
        event = self.events(raw)[0]
        assert str(event["SUMMARY"]) == f"Antragsfrist: {LONG_TITLE}"
        description = str(event["DESCRIPTION"])
        assert description.startswith("Mehr <b>Geld</b> & Hilfe.\nZweite Zeile, mit Komma.\n\n")
        assert "Antrag möglich ab" in description

    def test_folding_never_splits_a_character(self, client, db, today):
        make_programme("Ä" * 120, slug="umlaute", windows=[(None, today)])
        raw = self.fetch(client, "/programme/umlaute/fristen.ics")
        for line in raw.split(b"\r\n"):
            assert len(line) <= 75
            line.decode("utf-8")  # every physical line is whole UTF-8
        event = self.events(raw)[0]
        assert str(event["SUMMARY"]) == "Antragsfrist: " + "Ä" * 120

    def test_uids_stay_the_same_across_downloads(self, client, catalogue):
        first = self.fetch(client, "/programme/fristen.ics")
        assert self.fetch(client, "/programme/fristen.ics") == first

    def test_list_calendar_follows_the_filtered_list(self, client, catalogue):
        events = self.events(self.fetch(client, "/programme/fristen.ics?topic=wohnen"))
        assert [str(e["SUMMARY"]) for e in events] == ["Antragsfrist: Wohnbau"]
        events = self.events(self.fetch(client, "/programme/fristen.ics"))
        assert [e.decoded("DTSTART") for e in events] == sorted(
            ApplicationWindow.objects.filter(programme__publication="published")
            .exclude(closes=None)
            .values_list("closes", flat=True)
        )

    def test_drafts_never_appear(self, client, catalogue):
        raw = self.fetch(client, "/programme/fristen.ics?status=open&status=running")
        assert b"Entwurf" not in raw
        assert client.get("/programme/entwurf/fristen.ics").status_code == 404

    def test_bad_parameters_answer_400_json(self, client, catalogue):
        response = client.get("/programme/fristen.ics?deadline_before=morgen")
        assert response.status_code == 400
        assert response.json()["errors"][0]["parameter"] == "deadline_before"

    def test_query_count_is_bounded(self, client, catalogue, today, django_assert_max_num_queries):
        klima = catalogue.topics.get()
        for number in range(20):
            make_programme(
                f"Programm {number}", topics=[klima], windows=[(None, today + number * DAY)]
            )
        # topic lookup, the bounded count and the slot (opendata.limits), the windows
        with django_assert_max_num_queries(4):
            response = client.get("/programme/fristen.ics?topic=klima")
            raw = streamed(response)
        assert response.status_code == 200
        summaries = [str(e["SUMMARY"]) for e in self.events(raw)]
        assert len(summaries) == 22  # the long one's two deadlines and one per new programme
        assert "Antragsfrist: Programm 19" in summaries
        assert "Antragsfrist: Wohnbau" not in summaries
