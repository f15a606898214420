import logging
import sys
from datetime import timedelta

from django.db.models import Count, Q
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.utils import timezone

from municipalities.models import Municipality
from portal.outage import is_database_outage, log_outage, service_unavailable
from programmes.models import GuidingPrinciple, Programme, Topic
from programmes.querysets import Status

DEADLINE_HORIZON_DAYS = 90


def home(request):
    today = timezone.localdate()
    published = Programme.objects.published()
    counts = published.with_status().aggregate(
        programmes=Count("pk"), open=Count("pk", filter=Q(status=Status.OPEN))
    )
    context = {
        "counts": counts,
        "municipality_count": Municipality.objects.filter(
            participations__programme__publication="published"
        )
        .distinct()
        .count(),
        "principle_count": GuidingPrinciple.objects.count(),
        "topics": Topic.objects.annotate(
            programme_count=Count("programmes", filter=Q(programmes__publication="published"))
        )
        .filter(programme_count__gt=0)
        .order_by("name"),
        "deadlines": published.with_status()
        .with_next_deadline(today)
        .filter(next_deadline__lte=today + timedelta(days=DEADLINE_HORIZON_DAYS))
        .for_listing()
        .order_by("next_deadline")[:5],
        "newest": published.with_status().for_listing().order_by("-created")[:5],
        "deadline_horizon": DEADLINE_HORIZON_DAYS,
    }
    return render(request, "portal/home.html", context)


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
