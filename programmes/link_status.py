"""The catalogue's side of the link check: which addresses it shows or cites, who cites each,
and which programmes have one that failed its last check (core.link_check does the checking).

Addresses: a programme's official page, its links and sources, the funders' websites and the
sources of Leitbilder and Leitsätze. Programmes of the load generator are left out.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from core.link_check import Limits, check_urls, record
from core.models import LinkCheck
from programmes.models import FundingBody, Link, Programme, Source


@dataclass(frozen=True)
class Usage:
    """One place that shows an address: „Link „Förderaufruf““ on programme X."""

    role: str
    owner: str
    admin_url: str


def check_catalogue_links(limits: Limits | None = None) -> Counter:
    """Check every address of the catalogue, store the results, forget addresses nobody cites
    any more. Returns how many addresses ended with each result."""
    outcomes = check_urls(sorted(catalogue_addresses()), limits)
    record(outcomes, keep_only_these=True)
    return Counter(outcome.status for outcome in outcomes)


def catalogue_addresses() -> set[str]:
    real = Programme.objects.filter(is_synthetic=False)
    addresses = set(real.exclude(website="").values_list("website", flat=True))
    addresses.update(Link.objects.filter(programme__in=real).values_list("url", flat=True))
    addresses.update(FundingBody.objects.exclude(url="").values_list("url", flat=True))
    addresses.update(_cited_sources().exclude(url="").values_list("url", flat=True))
    return addresses


def _cited_sources() -> QuerySet[Source]:
    synthetic = Programme.objects.filter(is_synthetic=True).values("pk")
    return Source.objects.exclude(
        content_type=ContentType.objects.get_for_model(Programme), object_id__in=synthetic
    )


def programmes_with_failed_links() -> QuerySet[Programme]:
    return with_failed_link(Programme.objects.all())


def with_failed_link(programmes: QuerySet[Programme]) -> QuerySet[Programme]:
    """Those whose official page, a link or a source failed its last check."""
    return programmes.filter(_cites(LinkCheck.objects.failed().values("url")))


def with_moved_link(programmes: QuerySet[Programme]) -> QuerySet[Programme]:
    """Those citing an address that moved for good (the check proposes the new one)."""
    return programmes.filter(_cites(LinkCheck.objects.moved().values("url")))


def funding_bodies_with_failed_links() -> QuerySet[FundingBody]:
    return FundingBody.objects.filter(url__in=LinkCheck.objects.failed().values("url"))


def _cites(urls: QuerySet) -> Q:
    sources = Source.objects.filter(
        content_type=ContentType.objects.get_for_model(Programme),
        object_id=OuterRef("pk"),
        url__in=urls,
    )
    links = Link.objects.filter(programme=OuterRef("pk"), url__in=urls)
    return Q(website__in=urls) | Q(Exists(links)) | Q(Exists(sources))


def programme_addresses(programme: Programme) -> list[tuple[str, str]]:
    """(role, address) for each address the programme's page shows, in the page's order."""
    pairs = [(_("Offizielle Seite"), programme.website)]
    pairs += [(_link_role(link), link.url) for link in programme.links.all()]
    pairs += [(_source_role(source), source.url) for source in programme.sources.all()]
    if programme.funding_body:
        pairs.append((_("Website des Fördergebers"), programme.funding_body.url))
    return [(role, url) for role, url in pairs if url]


def usages(urls: list[str]) -> dict[str, list[Usage]]:
    """Who cites each of these addresses, in four queries."""
    found = defaultdict(list)
    for programme in Programme.objects.filter(website__in=urls).only("pk", "title", "website"):
        usage = Usage(_("Offizielle Seite"), programme.title, _edit(programme))
        found[programme.website].append(usage)
    for link in Link.objects.filter(url__in=urls).select_related("programme"):
        usage = Usage(_link_role(link), link.programme.title, _edit(link.programme))
        found[link.url].append(usage)
    for funder in FundingBody.objects.filter(url__in=urls):
        found[funder.url].append(Usage(_("Website"), str(funder), _edit(funder)))
    for source in Source.objects.filter(url__in=urls).prefetch_related("subject"):
        if source.subject is not None:
            usage = Usage(_source_role(source), str(source.subject), _edit(source.subject))
            found[source.url].append(usage)
    return found


def _link_role(link: Link) -> str:
    return _("Link „%(title)s“") % {"title": link.title}


def _source_role(source: Source) -> str:
    return _("Quelle „%(title)s“") % {"title": source.title}


def _edit(entry) -> str:
    opts = entry._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[entry.pk])
