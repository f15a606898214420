"""Signed links in the mails (django.core.signing): they stand in for an account.

A confirmation link expires with the unconfirmed request (48 hours); the links to manage and to
unsubscribe work as long as the subscription exists. Each purpose has its own salt, so one
link cannot be used as another.
"""

from datetime import timedelta

from django.core import signing

CONFIRM_MAX_AGE = timedelta(hours=48)
_CONFIRM, _MANAGE = "alerts.confirm", "alerts.manage"


class BadToken(Exception):
    def __init__(self, expired: bool = False):
        super().__init__("abgelaufen" if expired else "ungültig")
        self.expired = expired


def confirm_token(subscription) -> str:
    return signing.TimestampSigner(salt=_CONFIRM).sign(str(subscription.pk))


def manage_token(subscription) -> str:
    return signing.Signer(salt=_MANAGE).sign(str(subscription.pk))


def confirmed_id(token: str) -> int:
    try:
        value = signing.TimestampSigner(salt=_CONFIRM).unsign(token, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise BadToken(expired=True) from None
    except signing.BadSignature:
        raise BadToken from None
    return int(value)


def managed_id(token: str) -> int:
    try:
        return int(signing.Signer(salt=_MANAGE).unsign(token))
    except signing.BadSignature:
        raise BadToken from None
