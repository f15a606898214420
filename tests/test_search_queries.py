"""What people type, and what they must find: a table of realistic searches on the curated
catalogue (fixtures/), each with the programmes that must be among the first five, and checks
that precise names rank first and unrelated entries stay out of the top five."""

import pytest
from django.core.management import call_command
from django.http import QueryDict

from programmes.models import Programme, SynonymGroup
from programmes.search import plan_search

DIGITAL = tuple(
    f"digitale-modellregion{place}"
    for place in (
        "en-nrw",
        "-aachen",
        "-gelsenkirchen",
        "-ostwestfalen-lippe",
        "-soest",
        "-wuppertal",
    )
)

# (what someone types, slugs that must be in the top five; a tuple: any one of them)
QUERIES = [
    # inflections
    ("Bürgerhäuser", ["initiative-ergreifen"]),
    ("Modellregionen", ["digitale-modellregionen-nrw"]),
    ("Ehrenamtskarten", ["ehrenamtskarte-nrw"]),
    ("Quartieren", ["sozialer-zusammenhalt"]),
    ("Engagementstrategie", ["entwicklungswerkstatt-kommunale-engagementstrategien"]),
    # compounds, both ways
    ("Dorfgemeinschaftshaus", ["initiative-ergreifen"]),
    ("Gemeinschaftshaus", ["initiative-ergreifen"]),
    ("Städtebauförderung", ["soziale-stadt", "initiative-ergreifen"]),
    ("Förderung des Städtebaus", ["soziale-stadt"]),
    ("Stadtteilzentrum", ["initiative-ergreifen"]),
    ("Zentrum ländliche Entwicklung", ["zentrum-fuer-laendliche-entwicklung"]),
    ("Engagementkongress", ["engagementkongress"]),
    # synonyms and related terms
    ("Bürgerzentrum", ["initiative-ergreifen"]),
    ("Bürgerhaus renovieren", ["initiative-ergreifen"]),
    ("Förderung Bürgerhaus", ["initiative-ergreifen"]),
    ("Gebäude sanieren", ["initiative-ergreifen"]),
    ("freiwilliges Engagement", ["kommunen-netzwerk-engagiert-in-nrw"]),
    ("Nahverkehr auf dem Land", ["kommunen-innovativ-kimonos"]),
    ("Senioren", ["kommunen-innovativ-altersinnovationen"]),
    ("junge Menschen", ["kommunen-innovativ-jumowestkueste"]),
    ("Leerstand Ortskern", ["kommunen-innovativ-komet"]),
    # typos
    ("Ehrenamtkarte", ["ehrenamtskarte-nrw"]),
    ("Ehrenamtskrate", ["ehrenamtskarte-nrw"]),
    ("Digitalisirung", [DIGITAL]),
    ("Modelregion", ["digitale-modellregionen-nrw"]),
    ("Sozialer Zusamenhalt", ["sozialer-zusammenhalt"]),
    ("Baukulturr", ["baukultur-nrw-stadtgespraeche"]),
    # prefixes, while typing
    ("Ehrenamtsk", ["ehrenamtskarte-nrw"]),
    ("Digitale Modell", ["digitale-modellregionen-nrw"]),
    ("Engagem", ["engagementkongress"]),
    # names and phrases
    ('"Initiative ergreifen"', ["initiative-ergreifen"]),
    ('"Soziale Stadt"', ["soziale-stadt", "staedtenetz-soziale-stadt-nrw"]),
    ("Kommunen innovativ", ["kommunen-innovativ"]),
    ("ZeLE", ["zentrum-fuer-laendliche-entwicklung"]),
    ("EWS Basis", ["entwicklungswerkstatt-basiswissen"]),
    ("engagiert in NRW", ["kommunen-netzwerk-engagiert-in-nrw"]),
    ("Digitale Modellregion Aachen", ["digitale-modellregion-aachen"]),
    # exclusions and alternatives
    ("Modellregion -Aachen", ["digitale-modellregion-soest"]),
    ("Ehrenamtskarte oder Engagementkongress", ["ehrenamtskarte-nrw", "engagementkongress"]),
    # several words, generic words
    ("Förderprogramm Stadterneuerung", ["soziale-stadt"]),
    ("Programm für Bürgerinitiativen Gebäude", ["kommunen-innovativ-buergerfonds"]),
    ("Bus Bahn Land", ["kommunen-innovativ-kimonos", "kommunen-innovativ-imona"]),
    ("Fahrdienste Ehrenamt", ["kommunen-innovativ-komobil2035"]),
    ("Daten Bevölkerung Werkzeug", ["kommunen-innovativ-kommonitor"]),
]


@pytest.fixture
def catalogue(db):
    call_command("load_catalogue", verbosity=0)


def top_five(text):
    ranked = Programme.objects.published().search(text).order_by("-rank", "sort_title", "pk")
    return list(ranked.values_list("slug", flat=True)[:5])


def test_realistic_searches_find_what_was_meant(catalogue):
    assert len(QUERIES) >= 40

    def found(wanted, top):
        return all(set(w) & set(top) if isinstance(w, tuple) else w in top for w in wanted)

    missed = {text: top_five(text) for text, wanted in QUERIES if not found(wanted, top_five(text))}
    assert not missed, missed


def test_precise_names_rank_their_programme_first(catalogue):
    for text, slug in [
        ("Ehrenamtskarte NRW", "ehrenamtskarte-nrw"),
        ("Sozialer Zusammenhalt", "sozialer-zusammenhalt"),
        ("Digitale Modellregion Wuppertal", "digitale-modellregion-wuppertal"),
        ("Engagementkongress", "engagementkongress"),
        ("Initiative ergreifen", "initiative-ergreifen"),
        ("KoDa_eG", "kommunen-innovativ-koda-eg"),
    ]:
        assert top_five(text)[0] == slug, (text, top_five(text))


def test_unrelated_entries_stay_out_of_the_top_five(catalogue):
    assert not {s for s in top_five("Ehrenamtskarte") if s.startswith("digitale-")}
    assert not {s for s in top_five("Digitale Modellregion") if s.startswith("kommunen-")}
    assert "ehrenamtskarte-nrw" not in top_five("Städtebauförderung")
    # the ministry's name mentions Digitalisierung; programmes about it come first
    assert "initiative-ergreifen" not in top_five("Digitalisierung")


def test_the_plan_says_what_was_searched_instead(catalogue):
    typo = plan_search("Ehrenamtskrate")
    assert typo.searched == "Ehrenamtskarte" and not typo.partial
    some = plan_search("Ehrenamtskarte Tiefseebergbau")
    assert some.partial and top_five("Ehrenamtskarte Tiefseebergbau")[0] == "ehrenamtskarte-nrw"
    nothing = plan_search("Xylophonwerkstatt")
    assert top_five("Xylophonwerkstatt") == [] and not nothing.partial


def test_a_generic_word_never_makes_a_search_fail(catalogue):
    assert top_five("Förderung Ehrenamtskarte")[0] == "ehrenamtskarte-nrw"
    assert not plan_search("Förderprogramm Ehrenamtskarte").partial  # not needed: all matched
    assert top_five("Förderung")  # alone, the generic word is searched for


def test_synonyms_editors_add_apply_at_once(catalogue):
    assert top_five("Fahrgemeinschaft") == []
    SynonymGroup.objects.create(terms="Fahrgemeinschaft, Fahrdienst")
    assert "kommunen-innovativ-komobil2035" in top_five("Fahrgemeinschaft")


def test_the_list_says_what_was_searched(client, catalogue):
    typo = client.get("/programme/", {"q": "Ehrenamtskrate"})
    assert typo.status_code == 200
    assert "Ergebnisse für „<strong>Ehrenamtskarte</strong>“ – gesucht war „Ehrenamtskrate“" in (
        typo.content.decode()
    )
    assert "/programme/ehrenamtskarte-nrw/" in typo.content.decode()

    some = client.get("/programme/", {"q": "Ehrenamtskarte Tiefseebergbau"}).content.decode()
    assert "Kein Programm enthält alle Suchwörter" in some

    none = client.get("/programme/", {"q": "Kindertagesstäte", "level": "land"})
    assert none.status_code == 200 and none.context["total"] == 0
    assert "Meinten Sie" in none.content.decode()
    path, query = none.context["suggestion_url"].split("?")
    assert path == "/programme/"
    assert QueryDict(query).dict() == {"q": "Kindertagesstätte", "level": "land"}


def test_compounds_split_as_the_charsplit_package_does():
    """The n-grams read from the mapped table give the package's own best split (its dicts,
    imported here once, are what the portal's processes no longer hold)."""
    from compound_split import char_split

    from programmes.search.compounds import best_split

    for word in ["Dorfgemeinschaftshaus", "Städtebauförderung", "Ehrenamtskarte", "Nahverkehr"]:
        score, modifier, head = char_split.split_compound(word)[0]
        assert best_split(word) == (pytest.approx(score), modifier, head)
    assert best_split("Städtebauförderung")[1:] == ("Städtebau", "Förderung")
