"""Create or update the groups "Redaktion" and "Freigabe" with exactly the permissions they need.

Editors curate the catalogue: they add, change and view every entry of the programmes and
municipalities apps. They delete only the small dependent rows edited inline (application
windows, links, participations, sources, goals and measures); a programme is withdrawn or archived
instead of deleted. Users, groups, sessions and the admin log stay with administrators.
The change history of the catalogue (django-reversion) follows these rights: who may view an
entry sees its versions, who may change it restores one; nobody edits the history itself. So
does the spreadsheet round trip of programmes: export with "view", import with "change"
(IMPORT_EXPORT_*_PERMISSION_CODE in the settings).
The log of publication steps they only read: programmes.workflow writes it.
The results of the link check (core.LinkCheck) they read too: the check writes them.

Reviewers ("Freigabe") publish, withdraw and archive programmes (programmes.workflow): they view
everything the editors see, change programmes and hold the permission to publish. Someone who
both writes and publishes belongs to both groups.
Running the command again changes nothing unless a group drifted from this definition.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

GROUP_NAME = "Redaktion"
PUBLISHER_GROUP_NAME = "Freigabe"
PUBLISHER_EXTRA = {("programmes", "change_programme"), ("programmes", "publish_programme")}
READ_ONLY = {"programmes.publicationstep"}
CATALOGUE_APPS = ["programmes", "municipalities"]
READ_ELSEWHERE = {("core", "view_linkcheck")}
EVERYDAY_ACTIONS = ["add", "change", "view"]
DELETABLE = {
    "programmes.applicationwindow",
    "programmes.link",
    "programmes.participation",
    "programmes.source",
    "programmes.goal",
    "programmes.measure",
    "programmes.synonymgroup",  # editors keep the search's synonyms
}


def editor_permission_keys() -> set[tuple[str, str]]:
    """(app_label, codename) for every permission of the editors' group."""
    keys = set()
    for app_label in CATALOGUE_APPS:
        for model in apps.get_app_config(app_label).get_models():
            label = model._meta.label_lower
            if label in READ_ONLY:
                actions = ["view"]
            else:
                actions = EVERYDAY_ACTIONS + (["delete"] if label in DELETABLE else [])
            keys.update((app_label, f"{action}_{model._meta.model_name}") for action in actions)
    return keys | READ_ELSEWHERE


def publisher_permission_keys() -> set[tuple[str, str]]:
    """Everything the editors may view, and changing and publishing programmes."""
    viewing = {key for key in editor_permission_keys() if key[1].startswith("view_")}
    return viewing | PUBLISHER_EXTRA


GROUPS = {GROUP_NAME: editor_permission_keys, PUBLISHER_GROUP_NAME: publisher_permission_keys}


@transaction.atomic
def ensure_group(name: str, wanted_keys: set) -> tuple[bool, set[str], set[str], int]:
    """Bring the group in line; returns (created, added, removed, total) by permission name."""
    wanted = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(
            content_type__app_label__in={app_label for app_label, _ in wanted_keys}
        ).select_related("content_type")
        if (p.content_type.app_label, p.codename) in wanted_keys
    }
    missing = wanted_keys - wanted.keys()
    if missing:
        names = ", ".join(sorted(f"{app}.{codename}" for app, codename in missing))
        raise CommandError(f"Berechtigungen fehlen ({names}). Zuerst `manage.py migrate`.")

    group, created = Group.objects.get_or_create(name=name)
    current = set(group.permissions.all())
    target = set(wanted.values())
    group.permissions.set(target)

    def label(p):
        return f"{p.content_type.app_label}.{p.codename}"

    return (
        created,
        {label(p) for p in target - current},
        {label(p) for p in current - target},
        len(target),
    )


class Command(BaseCommand):
    help = "Legt die Gruppen „Redaktion“ und „Freigabe“ mit genau ihren Rechten an."

    def handle(self, *args, **options):
        for name, keys in GROUPS.items():
            outcome = ensure_group(name, keys())
            if options["verbosity"] >= 1:
                self.report(name, *outcome)

    def report(self, group_name, created, added, removed, total):
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"Gruppe „{group_name}“ angelegt mit {total} Berechtigungen.")
            )
        elif added or removed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Gruppe „{group_name}“ angeglichen: {len(added)} Berechtigungen ergänzt, "
                    f"{len(removed)} entzogen; jetzt {total}."
                )
            )
        else:
            self.stdout.write(f"Gruppe „{group_name}“ ist aktuell ({total} Berechtigungen).")
        if not created:
            for name in sorted(added):
                self.stdout.write(f"  + {name}")
        for name in sorted(removed):
            self.stdout.write(f"  − {name}")
