"""The editorial office in a real browser: a writer (Redaktion) edits a draft, submits it and
previews it; a reviewer (Freigabe) finds it on the desk and publishes it; the public sees it
only then. The desk and the programme list at 1280 pixels: measured, checked by axe-core and
photographed for the notes."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from programmes.models import Programme
from tests.admin_builders import make_source
from tests.factories import make_funding_body, make_programme, make_target_group
from tests.test_browser import AXE_OPTIONS, browser, open_page  # noqa: F401 (module fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "ein-langes-Testpasswort"
SHOTS = Path("/work/notes/shots")


def member(username: str, group: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def office():
    call_command("setup_roles", stdout=io.StringIO())
    return member("schreiber", "Redaktion"), member("pruefer", "Freigabe")


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/admin/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def draft_to_review() -> Programme:
    programme = make_programme(
        "Dorfläden stärken",
        slug="dorflaeden",
        publication=Programme.Publication.DRAFT,
        funding_body=make_funding_body("Ministerium für Heimat"),
        target_groups=[make_target_group("Gemeinden")],
        website="https://example.org/dorflaeden",
    )
    make_source(programme)
    return programme


def test_write_submit_preview_and_publish_as_the_two_roles(live_server, browser, office):  # noqa: F811
    programme = draft_to_review()
    base = live_server.url
    change = f"{base}/admin/programmes/programme/{programme.pk}/change/"

    context, page = open_page(browser)
    log_in(page, base, "schreiber")
    page.goto(change)
    page.locator("#id_summary").fill("Nahversorgung im Dorf sichern.")
    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("erfolgreich geändert")
    steps = page.locator(".workflow-steps button")
    expect(steps).to_have_text(["Zur Prüfung geben"])  # no „Veröffentlichen“ for the writer
    page.get_by_label("Anmerkung (bei einem Schritt zurück: Grund)").fill("Bitte gegenlesen")
    page.get_by_role("button", name="Zur Prüfung geben").click()
    expect(page.locator(".workflow h2")).to_contain_text("zur Prüfung")
    page.screenshot(path=SHOTS / "workflow-change-1280.png")

    share = page.locator("#preview-share").input_value()
    page.goto(share)
    expect(page.locator(".preview-banner")).to_contain_text("Vorschau – nicht veröffentlicht")
    expect(page.locator("h1")).to_contain_text("Dorfläden stärken")
    expect(page.locator(".lead")).to_have_text("Nahversorgung im Dorf sichern.")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / "workflow-preview-390.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.response["violations"]
    context.close()

    public_context, public = open_page(browser)
    assert public.goto(share).status == 404
    assert public.goto(f"{base}/programme/dorflaeden/").status == 404

    context, page = open_page(browser)
    log_in(page, base, "pruefer")
    desk = page.locator(".desk")
    expect(desk).to_contain_text("Warten auf Prüfung")
    desk.get_by_role("link", name="Dorfläden stärken").click()
    expect(page.locator(".workflow .steps")).to_contain_text("Bitte gegenlesen")
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.locator(".messagelist")).to_contain_text("ist jetzt: veröffentlicht")
    context.close()

    response = public.goto(f"{base}/programme/dorflaeden/")
    assert response.status == 200
    expect(public.locator(".lead")).to_have_text("Nahversorgung im Dorf sichern.")
    expect(public.locator(".preview-banner")).to_have_count(0)
    public_context.close()


def test_desk_and_programme_list_fit_1280_pixels(live_server, browser, office):  # noqa: F811
    today = timezone.localdate()
    funder = make_funding_body("Ministerium für Heimat, Kommunales, Bau und Digitalisierung")
    for n in range(12):
        make_programme(
            f"Förderprogramm zur Stärkung der Innenstädte und Ortszentren, Teil {n}",
            funding_body=funder,
            publication=["draft", "review", "published"][n % 3],
            facts_checked_on=today - timedelta(days=400 if n % 2 else 10),
            windows=[(None, today + timedelta(days=n * 3))],
        )
    context, page = open_page(browser, width=1280)
    log_in(page, live_server.url, "pruefer")
    expect(page.locator(".desk h3").first).to_be_visible()
    page.screenshot(path=SHOTS / "workflow-desk-1280.png", full_page=True)
    results = Axe().run(page, context=".desk", options=AXE_OPTIONS)
    assert results.violations_count == 0, results.response["violations"]

    page.goto(live_server.url + "/admin/programmes/programme/")
    widths = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            table: document.querySelector('#result_list').getBoundingClientRect().width,
            box: document.querySelector('#changelist .results').clientWidth,
        })"""
    )
    page.screenshot(path=SHOTS / "workflow-changelist-1280.png")
    print("changelist widths at 1280 px:", widths)
    assert widths["page"] <= 1280
    assert widths["table"] <= widths["box"] + 1
    header = page.locator("#result_list thead").text_content()
    assert header.index("Veröffentlichung") < header.index("Status") < header.index("Zuletzt")
    context.close()
