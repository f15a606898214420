import logging
import sys

from django.db.models import Count, F, Q
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.utils import timezone

from core.cache import per_version
from core.outage import is_database_outage, log_outage, service_unavailable
from core.page_cache import query_parameters
from programmes.facets import catalogue_index
from programmes.models import ApplicationWindow, Participation, Programme, Topic
from programmes.querysets import Status


@query_parameters()
def home(request):
    today = timezone.localdate()
    index = catalogue_index(today)
    topics = []
    for slug, name, _group in index.entries["topic"]:
        if count := (index.bits["topic"].get(slug, 0) & index.published).bit_count():
            topic = Topic(name=name, slug=slug)  # unsaved: name and address are all it shows
            topic.programme_count = count
            topics.append(topic)
    applicable = _applicable(today)
    # Ended programmes never head the news: a visitor could not act on them.
    newest = list(
        Programme.objects.published()
        .exclude(end_date__lt=today)
        .order_by("-created")
        .values_list("pk", flat=True)[:5]
    )
    # Both lists in one query, by id: the status of ten programmes is computed for those ten
    # only (sorted and limited in the same query, PostgreSQL would prepare it for all).
    listed = Programme.objects.with_status(today).with_next_deadline(today).for_listing()
    found = {row.pk: row for row in listed.filter(pk__in=[*applicable, *newest])}
    context = {
        "counts": {
            "programmes": index.published.bit_count(),
            "open": index.bits["status"].get(Status.OPEN, 0).bit_count(),
        },
        "municipality_count": participating_municipalities(today),
        "principle_count": len(index.entries["principle"]),
        "topics": topics,  # in the index's order: by name
        "applicable": [found[pk] for pk in applicable if pk in found],
        "newest": [found[pk] for pk in newest if pk in found],
    }
    return render(request, "portal/home.html", context)


def _applicable(today, limit=6) -> list[int]:
    """Published, not ended programmes to apply to now or soon: those with an application
    window that has not closed, the nearest deadline first, open-ended windows last. Windows
    are read in that order until `limit` programmes are found; nothing is computed for every
    programme."""
    windows = (
        ApplicationWindow.objects.filter(
            Q(closes__isnull=True) | Q(closes__gte=today),
            Q(programme__end_date__isnull=True) | Q(programme__end_date__gte=today),
            programme__publication=Programme.Publication.PUBLISHED,
        )
        .order_by(F("closes").asc(nulls_last=True), "programme__sort_title", "programme_id")
        .values_list("programme_id", flat=True)
    )
    batch = limit * 20
    while True:
        taken = list(windows[:batch])
        found = list(dict.fromkeys(taken))[:limit]
        if len(found) == limit or len(taken) < batch:
            return found
        batch *= 4


@per_version("portal:participating-municipalities")
def participating_municipalities(today) -> int:
    published = Participation.objects.filter(programme__publication="published")
    return published.aggregate(count=Count("municipality", distinct=True))["count"]


def floor(request):
    """What the framework costs on this machine: every middleware, no template, no database
    (not even the page cache's version). Only served with BENCH_FLOOR (bench/web.py)."""
    return HttpResponse("Kommunalkompass\n", content_type="text/plain; charset=utf-8")


floor.page_cache = False


@query_parameters()
def page(request, template):
    return render(request, template)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


# The last resort when even the 500 template cannot be rendered.
PLAIN_500 = (
    '<!doctype html><html lang="de"><meta charset="utf-8"><title>Technischer Fehler</title>'
    "<h1>Technischer Fehler</h1><p>Bitte versuchen Sie es in einigen Minuten noch einmal.</p>"
    "</html>"
)


def server_error(request):
    """handler500. A database outage met outside a view (a middleware, the session) still
    answers 503 with Retry-After; anything else gets the 500 page in the site's design."""
    exception = sys.exc_info()[1]
    if is_database_outage(exception):
        log_outage(request, exception)
        return service_unavailable(request)
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the page must not fail in turn
        logging.getLogger("portal.errors").exception("500-Seite nicht darstellbar")
        return HttpResponseServerError(PLAIN_500)
