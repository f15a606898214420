"""Synthetic programmes for load tests: `manage.py generate_catalogue --programmes 100000`.

The texts are made of the curated catalogue's own words: sentences of the fixtures' summaries,
descriptions, principles and measures, with nouns swapped for other nouns of the same texts, so
search terms hit about as often as they would in a catalogue of real German programme texts.
Vocabulary (topics, target groups, funding types, funders, principles) and the municipalities
taking part are the ones in the database: the whole register when it is imported, otherwise the
fixtures' municipalities. Topics and target groups are drawn with the frequencies they have in
the fixtures; kinds, levels, statuses, amounts and windows follow the mix of a large federal
catalogue such as the Förderdatenbank (mostly grants, about a quarter ended, a third open).

Everything is drawn from one `random.Random(seed)`, with dates relative to `today`: the same seed,
the same day and the same vocabulary give the same catalogue. Rows are written with COPY in one
transaction (100,000 programmes and their ~900,000 child rows in about 40 s), marked
`is_synthetic`, and `remove_synthetic()` deletes them and their child rows in one statement set.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from municipalities.models import Municipality
from programmes.models import (
    ApplicationWindow,
    FundingBody,
    FundingType,
    GuidingPrinciple,
    Link,
    Participation,
    Programme,
    Source,
    TargetGroup,
    Topic,
)

FIXTURE_TEXTS = ("programmes.json", "principles.json", "taxonomy.json")
# A noun: capitalised, not at the start of a sentence (it follows a space, a bracket or a quote).
_NOUN = re.compile(r"(?<=[\s(„])[A-ZÄÖÜ][a-zäöüß]{3,}(?:-[A-ZÄÖÜ]?[a-zäöüß]+)?\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

Kind = Programme.Kind
# Weights in per cent, modelled on a large federal catalogue rather than on the 48 fixtures
# (which are mostly one research programme's projects).
KINDS = {
    Kind.FOERDERPROGRAMM: 55,
    Kind.FORSCHUNG: 12,
    Kind.QUALIFIZIERUNG: 8,
    Kind.MODELLVORHABEN: 8,
    Kind.NETZWERK: 7,
    Kind.WETTBEWERB: 5,
    Kind.SERVICE: 5,
}
LEVELS = {"land": 45, "bund": 35, "eu": 10, "kommune": 5, "zivilgesellschaft": 5}
# The status a programme is given dates for (as of `today`).
STATUSES = {"open": 30, "running": 32, "closed": 25, "upcoming": 8, "announced": 5}
PUBLICATION = {"published": 95, "draft": 4, "archived": 1}
TITLE_HEADS = {
    Kind.FOERDERPROGRAMM: ["Förderprogramm", "Förderrichtlinie", "Landesprogramm", "Programm"],
    Kind.FORSCHUNG: ["Forschungsförderung", "Verbundvorhaben", "Förderaufruf"],
    Kind.QUALIFIZIERUNG: ["Qualifizierung", "Fortbildungsreihe", "Werkstatt"],
    Kind.MODELLVORHABEN: ["Modellvorhaben", "Modellregion", "Reallabor"],
    Kind.NETZWERK: ["Netzwerk", "Kommunen-Netzwerk", "Initiative"],
    Kind.WETTBEWERB: ["Wettbewerb", "Landeswettbewerb", "Preis"],
    Kind.SERVICE: ["Beratungsangebot", "Servicestelle", "Leitfaden"],
}
FUNDING_RATES = [Decimal(n) for n in (50, 60, 65, 70, 75, 80, 90, 100)]
HOSTS = ["www.foerderdatenbank.de", "www.land.nrw", "www.bund.de", "www.bezreg-koeln.nrw.de",
         "www.ptj.de", "www.nrwbank.de", "ec.europa.eu"]  # fmt: skip


@dataclass
class Vocabulary:
    """What the generator draws from: fixture texts and the database's entries."""

    sentences: list[list[str]]  # each sentence as words; nouns are swapped at random
    noun_slots: list[list[int]]  # per sentence, the positions of its nouns
    nouns: list[str]  # with repetitions: frequent nouns come up more often
    topics: list[tuple[int, str]]  # (id, name)
    topic_weights: list[int]
    target_groups: list[int]
    target_group_weights: list[int]
    funding_types: list[int]
    funders: dict[str, list[int]]  # level → funding body ids
    principles: list[int]
    municipalities: list[int]  # Gemeinden
    municipality_weights: list[int]
    regions: list[int]  # Länder (and NRW's Regierungsbezirke) a programme may be open to
    nrw: int | None

    @classmethod
    def load(cls, fixtures: Path | None = None) -> Vocabulary:
        fixtures = Path(fixtures or settings.BASE_DIR / "fixtures")
        texts, usage = [], Counter()
        for name in FIXTURE_TEXTS:
            for obj in json.loads((fixtures / name).read_text("utf-8")):
                for key, value in obj["fields"].items():
                    if isinstance(value, str) and len(value) > 40 and "://" not in value:
                        texts.append(value)
                    if key in ("topics", "target_groups") and isinstance(value, list):
                        usage.update(slug for (slug,) in value)
        sentences, slots = [], []
        for sentence in _SENTENCE_END.split(" ".join(texts)):
            if 40 <= len(sentence) <= 260:
                words = sentence.split(" ")
                sentences.append(words)
                slots.append([i for i, w in enumerate(words) if i and _NOUN.fullmatch(w)])
        nouns = _NOUN.findall(" ".join(texts))

        topics = list(Topic.objects.order_by("slug").values_list("pk", "name", "slug"))
        groups = list(TargetGroup.objects.order_by("slug").values_list("pk", "slug"))
        funders: dict[str, list[int]] = {}
        for pk, level in FundingBody.objects.order_by("slug").values_list("pk", "level"):
            funders.setdefault(level, []).append(pk)
        places = Municipality.objects.active().filter(key__regex=r"^\d{8}$").order_by("key")
        if not places.exists():
            places = Municipality.objects.active().order_by("key")
        municipalities = list(places.values_list("pk", "population"))
        regions = Municipality.objects.filter(key__regex=r"^(\d{2}|05\d)$").order_by("key")
        return cls(
            sentences=sentences,
            noun_slots=slots,
            nouns=nouns,
            topics=[(pk, name) for pk, name, _slug in topics],
            topic_weights=[1 + 3 * usage[slug] for _pk, _name, slug in topics],
            target_groups=[pk for pk, _slug in groups],
            target_group_weights=[1 + 3 * usage[slug] for _pk, slug in groups],
            funding_types=list(FundingType.objects.order_by("slug").values_list("pk", flat=True)),
            funders=funders,
            principles=list(GuidingPrinciple.objects.order_by("slug").values_list("pk", flat=True)),
            municipalities=[pk for pk, _population in municipalities],
            # Larger places take part in more programmes: weight by the root of the population.
            municipality_weights=[
                max(int((population or 2000) ** 0.5), 10) for _pk, population in municipalities
            ],
            regions=list(regions.values_list("pk", flat=True)),
            nrw=Municipality.objects.filter(key="05").values_list("pk", flat=True).first(),
        )


@dataclass
class ChildRows:
    """Rows that belong to the generated programmes, in COPY column order."""

    topics: list[tuple] = field(default_factory=list)
    target_groups: list[tuple] = field(default_factory=list)
    funding_types: list[tuple] = field(default_factory=list)
    principles: list[tuple] = field(default_factory=list)
    windows: list[tuple] = field(default_factory=list)
    links: list[tuple] = field(default_factory=list)
    participations: list[tuple] = field(default_factory=list)


PROGRAMME_COLUMNS = (
    "id", "title", "short_name", "slug", "summary", "description", "kind", "funding_body_id",
    "level", "region_id", "total_budget", "max_grant", "funding_rate", "amount_note",
    "start_date", "end_date", "is_announced", "website", "contact", "contact_email", "parent_id",
    "predecessor_id", "publication", "is_synthetic", "topic_text", "created", "updated",
)  # fmt: skip


class Generator:
    def __init__(self, vocabulary: Vocabulary, *, seed: int, today: date):
        self.v = vocabulary
        self.random = random.Random(seed)
        self.seed = seed
        self.today = today
        self.now = timezone.make_aware(datetime.combine(today, datetime.min.time()))
        # Cumulative weights, summed once: random.choices would sum 11,000 weights per call.
        self.cumulative = {
            name: list(accumulate(weights))
            for name, weights in (
                ("topics", vocabulary.topic_weights),
                ("target_groups", vocabulary.target_group_weights),
                ("municipalities", vocabulary.municipality_weights),
            )
        }

    def pick(self, weights: dict):
        return self.random.choices(list(weights), weights=list(weights.values()))[0]

    def distinct(self, name: str, count: int) -> list:
        """Up to `count` different entries of a weighted vocabulary (`topics`, …)."""
        population = getattr(self.v, name)
        if not population:
            return []
        chosen = self.random.choices(population, cum_weights=self.cumulative[name], k=count)
        return list(dict.fromkeys(chosen))

    def sentence(self) -> str:
        index = self.random.randrange(len(self.v.sentences))
        words = list(self.v.sentences[index])
        for slot in self.v.noun_slots[index]:
            if self.random.random() < 0.5:
                words[slot] = self.random.choice(self.v.nouns)
        return " ".join(words)

    def text(self, sentences: int, limit: int | None = None) -> str:
        text = " ".join(self.sentence() for _ in range(sentences))
        if limit and len(text) > limit:
            text = text[: text.rfind(" ", 0, limit - 1)].rstrip(",;:–") + "…"
        return text

    def title(self, kind: str) -> tuple[str, str]:
        nouns = self.random.sample(self.v.nouns, 3)
        head = self.random.choice(TITLE_HEADS[kind])
        shape = self.random.random()
        if shape < 0.4:
            title = f"{head} {nouns[0]} und {nouns[1]}"
        elif shape < 0.7:
            title = f"{nouns[0]} – {head} für {nouns[1]}"
        else:
            title = f"{head} „{nouns[0]}“"
        short = ""
        if self.random.random() < 0.3:
            short = "".join(word[0] for word in (head, *nouns)).upper()
        return title[:250], short

    def dates(self, status: str):
        """Start, end, announced flag and application windows that give `status` today."""
        day = timedelta(days=1)
        rand = self.random.randint
        start = self.today - rand(30, 3000) * day if self.random.random() < 0.5 else None
        end = self.today + rand(30, 1800) * day if self.random.random() < 0.6 else None
        announced, windows = False, []
        if status == "closed":
            end = self.today - rand(1, 2500) * day
            start = end - rand(200, 1500) * day if self.random.random() < 0.5 else None
            if self.random.random() < 0.5:
                closes = end - rand(10, 150) * day
                windows.append((closes - rand(30, 120) * day, closes))
        elif status == "open":
            if self.random.random() < 0.15:
                windows.append((None, None))  # apply any time
            else:
                opens = self.today - rand(0, 90) * day if self.random.random() < 0.8 else None
                closes = self.today + rand(0, 240) * day if self.random.random() < 0.9 else None
                windows.append((opens, closes))
            if self.random.random() < 0.2:
                opens = self.today + rand(250, 500) * day
                windows.append((opens, opens + rand(30, 90) * day))
        elif status == "upcoming":
            opens = self.today + rand(1, 200) * day
            windows.append((opens, opens + rand(14, 120) * day))
        elif status == "announced":
            start = self.today + rand(1, 365) * day
            announced = self.random.random() < 0.4
        elif self.random.random() < 0.3:  # running, with a past window or none
            closes = self.today - rand(1, 400) * day
            windows.append((closes - rand(30, 120) * day, closes))
        if start and end and end < start:
            end = start + rand(30, 1800) * day
        if status != "closed" and end and end < self.today:
            end = None
        return start, end, announced, windows

    def amounts(self):
        """Total budget, highest grant and funding rate, each often unknown."""
        r = self.random
        max_grant = Decimal(round(r.lognormvariate(11, 1.3) / 500) * 500 or 500)
        total = Decimal(round(r.lognormvariate(16, 1.2) / 1e5) * 100_000 or 100_000)
        return (
            min(total, Decimal("999999999999")) if r.random() < 0.3 else None,
            min(max_grant, Decimal("99999999")) if r.random() < 0.6 else None,
            r.choice(FUNDING_RATES) if r.random() < 0.5 else None,
        )

    def region(self) -> int | None:
        roll = self.random.random()
        if roll < 0.6:
            return self.v.nrw
        if roll < 0.85 and self.v.regions:
            return self.random.choice(self.v.regions)
        return None

    def programmes(self, count: int, first_id: int, out: ChildRows) -> Iterator[tuple]:
        """Programme rows with ids from `first_id` on, one at a time, so that COPY sends them
        while the next ones are made; their child rows are collected in `out`."""
        r = self.random
        for n in range(count):
            pk = first_id + n
            kind, level = self.pick(KINDS), self.pick(LEVELS)
            funders = self.v.funders.get(level)
            title, short = self.title(kind)
            slug = f"{slugify(title)[:120].strip('-')}-s{self.seed}-{n}"
            start, end, announced, windows = self.dates(self.pick(STATUSES))
            topics = self.distinct("topics", r.choice((1, 2, 2, 3, 3, 4)))
            created = self.now - timedelta(minutes=r.randint(60, 5 * 365 * 24 * 60))
            yield (
                pk, title, short, slug, self.text(r.randint(1, 2), 300),
                "\n\n".join(self.text(r.randint(2, 4)) for _ in range(r.randint(1, 3))),
                kind, r.choice(funders) if funders and r.random() < 0.9 else None, level,
                self.region(), *self.amounts(), self.text(1) if r.random() < 0.2 else "",
                start, end, announced,
                f"https://{r.choice(HOSTS)}/{slug[:60]}" if r.random() < 0.8 else "",
                self.text(1) if r.random() < 0.3 else "",
                f"foerderung-{n}@example.org" if r.random() < 0.3 else "",
                first_id + r.randrange(n) if n and r.random() < 0.02 else None,  # parent
                None, self.pick(PUBLICATION), True,
                " ".join(sorted(name for _pk, name in topics)),  # topic_text
                created, created + (self.now - created) * r.random() ** 3,  # updated
            )  # fmt: skip
            out.topics += [(pk, topic) for topic, _name in topics]
            self.children(pk, windows, out)

    def children(self, pk: int, windows, out: ChildRows) -> None:
        r, v = self.random, self.v
        out.target_groups += [(pk, g) for g in self.distinct("target_groups", r.randint(1, 3))]
        if v.funding_types:
            types = r.sample(v.funding_types, min(r.choice((1, 1, 2, 3)), len(v.funding_types)))
            out.funding_types += [(pk, t) for t in types]
        if v.principles and r.random() < 0.4:
            out.principles += [(pk, p) for p in r.sample(v.principles, r.randint(1, 3))]
        for opens, closes in windows:
            out.windows.append((pk, opens, closes, "Einreichungsfrist" if closes else ""))
        if r.random() < 0.7:
            out.links.append((pk, "Förderrichtlinie", f"https://{r.choice(HOSTS)}/r/{pk}", 0))
        if r.random() < 0.4:
            # Most take part alone or in twos, a few programmes have dozens of places.
            places = self.distinct("municipalities", min(int(r.paretovariate(1.2)), 40))
            round_ = f"{r.randint(1, 6)}. Durchgang {self.today.year - r.randint(0, 6)}"
            for place in places:
                role = r.choices(ROLES, weights=ROLE_WEIGHTS)[0]
                out.participations.append((pk, place, role, round_, ""))


ROLES = ["teilnehmerin", "partner", "leitkommune", "projektstandort", "modellkommune",
         "mitglied", "kooperation"]  # fmt: skip
ROLE_WEIGHTS = [55, 12, 10, 5, 8, 8, 2]


@dataclass
class GenerationReport:
    programmes: int
    child_rows: int
    seconds: float


def generate_catalogue(
    *, count: int, seed: int = 1, today: date | None = None, fixtures: Path | None = None
) -> GenerationReport:
    """Write `count` synthetic programmes with their child rows, in one transaction."""
    started = time.perf_counter()
    vocabulary = Vocabulary.load(fixtures)
    if Programme.objects.filter(is_synthetic=True, slug__endswith=f"-s{seed}-0").exists():
        raise ValueError(
            f"Es gibt schon synthetische Programme mit dem Startwert {seed}: erst entfernen "
            "(--remove) oder einen anderen Startwert (--seed) wählen."
        )
    generator = Generator(vocabulary, seed=seed, today=today or timezone.localdate())
    children = ChildRows()
    tables = [Programme, *_CHILD_TABLES]
    with transaction.atomic(), _foreign_keys_checked_once(tables):
        rows = generator.programmes(count, _reserve_ids(Programme, count), children)
        _copy(Programme, PROGRAMME_COLUMNS, rows)
        for name, model in _THROUGH.items():
            reverse = Programme._meta.get_field(name).m2m_reverse_field_name()
            columns = ("programme_id", model._meta.get_field(reverse).column)
            _copy(model, columns, getattr(children, name))
        _copy(ApplicationWindow, ("programme_id", "opens", "closes", "note"), children.windows)
        _copy(Link, ("programme_id", "title", "url", "position"), children.links)
        _copy(
            Participation,
            ("programme_id", "municipality_id", "role", "round", "note"),
            children.participations,
        )
    with connection.cursor() as cursor:  # fresh statistics: the planner sees the new sizes
        for model in tables:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    child_rows = sum(len(rows) for rows in vars(children).values())
    return GenerationReport(count, child_rows, time.perf_counter() - started)


_THROUGH = {
    "topics": Programme.topics.through,
    "target_groups": Programme.target_groups.through,
    "funding_types": Programme.funding_types.through,
    "principles": Programme.principles.through,
}
_CHILD_TABLES = [*_THROUGH.values(), ApplicationWindow, Link, Participation]


@contextmanager
def _foreign_keys_checked_once(models):
    """PostgreSQL's advice for bulk loads ("Populating a Database"): drop the foreign keys of
    the tables being filled and add them back afterwards. Adding one checks all rows with a
    single join instead of a trigger per row (a million of them here: ~10 s saved).

    The keys are re-created from their own definitions in the catalogue, in the same
    transaction: if a row were wrong, adding the key back fails and nothing is written.
    """
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        # Checks still pending from earlier in an enclosing transaction run now: a table with
        # pending checks cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares its foreign keys


def _reserve_ids(model, count: int) -> int:
    """Take `count` consecutive ids from the table's sequence and return the first."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT setval(%s, GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 FROM "
            f"{table})) + %s - 1)",
            [sequence, sequence, count],
        )
        (last,) = cursor.fetchone()
    return last - count + 1


def _copy(model, columns, rows) -> None:
    table = model._meta.db_table
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def remove_synthetic() -> int:
    """Delete every synthetic programme and its child rows; returns how many programmes."""
    synthetic = "SELECT id FROM programmes_programme WHERE is_synthetic"
    source_type = ContentType.objects.get_for_model(Programme).pk
    tables = [Programme, *_CHILD_TABLES]
    with transaction.atomic(), _foreign_keys_checked_once(tables), connection.cursor() as cursor:
        for model in _CHILD_TABLES:
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE programme_id IN ({synthetic})")
        cursor.execute(
            f"DELETE FROM {Source._meta.db_table} WHERE content_type_id = %s "
            f"AND object_id IN ({synthetic})",
            [source_type],
        )
        # Real programmes never stay pointing at a removed one.
        cursor.execute(
            f"UPDATE programmes_programme SET predecessor_id = NULL WHERE NOT is_synthetic "
            f"AND predecessor_id IN ({synthetic})"
        )
        cursor.execute("DELETE FROM programmes_programme WHERE is_synthetic")
        removed = cursor.rowcount
    return removed
