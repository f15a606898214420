"""Keep derived programme fields in step: the related terms of the stored search vector
(programmes.search.index), and the former addresses of a programme whose slug changes (they
answer 301)."""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from programmes.models import FundingBody, Programme, Topic
from programmes.search.index import refresh_related_terms


@receiver(m2m_changed, sender=Programme.topics.through)
def programme_topics_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # topic.programmes.add(...): instance is the topic
        affected = Programme.objects.filter(Q(pk__in=pk_set or []) | Q(topics=instance))
    else:
        affected = Programme.objects.filter(pk=instance.pk)
    refresh_related_terms(affected)


@receiver(post_save, sender=Programme)
def refresh_terms_of_saved_programme(sender, instance, raw, **kwargs):
    """Its funder may have changed; fixture loads (raw) refresh on their own."""
    if not raw:
        refresh_related_terms(Programme.objects.filter(pk=instance.pk))


@receiver(post_save, sender=Topic)
def refresh_programmes_of_saved_topic(sender, instance, created, raw, **kwargs):
    """After any save of an existing topic (renamed or not), recompute the related terms of its
    programmes. A new topic has no programmes yet; fixture loads (raw) refresh on their own."""
    if not created and not raw:
        refresh_related_terms(Programme.objects.filter(topics=instance))


@receiver(post_save, sender=FundingBody)
def refresh_programmes_of_saved_funder(sender, instance, created, raw, **kwargs):
    """A renamed funder (or a former name added) is found under every name it had."""
    if not created and not raw:
        refresh_related_terms(Programme.objects.filter(funding_body=instance))


@receiver(pre_save, sender=Programme)
def remember_former_slug(sender, instance, raw, update_fields=None, **kwargs):
    """A changed slug keeps the old one, so shared links and bookmarks still lead here."""
    if raw or instance.pk is None or (update_fields is not None and "slug" not in update_fields):
        return
    stored = Programme.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    former = [s for s in instance.former_slugs if s != instance.slug]
    if stored and stored != instance.slug and stored not in former:
        former.append(stored)
    instance.former_slugs = former
