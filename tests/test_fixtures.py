"""The curated catalogue in fixtures/: `load_catalogue` loads it once, and it holds the facts of
the fact sheet (../shared/CONTENT.md) and the official municipality register."""

import json
import re
from datetime import date
from io import StringIO
from pathlib import Path
from urllib.parse import urlparse

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


CHECKED_ON = date(2026, 12, 2)  # when the entries of programmes.json were compared with sources
EWS = "entwicklungswerkstatt-kommunale-engagementstrategien"


def fixture_objects(kind: str, companions: bool = True) -> list[dict]:
    """The objects of fixtures/<kind>.json, then (if asked) those of its companion files."""
    paths = [FIXTURES / f"{kind}.json"]
    if companions:
        paths += sorted(FIXTURES.glob(f"{kind}-*.json"))
    return [o for path in paths for o in json.loads(path.read_text("utf-8"))]


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
    regierungsbezirke = Municipality.objects.filter(
        kind=Municipality.Kind.REGIERUNGSBEZIRK, key__startswith="05"
    )
    assert sorted(regierungsbezirke.values_list("key", flat=True)) == [
        "051", "053", "055", "057", "059"
    ]  # fmt: skip
    assert {rb.parent.key for rb in regierungsbezirke} == {"05"}


KEY_RULES = [pytest.param("parent-prefix", id="parent-key-is-a-prefix")]
if REGISTER.exists():  # ../shared/data is on developer machines and in CI, not in the repo
    KEY_RULES.append(pytest.param("register", id="key-and-name-match-official-register"))


@pytest.mark.parametrize("rule", KEY_RULES)
def test_every_fixture_municipality_fits_the_official_key_scheme(catalogue, rule):
    # NRW's keys; places in other Länder (companion files) follow their own Land's register.
    municipalities = list(
        Municipality.objects.filter(key__startswith="05").select_related("parent")
    )
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


def test_kommunen_innovativ_has_thirty_joint_projects_all_ended_with_the_measure(catalogue):
    # Places and dates of each project: tests/test_fixtures_kommunen_innovativ.py.
    programme = Programme.objects.get(slug="kommunen-innovativ")
    projects = programme.children.all()
    assert projects.count() == 30
    assert set(projects.values_list("kind", flat=True)) == {"forschungsfoerderung"}
    statuses = set(projects.with_status().values_list("status", flat=True))
    assert statuses == {"closed"}  # also those whose pages give no end of their own
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
        "5. Durchgang, bis 16.05.2025": 17,
    }
    cooperation = ews.get(role="kooperation")
    assert (cooperation.municipality.key, cooperation.round) == ("059", "3. Durchgang 2016")
    # Round 4's list could not be completed from a source: every row says so.
    notes = set(ews.filter(round="4. Durchgang 2017–2019").values_list("note", flat=True))
    assert notes == {"Nur diese acht Kommunen konnten wir bestätigen; die Liste ist möglicherweise "
                     "unvollständig."}  # fmt: skip


def test_ews_ended_on_16_may_2025_with_17_sites_in_its_fifth_round(catalogue):
    ews = Programme.objects.with_status(today=date(2026, 12, 2)).get(slug=EWS)
    assert ews.end_date == date(2025, 5, 16)
    assert ews.status == Status.CLOSED  # with no dates at all it would show as "läuft"
    assert "17 Städten, Gemeinden und Kreisen" in ews.description
    assert "rund anderthalb Jahre" in ews.description and "16.05.2025" in ews.description
    assert "10 bis 15" not in ews.description and "2024–2025" not in ews.description
    assert ews.sources.filter(url__contains="ueberreicht-zertifikate").exists()


def test_ews_basiswissen_is_catalogued_as_part_of_the_ews(catalogue):
    basis = Programme.objects.get(slug="entwicklungswerkstatt-basiswissen")
    assert basis.parent.slug == EWS
    assert basis.end_date == date(2025, 12, 31)  # planned: "bis zum Ende des Jahres" 2025
    assert "bis zu 15 Kommunen" in basis.description and "60.000 €" in basis.description
    assert "Juli 2025" in basis.description
    assert not basis.participations.exists()  # no source names the participants
    assert basis.sources.filter(url__startswith="https://www.land.nrw/pressemitteilung/").exists()


def test_initiative_ergreifen_names_startklar_as_the_programme_office_not_a_phase(catalogue):
    description = Programme.objects.get(slug="initiative-ergreifen").description
    assert re.search(r"Programmbüro – ein privates Büro[^.]*\(startklar a\+b\)", description)
    assert "„startklar a+b“" not in description  # it is no name of the qualification phase


def test_funders_carry_todays_names_and_their_former_ones(catalogue):
    bmftr = FundingBody.objects.get(slug="bmftr")
    assert (bmftr.name, bmftr.short_name) == (
        "Bundesministerium für Forschung, Technologie und Raumfahrt", "BMFTR"
    )  # fmt: skip
    assert "Bundesministerium für Bildung und Forschung (BMBF)" in bmftr.former_names
    assert not FundingBody.objects.filter(slug="bmbf").exists()
    assert "(MHKBG)" in FundingBody.objects.get(slug="mhkbd").former_names
    mwike = FundingBody.objects.get(slug="mwike")
    assert "(MWIDE)" in mwike.former_names
    assert not FundingBody.objects.filter(short_name="MWIDE").exists()
    # search finds a programme under its funder's former name too
    assert Programme.objects.get(slug="initiative-ergreifen") in Programme.objects.search("MHKBG")
    references = [o for kind in ("programmes", "principles")
                  for o in fixture_objects(kind) if ["bmbf"] in o["fields"].values()]  # fmt: skip
    assert references == []


def test_digitale_modellregionen_say_who_was_responsible_when(catalogue):
    family = Programme.objects.filter(slug__startswith="digitale-modellregion")
    assert family.count() == 6
    assert set(family.values_list("funding_body__slug", flat=True)) == {"mhkbd"}
    description = family.get(slug="digitale-modellregionen-nrw").description
    for fact in ("(MWIDE)", "3. Juli 2018", "11.07.2018", "2022", "(MHKBD)", "(MWIKE)"):
        assert fact in description, fact
    for region in family.exclude(slug="digitale-modellregionen-nrw"):
        assert "MWIDE" in region.description and "MHKBD" in region.description, region.slug


def test_staedtenetz_is_continued_by_the_ag_soziale_stadt(catalogue):
    staedtenetz = Programme.objects.get(slug="staedtenetz-soziale-stadt-nrw")
    ag = Programme.objects.with_status(today=date(2026, 12, 2)).get(slug="ag-soziale-stadt-nrw")
    assert ag.predecessor == staedtenetz
    assert [p.slug for p in staedtenetz.successors.all()] == ["ag-soziale-stadt-nrw"]
    assert (ag.start_date, ag.status) == (date(2024, 1, 1), Status.RUNNING)
    # The sources say only that the AG's coordination office sits with the city of Essen.
    for entry in (staedtenetz, ag):
        assert "Koordinierungsstelle" in entry.description, entry.slug
        assert "Geschäftsstelle in Essen" not in entry.description, entry.slug
        assert "dessen Geschäftsstelle" not in entry.description, entry.slug
    essen = ag.participations.get()
    assert (essen.municipality.key, essen.role) == ("05113000", "kooperation")


def test_sozialer_zusammenhalt_gives_no_undated_count_of_areas(catalogue):
    description = Programme.objects.get(slug="sozialer-zusammenhalt").description
    assert "640" not in description and "450" not in description and "530" not in description


def test_ehrenamtskarte_says_where_to_check_whether_a_town_takes_part(catalogue):
    card = Programme.objects.get(slug="ehrenamtskarte-nrw")
    roles = set(card.participations.values_list("role", flat=True))
    assert roles <= {"teilnehmerin", "mitglied"}
    if not roles:  # no public list of the 335 towns: say where to look, claim no open region
        assert card.region is None
        assert "https://www.ehrensache.nrw.de" in card.description
        assert "https://www.ehrensache.nrw.de" in card.contact
    assert "in der Regel zwei Jahre" not in card.description  # it depends on the town


def test_town_centre_competition_is_gone_and_nothing_refers_to_it(catalogue):
    slug = "landeswettbewerb-lebendige-innenstaedte"
    assert not Programme.objects.filter(slug=slug).exists()
    for kind in ("programmes", "sources", "principles"):
        assert slug not in json.dumps(fixture_objects(kind)), kind


def test_vor_ort_zukunft_gestalten_holds_programmatic_goals_not_land_policy(catalogue):
    framework = Framework.objects.get(slug="vor-ort-zukunft-gestalten")
    assert "weder Herausgeber noch Datum" in framework.summary
    assert "Wahlprogramm" in framework.summary and "keine Politik des Landes" in framework.summary
    texts = [p.text for p in framework.principles.all()]
    texts += list(
        Measure.objects.filter(principle__framework=framework).values_list("text", flat=True)
    )
    assert not [t for t in texts if "ngekündigt" in t or "Das Land berät" in t]
    assert framework.sources.get().title.startswith("Text „Wir stärken die Kommunen“")


LEITBILD = "nachhaltige-kommunenentwicklung"


def test_leitbild_keeps_the_seeds_leitsatz_goal_proposal_structure(catalogue):
    principles = GuidingPrinciple.objects.filter(framework__slug=LEITBILD)
    goals = {p.number: p.goals.count() for p in principles}
    assert goals == {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 0, 8: 0, 9: 0, 10: 0}
    proposals = {p.number: p.measures.count() for p in principles}
    assert proposals == {1: 3, 2: 4, 3: 4, 4: 8, 5: 4, 6: 3, 7: 1, 8: 1, 9: 1, 10: 0}
    for measure in Measure.objects.filter(principle__framework__slug=LEITBILD):
        assert (measure.goal is not None) == (measure.principle.number <= 6), measure.text
        assert measure.goal is None or measure.goal.principle_id == measure.principle_id
    assert principles.get(number=1).goals.get().text == (
        "Die kommunale Bodenpolitik ist am Gemeinwohl ausgerichtet."
    )  # fmt: skip
    flexible = principles.get(number=6).goals.get(position=2)
    assert flexible.text.startswith("Sie ist flexibel") and not flexible.measures.exists()


def test_leitsatz_4_prices_sit_under_the_goal_individual_price_models(catalogue):
    water = GuidingPrinciple.objects.get(framework__slug=LEITBILD, number=4)
    many_waters, prices = water.goals.order_by("position")
    assert many_waters.text == "Eine „Kommune der vielen Wasser“ wird entwickelt."
    assert prices.text == "Individuelle Preismodelle werden entworfen."
    assert list(many_waters.measures.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    assert list(prices.measures.values_list("position", flat=True)) == [6, 7, 8]


def test_leitbild_adds_and_narrows_no_claim_of_the_seed(catalogue):
    leitsatz = {p.number: p for p in GuidingPrinciple.objects.filter(framework__slug=LEITBILD)}

    def proposals(number):
        return " ".join(leitsatz[number].measures.values_list("text", flat=True))

    assert "Verkauf" not in leitsatz[1].text
    assert "privatisieren" in proposals(2) and "einzeln" not in proposals(2)
    assert "hängen" not in leitsatz[4].text and "zusammen" not in leitsatz[4].text
    assert "vor Ort erzeugt" in leitsatz[5].text and "Region" not in leitsatz[5].text
    assert "neu aufzubauen" not in proposals(6) and "neu aufbauen" not in proposals(6)
    assert "Akteure" in leitsatz[8].text and "Bürgerschaft" not in leitsatz[8].title
    assert "Bürgerschaft" not in leitsatz[8].text and "anderen Kommunen" not in proposals(8)
    assert "fürs Scheitern" in proposals(9) and "mutig" not in proposals(9)
    innen = GuidingPrinciple.objects.get(slug="innen-entwickeln")
    assert "zuerst" not in innen.text


def test_slugs_are_plain_web_addresses_with_transliterated_umlauts(catalogue):
    pattern = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
    for kind in ("municipalities", "taxonomy", "principles", "programmes"):
        for o in fixture_objects(kind):
            for value in [o["fields"].get("slug"), *o["fields"].get("former_slugs", [])]:
                assert value is None or pattern.fullmatch(value), (kind, value)
    assert Municipality.objects.get(key="05515000").slug == "muenster"


def test_web_addresses_in_contacts_are_links(catalogue):
    domain = re.compile(r"\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(de|nrw|org|com|net|info|eu)\b", re.I)
    for programme in Programme.objects.all():
        without_links = re.sub(r"https?://\S+", "", programme.contact)
        assert not domain.search(without_links), (programme.slug, programme.contact)


def test_sources_cite_their_own_pages_not_home_pages(catalogue):
    # sources.json; the companion files are kept by their own editors
    for source in fixture_objects("sources", companions=False):
        url = source["fields"]["url"]
        assert url == "" or urlparse(url).path.strip("/"), url
    own = {o["fields"]["slug"] for o in fixture_objects("programmes", companions=False)
           if o["model"] == "programmes.programme"}  # fmt: skip
    checked = Source.objects.filter(
        content_type__model="programme", object_id__in=Programme.objects.filter(slug__in=own)
    )
    assert checked.exists() and set(checked.values_list("accessed", flat=True)) == {CHECKED_ON}


def test_every_programme_cites_a_page_of_its_own(catalogue):
    """A specific page, or the programme's own website: never only some site's home page."""
    for programme in Programme.objects.filter(is_synthetic=False).prefetch_related("sources"):
        own = [
            source.url
            for source in programme.sources.all()
            if urlparse(source.url).path.strip("/") or source.url == programme.website
        ]
        assert own, programme.slug


def test_every_programme_of_the_main_file_records_when_its_facts_were_checked(catalogue):
    own = [o["fields"]["slug"] for o in fixture_objects("programmes", companions=False)
           if o["model"] == "programmes.programme"]  # fmt: skip
    checked = dict(Programme.objects.filter(slug__in=own).values_list("slug", "facts_checked_on"))
    assert checked == dict.fromkeys(own, CHECKED_ON)


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
        ("initiative-ergreifen", Status.RUNNING),
        (EWS, Status.CLOSED),
        ("entwicklungswerkstatt-basiswissen", Status.CLOSED),
        ("staedtenetz-soziale-stadt-nrw", Status.CLOSED),
        ("ag-soziale-stadt-nrw", Status.RUNNING),
    ],
)
def test_derived_status_of_catalogue_programmes(catalogue, slug, status):
    today = date(2026, 12, 2)
    assert Programme.objects.with_status(today=today).get(slug=slug).status == status


def test_sources_name_documents_as_readers_know_them_not_by_internal_file():
    titles = [s["fields"]["title"] for s in fixture_objects("sources", companions=True)]
    assert titles and not [t for t in titles if "seeds/" in t or "Quelltext" in t]
