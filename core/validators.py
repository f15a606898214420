"""Input that every text parameter refuses."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 control characters except tab, line feed and carriage return, and DEL: nothing a person
# types, and XML (Atom, SVG) cannot carry them at all. NUL has Django's own message already.
CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(value: str) -> None:
    if CONTROL_CHARACTERS.search(value or ""):
        raise ValidationError(_("Steuerzeichen sind nicht erlaubt."), code="control_character")
