"""Everything an editor types is shown as text. Classic stored-XSS payloads in every text field of
programmes, their windows, links and participations, municipalities, Leitbilder, principles,
measures, vocabularies and sources render inert on every public page, in the admin, the feeds,
the calendar and the API.

All editor text is plain text and escaped on output (``linebreaks`` escapes before it adds
paragraphs); no field accepts HTML, so there is nothing to sanitise. Addresses must be http(s).
"""

import json
from html.parser import HTMLParser
from xml.etree import ElementTree

import icalendar
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from programmes.models import (
    ApplicationWindow,
    FundingType,
    Link,
    Measure,
    PrincipleArea,
    Programme,
)
from tests.admin_builders import make_framework, make_source
from tests.factories import (
    add_participation,
    make_funding_body,
    make_municipality,
    make_principle,
    make_programme,
    make_target_group,
    make_topic,
)

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</script><script>alert(document.cookie)</script>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">klick</a>',
    '" onmouseover="alert(1)" x="',
    "<style>*{display:none}</style>",
    "]]><script>alert(1)</script><![CDATA[",
    "<!--<script>alert(1)//-->",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "{{ request }}{% debug %}",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\u2028\u2029<body onload=alert(1)>",
]


def payload(n: int, limit: int = 300) -> str:
    """The n-th payload (cycling), marked so each field's text can be recognised."""
    return f"P{n} {PAYLOADS[n % len(PAYLOADS)]}"[:limit]


@pytest.fixture
def hostile(today):
    """One entry of every kind, every text field holding a payload."""
    n = iter(range(10_000))
    nrw = make_municipality(payload(next(n), 200), "05", official_name=payload(next(n), 200))
    town = make_municipality(
        payload(next(n), 200),
        "05124000",
        parent=nrw,
        slug="wuppertal",
        official_name=payload(next(n), 200),
        kind="kreisfreie-stadt",
    )
    topic = make_topic(payload(next(n), 150), slug="thema", description=payload(next(n)))
    group = make_target_group(payload(next(n), 150), slug="gruppe")
    funding_type = FundingType.objects.create(name=payload(next(n), 150), slug="art")
    funder = make_funding_body(payload(next(n), 250), slug="geber", short_name=payload(next(n), 60))
    framework = make_framework(
        payload(next(n), 250), slug="leitbild", issuer=payload(next(n)), summary=payload(next(n))
    )
    area = PrincipleArea.objects.create(
        framework=framework, title=payload(next(n), 200), slug="bereich"
    )
    principle = make_principle(
        payload(next(n)), framework=framework, area=area, slug="leitsatz", text=payload(next(n))
    )
    Measure.objects.create(principle=principle, text=payload(next(n)))
    programme = make_programme(
        payload(next(n), 250),
        slug="programm",
        short_name=payload(next(n), 80),
        summary=payload(next(n)),
        description=payload(next(n)) + "\n\n" + payload(next(n)),
        amount_note=payload(next(n)),
        contact=payload(next(n)),
        contact_email="kontakt@example.org",
        website="https://example.org/?q=%22%3E%3Cscript%3E",
        funding_body=funder,
        region=nrw,
        topics=[topic],
        target_groups=[group],
    )
    programme.funding_types.add(funding_type)
    programme.principles.add(principle)
    ApplicationWindow.objects.create(
        programme=programme,
        opens=today,
        closes=today.replace(year=today.year + 1),
        note=payload(next(n)),
    )
    Link.objects.create(
        programme=programme, title=payload(next(n), 200), url="https://example.org/a?b=<c>"
    )
    add_participation(
        programme, town, role="leitkommune", round=payload(next(n), 120), note=payload(next(n))
    )
    make_source(programme, title=payload(next(n)))
    make_source(principle, title=payload(next(n)))
    return {"programme": programme, "town": town, "principle": principle, "topic": topic}


class Markup(HTMLParser):
    """Everything in a page that could run: script elements, event handler attributes,
    javascript: addresses, style elements, frames, embedded objects."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.active: list[str] = []
        self.data_blocks: list[str] = []
        self._in_data_block = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.active.append(f"<{tag} {name}=…>")
            dangerous = ("javascript:", "data:text/html")
            url_attribute = name in ("href", "src", "action", "formaction", "xlink:href")
            if url_attribute and (value or "").strip().lower().startswith(dangerous):
                self.active.append(f"<{tag} {name}={value}>")
        if tag in ("iframe", "object", "embed", "style", "math", "base"):
            self.active.append(f"<{tag}>")
        if tag == "script":
            kind = attributes.get("type", "")
            src = attributes.get("src", "")
            if kind == "application/ld+json":
                self._in_data_block = True
                self.data_blocks.append("")
            elif not src.startswith(("/static/", "/admin/jsi18n/")) and kind != "application/json":
                self.active.append(f"<script {attributes}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_data_block = False

    def handle_data(self, data):
        if self._in_data_block:
            self.data_blocks[-1] += data


def assert_inert(response, path):
    assert response.status_code == 200, (path, response.status_code)
    content = response.content.decode()
    for raw in ("<script>alert", "<img src=x", "<svg onload", "<iframe", "<body onload"):
        assert raw not in content, (path, raw)
    markup = Markup()
    markup.feed(content)
    assert markup.active == [], path
    for block in markup.data_blocks:
        data = json.loads(block)  # still valid JSON, the payloads inside as strings
        assert "<" not in block and ">" not in block, path
        assert isinstance(data, dict)
    return content


def test_payloads_render_inert_on_every_public_page(client, hostile):
    paths = [
        "/",
        "/programme/",
        "/programme/?q=alert",
        "/programme/?q=script",
        "/programme/?topic=thema&target_group=gruppe",
        hostile["programme"].get_absolute_url(),
        "/kommunen/",
        "/kommunen/?q=P",
        hostile["town"].get_absolute_url(),
        hostile["town"].parent.get_absolute_url(),
        "/leitbild/",
        hostile["principle"].get_absolute_url(),
        "/themen/",
        hostile["topic"].get_absolute_url(),
    ]
    for path in paths:
        content = assert_inert(client.get(path), path)
        assert "P" in content
    # The payloads are shown, as text: the visitor sees exactly what the editor typed.
    detail = client.get(hostile["programme"].get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail
    assert "&amp;lt;script&amp;gt;" in detail  # already-escaped text is escaped once more


def test_search_terms_are_echoed_inert(client, hostile):
    for term in PAYLOADS:
        response = client.get("/programme/", {"q": term})
        assert response.status_code == 200
        assert_inert(response, f"/programme/?q={term}")


def test_payloads_are_inert_in_the_admin(client, hostile):
    client.force_login(User.objects.create_superuser("chefin", password="ein-langes-Testpasswort"))
    programme, town = hostile["programme"], hostile["town"]
    for path in [
        reverse("admin:programmes_programme_changelist"),
        reverse("admin:programmes_programme_change", args=[programme.pk]),
        reverse("admin:programmes_programme_history", args=[programme.pk]),
        reverse("admin:municipalities_municipality_change", args=[town.pk]),
        reverse("admin:programmes_guidingprinciple_change", args=[hostile["principle"].pk]),
        reverse("admin:programmes_source_changelist"),
        reverse("admin:programmes_participation_changelist"),
    ]:
        assert_inert(client.get(path), path)


def test_payloads_stay_text_in_feeds_calendars_and_the_api(client, hostile):
    feed = client.get("/programme/feed/")
    tree = ElementTree.fromstring(feed.content)  # still well-formed XML
    tags = {element.tag.rsplit("}", 1)[-1] for element in tree.iter()}
    assert not tags & {"script", "img", "svg", "iframe"}
    titles = [e.text for e in tree.iter() if e.tag.endswith("title")]
    assert hostile["programme"].title in titles  # the payload as text, escaped in the XML

    ics = client.get("/programme/fristen.ics")
    body = b"".join(ics.streaming_content) if ics.streaming else ics.content
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar.walk("VEVENT")

    api = client.get("/api/v1/programmes/programm/")
    assert api["Content-Type"] == "application/json"
    assert api.json()["title"].startswith("P")

    sitemap = client.get("/sitemap-programmes.xml")
    if sitemap.status_code == 200:
        ElementTree.fromstring(sitemap.content)


@pytest.mark.parametrize(
    "address",
    ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"],
)
def test_addresses_must_be_http_or_https(address):
    programme = Programme(
        title="X", slug="x", summary="X", kind="service", level="land", website=address
    )
    with pytest.raises(ValidationError) as excinfo:
        programme.full_clean()
    assert "website" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        Link(programme=programme, title="X", url=address).clean_fields(exclude=["programme"])
