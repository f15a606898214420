"""The "Kommunen innovativ" family in fixtures/: the measure (2016–2020), its 30 joint projects,
the round from 2021 and the places the projects worked in, as their own pages give them.

The corrections pinned here: each project has its own dates (never the measure's), its own page
as a source and all its confirmed places, also outside NRW; slugs are plain ASCII; the funder is
the BMFTR (formerly BMBF)."""

import json
import re
from collections import defaultdict
from datetime import date
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from municipalities.models import Municipality
from programmes.models import Participation, Programme
from programmes.querysets import Status

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REGISTER = Path(__file__).resolve().parents[2] / "shared/data/GV100AD_30112025.txt"
MEASURE = "kommunen-innovativ"
ROUND_2021 = "kommunen-innovativ-foerderrunde-ab-2021"
CHECKED = date(2026, 12, 2)
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Projects whose (start, end) pair is the same, each pair confirmed by the projects' own pages.
SHARED_DATES = {
    (date(2016, 6, 1), date(2019, 5, 31)): {
        "kommunen-innovativ-kosi-lab",  # Wuppertal Institut: 06/2016–05/2019
        "kommunen-innovativ-transformbar",  # zukunftskommunen.de: 01.06.2016–31.05.2019
        "kommunen-innovativ-lebenswert",  # umwelt.info: 6/2016–5/2019
    },
    (date(2016, 7, 1), date(2019, 6, 30)): {
        "kommunen-innovativ-kif",  # Universität Göttingen: 07.2016–06.2019
        "kommunen-innovativ-komet",  # Ilm-Kreis: 01.07.2016–30.06.2019
    },
}


def fixture_objects(kind: str, family: str = "kommunen-innovativ") -> list[dict]:
    return json.loads((FIXTURES / f"{kind}-{family}.json").read_text("utf-8"))


def load(*args) -> str:
    out = StringIO()
    call_command("load_catalogue", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def catalogue(db):
    return load()


def project(slug: str) -> Programme:
    return Programme.objects.get(slug=f"kommunen-innovativ-{slug}")


def places(slug: str) -> set[str]:
    return set(project(slug).participations.values_list("municipality__key", flat=True))


def first_phase_projects():
    return Programme.objects.filter(parent__slug=MEASURE)


def all_projects():
    return Programme.objects.filter(parent__slug__in=[MEASURE, ROUND_2021])


# Dates --------------------------------------------------------------------------------------


def test_kosi_lab_and_transformbar_ended_on_31_may_2019(catalogue):
    for slug in ("kosi-lab", "transformbar"):
        programme = project(slug)
        assert (programme.start_date, programme.end_date) == (date(2016, 6, 1), date(2019, 5, 31))
    # KoSI-Lab's page gives months only: the text says so.
    assert "von Juni 2016 bis Mai 2019" in project("kosi-lab").description


def test_coprogruen_ran_from_august_2016_to_may_2019_and_says_it_in_months(catalogue):
    programme = project("coprogruen")
    assert (programme.start_date, programme.end_date) == (date(2016, 8, 1), date(2019, 5, 31))
    assert "von August 2016 bis Mai 2019" in programme.description


def test_kommonitor_ended_on_31_march_2021(catalogue):
    assert project("kommonitor").end_date == date(2021, 3, 31)


def test_lebensraeume_ended_in_2021_without_an_invented_day(catalogue):
    programme = project("lebensraeume")
    assert programme.end_date is None
    assert "endete 2021" in programme.description


def test_eight_projects_started_in_march_or_april_2017(catalogue):
    starts = {
        slug: project(slug).start_date
        for slug in (
            "mosaik",
            "kommonitor",
            "aktvis",
            "imona",
            "nakofi",
            "lebensraeume",
            "webwiko",
            "migoek",
        )  # fmt: skip
    }
    assert {slug for slug, start in starts.items() if start.month == 3} == {
        "mosaik", "kommonitor", "aktvis", "imona", "nakofi", "lebensraeume"
    }  # fmt: skip
    assert {slug for slug, start in starts.items() if start.month == 4} == {"webwiko", "migoek"}
    assert {start.year for start in starts.values()} == {2017}


def test_no_project_carries_the_measures_dates(catalogue):
    measure = Programme.objects.get(slug=MEASURE)
    assert (measure.start_date, measure.end_date) == (date(2016, 6, 1), date(2020, 6, 1))
    for programme in all_projects():
        assert programme.end_date != measure.end_date, programme.slug
        assert (programme.start_date, programme.end_date) != (
            measure.start_date,
            measure.end_date,
        ), programme.slug


def test_no_two_projects_share_start_and_end_unless_their_sources_say_so(catalogue):
    by_pair = defaultdict(set)
    for programme in all_projects().filter(start_date__isnull=False, end_date__isnull=False):
        by_pair[(programme.start_date, programme.end_date)].add(programme.slug)
    shared = {pair: slugs for pair, slugs in by_pair.items() if len(slugs) > 1}
    assert shared == SHARED_DATES


def test_day_exact_fields_from_month_only_pages_are_explained(catalogue):
    """A first or last day of a month stands in the fields only if the text names the months."""
    for slug in ("kosi-lab", "lebenswert", "kif", "coprogruen"):
        assert "eingetragen sind der erste und der letzte Tag dieser Monate" in (
            project(slug).description
        ), slug


# Places -------------------------------------------------------------------------------------


def test_kommonitor_worked_in_essen_and_muelheim_an_der_ruhr(catalogue):
    assert places("kommonitor") == {"05113000", "05117000"}


def test_aktvis_worked_in_muenster_hessen_and_bensheim_not_in_muenster_westfalen(catalogue):
    assert {"06432015", "06431002"} <= places("aktvis")
    assert "05515000" not in places("aktvis")
    muenster = Municipality.objects.get(key="06432015")
    assert (muenster.name, muenster.parent.key, muenster.parent.parent.key) == (
        "Münster (Hessen)", "06432", "064"
    )  # fmt: skip
    assert muenster.slug != Municipality.objects.get(key="05515000").slug


def test_coprogruen_worked_in_dortmund_castrop_rauxel_waltrop_and_luenen(catalogue):
    assert places("coprogruen") == {"05913000", "05562004", "05562036", "05978024"}


def test_lebensraeume_worked_in_kreis_steinfurt(catalogue):
    assert "05566" in places("lebensraeume")
    assert Municipality.objects.get(key="05566").name == "Kreis Steinfurt"


def test_kudequa_worked_in_dortmund_and_ended_on_31_august_2020(catalogue):
    assert places("kudequa") == {"05913000"}
    assert project("kudequa").end_date == date(2020, 8, 31)


def test_kosi_lab_worked_in_dortmund_and_wuppertal(catalogue):
    assert places("kosi-lab") == {"05913000", "05124000"}


def test_places_outside_nrw_hang_off_their_land(catalogue):
    treuenbrietzen = Municipality.objects.get(key="12069632")
    chain = []
    place = treuenbrietzen
    while place.parent_id:
        place = place.parent
        chain.append(place.key)
    assert chain == ["12069", "12"]
    bensheim = Municipality.objects.get(key="06431002")
    assert [bensheim.parent.key, bensheim.parent.parent.key, bensheim.parent.parent.parent.key] == [
        "06431", "064", "06"
    ]  # fmt: skip


def test_municipalities_file_lists_parents_before_children_and_fits_the_key_scheme():
    seen = set()
    for obj in fixture_objects("municipalities"):
        fields = obj["fields"]
        key, parent = fields["key"], fields["parent"]
        assert re.fullmatch(r"\d{2}|\d{3}|\d{5}|\d{8}", key), key
        if parent is None:
            assert len(key) == 2, key
        else:
            assert key.startswith(parent[0]) and parent[0] in seen, key
        if len(key) == 8 and fields["kind"] != "kreisfreie-stadt":
            assert len(parent[0]) == 5, key
        seen.add(key)


# ../shared/data is on developer machines and in CI, not in the repository.
if REGISTER.exists():

    def test_municipalities_file_names_places_as_the_official_register_does():
        columns = {
            "10": slice(10, 12),
            "20": slice(10, 13),
            "40": slice(10, 15),
            "60": slice(10, 18),
        }
        register = {}
        for line in REGISTER.read_text("utf-8").splitlines():
            if line[:2] in columns:
                register[line[columns[line[:2]]]] = line[22:72].strip()
        mismatches = [
            (obj["fields"]["key"], obj["fields"]["official_name"])
            for obj in fixture_objects("municipalities")
            if register.get(obj["fields"]["key"]) != obj["fields"]["official_name"]
        ]
        assert mismatches == []


# Sources, slugs, funder ---------------------------------------------------------------------


def test_every_project_cites_its_own_page_checked_on_the_day(catalogue):
    for programme in all_projects().prefetch_related("sources"):
        sources = list(programme.sources.all())
        own = [s for s in sources if urlsplit(s.url).path.strip("/")]
        assert own, programme.slug  # never only a site's home page
        assert all(s.accessed == CHECKED for s in sources), programme.slug
        assert programme.facts_checked_on == CHECKED, programme.slug


def test_every_slug_is_plain_ascii():
    for kind in ("programmes", "municipalities"):
        for obj in fixture_objects(kind):
            slug = obj["fields"].get("slug")
            if slug is not None:
                assert SLUG.fullmatch(slug), slug
            for former in obj["fields"].get("former_slugs", []):
                assert SLUG.fullmatch(former), former


def test_renamed_projects_keep_their_old_addresses(catalogue, client):
    assert project("lebensraeume").former_slugs == ["kommunen-innovativ-lebensrume"]
    assert project("flaechenmanagement").former_slugs == ["kommunen-innovativ-flchenmanagement"]
    old = reverse("programmes:programme-detail", kwargs={"slug": "kommunen-innovativ-lebensrume"})
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"].endswith(project("lebensraeume").get_absolute_url())


def test_the_funder_is_the_bmftr(catalogue):
    family = Programme.objects.filter(slug__startswith=MEASURE)
    assert family.count() == 35
    assert set(family.values_list("funding_body__slug", flat=True)) == {"bmftr"}


# The measure and its rounds ------------------------------------------------------------------


def test_the_first_phase_has_thirty_projects_and_ended(catalogue):
    assert first_phase_projects().count() == 30
    assert Programme.objects.with_status().get(slug=MEASURE).status == Status.CLOSED
    measure = Programme.objects.get(slug=MEASURE)
    assert "noch nicht einzeln erfasst" not in measure.description
    assert "Förderrunde ab 2021" in measure.description


def test_the_round_from_2021_is_its_own_entry_with_its_own_dates(catalogue):
    later = Programme.objects.get(slug=ROUND_2021)
    assert later.predecessor.slug == MEASURE
    assert later.start_date == date(2021, 7, 1)
    assert later.end_date is None  # no source gives the day it ended
    windows = list(later.application_windows.values_list("opens", "closes"))
    assert windows == [(date(2020, 3, 11), date(2020, 6, 30))]
    assert set(later.children.values_list("slug", flat=True)) == {
        "kommunen-innovativ-altersinnovationen", "kommunen-innovativ-kimonos",
        "kommunen-innovativ-zugg",
    }  # fmt: skip
    assert "11 Verbundvorhaben" in later.description


def test_participations_name_only_known_roles_and_each_place_once_per_project(catalogue):
    rows = Participation.objects.filter(programme__in=all_projects())
    assert set(rows.values_list("role", flat=True)) <= set(Participation.Role.values)
    pairs = list(rows.values_list("programme_id", "municipality_id"))
    assert len(pairs) == len(set(pairs))
