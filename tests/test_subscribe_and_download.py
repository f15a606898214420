"""Subscribing and downloading people understand: one place per list that explains e-mail,
calendar, feed and spreadsheets; a feed titled by its filters that opens as a page in a browser
(an XSL stylesheet of the portal, under the same strict Content-Security-Policy); the API docs
in German with a way back; and the page in Leichter Sprache, linked from every page."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils.html import strip_tags
from playwright.sync_api import expect

from tests.factories import make_programme, make_topic
from tests.test_browser import AXE_OPTIONS, WIDE, browser, describe, open_page  # noqa: F401

SHOTS = Path("/work/notes/shots")
XSL = "{http://www.w3.org/1999/XSL/Transform}"


@pytest.fixture
def digital(db):
    topic = make_topic("Digitale Verwaltung", slug="digital")
    make_programme(
        "Smarte Kommune", topics=[topic], summary="Für Rathäuser & Bürgerbüros: „digital“."
    )
    return topic


def strict(policy: str) -> bool:
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return (
        directives["default-src"] == "'none'"
        and directives["script-src"] == "'self'"
        and directives["style-src"] == "'self'"
        and "unsafe" not in policy
    )


class TestFeed:
    def test_title_names_the_filters_by_name_not_slug(self, client, digital):
        response = client.get("/programme/feed/?topic=digital&level=land")
        feed = feedparser.parse(response.content)
        assert feed.feed.title == (
            "Kommunalkompass NRW: Programme – Thema: Digitale Verwaltung; Ebene: Land"
        )
        whole = feedparser.parse(client.get("/programme/feed/").content)
        assert whole.feed.title == "Kommunalkompass NRW: Programme"

    def test_feed_names_the_portals_stylesheet_and_stays_valid_atom(self, client, digital):
        response = client.get("/programme/feed/?topic=digital")
        assert response["Content-Type"] == "application/xml; charset=utf-8"
        head = response.content.decode().split("<feed", 1)[0]
        stylesheet = '<?xml-stylesheet href="/programme/feed.xsl" media="screen" type="text/xsl"?>'
        assert stylesheet in head
        feed = feedparser.parse(response.content)
        assert not feed.bozo and feed.version == "atom10"
        assert [entry.title for entry in feed.entries] == ["Smarte Kommune"]
        assert strict(response["Content-Security-Policy"])

    def test_stylesheet_is_served_as_xslt_with_the_sites_css_and_a_strict_policy(self, client):
        response = client.get(reverse("opendata:feed-stylesheet"))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/xsl; charset=utf-8"
        root = ET.fromstring(response.content)
        assert root.tag == f"{XSL}stylesheet"
        links = [e for e in root.iter("link") if e.get("rel") == "stylesheet"]
        assert [link.get("href") for link in links] == ["/static/css/site.css"]
        assert not list(root.iter("script")) and not list(root.iter("style"))
        attributes = {name for element in root.iter() for name in element.attrib}
        assert not {name for name in attributes if name == "style" or name.startswith("on")}
        assert strict(response["Content-Security-Policy"])


def test_one_place_per_list_explains_every_way_to_subscribe_and_download(client, digital):
    page = client.get("/programme/?topic=digital").text
    start = page.index('<details class="downloads">')
    place = page[start : page.index("</details>", start)]
    assert "Abonnieren und herunterladen" in place
    links = {
        strip_tags(text).strip(): href
        for href, text in re.findall(r'<dt><a href="([^"]+)"[^>]*>(.*?)</a></dt>', place)
    }
    assert links == {
        "Per E-Mail benachrichtigen": "/benachrichtigung/?topic=digital",
        "Antragsfristen im Kalender (iCal)": "/programme/fristen.ics?topic=digital",
        "Feed für Feedreader (Atom)": "/programme/feed/?topic=digital",
        "Excel-Tabelle (XLSX)": "/programme/export.xlsx?topic=digital",
        "CSV für Excel": "/programme/export.csv?topic=digital&amp;delimiter=semicolon",
        "CSV (Standard)": "/programme/export.csv?topic=digital",
    }
    assert place.count("<dd>") == len(links)  # each explained in words
    assert "Ohne Konto" in place and "Semikolon" in place


def test_api_docs_speak_german_and_lead_back_to_the_portal(client):
    page = client.get(reverse("opendata:api-docs")).text
    assert '<html lang="de">' in page
    assert '<a class="api-docs-header__back" href="/">' in page
    assert "„Try it out“ (ausprobieren)" in page
    schema = client.get(reverse("opendata:openapi")).json()
    assert schema["info"]["description"].startswith("Offene Daten des Kommunalkompass NRW")


class TestLeichteSprache:
    ABBREVIATIONS = re.compile(r"\b(z\. ?B\.|bzw\.|ca\.|usw\.|u\. ?a\.|d\. ?h\.|etc\.|NRW|EU)\b")

    def sentences(self, client) -> list[str]:
        page = client.get(reverse("leichte-sprache")).text
        article = page[page.index('<article class="easy-read"') : page.index("</article>")]
        text = strip_tags(article.replace("<", "\n<"))
        return [s.strip() for s in re.split(r"(?<=[.?!:])\s+|\n", text) if s.strip()]

    def test_sentences_are_short_and_free_of_abbreviations(self, client, db):
        sentences = self.sentences(client)
        assert len(sentences) > 80
        longest = max(sentences, key=lambda s: len(s.split()))
        assert len(longest.split()) <= 12, longest
        assert not [s for s in sentences if self.ABBREVIATIONS.search(s)]

    def test_explains_search_filters_a_programme_places_downloads_and_alerts(self, client, db):
        page = client.get(reverse("leichte-sprache")).text
        for heading in [
            "Was ist der Kommunal-Kompass?",
            "So suchen Sie ein Programm",
            "So wird die Liste kürzer",
            "Die Seite von einem Programm",
            "Städte und Gemeinden",
            "Listen herunterladen",
            "Nachrichten per E-Mail",
        ]:
            assert f">{heading}</h2>" in page

    def test_linked_from_every_page_and_in_the_sitemap(self, client, digital):
        link = f'<a href="{reverse("leichte-sprache")}" lang="de">Leichte Sprache</a>'
        for path in ["/", "/programme/", "/programme/smarte-kommune/", "/impressum/", "/x/"]:
            assert link in client.get(path).text, path
        sitemap = client.get("/sitemap-seiten.xml").text
        assert "/leichte-sprache/</loc>" in sitemap


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
class TestInTheBrowser:
    def test_leichte_sprache_is_accessible_at_phone_and_desktop_width(
        self,
        live_server,
        browser,  # noqa: F811
    ):
        for width in (390, WIDE):
            context, page = open_page(browser, width)
            page.goto(f"{live_server.url}/leichte-sprache/")
            expect(page.locator("h1")).to_have_text("Der Kommunal-Kompass in Leichter Sprache")
            result = Axe().run(page, options=AXE_OPTIONS)
            assert not result.violations_count, describe(result.response["violations"])
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=SHOTS / f"linkcheck-leichte-sprache-{width}.png", full_page=True)
            context.close()

    def test_the_feed_opens_as_a_readable_page(self, live_server, browser, digital):  # noqa: F811
        context, page = open_page(browser, WIDE)
        policy = []
        page.on("console", lambda m: policy.append(m.text) if "Security Policy" in m.text else 0)
        page.goto(f"{live_server.url}/programme/feed/?topic=digital")
        expect(page.locator("h1")).to_have_text(
            "Kommunalkompass NRW: Programme – Thema: Digitale Verwaltung"
        )
        entry = page.locator(".result").first
        expect(entry.locator("a")).to_have_attribute(
            "href", f"{live_server.url}/programme/smarte-kommune/"
        )
        expect(entry).to_contain_text("Für Rathäuser & Bürgerbüros: „digital“.")
        expect(
            page.get_by_role("link", name="Lieber per E-Mail benachrichtigen")
        ).to_have_attribute("href", "/benachrichtigung/?topic=digital")
        # The site's stylesheet applies (its header colour) ...
        header = page.locator(".site-header")
        expect(header).to_have_css("background-color", "rgb(11, 58, 102)")
        # ... and nothing the page loads is refused. Chromium's own banner about XSLT's
        # deprecation (inline style and handler, not ours: the stylesheet has none) is.
        assert not [message for message in policy if "Refused to load" in message]
        page.screenshot(path=SHOTS / "linkcheck-feed-1280.png", full_page=True)
        context.close()
