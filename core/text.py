"""Control characters: kept out of stored text, and out of every writer anyway.

Editors paste from word processors, which bring vertical tabs and form feeds along. XML (Atom,
SVG, the sheets inside an XLSX) cannot carry C0 controls at all, and one of them in one title
would break the feed for every subscriber. So text is cleaned where it enters (every save of
the catalogue's models, `clean_text_on_save`; the imports) and once more where it leaves
(`xml_text`), because rows written by SQL, COPY or an older import never passed the first.
"""

import re

from django.db import models
from django.db.models.signals import pre_save

# C0 controls except tab, line feed and carriage return, and DEL: nothing a person means to
# type. (core.validators refuses the same in search parameters.)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What XML 1.0 cannot carry (its production Char): those C0 controls, surrogates, U+FFFE/FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def without_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def xml_text(text: str) -> str:
    """The text with every character XML cannot carry left out."""
    return NOT_XML.sub("", text)


def clean_text_fields(instance: models.Model) -> None:
    """Strip control characters from every text field of an unsaved or changed instance."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                setattr(instance, field.attname, without_control_characters(value))


def _clean_before_save(sender, instance, **kwargs):
    clean_text_fields(instance)


def clean_text_on_save(*model_classes: type[models.Model]) -> None:
    """Every save() of these models stores its text without control characters: admin forms,
    restored versions, fixture loads and scripts alike (bulk writes must call
    `clean_text_fields` themselves)."""
    for model in model_classes:
        pre_save.connect(
            _clean_before_save, sender=model, dispatch_uid=f"clean-text:{model._meta.label}"
        )
