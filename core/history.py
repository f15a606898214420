"""The version before the first recorded change.

Catalogue rows loaded from fixtures, imported or generated in bulk carry no history yet.
django-simple-history records the state *after* each save, so the first edit of such a row
would leave nothing to restore. Just before that first save, this receiver records the row as
it is stored, dated by its last update.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

BASELINE_REASON = "Stand vor der ersten erfassten Änderung"


@receiver(pre_save, dispatch_uid="core.history.baseline")
def record_baseline(sender, instance, raw=False, **kwargs):
    manager_name = getattr(sender._meta, "simple_history_manager_attribute", None)
    if manager_name is None or raw or instance._state.adding or instance.pk is None:
        return
    history = getattr(sender, manager_name)
    if history.filter(**{sender._meta.pk.attname: instance.pk}).exists():
        return
    stored = sender._default_manager.filter(pk=instance.pk).first()
    if stored is None:
        return
    stored._history_user = None  # nobody's change: the state it was loaded or imported in
    history.bulk_history_create(
        [stored],
        default_change_reason=BASELINE_REASON,
        default_date=getattr(stored, "updated", None) or timezone.now(),
    )
