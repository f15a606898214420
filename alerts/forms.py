from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import Subscription

REMINDER_CHOICES = [(days, _("%(days)d Tage vorher") % {"days": days}) for days in (30, 14, 7, 3)]
REMINDER_CHOICES.append((1, _("1 Tag vorher")))


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        max_length=254,
        error_messages={"invalid": _("Bitte eine gültige E-Mail-Adresse angeben.")},
    )
    rhythm = forms.ChoiceField(
        label=_("Wie oft?"),
        choices=Subscription.Rhythm.choices,
        initial=Subscription.Rhythm.WEEKLY,
        widget=forms.RadioSelect,
    )
    # The honeypot: hidden from people and screen readers, filled in by form-filling bots.
    website = forms.CharField(label=_("Dieses Feld bitte leer lassen"), required=False)

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        if programme is not None:  # a programme is checked daily: reminders need the day
            del self.fields["rhythm"]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class ListSettingsForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["rhythm"]
        widgets = {"rhythm": forms.RadioSelect}


class ProgrammeSettingsForm(forms.ModelForm):
    reminder_days = forms.TypedMultipleChoiceField(
        label=_("Erinnerung vor jeder Antragsfrist"),
        choices=REMINDER_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Subscription
        fields = ["reminder_days"]
