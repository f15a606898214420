"""One small, valid object per admin-registered model, and an editor to look at it."""

import io
import itertools
from datetime import date

from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from programmes.models import (
    ApplicationWindow,
    Framework,
    FundingType,
    Goal,
    Link,
    Measure,
    PrincipleArea,
    Source,
    SynonymGroup,
)
from tests.factories import (
    add_participation,
    make_funding_body,
    make_municipality,
    make_principle,
    make_programme,
    make_target_group,
    make_topic,
)

_n = itertools.count(1)


def make_editor(username: str = "redakteurin") -> User:
    """A staff user whose only rights come from the "Redaktion" group."""
    call_command("setup_roles", stdout=io.StringIO())
    user = User.objects.create_user(username, password="ein-langes-Testpasswort", is_staff=True)
    user.groups.add(Group.objects.get(name="Redaktion"))
    return user


def make_framework(title: str | None = None, **fields) -> Framework:
    n = next(_n)
    fields.setdefault("slug", f"leitbild-{n}")
    fields.setdefault("summary", "Ein Leitbild zum Testen.")
    return Framework.objects.create(title=title or f"Leitbild {n}", **fields)


def make_area(framework: Framework | None = None, **fields) -> PrincipleArea:
    n = next(_n)
    return PrincipleArea.objects.create(
        framework=framework or make_framework(),
        title=fields.pop("title", f"Bereich {n}"),
        slug=fields.pop("slug", f"bereich-{n}"),
        **fields,
    )


def make_source(subject=None, **fields) -> Source:
    subject = subject or make_programme()
    return Source.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        title=fields.pop("title", "Förderrichtlinie"),
        url=fields.pop("url", "https://example.org/"),
        accessed=fields.pop("accessed", date(2025, 1, 15)),
        **fields,
    )


def _name(prefix: str) -> str:
    return f"{prefix} {next(_n)}"


def make_synonym_group(term: str) -> SynonymGroup:
    """The only group: the starting list the migration ships is set aside."""
    SynonymGroup.objects.all().delete()
    return SynonymGroup.objects.create(terms=f"{term}, Bürgerzentrum")


BUILDERS = {
    "programmes.programme": lambda: make_programme(_name("Programm")),
    "programmes.applicationwindow": lambda: ApplicationWindow.objects.create(
        programme=make_programme(_name("Programm")),
        opens=date(2025, 1, 1),
        closes=date(2025, 3, 31),
        note="erster Aufruf",
    ),
    "programmes.link": lambda: Link.objects.create(
        programme=make_programme(_name("Programm")),
        title="Richtlinie",
        url="https://example.org/richtlinie",
    ),
    "programmes.participation": lambda: add_participation(
        make_programme(_name("Programm")),
        make_municipality(_name("Stadt"), "05124000"),
        role="leitkommune",
    ),
    "programmes.source": make_source,
    "programmes.topic": lambda: make_topic(_name("Thema")),
    "programmes.targetgroup": lambda: make_target_group(_name("Zielgruppe")),
    "programmes.fundingtype": lambda: FundingType.objects.create(
        name=(name := _name("Förderart")), slug=name.lower().replace(" ", "-").replace("ö", "oe")
    ),
    "programmes.fundingbody": lambda: make_funding_body(_name("Ministerium"), short_name="MX"),
    "programmes.framework": make_framework,
    "programmes.principlearea": make_area,
    "programmes.guidingprinciple": lambda: make_principle(
        _name("Leitsatz"), framework=make_framework()
    ),
    "programmes.goal": lambda: Goal.objects.create(
        principle=make_principle(_name("Leitsatz"), framework=make_framework()),
        text="Wohnpolitik ist gemeinwohlorientiert ausgerichtet.",
    ),
    "programmes.measure": lambda: Measure.objects.create(
        principle=make_principle(_name("Leitsatz"), framework=make_framework()),
        text="Quartiere gemeinsam planen.",
    ),
    "programmes.synonymgroup": lambda: make_synonym_group(_name("Bürgerhaus")),
    "municipalities.municipality": lambda: make_municipality(_name("Gemeinde"), "05962024"),
}


def build(label: str):
    return BUILDERS[label]()
