"""What the generator draws from: sentences and nouns of the fixtures' texts, and the
database's vocabulary and municipalities. Topics and target groups are weighted by how often
the fixtures use them; without the imported register, the fixtures' municipalities take part."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from municipalities.models import Municipality
from programmes.catalogue_files import read_fixtures
from programmes.models import FundingBody, FundingType, GuidingPrinciple, TargetGroup, Topic

TEXT_KINDS = ("programmes", "principles", "taxonomy")
# A noun: capitalised, not at the start of a sentence (it follows a space, a bracket or a quote).
_NOUN = re.compile(r"(?<=[\s(„])[A-ZÄÖÜ][a-zäöüß]{3,}(?:-[A-ZÄÖÜ]?[a-zäöüß]+)?\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


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
    funder_terms: dict[int, str]  # funding body id → its names, as in Programme.related_terms
    principles: list[int]
    municipalities: list[int]  # Gemeinden
    municipality_weights: list[int]
    regions: list[int]  # Länder (and NRW's Regierungsbezirke) a programme may be open to
    nrw: int | None

    @classmethod
    def load(cls, fixtures: Path | None = None) -> Vocabulary:
        texts, usage = [], Counter()
        for objects in read_fixtures(fixtures, kinds=TEXT_KINDS).values():
            for obj in objects:
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
        funder_terms = {}
        bodies = FundingBody.objects.order_by("slug")
        for pk, level, *names in bodies.values_list(
            "pk", "level", "name", "short_name", "former_names"
        ):
            funders.setdefault(level, []).append(pk)
            funder_terms[pk] = " ".join(filter(None, names))
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
            funder_terms=funder_terms,
            principles=list(GuidingPrinciple.objects.order_by("slug").values_list("pk", flat=True)),
            municipalities=[pk for pk, _population in municipalities],
            # Larger places take part in more programmes: weight by the root of the population.
            municipality_weights=[
                max(int((population or 2000) ** 0.5), 10) for _pk, population in municipalities
            ],
            regions=list(regions.values_list("pk", flat=True)),
            nrw=Municipality.objects.filter(key="05").values_list("pk", flat=True).first(),
        )
