"""Results first, in Chromium: on a 390 × 844 phone the count, the chips and the first result are
on the first screen and the filters open from a button (also without JavaScript); at 1280 px the
filters stay beside the results and a skip link takes a keyboard user to the first result."""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import make_principle, make_programme, make_topic
from tests.test_browser import (
    AXE_OPTIONS,
    browser,  # noqa: F401 (the module's browser fixture)
    describe,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def catalogue():
    """Enough vocabulary for a long filter column: 12 topics, 8 Leitsätze, 12 programmes."""
    topics = [make_topic(f"Thema {n:02d}") for n in range(12)]
    for number in range(1, 9):
        make_principle(f"Leitsatz Nummer {number}", number)
    for n in range(12):
        make_programme(f"Bürgerhaus Vorhaben {n:02d}", topics=[topics[n], topics[0]])


@pytest.fixture
def chromium(browser):  # noqa: F811 (test_browser's module-wide browser)
    return browser


def open_page(chromium, viewport, javascript=True):
    context = chromium.new_context(
        viewport=viewport, locale="de-DE", java_script_enabled=javascript
    )
    context.set_default_timeout(5_000)
    return context, context.new_page()


def top_of(page, selector: str) -> float:
    return page.locator(selector).first.evaluate("el => el.getBoundingClientRect().top")


def test_on_a_phone_the_first_result_of_a_search_is_on_the_first_screen(
    live_server, chromium, catalogue
):
    context, page = open_page(chromium, PHONE)
    try:
        page.goto(live_server.url + "/programme/")
        page.get_by_role("searchbox", name="Suchbegriff").fill("Bürgerhaus")
        page.get_by_role("searchbox", name="Suchbegriff").press("Enter")
        page.wait_for_url(re.compile(r"\?q=B%C3%BCrgerhaus$"))  # no empty fields in the address
        expect(page.get_by_role("heading", name="12 Programme gefunden")).to_be_in_viewport()
        assert top_of(page, ".result-list > li") < PHONE["height"]

        # The filters wait behind their button; opened, „Ergebnisse anzeigen“ stays in reach.
        topic = page.get_by_role("checkbox", name=re.compile(r"^Thema 03"))
        expect(topic).to_be_hidden()
        page.get_by_text("Filter", exact=True).click()
        topic.check()
        show = page.get_by_role("button", name="Ergebnisse anzeigen")
        expect(show).to_be_in_viewport()
        show.click()
        page.wait_for_url(re.compile(r"\?q=B%C3%BCrgerhaus&topic=thema-03$"))
        expect(page.locator("summary.filter-panel__toggle")).to_have_text("Filter (1 aktiv)")
        expect(page.locator(".chips a.chip").nth(1)).to_have_text(re.compile(r"^Thema: Thema 03"))
        assert top_of(page, ".result-list > li") < PHONE["height"]

        page.goto(live_server.url + "/programme/?q=Quarkstrudel&topic=thema-03")
        expect(page.get_by_role("heading", name="0 Programme gefunden")).to_be_in_viewport()
        expect(page.get_by_role("link", name="„Thema: Thema 03“ entfernen")).to_be_in_viewport()
    finally:
        context.close()


def test_without_javascript_the_filter_button_opens_and_empty_fields_leave_the_address(
    live_server, chromium, catalogue
):
    context, page = open_page(chromium, PHONE, javascript=False)
    try:
        page.goto(live_server.url + "/programme/?q=B%C3%BCrgerhaus")
        page.get_by_text("Filter", exact=True).click()
        page.get_by_role("checkbox", name=re.compile(r"^Thema 05")).check()
        page.get_by_role("button", name="Ergebnisse anzeigen").click()
        # The form sent every field; the server answered with the address without the empty ones.
        page.wait_for_url(re.compile(r"topic=thema-05$"))
        assert urlsplit(page.url).query == "q=B%C3%BCrgerhaus&topic=thema-05"
        expect(page.get_by_role("heading", name="1 Programm gefunden")).to_be_visible()
    finally:
        context.close()


def test_on_a_wide_screen_the_filters_stay_beside_and_a_skip_link_reaches_the_first_result(
    live_server, chromium, catalogue
):
    context, page = open_page(chromium, DESKTOP)
    try:
        page.goto(live_server.url + "/programme/?q=B%C3%BCrgerhaus")
        filters = page.get_by_role("search", name="Suchen und filtern")
        expect(filters.get_by_role("group", name="Thema")).to_be_visible()
        expect(filters.get_by_role("button", name="Ergebnisse anzeigen")).to_be_visible()
        assert (
            page.locator(".filters").bounding_box()["x"]
            < page.locator(".results").bounding_box()["x"]
        )

        presses = ["Tab", "Tab", "Enter", "Tab"]
        for key in presses:
            page.keyboard.press(key)
        focused = page.evaluate("document.activeElement.closest('.result-list > li') !== null")
        assert focused, page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
        expect(page.locator(".result-list > li a").first).to_be_focused()
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_list_with_open_filters_chips_and_no_results_passes_axe(
    live_server, chromium, catalogue, viewport
):
    context, page = open_page(chromium, viewport)
    problems = []
    try:
        for path in [
            "/programme/?q=B%C3%BCrgerhaus&topic=thema-01&principle=leitsatz-nummer-2",
            "/programme/?q=Quarkstrudel&topic=thema-03",
            "/kommunen/?kind=stadt",
        ]:
            page.goto(live_server.url + path)
            if page.locator("summary.filter-panel__toggle").is_visible():
                page.locator("summary.filter-panel__toggle").click()  # the open panel too
            result = Axe().run(page, options=AXE_OPTIONS)
            if result.violations_count:
                problems.append(f"{path}:\n{describe(result.response['violations'])}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
