"""The form field for a place, wherever a list asks for one (municipality, region, open_to)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.validators import no_control_characters
from municipalities import lookup

_NOT_FOUND = {
    "name": _("Kein Ort im Gemeindeverzeichnis heißt „%(value)s“."),
    "number": _(
        "Keine Kommune hat die Postleitzahl oder den amtlichen Schlüssel „%(value)s“ "
        "(verzeichnet ist je Kommune ihre Hauptpostleitzahl; Schlüssel haben 2, 3, 5 oder 8 "
        "Ziffern)."
    ),
}


def choices(places) -> list[tuple[str, str]]:
    """(description, slug) of each place: what a 400 offers to choose from."""
    return [(place.description, place.slug) for place in places]


class PlaceField(forms.CharField):
    """A place by name, postcode, official key or slug; cleaned to a Municipality.

    A name that fits several places, or none, is rejected with the candidates (or close
    names) in the error's params as ``choices``: the 400 lists them (core.listing)."""

    def __init__(self, *, kinds=None, kinds_label="", **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.validators.append(no_control_characters)
        self.kinds, self.kinds_label = kinds, kinds_label

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return lookup.find(value, kinds=self.kinds)
        except lookup.Ambiguous as error:
            raise ValidationError(
                _("„%(value)s“ passt auf mehrere Orte. Welcher ist gemeint?"),
                code="ambiguous",
                params={"value": value, "choices": choices(error.candidates)},
            ) from None
        except lookup.WrongKind as error:
            raise ValidationError(
                _("%(place)s ist hier nicht gefragt, sondern ein Gebiet: %(kinds)s."),
                code="wrong_kind",
                params={"place": error.place.description, "kinds": self.kinds_label},
            ) from None
        except lookup.NotFound as error:
            message = _NOT_FOUND[error.reason]
            if error.suggestions:
                message = f"{message} {_('Ähnlich geschrieben:')}"
            raise ValidationError(
                message,
                code="unknown",
                params={"value": value, "choices": choices(error.suggestions)},
            ) from None
