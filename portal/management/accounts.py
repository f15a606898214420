"""What the account commands share: the staff account a username names, or a clear error."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def staff_account(username: str):
    User = get_user_model()
    try:
        user = User.objects.get(**{User.USERNAME_FIELD: username})
    except User.DoesNotExist:
        raise CommandError(f"Kein Konto „{username}“.") from None
    if not user.is_staff:
        raise CommandError(f"„{username}“ ist kein Redaktionskonto (is_staff).")
    return user
