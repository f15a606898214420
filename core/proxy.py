"""The client's address as the lockout of failed logins (django-axes) sees it."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR when the app server faces clients directly.

    Behind ``BEHIND_PROXY`` with ``PROXY_COUNT`` trusted proxies, each appending the address it
    saw to X-Forwarded-For (nginx: ``$proxy_add_x_forwarded_for``), the client is the
    PROXY_COUNT-th entry from the right. Entries further left came from the client itself and
    are ignored, so a forged header cannot dodge the lockout or lock out someone else.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if not settings.BEHIND_PROXY:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < settings.PROXY_COUNT:
        return remote
    candidate = forwarded[-settings.PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
