"""Programmes to Excel and back in the admin: export of all or a selection (XLSX/CSV) with German
columns; an import first shows per row neu / geändert (which columns) / unverändert and changes
nothing; a bad row – wrong value or a programme saved since the export – keeps the whole file
out, naming column and value; each imported change is a version with the file's name."""

from datetime import date, datetime

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reversion.models import Version

from programmes.models import Programme
from tests.admin_builders import make_editor
from tests.factories import make_funding_body, make_programme, make_topic

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:programmes_programme_changelist"
XLSX, CSV = "0", "1"  # the admin's formats, in this order


@pytest.fixture
def editor():
    return make_editor()


@pytest.fixture
def client_(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def catalogue():
    bildung, soziales = make_topic("Bildung"), make_topic("Soziales")
    funder = make_funding_body("Ministerium für Heimat, Kommunales, Bau und Digitalisierung")
    return [
        make_programme(
            "Initiative ergreifen",
            topics=[bildung, soziales],
            funding_body=funder,
            end_date=date(2025, 12, 31),
        ),
        make_programme("Soziale Stadt", kind="qualifizierung"),
    ]


def exported(client, selection=None, file_format=XLSX) -> tablib.Dataset:
    """The file the admin's export gives, of all programmes or of the selected ones."""
    if selection is None:
        page = client.get(reverse("admin:programmes_programme_export"))
        data = {"format": file_format, "resource": "0"}
    else:
        page = client.post(
            reverse(CHANGELIST),
            {"action": "export_admin_action", "_selected_action": [str(p.pk) for p in selection]},
        )
        data = shown_form_of(page.context["form"]) | {"format": file_format, "resource": "0"}
    form = page.context["form"]
    data |= {
        name: "on" for name, field in form.fields.items() if field.widget.input_type == "checkbox"
    }
    response = client.post(reverse("admin:programmes_programme_export"), data)
    assert response.status_code == 200, response.content[:500]
    kind = "xlsx" if file_format == XLSX else "csv"
    content = response.content if kind == "xlsx" else response.content.decode("utf-8-sig")
    return tablib.Dataset().load(content, format=kind)


def upload(client, sheet: tablib.Dataset, name="programme.xlsx"):
    """The import's first step, the preview."""
    upload = SimpleUploadedFile(name, sheet.export("xlsx"))
    return client.post(
        reverse("admin:programmes_programme_import"),
        {"import_file": upload, "format": XLSX, "resource": "0"},
    )


def confirm(client, preview):
    return client.post(
        reverse("admin:programmes_programme_process_import"),
        shown_form_of(preview.context["confirm_form"]),
    )


def shown_form_of(form) -> dict:
    values = {field.html_name: field.value() for field in form}
    return {name: value for name, value in values.items() if value is not None}


def test_export_has_german_columns_labels_names_and_dates(client_, catalogue):
    sheet = exported(client_)
    assert sheet.headers[:8] == [
        "Nr.", "Titel", "Kurzname", "Kurzadresse", "Kurzbeschreibung", "Beschreibung", "Art",
        "Ebene",
    ]  # fmt: skip
    row = dict(zip(sheet.headers, sheet[0], strict=True))
    assert row["Titel"] == "Initiative ergreifen"
    assert row["Art"] == "Förderprogramm"
    assert row["Themen"] == "Bildung; Soziales"
    assert row["Fördergeber"].startswith("Ministerium für Heimat, Kommunales")
    assert row["Ende"] == datetime(2025, 12, 31)  # a date cell: Excel shows TT.MM.JJJJ
    assert row["Veröffentlichung"] == "veröffentlicht"
    assert row["Stand"] == Programme.objects.get(pk=catalogue[0].pk).updated.isoformat()


def test_export_of_a_selection_as_csv(client_, catalogue):
    sheet = exported(client_, selection=[catalogue[0]], file_format=CSV)
    assert [row[1] for row in sheet] == ["Initiative ergreifen"]
    assert sheet[0][sheet.headers.index("Ende")] == "31.12.2025"


def test_the_dry_run_shows_each_row_and_changes_nothing(client_, catalogue):
    sheet = exported(client_)
    titles = sheet.headers.index("Titel")
    first = list(sheet[0])
    first[titles] = "Initiative ergreifen NRW"
    first[sheet.headers.index("Themen")] = "Bildung"
    sheet[0] = first
    new = [""] * len(sheet.headers)
    values = {
        "Titel": "Neu im Katalog",
        "Kurzadresse": "neu-im-katalog",
        "Kurzbeschreibung": "Ganz neu.",
        "Art": "Netzwerk",
        "Ebene": "Land",
    }
    for column, value in values.items():
        new[sheet.headers.index(column)] = value
    sheet.append(new)
    before = Programme.objects.count(), Version.objects.count()

    preview = upload(client_, sheet)
    assert preview.status_code == 200
    rows = {row.diff[1]: row for row in preview.context["result"].valid_rows()}
    assert rows["Initiative ergreifen"].import_type == "update"
    assert rows["Initiative ergreifen"].diff[2] == (
        "Titel: Initiative ergreifen → Initiative ergreifen NRW; "
        "Themen: Bildung; Soziales → Bildung"
    )
    assert (rows["Soziale Stadt"].import_type, rows["Soziale Stadt"].diff[2]) == ("skip", "")
    assert rows["Neu im Katalog"].import_type == "new"
    assert rows["Neu im Katalog"].diff[2].startswith("Titel: Neu im Katalog; ")
    content = preview.content.decode()
    assert "geändert" in content and "unverändert" in content and "neu" in content
    assert (Programme.objects.count(), Version.objects.count()) == before
    assert Programme.objects.get(pk=catalogue[0].pk).title == "Initiative ergreifen"

    assert confirm(client_, preview).status_code == 302
    changed = Programme.objects.get(pk=catalogue[0].pk)
    assert changed.title == "Initiative ergreifen NRW"
    assert list(changed.topics.values_list("name", flat=True)) == ["Bildung"]
    assert Programme.objects.filter(slug="neu-im-katalog").exists()
    latest = Version.objects.get_for_object(changed).select_related("revision").first()
    assert latest.revision.comment == "Import aus „programme.xlsx“"
    assert latest.revision.user.username == "redakteurin"
    assert not Version.objects.get_for_object(catalogue[1]).filter(pk__gt=latest.pk).exists()


def test_a_bad_row_keeps_the_whole_file_out_and_names_column_and_value(client_, catalogue):
    sheet = exported(client_)
    good, bad = list(sheet[0]), list(sheet[1])
    good[sheet.headers.index("Titel")] = "Initiative ergreifen NRW"
    bad[sheet.headers.index("Ende")] = "31.02.2025"
    bad[sheet.headers.index("Art")] = "Zuschuss"
    bad[sheet.headers.index("Themen")] = "Bildung; Quartiere"
    sheet[0], sheet[1] = good, bad

    preview = upload(client_, sheet)
    assert "confirm_form" not in preview.context
    (refused,) = preview.context["result"].invalid_rows
    messages = [m for errors in refused.field_specific_errors.values() for m in errors]
    assert any(m.startswith("Spalte „Ende“, Wert „31.02.2025“: ") for m in messages)
    assert any(
        m.startswith("Spalte „Art“, Wert „Zuschuss“: erlaubt sind: Förderprogramm")
        for m in messages
    )
    assert "Spalte „Themen“, Wert „Bildung; Quartiere“: unbekannt: Quartiere" in messages
    assert Programme.objects.get(pk=catalogue[0].pk).title == "Initiative ergreifen"


def test_a_programme_saved_since_the_export_is_not_overwritten(client_, catalogue):
    sheet = exported(client_)
    first, second = list(sheet[0]), list(sheet[1])
    first[sheet.headers.index("Titel")] = "Aus der Tabelle"
    second[sheet.headers.index("Kurzbeschreibung")] = "Aus der Tabelle."
    sheet[0], sheet[1] = first, second
    preview = upload(client_, sheet)
    assert "confirm_form" in preview.context

    # Between preview and confirmation somebody saves the first programme.
    programme = Programme.objects.get(pk=catalogue[0].pk)
    programme.summary = "Inzwischen geändert."
    programme.save()
    response = confirm(client_, preview)
    assert response.status_code == 200
    assert "Nichts importiert" in response.content.decode()
    (refused,) = response.context["result"].invalid_rows
    (message,) = refused.non_field_specific_errors
    assert message.startswith("Spalte „Stand“, Wert „")
    assert "„Initiative ergreifen“ wurde seit dem Export von " in message
    assert Programme.objects.get(pk=catalogue[0].pk).title == "Initiative ergreifen"
    assert Programme.objects.get(pk=catalogue[1].pk).summary != "Aus der Tabelle."
