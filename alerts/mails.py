"""The mails, in German, as plain text and HTML: each names what it watches, links to it, to
the page that manages the subscription and to a one-click unsubscribe (RFC 8058)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from alerts import tokens
from alerts.watch import headline, list_filterset

SUBJECT_LENGTH = 200


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def watched_url(subscription) -> str:
    if subscription.programme_id:
        return absolute(subscription.programme.get_absolute_url())
    path = reverse("programmes:programme-list")
    return absolute(f"{path}?{subscription.query}" if subscription.query else path)


def unsubscribe_url(subscription) -> str:
    return absolute(reverse("alerts:unsubscribe", args=[tokens.manage_token(subscription)]))


def absolute_manage_url(subscription) -> str:
    return absolute(reverse("alerts:manage", args=[tokens.manage_token(subscription)]))


def what_is_watched(subscription) -> str:
    if subscription.programme_id:
        return headline(None, subscription.programme)
    return headline(list_filterset(subscription.query))


def _context(subscription, what: str = "", **extra) -> dict:
    return {
        "subscription": subscription,
        "what": what or what_is_watched(subscription),
        "watched_url": watched_url(subscription),
        "manage_url": absolute_manage_url(subscription),
        "unsubscribe_url": unsubscribe_url(subscription),
        "site_url": settings.SITE_URL,
        **extra,
    }


def _render(name: str, context: dict) -> tuple[str, str]:
    return (
        render_to_string(f"alerts/mail/{name}.txt", context),
        render_to_string(f"alerts/mail/{name}.html", context),
    )


def confirmation(subscription, already_confirmed: bool) -> tuple[str, str, str]:
    """The double opt-in mail; to an address already subscribed, its management link instead
    (the web page says the same in both cases)."""
    confirm_url = absolute(reverse("alerts:confirm", args=[tokens.confirm_token(subscription)]))
    context = _context(subscription, confirm_url=confirm_url, already=already_confirmed)
    subject = (
        _("Ihre Benachrichtigung beim Kommunalkompass NRW")
        if already_confirmed
        else _("Bitte bestätigen: E-Mail-Benachrichtigung vom Kommunalkompass NRW")
    )
    return (subject, *_render("confirmation", context))


def digest(subscription, found, since) -> tuple[str, str, str]:
    context = _context(subscription, what=found.what, digest=found, since=since)
    if subscription.programme_id:
        title = subscription.programme.title
        if found.reminders:
            days = min(days for _window, days in found.reminders)
            subject = _("Frist in %(days)d Tagen: %(title)s") % {"days": days, "title": title}
        else:
            subject = _("Geändert: %(title)s") % {"title": title}
    else:
        subject = _("Neuigkeiten: %(what)s") % {"what": context["what"]}
    return (_shorten(subject), *_render("digest", context))


def message(delivery, connection=None) -> EmailMultiAlternatives:
    subscription = delivery.subscription
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    mail = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.text,
        to=[subscription.email],
        connection=connection,
        headers={
            # The same delivery keeps its Message-ID, so a repeat is recognisable as one.
            "Message-ID": f"<alert-{delivery.pk}@{host}>",
            "List-Unsubscribe": f"<{unsubscribe_url(subscription)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    mail.attach_alternative(delivery.html, "text/html")
    return mail


def _shorten(subject: str) -> str:
    subject = " ".join(subject.split())
    return subject if len(subject) <= SUBJECT_LENGTH else subject[: SUBJECT_LENGTH - 1] + "…"
