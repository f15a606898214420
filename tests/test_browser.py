"""The public catalogue in a real browser: Debian's Chromium driven by Playwright.

A citizen's journey (search, two filters, a programme, a municipality, back), keyboard-only use
of the filter form, axe-core's WCAG 2.1 A/AA rules at 320 and 1280 pixels, no horizontal
scrolling on a phone, and no request that leaves the machine.
"""

import os
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from programmes.models import Measure
from tests.factories import (
    add_participation,
    make_funding_body,
    make_nrw_chain,
    make_principle,
    make_programme,
    make_target_group,
    make_topic,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium tries to reach the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Only violations come back: the same rules run, but without listing every passing node
# (three times faster).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
NARROW, WIDE = 320, 1280


@pytest.fixture(scope="module")
def browser():
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium"
    # Playwright's sync API runs an event loop in this thread; the ORM calls that create test
    # data and flush the database in between are still plain synchronous code.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


def open_page(browser, width=WIDE):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    context.set_default_timeout(5_000)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    context, page = open_page(browser)
    yield page
    context.close()


@pytest.fixture
def catalogue():
    """Seven programmes, four of them about Bürgerhäuser; one open with a deadline, one
    closed; Wuppertal and Iserlohn take part in the open one, which serves a principle."""
    today = timezone.localdate()
    town = make_topic("Stadtentwicklung")
    volunteering = make_topic("Ehrenamt")
    digital = make_topic("Digitalisierung")
    towns = make_target_group("Gemeinden")
    districts = make_target_group("Kreise")
    land = make_funding_body(
        "Ministerium für Heimat, Kommunales, Bau und Digitalisierung", short_name="MHKBD"
    )
    federal = make_funding_body("Bundesministerium des Innern", level="bund", short_name="BMI")
    places = make_nrw_chain()
    principle = make_principle(
        "Orte der Begegnung stärken",
        text="Kommunen schaffen offene Räume für alle Generationen.",
    )
    Measure.objects.create(principle=principle, text="Bürgerhäuser barrierefrei umbauen.")

    open_one = make_programme(
        "Bürgerhäuser im Quartier",
        short_name="BiQ",
        topics=[town, volunteering],
        target_groups=[towns],
        funding_body=land,
        region=places["nrw"],
        windows=[(today - timedelta(days=30), today + timedelta(days=40))],
        description="Gefördert werden Umbau und Betrieb von Bürgerhäusern in Stadtteilen.",
    )
    open_one.principles.add(principle)
    add_participation(open_one, places["wuppertal"], role="leitkommune", round="1. Durchgang")
    add_participation(open_one, places["iserlohn"], role="partner", round="1. Durchgang")
    add_participation(open_one, places["mk"], role="partner", round="2. Durchgang")
    make_programme(
        "Dorfgemeinschaft und Bürgerhaus",
        topics=[town],
        target_groups=[towns],
        funding_body=federal,
        level="bund",
    )
    make_programme(
        "Bürgerhaus digital",
        topics=[digital],
        target_groups=[towns, districts],
        funding_body=land,
    )
    make_programme(
        "Bürgerhaus-Sanierung 2019",
        topics=[town],
        target_groups=[towns],
        funding_body=land,
        start_date=today - timedelta(days=900),
        end_date=today - timedelta(days=200),
        windows=[(today - timedelta(days=800), today - timedelta(days=300))],
    )
    make_programme(
        "Kreisentwicklung konkret", topics=[town], target_groups=[districts], funding_body=land
    )
    # Every status badge appears on the topic page, so axe checks each colour's contrast.
    make_programme(
        "Quartiersfonds",
        topics=[town],
        funding_body=land,
        windows=[(today + timedelta(days=20), today + timedelta(days=80))],
    )
    make_programme("Stadtlabor 2030", topics=[town], funding_body=land, is_announced=True)
    return {"open": open_one, "principle": principle, "town": town, **places}


def record_requests(page):
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def focused(page, script):
    return page.evaluate(f"({script})(document.activeElement)")


def focus_is_visible(page):
    """The focused element draws an outline or a box shadow (the site's focus style)."""
    style = page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            return {outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow};
        }"""
    )
    has_outline = style["outline"] != "none" and style["width"] not in ("0px", "")
    return has_outline or style["shadow"] != "none", style


def test_search_filter_open_programme_and_municipality_then_back(live_server, page, catalogue):
    requests = record_requests(page)
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="Suchbegriff").fill("Bürgerhaus")
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_url(re.compile(r"/programme/\?q="))
    # Three hits; the closed one is hidden by default.
    expect(page.get_by_role("heading", level=2, name="3 Programme gefunden")).to_be_visible()

    filters = page.get_by_role("search", name="Suchen und filtern")
    filters.get_by_role("group", name="Thema").get_by_role(
        "checkbox", name=re.compile(r"^Stadtentwicklung")
    ).check()
    filters.get_by_role("group", name="Zielgruppe").get_by_role(
        "checkbox", name=re.compile(r"^Gemeinden")
    ).check()
    filters.get_by_role("button", name="Ergebnisse anzeigen").click()
    page.wait_for_url(re.compile(r"topic=stadtentwicklung"))

    filtered_url = page.url
    assert parse_qs(urlsplit(filtered_url).query) == {
        "q": ["Bürgerhaus"],
        "topic": ["stadtentwicklung"],
        "target_group": ["gemeinden"],
    }
    expect(page.get_by_role("heading", level=2, name="2 Programme gefunden")).to_be_visible()
    results = page.locator("ol.result-list > li h3")
    expect(results).to_have_text(
        ["Bürgerhäuser im Quartier (BiQ)", "Dorfgemeinschaft und Bürgerhaus"]
    )
    chips = page.locator(".chips a.chip")
    expect(chips).to_have_text(
        [
            re.compile(r"^Suchbegriff: Bürgerhaus"),
            re.compile(r"^Thema: Stadtentwicklung"),
            re.compile(r"^Zielgruppe: Gemeinden"),
        ]
    )
    # Each chip removes its own filter and keeps the others.
    topic_chip = parse_qs(urlsplit(chips.nth(1).get_attribute("href")).query)
    assert topic_chip == {"q": ["Bürgerhaus"], "target_group": ["gemeinden"]}

    page.get_by_role("link", name="Bürgerhäuser im Quartier").click()
    page.wait_for_url(re.compile(r"/programme/burgerhauser-im-quartier/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bürgerhäuser im Quartier")
    taking_part = page.get_by_role("region", name="Teilnehmende Kommunen")
    expect(taking_part.get_by_role("link")).to_have_text(
        ["Wuppertal", "Iserlohn", "Märkischer Kreis"]
    )

    taking_part.get_by_role("link", name="Wuppertal").click()
    page.wait_for_url(re.compile(r"/kommunen/wuppertal/$"))
    expect(page.get_by_role("heading", level=1, name="Wuppertal")).to_be_visible()
    expect(
        page.get_by_role("region", name="Nimmt teil an").get_by_role(
            "link", name="Bürgerhäuser im Quartier"
        )
    ).to_be_visible()

    page.go_back()
    page.wait_for_url(re.compile(r"/programme/burgerhauser-im-quartier/$"))
    page.go_back()
    page.wait_for_url(filtered_url)
    assert page.url == filtered_url
    expect(page.get_by_role("heading", level=2, name="2 Programme gefunden")).to_be_visible()

    # Nothing was fetched from anywhere but the live server: no CDN, no web font, no tracker.
    server = urlsplit(live_server.url)
    assert server.hostname in ("127.0.0.1", "localhost")
    assert len(requests) >= 5
    foreign = [url for url in requests if urlsplit(url).netloc != server.netloc]
    assert foreign == []


def test_filter_form_works_with_the_keyboard_alone(live_server, page, catalogue):
    page.goto(live_server.url + "/programme/")

    page.keyboard.press("Tab")
    assert focused(page, "el => el.className") == "skip-link"
    expect(page.get_by_role("link", name="Zum Inhalt springen")).to_be_in_viewport()
    visible, style = focus_is_visible(page)
    assert visible, style
    page.keyboard.press("Enter")
    assert focused(page, "el => el.id") == "inhalt"

    def tab_to(predicate, limit=40):
        """Press Tab until `predicate` holds for the focused element; every element passed on
        the way must show its focus too."""
        for _ in range(limit):
            page.keyboard.press("Tab")
            visible, style = focus_is_visible(page)
            assert visible, (focused(page, "el => el.outerHTML.slice(0, 120)"), style)
            if focused(page, predicate):
                return
        raise AssertionError(f"Tab never reached {predicate}")

    tab_to("el => el.type === 'checkbox' && el.name === 'topic' && el.value === 'ehrenamt'")
    assert focused(page, "el => el.checked") is False
    page.keyboard.press("Space")
    assert focused(page, "el => el.checked") is True

    tab_to("el => el.type === 'submit' && el.form && el.form.classList.contains('filters')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"topic=ehrenamt"))
    assert parse_qs(urlsplit(page.url).query)["topic"] == ["ehrenamt"]
    expect(page.get_by_role("heading", level=2, name="1 Programm gefunden")).to_be_visible()
    expect(page.locator(".chips a.chip")).to_have_text([re.compile(r"^Thema: Ehrenamt")])


PAGES = {
    "home": "/",
    "filtered-list": "/programme/?q=B%C3%BCrgerhaus&topic=stadtentwicklung&sort=title",
    "programme": "/programme/burgerhauser-im-quartier/",
    "kreis": "/kommunen/markischer-kreis/",
    "gemeinde": "/kommunen/iserlohn/",
    "principle": "/leitbild/orte-der-begegnung-starken/",
    "topic": "/themen/stadtentwicklung/",
    "municipality-list": "/kommunen/",
    "leitbild-list": "/leitbild/",
    "impressum": "/impressum/",
    "barrierefreiheit": "/barrierefreiheit/",
    "bad-request": "/programme/?status=irgendwann&deadline_before=morgen",
}
EXPECTED_STATUS = {"bad-request": 400}


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node['failureSummary']}")
    return "\n".join(lines)


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_public_pages_pass_axe_and_fit_the_width(live_server, browser, catalogue, width):
    """Every page in one test per width: the database is set up and flushed twice, not 24
    times. All findings are collected first, so one run reports every page's problems."""
    context, page = open_page(browser, width)
    problems = []
    try:
        for name, path in PAGES.items():
            response = page.goto(live_server.url + path)
            expected = EXPECTED_STATUS.get(name, 200)
            if response.status != expected:
                problems.append(f"{name} {path}: status {response.status}, not {expected}")
            result = Axe().run(page, options=AXE_OPTIONS)
            if result.violations_count:
                violations = describe(result.response["violations"])
                problems.append(f"{name} {path} at {width}px:\n{violations}")
            if width == NARROW:
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                if scroll_width > NARROW:
                    problems.append(f"{name} {path} scrolls sideways: {scroll_width}px wide")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
