"""Which programmes are open to a place: the rule behind `open_to` (docs/opendata.md).

- A project is a programme that belongs to another (`parent`) and has participants: it is the
  project of those places, open to them and to the places inside them (a Kreis's project to
  its Gemeinden), not to anyone else.
- Any other programme is open where its region (`region`) contains the place: a programme of
  the Land NRW to every NRW municipality, one of a Kreis to the Kreis and its Gemeinden.
- Without a region the level decides: an EU or Bund programme is open to every municipality
  in Germany, a Land programme to those in NRW (the Land of this catalogue); a programme of a
  municipality or of civil society without a region is open to no one in particular.
"""

from django.db.models import Exists, OuterRef, Q

from municipalities.models import KEY_PREFIX_LENGTHS, Municipality
from municipalities.nrw_data import NRW
from programmes.models import Level, Participation

NATIONWIDE = (Level.EU, Level.BUND)


def open_to(place: Municipality) -> Q:
    """The condition a programme meets when it is open to `place`."""
    containing = [place.key[:n] for n in KEY_PREFIX_LENGTHS if n < len(place.key)] + [place.key]
    participants = Participation.objects.filter(programme=OuterRef("pk"))
    project = Q(parent__isnull=False) & Exists(participants)
    own_project = Q(parent__isnull=False) & Exists(
        participants.filter(municipality__key__in=containing)
    )
    levels = [*NATIONWIDE, Level.LAND] if place.key.startswith(NRW) else list(NATIONWIDE)
    by_region = Q(region__key__in=containing) | Q(region__isnull=True, level__in=levels)
    return own_project | (by_region & ~project)
