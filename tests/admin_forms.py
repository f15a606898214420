"""Post an admin change form back as a browser would: every field and inline row with the value
it was shown with (the version the form was loaded from included), then the test's changes."""

from datetime import date


def _text(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def shown_form(response) -> dict:
    """The data of the change form in `response`, unchanged."""
    context = response.context
    forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [_text(item) for item in value]
            else:
                data[field.html_name] = _text(value)
    return data


def inline_prefix(response, model) -> str:
    """The form prefix of the inline rows of `model` on this change form."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise LookupError(model)
