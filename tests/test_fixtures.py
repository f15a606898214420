"""The curated catalogue in fixtures/: `load_catalogue` loads it once, and it holds the facts of
the fact sheet (../shared/CONTENT.md) and the official municipality register."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from municipalities.models import Municipality
from programmes.models import (
    ApplicationWindow,
    Framework,
    FundingBody,
    Goal,
    GuidingPrinciple,
    Link,
    Measure,
    Participation,
    PrincipleArea,
    Programme,
    Source,
    TargetGroup,
    Topic,
)
from programmes.querysets import Status
from tests.factories import make_programme

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "municipalities" / "data"
REGISTER = Path(__file__).resolve().parents[2] / "shared/data/GV100AD_30112025_NRW_only.txt"
CATALOGUE_MODELS = [
    Municipality, Topic, TargetGroup, FundingBody, Framework, PrincipleArea, GuidingPrinciple,
    Goal, Measure, Programme, ApplicationWindow, Link, Participation, Source,
    Programme.topics.through, Programme.principles.through,
]  # fmt: skip


def fixture_programme_slugs() -> list[str]:
    paths = [FIXTURES / "programmes.json", *sorted(FIXTURES.glob("programmes-*.json"))]
    objects = [o for path in paths for o in json.loads(path.read_text("utf-8"))]
    return [o["fields"]["slug"] for o in objects if o["model"] == "programmes.programme"]


def load(*args) -> str:
    out = StringIO()
    call_command("load_catalogue", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def catalogue(db):
    return load()


def snapshot() -> dict:
    """Row counts of every catalogue table and the `updated` stamps of timestamped rows."""
    return {
        "counts": {model._meta.label: model.objects.count() for model in CATALOGUE_MODELS},
        "updated": {
            model._meta.label: dict(model.objects.values_list("pk", "updated"))
            for model in (Programme, GuidingPrinciple, Framework, Municipality)
        },
    }


def shipped_register() -> dict[str, dict]:
    data = json.loads((SHIPPED_DIR / "nrw-register.json").read_text("utf-8"))
    return {row[0]: dict(zip(data["columns"], row, strict=True)) for row in data["rows"]}


SHIPPED = shipped_register()


def read_register(path: Path) -> dict[str, str]:
    """Official key → name from the fixed-width GV100AD file (record types 10/20/40/60)."""
    key_columns = {"10": slice(10, 12), "20": slice(10, 13), "40": slice(10, 15),
                   "60": slice(10, 18)}  # fmt: skip
    names = {}
    for line in path.read_text("utf-8").splitlines():
        columns = key_columns.get(line[:2])
        if columns:
            names[line[columns]] = line[22:72].strip()
    return names


# Loading --------------------------------------------------------------------------------------


def test_first_load_prints_one_summary_line_with_the_programme_count(catalogue):
    lines = catalogue.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Katalog geladen")
    assert f"{len(fixture_programme_slugs())} Programme" in lines[0]
    assert Programme.objects.count() == len(fixture_programme_slugs())


def test_loading_twice_changes_nothing(catalogue):
    before = snapshot()
    output = load()
    assert "nichts geändert" in output
    assert snapshot() == before


def test_force_reload_restores_entries_without_duplicating_child_rows(catalogue):
    before = snapshot()["counts"]
    programme = Programme.objects.get(slug="digitale-modellregionen-nrw")
    Programme.objects.filter(pk=programme.pk).update(title="Umbenannt")
    programme.participations.first().delete()
    programme.topics.clear()

    load("--force")

    assert snapshot()["counts"] == before
    programme.refresh_from_db()
    assert programme.title == "Digitale Modellregionen NRW"
    assert programme.participations.filter(role="leitkommune").count() == 5
    assert "Digitalisierung" in programme.related_terms


@pytest.mark.django_db
def test_partly_present_catalogue_is_left_alone_without_force():
    make_programme("Ehrenamtskarte NRW", slug="ehrenamtskarte-nrw")
    output = load()
    assert f"1 von {len(fixture_programme_slugs())} Programmen" in output
    assert Programme.objects.count() == 1
    assert not Municipality.objects.exists()


@pytest.mark.django_db
def test_existing_municipalities_keep_what_the_register_does_not_own():
    Municipality.objects.create(key="05962024", name="Iserlohn", slug="iserlohn-stadt",
                                kind="stadt", website="https://www.iserlohn.de")  # fmt: skip
    load()
    iserlohn = Municipality.objects.get(key="05962024")
    assert (iserlohn.slug, iserlohn.website) == ("iserlohn-stadt", "https://www.iserlohn.de")
    assert iserlohn.population == SHIPPED["05962024"]["population"]  # the register's figure
    assert iserlohn.participations.filter(programme__slug="digitale-modellregion-soest").exists()


def test_first_load_brings_every_nrw_municipality_from_the_shipped_register(catalogue):
    assert "433 Kommunen aus dem Gemeindeverzeichnis" in catalogue
    nrw = Municipality.objects.filter(key__startswith="05", is_active=True)
    assert nrw.count() == 433
    assert nrw.filter(population__isnull=True).count() == 0
    assert Municipality.objects.get(key="05").population == 18_034_454


def test_search_finds_a_programme_by_a_topic_name_it_does_not_mention(catalogue):
    card = Programme.objects.get(slug="ehrenamtskarte-nrw")
    assert "Teilhabe" in card.related_terms
    assert "teilhabe" not in f"{card.title} {card.summary} {card.description}".lower()
    assert card in Programme.objects.search("Teilhabe")


# Municipalities ------------------------------------------------------------------------------


def test_iserlohn_lies_in_maerkischer_kreis_in_regierungsbezirk_arnsberg_in_nrw(catalogue):
    chain, place = [], Municipality.objects.get(key="05962024")
    while place.parent_id:
        place = place.parent
        chain.append((place.key, place.name))
    assert chain == [
        ("05962", "Märkischer Kreis"),
        ("059", "Regierungsbezirk Arnsberg"),
        ("05", "Nordrhein-Westfalen"),
    ]


def test_aachen_is_a_town_in_the_staedteregion_not_a_kreisfreie_stadt(catalogue):
    aachen = Municipality.objects.get(key="05334002")
    assert aachen.kind == Municipality.Kind.STADT
    assert (aachen.parent.key, aachen.parent.kind) == ("05334", Municipality.Kind.STAEDTEREGION)
    assert aachen.parent.slug == "staedteregion-aachen"


def test_land_and_all_five_regierungsbezirke_are_present(catalogue):
    assert Municipality.objects.get(key="05").kind == Municipality.Kind.LAND
    regierungsbezirke = Municipality.objects.filter(kind=Municipality.Kind.REGIERUNGSBEZIRK)
    assert sorted(regierungsbezirke.values_list("key", flat=True)) == [
        "051", "053", "055", "057", "059"
    ]  # fmt: skip
    assert {rb.parent.key for rb in regierungsbezirke} == {"05"}


KEY_RULES = [pytest.param("parent-prefix", id="parent-key-is-a-prefix")]
if REGISTER.exists():  # ../shared/data is on developer machines and in CI, not in the repo
    KEY_RULES.append(pytest.param("register", id="key-and-name-match-official-register"))


@pytest.mark.parametrize("rule", KEY_RULES)
def test_every_fixture_municipality_fits_the_official_key_scheme(catalogue, rule):
    municipalities = list(Municipality.objects.select_related("parent"))
    assert municipalities
    if rule == "parent-prefix":
        expected_parent_length = {3: 2, 5: 3}
        for m in municipalities:
            if m.key == "05":
                assert m.parent is None
                continue
            assert m.parent is not None, m.key
            assert m.key.startswith(m.parent.key), (m.key, m.parent.key)
            if len(m.key) == 8:  # kreisfreie Städte hang off the Regierungsbezirk
                city = m.kind == Municipality.Kind.KREISFREIE_STADT
                assert len(m.parent.key) == (3 if city else 5), m.key
                assert m.key.endswith("000") == city, m.key
            else:
                assert len(m.parent.key) == expected_parent_length[len(m.key)], m.key
    else:
        register = read_register(REGISTER)
        mismatches = [(m.key, m.official_name, register.get(m.key)) for m in municipalities
                      if register.get(m.key) != m.official_name]  # fmt: skip
        assert mismatches == []


# Programmes and Leitbilder --------------------------------------------------------------------


def test_wuppertal_is_a_leitkommune_of_digitale_modellregionen(catalogue):
    leads = Participation.objects.filter(
        programme__slug="digitale-modellregionen-nrw", role="leitkommune"
    )
    assert sorted(leads.values_list("municipality__key", flat=True)) == [
        "05124000", "05334002", "05513000", "05774032", "05974040"
    ]  # fmt: skip


def test_digitale_modellregionen_has_five_regions_each_with_one_leitkommune(catalogue):
    programme = Programme.objects.get(slug="digitale-modellregionen-nrw")
    assert programme.total_budget == 91_000_000
    assert programme.children.count() == 5
    for region in programme.children.all():
        assert region.participations.filter(role="leitkommune").count() == 1, region.slug
        assert region.participations.filter(role="partner").exists(), region.slug
    owl = programme.children.get(slug="digitale-modellregion-ostwestfalen-lippe")
    assert set(owl.participations.values_list("municipality__key", flat=True)) == {
        "05774032", "05774", "05774020", "05711000", "057"
    }  # fmt: skip


def test_kommunen_innovativ_has_thirty_joint_projects_with_nrw_sites(catalogue):
    programme = Programme.objects.get(slug="kommunen-innovativ")
    projects = programme.children.all()
    assert projects.count() == 30
    assert set(projects.values_list("kind", flat=True)) == {"forschungsfoerderung"}
    sites = Participation.objects.filter(programme__parent=programme, role="projektstandort")
    assert sorted(sites.values_list("programme__short_name", "municipality__name")) == [
        ("AktVis", "Münster"),
        ("KoSI-Lab", "Dortmund"),
        ("KoSI-Lab", "Wuppertal"),
        ("KomMonitor", "Essen"),
        ("MOSAIK", "Remscheid"),
    ]
    deadlines = programme.application_windows.values_list("closes", flat=True)
    assert sorted(str(d) for d in deadlines) == ["2015-02-17", "2017-02-16"]


def test_soziale_stadt_is_succeeded_by_sozialer_zusammenhalt(catalogue):
    soziale_stadt = Programme.objects.get(slug="soziale-stadt")
    assert [p.slug for p in soziale_stadt.successors.all()] == ["sozialer-zusammenhalt"]


def test_ews_lists_five_rounds_and_bezirksregierung_arnsberg_as_partner_in_2016(catalogue):
    ews = Participation.objects.filter(
        programme__slug="entwicklungswerkstatt-kommunale-engagementstrategien"
    )
    per_round = {
        label: ews.filter(round=label, role="teilnehmerin").count()
        for label in ews.values_list("round", flat=True).distinct()
    }
    assert per_round == {
        "Pilotphase 2011–2013": 10,
        "2. Durchgang 2014–2015": 10,
        "3. Durchgang 2016": 10,
        "4. Durchgang 2017–2019": 8,
        "5. Durchgang 2024–2025": 17,
    }
    cooperation = ews.get(role="kooperation")
    assert (cooperation.municipality.key, cooperation.round) == ("059", "3. Durchgang 2016")


def test_leitbild_has_ten_principles_in_four_areas(catalogue):
    leitbild = Framework.objects.get(slug="nachhaltige-kommunenentwicklung")
    numbers_by_area = {
        area.slug: list(area.principles.order_by("number").values_list("number", flat=True))
        for area in leitbild.areas.all()
    }
    assert numbers_by_area == {
        "wohnen": [1, 2, 3],
        "wasser": [4],
        "waerme": [5],
        "uebergreifend": [6, 7, 8, 9, 10],
    }
    with_measures = leitbild.principles.filter(measures__isnull=False).distinct()
    assert sorted(with_measures.values_list("number", flat=True)) == list(range(1, 10))


def test_kernbotschaften_are_the_four_core_messages(catalogue):
    titles = GuidingPrinciple.objects.filter(
        framework__slug="kernbotschaften-kommunen-innovativ"
    ).values_list("title", flat=True)
    assert list(titles) == [
        "Daseinsvorsorge sichern", "Vielfalt leben", "Allianzen bilden", "Innen entwickeln"
    ]  # fmt: skip


def test_every_programme_is_published_and_described_with_a_dated_source(catalogue):
    for programme in Programme.objects.prefetch_related(
        "sources", "topics", "target_groups", "funding_types", "principles"
    ):
        label = programme.slug
        assert programme.publication == Programme.Publication.PUBLISHED, label
        assert 0 < len(programme.summary) <= 300, label
        assert "\n\n" in programme.description, label
        assert programme.topics.all() and programme.target_groups.all(), label
        assert programme.funding_types.all() and programme.principles.all(), label
        sources = programme.sources.all()
        assert sources and all(s.title and s.accessed for s in sources), label


def test_every_principle_and_leitbild_has_a_dated_source(catalogue):
    for subject in [*GuidingPrinciple.objects.all(), *Framework.objects.all()]:
        sources = subject.sources.all()
        assert sources and all(s.title and s.accessed for s in sources), subject


@pytest.mark.parametrize(
    ("slug", "status"),
    [
        ("kommunen-innovativ", Status.CLOSED),
        ("digitale-modellregionen-nrw", Status.CLOSED),
        ("ehrenamtskarte-nrw", Status.OPEN),
        ("landeswettbewerb-lebendige-innenstaedte", Status.ANNOUNCED),
        ("initiative-ergreifen", Status.RUNNING),
    ],
)
def test_derived_status_of_catalogue_programmes(catalogue, slug, status):
    assert Programme.objects.with_status().get(slug=slug).status == status
