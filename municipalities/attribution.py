"""Whose data the register facts and the outlines are, as their licences ask every use to say."""

from datetime import date

DESTATIS = "© Statistisches Bundesamt (Destatis)"
BKG = "© GeoBasis-DE / BKG (Daten verändert), dl-de/by-2-0"


def register_attribution(territory_date: date | None) -> str:
    """ "© Statistisches Bundesamt (Destatis), Gemeindeverzeichnis, Gebietsstand 30.11.2025"."""
    edition = f", Gebietsstand {territory_date:%d.%m.%Y}" if territory_date else ""
    return f"{DESTATIS}, Gemeindeverzeichnis{edition}"
