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


def lockout_address(request) -> str | None:
    """The client address the lockout counts under: an IPv6 address stands for its /64.

    A single IPv6 connection usually holds a whole /64 (2^64 addresses), so counting each address
    apart would let one client try passwords without end. IPv4 (also as ::ffff:a.b.c.d) counts
    per address. The result is the network's first address, a valid address for axes' records.
    """
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)
