"""Small open-data addresses: robots.txt and the DCAT-AP.de catalogue."""

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from core.page_cache import query_parameters
from opendata.cors import allow_cors
from opendata.dcat import catalogue

# Downloads and calendars exist for every combination of filters; crawlers need none of them.
ROBOTS_DISALLOW = [
    "/programme/export.",
    "/programme/feed/",
    "/programme/fristen.ics",
    "/programme/*/fristen.ics",
    "/api/",
]


@query_parameters()
@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    lines += ["Allow: /api/v1/docs/", ""]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('opendata:sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@query_parameters()
@allow_cors
@require_safe
def dcat_catalogue(request):
    return JsonResponse(
        catalogue(),
        content_type="application/ld+json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
