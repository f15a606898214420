"""/sitemap.xml: an index of one sitemap per kind of page (each split at 50,000 addresses).

Only public pages: published programmes, municipalities that take part in one, guiding
principles, topics and the static pages. Latest modifications come from one aggregate query,
not from loading every entry.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse

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
