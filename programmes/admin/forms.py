"""The programme and application-window forms: the database constraints' rules once more, so
that a violation appears as a plain German message next to its field rather than once, at the
top of the form, under the constraint's technical name."""

from django import forms
from django.utils.translation import gettext_lazy as _

# /programme/feed/ is the Atom feed of the list: no programme may take that address.
RESERVED_SLUGS = frozenset({"feed"})


def require_order(form, earlier: str, later: str, message) -> None:
    """Attach `message` to the later field when both dates are given and in the wrong order."""
    first, last = form.cleaned_data.get(earlier), form.cleaned_data.get(later)
    if first and last and last < first:
        form.add_error(later, message)


class ProgrammeForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        require_order(self, "start_date", "end_date", _("Das Ende liegt vor dem Beginn."))
        if cleaned.get("slug") in RESERVED_SLUGS:
            self.add_error("slug", _("Diese Kurzadresse ist für eine Seite des Portals vergeben."))
        rate = cleaned.get("funding_rate")
        if rate is not None and not 0 <= rate <= 100:
            self.add_error("funding_rate", _("Die Förderquote liegt zwischen 0 und 100 %."))
        if self.instance.pk:
            for name, message in [
                ("parent", _("Ein Programm kann nicht Teil von sich selbst sein.")),
                ("predecessor", _("Ein Programm kann nicht sein eigener Vorgänger sein.")),
            ]:
                if cleaned.get(name) and cleaned[name].pk == self.instance.pk:
                    self.add_error(name, message)
        return cleaned


class ApplicationWindowForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        require_order(self, "opens", "closes", _("Die Frist liegt vor dem Beginn."))
        return cleaned
