"""Rows of synthetic programmes and their children, drawn from one `random.Random(seed)` with
dates relative to `today`. Kinds, levels, statuses, amounts and windows follow the mix of a
large federal catalogue (mostly grants, about a quarter ended, a third open), not that of the
48 fixtures (mostly one research programme's projects)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from django.utils import timezone
from django.utils.text import slugify

from programmes.models import Programme
from programmes.search.index import related_terms
from programmes.synthetic.vocabulary import Vocabulary

Kind = Programme.Kind
# Weights in per cent.
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
ROLES = {"teilnehmerin": 55, "partner": 12, "leitkommune": 10, "projektstandort": 5,
         "modellkommune": 8, "mitglied": 8, "kooperation": 2}  # fmt: skip


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


# The COPY columns of the child rows that are not many-to-many links, in the order of their
# tuples in ChildRows.
PART_COLUMNS = {
    "windows": ("programme_id", "opens", "closes", "note"),
    "links": ("programme_id", "title", "url", "position"),
    "participations": ("programme_id", "municipality_id", "role", "round", "note"),
}


PROGRAMME_COLUMNS = (
    "id", "title", "short_name", "slug", "summary", "description", "kind", "funding_body_id",
    "level", "region_id", "total_budget", "max_grant", "funding_rate", "amount_note",
    "start_date", "end_date", "is_announced", "website", "contact", "contact_email", "parent_id",
    "predecessor_id", "publication", "is_synthetic", "related_terms", "created", "updated",
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
        r, v = self.random, self.v
        for n in range(count):
            pk = first_id + n
            kind, level = self.pick(KINDS), self.pick(LEVELS)
            funders = self.v.funders.get(level)
            funder = r.choice(funders) if funders and r.random() < 0.9 else None
            title, short = self.title(kind)
            summary = self.text(r.randint(1, 2), 300)
            description = "\n\n".join(self.text(r.randint(2, 4)) for _ in range(r.randint(1, 3)))
            slug = f"{slugify(title)[:120].strip('-')}-s{self.seed}-{n}"
            start, end, announced, windows = self.dates(self.pick(STATUSES))
            topics = self.distinct("topics", r.choice((1, 2, 2, 3, 3, 4)))
            created = self.now - timedelta(minutes=r.randint(60, 5 * 365 * 24 * 60))
            yield (
                pk, title, short, slug, summary, description, kind, funder, level,
                self.region(), *self.amounts(), self.text(1) if r.random() < 0.2 else "",
                start, end, announced,
                f"https://{r.choice(HOSTS)}/{slug[:60]}" if r.random() < 0.8 else "",
                self.text(1) if r.random() < 0.3 else "",
                f"foerderung-{n}@example.org" if r.random() < 0.3 else "",
                first_id + r.randrange(n) if n and r.random() < 0.02 else None,  # parent
                None, self.pick(PUBLICATION), True,
                related_terms(
                    own_text=" ".join([title, short, summary]),
                    topics=" ".join(sorted(name for _, name in topics)),
                    funder=v.funder_terms.get(funder, ""),
                ),
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
                role = self.pick(ROLES)
                out.participations.append((pk, place, role, round_, ""))
