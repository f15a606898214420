"""Small builders for test data: only what a test names is set, the rest gets sane defaults."""

import itertools

from django.utils.text import slugify

from municipalities.models import Municipality
from programmes.models import (
    ApplicationWindow,
    Framework,
    FundingBody,
    GuidingPrinciple,
    Participation,
    Programme,
    TargetGroup,
    Topic,
)

_counter = itertools.count(1)


def make_topic(name: str, **fields) -> Topic:
    return Topic.objects.create(name=name, slug=fields.pop("slug", slugify(name)), **fields)


def make_target_group(name: str, **fields) -> TargetGroup:
    return TargetGroup.objects.create(name=name, slug=fields.pop("slug", slugify(name)), **fields)


def make_funding_body(name: str, level: str = "land", **fields) -> FundingBody:
    return FundingBody.objects.create(
        name=name, slug=fields.pop("slug", slugify(name)), level=level, **fields
    )


def make_programme(
    title: str | None = None, *, topics=(), target_groups=(), windows=(), **fields
) -> Programme:
    """A published programme; `windows` is a list of (opens, closes) pairs."""
    title = title or f"Programm {next(_counter)}"
    fields.setdefault("slug", slugify(title)[:150])
    fields.setdefault("summary", f"Kurzbeschreibung von {title}.")
    fields.setdefault("kind", Programme.Kind.FOERDERPROGRAMM)
    fields.setdefault("level", "land")
    fields.setdefault("publication", Programme.Publication.PUBLISHED)
    programme = Programme.objects.create(title=title, **fields)
    if topics:
        programme.topics.set(topics)
    if target_groups:
        programme.target_groups.set(target_groups)
    for opens, closes in windows:
        ApplicationWindow.objects.create(programme=programme, opens=opens, closes=closes)
    return programme


_KIND_BY_KEY_LENGTH = {
    2: Municipality.Kind.LAND,
    3: Municipality.Kind.REGIERUNGSBEZIRK,
    5: Municipality.Kind.KREIS,
    8: Municipality.Kind.STADT,
}


def make_municipality(
    name: str, key: str, parent: Municipality | None = None, **fields
) -> Municipality:
    fields.setdefault("kind", _KIND_BY_KEY_LENGTH[len(key)])
    fields.setdefault("slug", slugify(name))
    return Municipality.objects.create(name=name, key=key, parent=parent, **fields)


def make_nrw_chain() -> dict[str, Municipality]:
    """Land NRW → Reg.-Bez. Arnsberg → Märkischer Kreis → Iserlohn, plus Wuppertal."""
    nrw = make_municipality("Nordrhein-Westfalen", "05")
    arnsberg = make_municipality("Regierungsbezirk Arnsberg", "059", nrw)
    duesseldorf = make_municipality("Regierungsbezirk Düsseldorf", "051", nrw)
    mk = make_municipality("Märkischer Kreis", "05962", arnsberg)
    iserlohn = make_municipality("Iserlohn", "05962024", mk)
    wuppertal = make_municipality(
        "Wuppertal", "05124000", duesseldorf, kind=Municipality.Kind.KREISFREIE_STADT
    )
    return {
        "nrw": nrw,
        "arnsberg": arnsberg,
        "duesseldorf": duesseldorf,
        "mk": mk,
        "iserlohn": iserlohn,
        "wuppertal": wuppertal,
    }


def make_principle(
    title: str, number: int = 1, framework: Framework | None = None, **fields
) -> GuidingPrinciple:
    framework = (
        framework
        or Framework.objects.get_or_create(
            slug="leitbild-test", defaults={"title": "Test-Leitbild", "summary": "Zum Testen."}
        )[0]
    )
    fields.setdefault("slug", slugify(title)[:150])
    return GuidingPrinciple.objects.create(
        framework=framework, number=number, title=title, **fields
    )


def add_participation(programme, municipality, role="partner", round="", **fields):
    return Participation.objects.create(
        programme=programme, municipality=municipality, role=role, round=round, **fields
    )
