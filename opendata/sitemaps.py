"""/sitemap.xml: an index of one sitemap per kind of page (each split at 50,000 addresses).

Only public pages: published programmes, municipalities that take part in one, guiding
principles, topics and the static pages. Latest modifications come from one aggregate query,
not from loading every entry.

A section's page is rendered once per catalogue version in each process (`per_version`) and
handed out again with the request's scheme and host put in: a page of 50,000 addresses is some
10 MB, beyond what the page cache keeps (PAGE_CACHE_MAX_BYTES), and would otherwise be built
again for every request.
"""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import InvalidPage
from django.db.models import Exists, Max, OuterRef
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from core.cache import per_version
from core.page_cache import query_parameters
from municipalities.models import Municipality
from programmes.models import GuidingPrinciple, Participation, Programme, Topic


class _ModelSitemap(Sitemap):
    def lastmod(self, item):
        return item.updated

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("updated"))["latest"]


class ProgrammeSitemap(_ModelSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Programme.objects.published().only("slug", "updated").order_by("sort_title", "pk")


class MunicipalitySitemap(_ModelSitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        taking_part = Participation.objects.filter(
            municipality=OuterRef("pk"), programme__publication=Programme.Publication.PUBLISHED
        )
        return (
            Municipality.objects.filter(Exists(taking_part))
            .only("slug", "updated")
            .order_by("sort_name", "pk")
        )


class PrincipleSitemap(_ModelSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return GuidingPrinciple.objects.only("slug", "updated").order_by("slug", "pk")


class TopicSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Topic.objects.only("slug").order_by("slug", "pk")


class StaticSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "programmes:programme-list",
            "municipalities:municipality-list",
            "programmes:principle-list",
            "programmes:topic-list",
            "opendata:api-docs",
            "impressum",
            "datenschutz",
            "barrierefreiheit",
            "leichte-sprache",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "seiten": StaticSitemap,
    "programme": ProgrammeSitemap,
    "kommunen": MunicipalitySitemap,
    "leitsaetze": PrincipleSitemap,
    "themen": TopicSitemap,
}


# Rendered with this in place of "scheme://host"; no address contains a NUL.
_ROOT = "\x00"
_ROOT_BYTES = f"{_ROOT}://{_ROOT}".encode()


class _Site:
    domain = _ROOT


@query_parameters()
def sitemap_index(request):
    return sitemap_views.index(
        request, sitemaps=SITEMAPS, sitemap_url_name="opendata:sitemap-section"
    )


@per_version("opendata:sitemap-pages")
def _rendered_pages(today) -> dict[tuple[str, int], bytes]:
    """(section, page) → the page's XML, filled as pages are asked for; only pages that
    exist get in, so it holds at most the whole sitemap."""
    return {}


@query_parameters("p")
@sitemap_views.x_robots_tag
def sitemap_section(request, section):
    if section not in SITEMAPS:
        raise Http404
    try:
        number = int(request.GET.get("p", 1))
    except ValueError:
        raise Http404 from None
    pages = _rendered_pages()
    body = pages.get((section, number))
    if body is None:
        try:
            urls = SITEMAPS[section]().get_urls(page=number, site=_Site, protocol=_ROOT)
        except InvalidPage:
            raise Http404 from None
        body = render_to_string("sitemap.xml", {"urlset": urls}).encode()
        pages[(section, number)] = body
    root = escape(f"{request.scheme}://{request.get_host()}").encode()
    return HttpResponse(body.replace(_ROOT_BYTES, root), content_type="application/xml")
