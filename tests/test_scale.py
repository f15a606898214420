"""Scale: `generate_catalogue` makes synthetic programmes from the catalogue's own vocabulary (the
same for the same seed, removed again with one command), and pages stay bounded on them."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from programmes.management.commands.load_catalogue import load_catalogue
from programmes.models import ApplicationWindow, Participation, Programme
from programmes.querysets import Status
from programmes.search.compounds import parts
from programmes.synthetic import Vocabulary, generate_catalogue, remove_synthetic

# A fixed day for the tests that pass it wherever a day is asked for (the generator, the status).
# Pages ask the app, which reads the clock: their test generates for the `today` fixture.
TODAY = date(2026, 11, 21)


@pytest.fixture
def catalogue(db):
    load_catalogue()


def fingerprint() -> list[tuple]:
    """Everything generated, by slug (database ids differ from run to run)."""
    programmes = Programme.objects.filter(is_synthetic=True).order_by("slug")
    return [
        (
            p.slug, p.title, p.summary, p.description, p.kind, p.level, p.start_date, p.end_date,
            p.max_grant, p.publication, p.related_terms, p.created,
            sorted(p.topics.values_list("slug", flat=True)),
            list(p.application_windows.order_by("pk").values_list("opens", "closes")),
            sorted(p.participations.values_list("municipality__key", "role")),
        )
        for p in programmes
    ]  # fmt: skip


def test_same_seed_same_catalogue_other_seed_another(catalogue):
    generate_catalogue(count=60, seed=7, today=TODAY)
    first = fingerprint()
    assert remove_synthetic() == 60
    generate_catalogue(count=60, seed=7, today=TODAY)
    assert fingerprint() == first
    generate_catalogue(count=60, seed=8, today=TODAY)
    titles = {row[1] for row in fingerprint()}
    assert len(titles) > 60  # a second seed adds other programmes, not the same again


def test_a_seed_cannot_be_generated_twice(catalogue):
    generate_catalogue(count=5, seed=3, today=TODAY)
    with pytest.raises(ValueError, match="Startwert 3"):
        generate_catalogue(count=5, seed=3, today=TODAY)


def test_texts_come_from_the_catalogues_words(catalogue):
    vocabulary = Vocabulary.load()
    generate_catalogue(count=200, seed=1, today=TODAY)
    known = set(vocabulary.nouns)
    for programme in Programme.objects.filter(is_synthetic=True)[:50]:
        assert len(programme.summary) <= 300
        assert any(word.strip("„“,.") in known for word in programme.title.split())
        funder = programme.funding_body
        names = [funder.name, funder.short_name, funder.former_names] if funder else []
        topics = sorted(programme.topics.values_list("name", flat=True))
        assert programme.related_terms.startswith(" ".join(filter(None, [*topics, *names])))
        # ... followed by the parts of its compounds: Förderprogramm → förder, programm
        for word in programme.title.split():
            for part in parts(word.strip("„“,.")):
                assert part.lower() in programme.related_terms.split()
    # The stored search vector covers them: a word of the fixtures finds synthetic programmes.
    found = Programme.objects.filter(is_synthetic=True).search("Kommunen").count()
    assert 0 < found < 200


def test_distributions_cover_every_status_kind_and_level(catalogue):
    generate_catalogue(count=1000, seed=2, today=TODAY)
    synthetic = Programme.objects.filter(is_synthetic=True, publication="published")
    statuses = Counter(synthetic.with_status(TODAY).values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert 0.2 < statuses[Status.CLOSED] / sum(statuses.values()) < 0.3
    assert set(synthetic.values_list("kind", flat=True)) == set(Programme.Kind.values)
    assert len(set(synthetic.values_list("level", flat=True))) == 5
    assert synthetic.filter(max_grant__isnull=False).count() > 400
    assert ApplicationWindow.objects.filter(programme__is_synthetic=True).exists()
    # Participations spread over the municipalities in the database (the fixtures' here).
    places = set(
        Participation.objects.filter(programme__is_synthetic=True).values_list(
            "municipality__key", flat=True
        )
    )
    assert len(places) > 20


def test_command_generates_and_removes_with_child_rows(catalogue):
    real = Programme.objects.count()
    out = StringIO()
    call_command("generate_catalogue", "--programmes", "50", "--seed", "4", "--force", stdout=out)
    assert "50 synthetische Programme" in out.getvalue()
    assert Programme.objects.filter(is_synthetic=True).count() == 50
    call_command("generate_catalogue", "--remove", stdout=out)
    assert "50 synthetische Programme entfernt" in out.getvalue()
    assert Programme.objects.count() == real
    assert not Participation.objects.filter(programme__is_synthetic=True).exists()
    orphans = Programme.topics.through.objects.exclude(programme__in=Programme.objects.all())
    assert not orphans.exists()


@pytest.mark.django_db
def test_command_says_what_it_will_do_and_refuses_with_debug_off(settings):
    settings.DEBUG = False
    out = StringIO()
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_catalogue", stdout=out)
    said = out.getvalue()
    assert "100.000 synthetische Programme" in said
    assert "veröffentlicht" in said and "gesperrt" in said and "--remove" in said
    assert not Programme.objects.filter(is_synthetic=True).exists()


# --- Pages on a scaled catalogue ----------------------------------------------------------------

SCALED_PAGES = [
    "/",
    "/programme/",
    "/programme/?q=Kommunen&topic=stadtentwicklung&level=land",
    "/programme/?page=5",
    "/programme/?sort=deadline&status=open",
    "/kommunen/",
    "/kommunen/maerkischer-kreis/",
    "/kommunen/nordrhein-westfalen/",
    "/themen/stadtentwicklung/",
    "/api/v1/programmes/",
    "/api/v1/programmes/?q=Kommunen&topic=stadtentwicklung",
]


def page_queries(client, path, *, cold=True) -> int:
    """Queries of one page without the page cache: built from nothing (cold: no per-version
    figures either, as right after a change of the catalogue) or in the steady state."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.cache import forget_memos

    if not cold:
        client.get(path)  # the per-version figures this page needs
    cache.clear()
    if cold:
        forget_memos()
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(context.captured_queries)


def busiest_programme() -> str:
    return (
        Programme.objects.filter(is_synthetic=True, publication="published")
        .annotate(places=Count("participations"))
        .order_by("-places")
        .values_list("slug", flat=True)
        .first()
    )


def test_pages_make_at_most_eight_queries_whatever_the_size(client, catalogue, today):
    generate_catalogue(count=200, seed=11, today=today)
    pages = [*SCALED_PAGES, f"/programme/{busiest_programme()}/"]
    small = {path: page_queries(client, path) for path in pages}
    generate_catalogue(count=2000, seed=12, today=today)
    pages[-1] = f"/programme/{busiest_programme()}/"
    large = {path: page_queries(client, path) for path in pages}
    # Right after a change a page also reads what is built once per catalogue version (the
    # catalogue index, synonyms, place names, the sets of places a programme is open to).
    assert max(large.values()) <= 10, large
    assert list(large.values()) == list(small.values())
    steady = {path: page_queries(client, path, cold=False) for path in pages}
    assert max(steady.values()) <= 8, steady


def test_search_uses_the_gin_index(catalogue):
    from django.db import connection

    from programmes.search import plan_search
    from programmes.search.plan import matches_statement

    generate_catalogue(count=2000, seed=13, today=TODAY)
    query = plan_search("Bürgerhaus").query
    with connection.cursor() as cursor:
        # The list's matches (the counts): the GIN index is the only index that can serve them.
        cursor.execute("SET LOCAL enable_seqscan = off")  # as `_matches` runs it
        cursor.execute(f"EXPLAIN {matches_statement(query)}")
        plan = "\n".join(row for (row,) in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "programme_search" in plan, plan
    assert "publication_" not in plan, plan  # not the index on publication
    # The page ranks the matches it has by id against the small stored vector, never the text.
    page = Programme.objects.filter(pk__in=[1, 2, 3]).ranked("Bürgerhaus").order_by("-rank")
    sql = str(page.query)
    assert "rank_vector" in sql and "to_tsvector" not in sql
