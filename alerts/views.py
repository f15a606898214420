"""The pages of e-mail alerts: subscribe (no account), confirm, manage and unsubscribe by the
signed links in the mails. None is cached, none is indexed; none says whether an address is
subscribed."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from alerts import forms, mails, subscribing, tokens
from alerts.models import Subscription
from alerts.tasks import deliver_soon
from alerts.watch import headline, list_filterset, list_query, watched_programme
from core.listing import BadParameters
from core.page_cache import not_kept
from core.proxy import lockout_address


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(request, template, context=None, status=200):
    return _private(render(request, f"alerts/{template}", context or {}, status=status))


@not_kept
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    """GET says what would be watched; POST starts the subscription (double opt-in)."""
    try:
        programme, query, what = _watched(request.GET)
    except BadParameters as bad:
        return _page(request, "subscribe.html", {"errors": bad.errors}, status=400)
    form = forms.SubscribeForm(request.POST or None, programme=programme)
    context = {"form": form, "what": what, "programme": programme, "query": query}
    if request.method != "POST":
        return _page(request, "subscribe.html", context)
    if form.is_bot:  # answered like a real request, but nothing happens
        return _page(request, "requested.html", context)
    now = timezone.now()
    if not subscribing.client_allowed(lockout_address(request) or "", now):
        return _page(request, "too_many.html", context, status=429)
    if not form.is_valid():
        return _page(request, "subscribe.html", context, status=400)
    subscribing.request_subscription(
        email=form.cleaned_data["email"],
        now=now,
        query=query,
        programme=programme,
        rhythm=form.cleaned_data.get("rhythm", ""),
    )
    deliver_soon()  # the confirmation should not wait for the next periodic run
    return _page(request, "requested.html", context)


def _watched(data):
    """(programme, list query, headline) of the request; BadParameters as on the list."""
    if "programme" in data:
        programme = watched_programme(data.get("programme", "").strip())
        return programme, "", headline(None, programme)
    query = list_query(data)
    return None, query, headline(list_filterset(query))


@not_kept
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """A link scanner's GET confirms nothing: the page asks for one click."""
    try:
        subscription = Subscription.objects.get(pk=tokens.confirmed_id(token))
    except (tokens.BadToken, Subscription.DoesNotExist) as error:
        return _bad_link(request, expired=getattr(error, "expired", False))
    if request.method == "POST":
        subscribing.confirm(subscription, timezone.now())
    return _page(request, "confirm.html", _about(subscription))


@not_kept
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    subscription = _managed(token)
    if subscription is None:
        return _bad_link(request)
    action = request.POST.get("action")
    if action == "delete":
        count = subscribing.forget_address(subscription.email)
        return _page(request, "deleted.html", {"count": count})
    form_class = (
        forms.ProgrammeSettingsForm if subscription.programme_id else forms.ListSettingsForm
    )
    form = form_class(request.POST if action == "save" else None, instance=subscription)
    status, saved = 200, False
    if action in ("pause", "resume"):
        subscribing.set_paused(subscription, action == "pause", timezone.now())
        saved = True
    elif action == "save":
        saved = form.is_valid()
        if saved:
            form.save()
        status = 200 if saved else 400
    context = {**_about(subscription), "form": form, "saved": saved, "token": token}
    return _page(request, "manage.html", context, status=status)


@csrf_exempt  # RFC 8058: mail providers post "List-Unsubscribe=One-Click" without cookies
@not_kept
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks (scanners follow links); POST, from the page or the mail program, ends it.
    A link whose subscription is gone already says so, as a second click would expect."""
    try:
        pk = tokens.managed_id(token)
    except tokens.BadToken:
        return _bad_link(request)
    subscription = Subscription.objects.select_related("programme").filter(pk=pk).first()
    if request.method == "POST" or subscription is None:
        Subscription.objects.filter(pk=pk).delete()
        return _page(request, "unsubscribed.html")
    return _page(request, "unsubscribe.html", _about(subscription))


def _managed(token: str) -> Subscription | None:
    try:
        pk = tokens.managed_id(token)
    except tokens.BadToken:
        return None
    return Subscription.objects.select_related("programme").filter(pk=pk).first()


def _about(subscription) -> dict:
    return {
        "subscription": subscription,
        "what": _describe(subscription),
        "watched_url": mails.watched_url(subscription),
        "manage_url": mails.absolute_manage_url(subscription),
    }


def _describe(subscription) -> str:
    try:
        return mails.what_is_watched(subscription)
    except BadParameters:
        return _("Eine Liste, deren Filter es nicht mehr gibt")


def _bad_link(request, expired: bool = False):
    return _page(request, "bad_link.html", {"expired": expired}, status=400)
