"""What a programme's search vector holds beyond its own words (`Programme.related_terms`): the
names of its topics and of its funder (also former names), and the parts of the compounds in
all of these, so that "Gemeinschaftshaus" finds "Dorfgemeinschaftshaus" (see compounds.py)."""

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import OuterRef, Subquery

from programmes.search.compounds import index_words

BATCH = 2_000


def related_terms(*, own_text: str, topics: str, funder: str) -> str:
    """Topic and funder names, then the compound parts of their words and of the programme's
    title, short name and summary. (Not of its description: that would double the size of the
    stored vector, and a compound that matters is named in the summary.)"""
    named = " ".join(filter(None, [topics, funder]))
    parts = index_words(" ".join([own_text, named]))
    return " ".join(filter(None, [named, parts]))


def refresh_related_terms(programmes) -> None:
    """Recompute the related terms of the given programmes (a queryset), in batches."""
    from programmes.models import FundingBody, Programme

    topics = (
        Programme.topics.through.objects.filter(programme=OuterRef("pk"))
        .values("programme")
        .annotate(text=StringAgg("topic__name", delimiter=" ", order_by="topic__name"))
        .values("text")
    )
    funders = {
        body.pk: " ".join(filter(None, [body.name, body.short_name, body.former_names]))
        for body in FundingBody.objects.all()
    }
    rows = (
        programmes.order_by("pk")
        .annotate(topic_text=Subquery(topics))
        .only("pk", "title", "short_name", "summary", "funding_body_id")
    )
    changed = []
    for programme in rows.iterator(chunk_size=BATCH):
        programme.related_terms = related_terms(
            own_text=" ".join([programme.title, programme.short_name, programme.summary]),
            topics=programme.topic_text or "",
            funder=funders.get(programme.funding_body_id, ""),
        )
        changed.append(programme)
        if len(changed) == BATCH:
            Programme.objects.bulk_update(changed, ["related_terms"])
            changed = []
    Programme.objects.bulk_update(changed, ["related_terms"])
