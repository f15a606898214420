"""No lost edits and a readable history in a real browser: two editors in two sessions open the
same programme; the second save is refused with who, when and what; the history shows the
differences in German and restores an earlier version; the spreadsheet import's preview. axe-core
checked, photographed at 1280 pixels for the notes."""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from playwright.sync_api import expect

from programmes.models import Programme
from programmes.spreadsheet import ProgrammeResource
from tests.factories import make_programme, make_topic
from tests.test_browser import AXE_OPTIONS, browser, open_page  # noqa: F401 (module fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "ein-langes-Testpasswort"
SHOTS = Path("/work/notes/shots")


def editor(username: str, first_name: str) -> User:
    user = User.objects.create_user(
        username, password=PASSWORD, is_staff=True, first_name=first_name, last_name="Muster"
    )
    user.groups.add(Group.objects.get(name="Redaktion"))
    return user


def logged_in(browser, base: str, username: str):  # noqa: F811
    context, page = open_page(browser, width=1280)
    page.goto(base + "/admin/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    return context, page


def no_violations(page, *selectors: str) -> None:
    results = Axe().run(page, context={"include": list(selectors)}, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.response["violations"]


def test_two_editors_a_refused_save_and_a_restore(live_server, browser):  # noqa: F811
    call_command("setup_roles", stdout=io.StringIO())
    editor("anna", "Anna"), editor("ben", "Ben")
    programme = make_programme(
        "Dorfläden stärken",
        summary="Nahversorgung im Dorf.",
        kind="foerderprogramm",
        topics=[make_topic("Nahversorgung"), make_topic("Ländlicher Raum")],
        windows=[(date(2026, 1, 1), date(2026, 3, 31))],
    )
    base = live_server.url
    change = f"{base}/admin/programmes/programme/{programme.pk}/change/"
    anna_context, anna = logged_in(browser, base, "anna")
    ben_context, ben = logged_in(browser, base, "ben")
    anna.goto(change)
    ben.goto(change)

    anna.locator("#id_title").fill("Dorfläden stärken 2026")
    anna.locator("#id_kind").select_option(label="Qualifizierung")
    anna.locator("#id_application_windows-0-closes").fill("30.04.2026")
    anna.locator("input[name=_continue]").first.click()
    expect(anna.locator(".messagelist")).to_contain_text("erfolgreich geändert")

    ben.locator("#id_summary").fill("Nahversorgung im Dorf sichern – von Ben.")
    ben.locator("input[name=_continue]").first.click()
    errors = ben.locator(".errorlist.nonfield")
    expect(errors).to_contain_text("Nicht gespeichert: „Dorfläden stärken 2026“ wurde inzwischen")
    expect(errors).to_contain_text("von Anna Muster am")
    expect(errors).to_contain_text("Art: vorher „Förderprogramm“, jetzt „Qualifizierung“")
    expect(ben.locator("#id_summary")).to_have_value("Nahversorgung im Dorf sichern – von Ben.")
    ben.screenshot(path=SHOTS / "history-conflict-1280.png")
    # The message only: Django's own change form has unlabelled inline cells and select2 boxes.
    no_violations(ben, ".errornote", ".errorlist.nonfield")
    stored = Programme.objects.get(pk=programme.pk)
    assert (stored.title, stored.summary) == ("Dorfläden stärken 2026", "Nahversorgung im Dorf.")
    ben_context.close()

    anna.goto(f"{base}/admin/programmes/programme/{programme.pk}/history/")
    newest = anna.locator("#change-history tbody tr").first
    expect(newest).to_contain_text("Art: Förderprogramm → Qualifizierung")
    expect(newest).to_contain_text("31.03.2026 → 30.04.2026")
    expect(anna.locator(".breadcrumbs")).to_contain_text("Verlauf")
    anna.screenshot(path=SHOTS / "history-difference-1280.png", full_page=True)
    no_violations(anna, "#content")

    anna.locator("#change-history tbody tr").nth(1).get_by_role(
        "link", name="Ansehen und wiederherstellen"
    ).click()
    expect(anna.locator("#id_title")).to_have_value("Dorfläden stärken")
    anna.locator("input[name=_save]").first.click()
    expect(anna.locator(".messagelist")).to_contain_text("erfolgreich geändert")
    restored = Programme.objects.get(pk=programme.pk)
    assert (restored.title, restored.kind) == ("Dorfläden stärken", "foerderprogramm")
    assert restored.application_windows.get().closes == date(2026, 3, 31)
    anna_context.close()


def test_spreadsheet_import_preview_and_export_under_the_policy(live_server, browser, tmp_path):  # noqa: F811
    call_command("setup_roles", stdout=io.StringIO())
    editor("anna", "Anna")
    make_programme("Dorfläden stärken", topics=[make_topic("Nahversorgung")])
    make_programme("Soziale Stadt")
    sheet = ProgrammeResource().export(queryset=Programme.objects.order_by("pk"))
    first = list(sheet[0])
    first[sheet.headers.index("Titel")] = "Dorfläden stärken 2026"
    sheet[0] = first
    upload = tmp_path / "programme.xlsx"
    upload.write_bytes(sheet.export("xlsx"))

    context, page = logged_in(browser, live_server.url, "anna")
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Security Policy" in m.text else None)
    page.goto(live_server.url + "/admin/programmes/programme/export/")
    expect(page.locator("#content")).to_contain_text("Titel")
    page.goto(live_server.url + "/admin/programmes/programme/import/")
    page.set_input_files("input[type=file]", str(upload))
    page.locator("select[name=format]").select_option(label="xlsx")
    page.locator("input[type=submit]").click()
    rows = page.locator("#import-preview tbody tr")
    expect(rows.first).to_contain_text("Titel: Dorfläden stärken → Dorfläden stärken 2026")
    expect(rows.nth(1)).to_contain_text("unverändert")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert blocked == []  # before the screenshot, whose caret-hiding style the policy blocks
    page.screenshot(path=SHOTS / "history-import-preview-1280.png", full_page=True)
    no_violations(page, "#content")
    assert Programme.objects.filter(title="Dorfläden stärken 2026").count() == 0
    context.close()
