from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
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


@register.simple_tag
def facet_options(facet, options=None) -> str:
    """A facet's options (or some of them, e.g. one group's) as list items (checkbox, label,
    count). Built here rather than in the template: a list page has about seventy options, and
    their ~800 template lookups were a third of the page's time."""
    hits = _("Treffer")
    rows = []
    for option in facet.options if options is None else options:
        ident = f"f-{facet.name}-{option.value}"  # slugs and choice values: valid in an id
        state = " checked" if option.selected else "" if option.count else " disabled"
        rows.append((facet.name, option.value, ident, mark_safe(state), ident, option.label,
                     option.count, hits))  # fmt: skip
    return format_html_join(
        "\n",
        '<li><input type="checkbox" name="{}" value="{}" id="{}"{}> <label for="{}">{} '
        '<span class="count">({}<span class="visually-hidden"> {}</span>)</span></label></li>',
        rows,
    )
