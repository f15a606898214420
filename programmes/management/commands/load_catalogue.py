"""Load the curated catalogue from ``fixtures/`` once: `manage.py load_catalogue [--force]`.

The fixtures use natural keys (slugs; official keys for municipalities), so they do not depend on
database ids. They are loaded in dependency order inside one transaction:

    municipalities → taxonomy → principles → programmes → sources

Each kind is a main file and its companions (programmes.catalogue_files).

Rules, chosen so that ``make run`` can call this on every start:

* Nothing happens when any programme of ``programmes.json`` already exists. A second run is
  fast and changes no data. ``--force`` loads anyway: the fixture entries are updated in place
  (matched by natural key), and their child rows (application windows, links, participations,
  measures, sources) are deleted first and loaded again, so they are not duplicated. Editorial
  changes to those entries are overwritten; other entries stay untouched.
* NRW's municipalities come from the official register shipped with the project
  (municipalities.nrw_data), loaded first; the fixtures add places outside NRW. Municipalities
  already in the database are never changed by the fixtures: only missing keys are created. The
  register is the authority for names and figures.
* ``sources.json`` is the one file plain ``loaddata`` cannot read: a source belongs to its
  programme, principle or Leitbild through a generic relation whose ``object_id`` is a database
  id, so the file names the subject by natural key (``"object_id": ["initiative-ergreifen"]``)
  and this loader resolves it.
"""

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.text import clean_text_fields
from municipalities.models import Municipality
from municipalities.nrw_data import load_register
from programmes.catalogue_files import KINDS, read_fixtures
from programmes.models import (
    ApplicationWindow,
    Framework,
    Goal,
    GuidingPrinciple,
    Link,
    Measure,
    Participation,
    Programme,
    Source,
)
from programmes.search.index import refresh_related_terms


@dataclass
class CatalogueLoad:
    """What a call of `load_catalogue` did."""

    loaded: bool
    programmes_present: int  # fixture programmes found before loading
    programmes_expected: int
    saved: Counter = field(default_factory=Counter)  # saved rows by model label
    register_created: int = 0  # NRW municipalities created from the shipped register
    seconds: float = 0.0

    def summary(self) -> str:
        if not self.loaded:
            return (
                f"Katalog bereits vorhanden ({self.programmes_present} von "
                f"{self.programmes_expected} Programmen) – nichts geändert; "
                "neu laden mit --force."
            )
        saved = self.saved
        return (
            f"Katalog geladen in {self.seconds:.2f} s: "
            f"{saved['programmes.programme']} Programme, "
            f"{saved['programmes.guidingprinciple']} Leitsätze in "
            f"{saved['programmes.framework']} Leitbildern, "
            f"{saved['programmes.source']} Quellen, "
            f"{self.register_created} Kommunen aus dem Gemeindeverzeichnis und "
            f"{saved['municipalities.municipality']} weitere aus den Fixtures neu angelegt."
        )


def load_catalogue(*, force: bool = False, directory: Path | None = None) -> CatalogueLoad:
    """Load the fixtures unless the catalogue is already there (or `force`); one transaction."""
    started = time.perf_counter()
    fixtures = read_fixtures(directory)
    slugs = _slugs(fixtures["programmes"], "programmes.programme")
    present = Programme.objects.filter(slug__in=slugs).count()
    result = CatalogueLoad(loaded=False, programmes_present=present,
                           programmes_expected=len(slugs))  # fmt: skip
    if present and not force:
        return result

    keys = NaturalKeys()
    with transaction.atomic():
        result.register_created = len(load_register().created)
        if force:
            _delete_child_rows(fixtures)
        # A municipality named in several files is created once.
        municipalities = {obj["fields"]["key"]: obj for obj in fixtures["municipalities"]}
        existing = set(
            Municipality.objects.filter(key__in=municipalities).values_list("key", flat=True)
        )
        missing = [obj for key, obj in municipalities.items() if key not in existing]
        for objects in (missing, *(fixtures[kind] for kind in KINDS[1:])):
            _save(objects, keys, result.saved)
        # Topic and funder names feed the stored search vector; raw saves skip that upkeep.
        refresh_related_terms(Programme.objects.filter(slug__in=slugs))

    result.loaded = True
    result.seconds = time.perf_counter() - started
    return result


def _slugs(objects: list[dict], model: str) -> list[str]:
    return [obj["fields"]["slug"] for obj in objects if obj["model"] == model]


class NaturalKeys:
    """Natural key → database id, looked up once per load instead of once per reference."""

    def __init__(self):
        self.ids: dict[tuple, int] = {}

    def id_of(self, model, key) -> int:
        entry = (model, tuple(key))
        if entry not in self.ids:
            try:
                self.ids[entry] = model._default_manager.get_by_natural_key(*key).pk
            except model.DoesNotExist:
                raise LookupError(
                    f"{model._meta.label} {list(key)} fehlt: Die Fixtures verweisen darauf, "
                    "bevor es angelegt ist."
                ) from None
        return self.ids[entry]

    def remember(self, obj) -> None:
        if hasattr(obj, "natural_key"):
            self.ids[(type(obj), tuple(obj.natural_key()))] = obj.pk

    def resolve(self, obj: dict) -> dict:
        """The fixture object with every natural-key reference replaced by an id."""
        model = apps.get_model(obj["model"])
        fields = dict(obj["fields"])
        for name, value in fields.items():
            field_ = model._meta.get_field(name)
            target = field_.related_model
            if value is None or target is None or not isinstance(value, list):
                continue
            if field_.many_to_many:
                fields[name] = [self.id_of(target, item) for item in value]
            else:
                fields[name] = self.id_of(target, value)
        if model is Source:  # generic relation: the subject's model comes from content_type
            subject = ContentType.objects.get_for_id(fields["content_type"]).model_class()
            fields["object_id"] = self.id_of(subject, obj["fields"]["object_id"])
        return {**obj, "fields": fields}


def _save(objects: list[dict], keys: NaturalKeys, saved: Counter) -> None:
    """Save fixture objects in file order, as loaddata would.

    Entries with a natural key get a raw save one by one (signals see ``raw=True``), so an
    existing row is updated. Rows without one (windows, links, participations, measures,
    sources) and many-to-many links are collected and inserted with one query per table,
    without model signals; the caller refreshes what signals would have kept in step.
    """
    batches: dict[type, list] = defaultdict(list)
    for obj in objects:
        # One at a time: later rows refer to rows saved just before them (a programme's
        # participations, a child programme's parent).
        (item,) = serializers.deserialize("python", [keys.resolve(obj)])
        instance, model = item.object, type(item.object)
        clean_text_fields(instance)  # bulk inserts skip the models' own cleaning on save
        saved[model._meta.label_lower] += 1
        if not hasattr(model, "natural_key"):
            batches[model].append(instance)
            continue
        existed, m2m = instance.pk is not None, item.m2m_data or {}  # save() clears m2m_data
        item.save(save_m2m=False)
        keys.remember(instance)
        for name, ids in m2m.items():
            relation = model._meta.get_field(name)
            through = relation.remote_field.through
            own, other = relation.m2m_field_name(), relation.m2m_reverse_field_name()
            if existed:
                through.objects.filter(**{own: instance}).delete()
            batches[through] += [through(**{f"{own}_id": instance.pk, f"{other}_id": pk})
                                 for pk in dict.fromkeys(ids)]  # fmt: skip
    for model, rows in batches.items():
        model.objects.bulk_create(rows)


def _delete_child_rows(fixtures: dict[str, list[dict]]) -> None:
    """Before a forced reload: drop the pk-less rows that hang off fixture entries."""
    programmes = Programme.objects.filter(
        slug__in=_slugs(fixtures["programmes"], "programmes.programme")
    )
    principles = GuidingPrinciple.objects.filter(
        slug__in=_slugs(fixtures["principles"], "programmes.guidingprinciple")
    )
    frameworks = Framework.objects.filter(
        slug__in=_slugs(fixtures["principles"], "programmes.framework")
    )
    for model in (ApplicationWindow, Link, Participation):
        model.objects.filter(programme__in=programmes).delete()
    Measure.objects.filter(principle__in=principles).delete()
    Goal.objects.filter(principle__in=principles).delete()
    for queryset in (programmes, principles, frameworks):
        Source.objects.filter(
            content_type=ContentType.objects.get_for_model(queryset.model),
            object_id__in=queryset.values("pk"),
        ).delete()


class Command(BaseCommand):
    help = (
        "Lädt den redaktionellen Katalog (Programme, Leitbilder, Kommunen) aus fixtures/, "
        "falls er noch nicht geladen ist."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Auch laden, wenn der Katalog schon vorhanden ist: Katalogeinträge werden auf "
            "den Stand der Fixtures gebracht, ihre Unterzeilen neu angelegt.",
        )

    def handle(self, *args, force=False, verbosity=1, **options):
        try:
            result = load_catalogue(force=force)
        except LookupError as error:
            raise CommandError(str(error)) from error
        if verbosity == 0:
            return
        partial = not result.loaded and result.programmes_present < result.programmes_expected
        style = self.style.WARNING if partial else self.style.SUCCESS
        self.stdout.write(style(result.summary()))
