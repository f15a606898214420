"""Atom feed of new and changed programmes for any filtered list (/programme/feed/?topic=…).

Its title names the filters („Programme – Thema: Digitalisierung“). A browser opening it shows
a readable page: the feed names an XSL stylesheet of this site (`feed.xsl`), which turns it into
HTML with the site's stylesheet – same origin, so the strict Content-Security-Policy holds. It
is sent as application/xml, since browsers show application/atom+xml as plain text and never
apply the stylesheet; feed readers read the Atom inside either way.

The same query string as the list selects the programmes (closed ones hidden unless `status`
asks for them); the newest changes come first, 50 entries. Each entry's id is the programme's
address, so a changed programme updates its entry instead of appearing twice.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Stylesheet
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import require_safe

from core.listing import BadParameters, query_without
from core.page_cache import query_parameters
from core.text import xml_text
from opendata.cors import allow_cors
from opendata.errors import bad_parameters_response
from opendata.selection import programme_selection
from programmes.filter_words import describe
from programmes.filters import ProgrammeFilterSet
from programmes.querysets import Status

ENTRIES = 50
_STATUS = dict(Status.choices)


class XmlSafeAtomFeed(Atom1Feed):
    """Atom without the characters XML cannot carry: Django's writer refuses the whole feed
    for one control character in one stored title. It names its stylesheets, as Django's RSS
    writer does."""

    content_type = "application/xml; charset=utf-8"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feed = _xml_safe(self.feed)

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        self.items[-1] = _xml_safe(self.items[-1])

    def write(self, outfile, encoding):
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", str(stylesheet))
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


def _xml_safe(entry: dict) -> dict:
    def clean(value):
        if isinstance(value, str):
            return xml_text(value)
        if isinstance(value, list | tuple):
            return [clean(item) for item in value]
        return value

    return {name: clean(value) for name, value in entry.items()}


class ProgrammeFeed(Feed):
    feed_type = XmlSafeAtomFeed
    language = "de"
    author_name = "Kommunalkompass NRW"

    def __call__(self, request, *args, **kwargs):
        try:
            response = super().__call__(request, *args, **kwargs)
        except BadParameters as bad:
            return bad_parameters_response(bad.errors)
        return response

    def get_object(self, request):
        filterset = programme_selection(request.GET)
        filterset.list_query = query_without(request.GET, "page", "sort")
        return filterset

    def title(self, filterset):
        described = describe(filterset)
        if described:
            return _("Kommunalkompass NRW: Programme – %(filters)s") % {"filters": described}
        return _("Kommunalkompass NRW: Programme")

    def stylesheets(self, filterset):
        return [Stylesheet(reverse("opendata:feed-stylesheet"), mimetype="text/xsl")]

    def subtitle(self, filterset):
        return _("Neue und geänderte Programme dieser Liste, die neuesten zuerst.")

    def link(self, filterset):
        path = reverse("programmes:programme-list")
        return f"{path}?{filterset.list_query}" if filterset.list_query else path

    def feed_url(self, filterset):
        path = reverse("opendata:programme-feed")
        return f"{path}?{filterset.list_query}" if filterset.list_query else path

    def items(self, filterset):
        return (
            filterset.qs.with_next_deadline()
            .for_listing()
            .prefetch_related("topics")
            .order_by("-updated", "pk")[:ENTRIES]
        )

    def item_title(self, programme):
        return programme.title

    def item_description(self, programme):
        facts = [_("Status: %(status)s") % {"status": _STATUS[programme.status]}]
        if programme.next_deadline:
            deadline = date_format(programme.next_deadline, "j. F Y")
            facts.append(_("Nächste Antragsfrist: %(date)s") % {"date": deadline})
        if programme.funding_body:
            facts.append(_("Fördergeber: %(name)s") % {"name": programme.funding_body.name})
        # Atom carries the summary as HTML: the texts are escaped, not trusted as markup.
        return format_html("<p>{}</p><p>{}</p>", programme.summary, " · ".join(facts))

    def item_pubdate(self, programme):
        return programme.created

    def item_updateddate(self, programme):
        return programme.updated

    def item_categories(self, programme):
        return [topic.name for topic in programme.topics.all()]


@query_parameters()
@require_safe
def feed_stylesheet(request):
    """The XSL stylesheet that turns the feed into a page for people who open it in a browser."""
    return render(request, "opendata/feed.xsl", content_type="text/xsl; charset=utf-8")


programme_feed = query_parameters(*ProgrammeFilterSet.base_filters)(
    allow_cors(require_safe(ProgrammeFeed()))
)
