"""Keep Programme.topic_text (part of the stored search vector) in step with topic names."""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from programmes.models import Programme, Topic


def refresh_topic_text(programmes) -> None:
    """Recompute the topic names of the given programmes (a queryset) in one statement."""
    from django.contrib.postgres.aggregates import StringAgg
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    names = (
        Programme.topics.through.objects.filter(programme=OuterRef("pk"))
        .values("programme")
        .annotate(text=StringAgg("topic__name", delimiter=" ", order_by="topic__name"))
        .values("text")
    )
    programmes.update(topic_text=Coalesce(Subquery(names), Value("")))


@receiver(m2m_changed, sender=Programme.topics.through)
def programme_topics_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # topic.programmes.add(...): instance is the topic
        affected = Programme.objects.filter(Q(pk__in=pk_set or []) | Q(topics=instance))
    else:
        affected = Programme.objects.filter(pk=instance.pk)
    refresh_topic_text(affected)


@receiver(post_save, sender=Topic)
def refresh_programmes_of_saved_topic(sender, instance, created, raw, **kwargs):
    """After any save of an existing topic (renamed or not), recompute the topic text of its
    programmes. A new topic has no programmes yet; fixture loads (raw) refresh on their own."""
    if not created and not raw:
        refresh_topic_text(Programme.objects.filter(topics=instance))
