from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from programmes.querysets import Status

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    return Status(value).label if value in Status.values else ""


@register.filter
def euro(amount: Decimal | None) -> str:
    """German money format: 91 Mio. €, 130.000 €."""
    if amount is None:
        return ""
    if amount >= 1_000_000 and amount % 100_000 == 0:
        millions = amount / 1_000_000
        shown = f"{millions:.1f}".replace(".", ",").removesuffix(",0")
        return _("%(amount)s Mio. €") % {"amount": shown}
    return f"{intcomma(int(amount), use_l10n=True)} €"


@register.filter
def percent(rate: Decimal | None) -> str:
    if rate is None:
        return ""
    return f"{rate.normalize():f}".replace(".", ",") + " %"


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (empty value: removed)."""
    data = context["request"].GET.copy()
    for name, value in changes.items():
        data.pop(name, None)
        if value not in (None, ""):
            data[name] = value
    data.pop("page", None) if "page" not in changes else None
    return data.urlencode()
