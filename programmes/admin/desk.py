"""The desk „Braucht Aufmerksamkeit“ on the admin start page: for an editor, what waits for
review, what went stale, deadlines just passed or coming up, missing sources, broken links and
text that contradicts the dates. Each entry links to its programme's page, each section to the
programme list filtered the same way (programmes.admin.filters)."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.admin import attention
from programmes.models import Programme

State = Programme.Publication
SHOWN = 5


@dataclass
class Section:
    title: str
    hint: str
    count: int
    entries: list[tuple[str, str]]  # (title, address of its change page)
    list_url: str


def _section(title, hint, programmes, filters: dict) -> Section:
    shown = [
        (p.title, reverse("admin:programmes_programme_change", args=[p.pk]))
        for p in programmes.only("pk", "title")[:SHOWN]
    ]
    count = len(shown) if len(shown) < SHOWN else programmes.count()
    changelist = reverse("admin:programmes_programme_changelist")
    list_url = f"{changelist}?{urlencode(filters)}" if filters else ""
    return Section(str(title), str(hint), count, shown, list_url)


def desk(user) -> list[Section]:
    """The sections with at least one entry, for a user who may see programmes."""
    if not user.has_perm("programmes.view_programme"):
        return []
    today, now = timezone.localdate(), timezone.now()
    programmes = Programme.objects.filter(is_synthetic=False).order_by("sort_title")
    public = programmes.filter(publication=State.PUBLISHED)
    current = programmes.exclude(publication=State.ARCHIVED)
    published_filter = {"publication__exact": State.PUBLISHED}
    sections = [
        _section(
            _("Warten auf Prüfung"),
            _("Zur Prüfung gegeben; die Freigabe veröffentlicht oder gibt sie zurück."),
            attention.waiting_for_review(programmes),
            {"publication__exact": State.REVIEW},
        ),
        _section(
            _("Geplante Veröffentlichung zurückgehalten"),
            _("Der geplante Zeitpunkt ist vorbei, aber es fehlen Angaben."),
            attention.overdue_schedule(programmes, now),
            {},
        ),
        _section(
            _("Angaben seit über 12 Monaten nicht geprüft"),
            _("Veröffentlicht; mit den Quellen vergleichen und „Angaben geprüft am“ setzen."),
            attention.facts_stale(public, today),
            {**published_filter, "pruefen": "geprueft12"},
        ),
        _section(
            _("Frist endet in den nächsten 14 Tagen"),
            _("Stimmt die Frist noch? Gibt es eine Verlängerung?"),
            attention.deadline_within(public, today, attention.CLOSING_SOON_DAYS),
            {**published_filter, "frist": "14"},
        ),
        _section(
            _("Frist in den letzten 30 Tagen abgelaufen"),
            _("Neues Antragsfenster eintragen oder den Status prüfen."),
            attention.deadline_passed_within(public, today, attention.RECENTLY_CLOSED_DAYS),
            {**published_filter, "frist": "vorbei30"},
        ),
        _section(
            _("Ohne Quelle"),
            _("Mindestens eine Quelle angeben, woher die Angaben stammen."),
            attention.without_source(current),
            {"pruefen": "ohnequelle"},
        ),
        _section(
            _("Link defekt"),
            _("Offizielle Seite, Link oder Quelle war bei der letzten Prüfung nicht erreichbar."),
            attention.with_failed_link(current),
            {"pruefen": "link"},
        ),
        _section(
            _("Text und Daten widersprechen sich"),
            _("Z. B. „läuft“ im Text, aber das Ende liegt in der Vergangenheit."),
            attention.contradictions(current, today),
            {"pruefen": "widerspruch"},
        ),
    ]
    return [section for section in sections if section.count]
