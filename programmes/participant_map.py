"""Programmes on the map: the participants of one programme, and programmes per Kreis."""

from django.utils.translation import gettext as _

from municipalities.maps import NRW, Map, highlight_map
from municipalities.models import Municipality
from programmes.places import programme_counts


def programme_map(programme, *, table: bool = True, region: str = NRW) -> Map | None:
    """NRW with the municipalities taking part in a programme hatched and linked."""
    # .all() reuses participations the detail view already prefetched with their municipality.
    participations = sorted(
        (p for p in programme.participations.all() if p.municipality.is_active),
        key=lambda p: (p.municipality.sort_name, p.role),
    )
    roles: dict[Municipality, list[str]] = {}
    for participation in participations:
        roles.setdefault(participation.municipality, []).append(
            str(participation.get_role_display())
        )
    return highlight_map(
        list(roles),
        title=_("Karte: Teilnehmende Kommunen in Nordrhein-Westfalen"),
        description=_(
            "Karte von Nordrhein-Westfalen mit Kreisen und Regierungsbezirken. Schraffiert und "
            "verlinkt: die Kommunen, die an „%(programme)s“ teilnehmen."
        )
        % {"programme": programme.title},
        caption=_("Teilnehmende Kommunen"),
        roles={m.key: ", ".join(r) for m, r in roles.items()},
        table=table,
        region=region,
    )


def programme_counts_by_kreis(region: str = NRW) -> dict[str, int]:
    """Published programmes with a participant in each Kreis or kreisfreie Stadt (or in it)."""
    kreise = set(
        Municipality.objects.filter(key__startswith=region, key__regex=r"^\d{5}$").values_list(
            "key", flat=True
        )
    )
    return {
        key: count
        for key, count in programme_counts().items()
        if key.startswith(region)
        and ((len(key) == 5 and key in kreise) or (len(key) == 8 and key[:5] not in kreise))
    }
