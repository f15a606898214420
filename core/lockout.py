"""The login lockout (django-axes) with two limits instead of one.

axes compares every set of AXES_LOCKOUT_PARAMETERS with the same AXES_FAILURE_LIMIT. One account
from one address may fail AXES_FAILURE_LIMIT times; the account from all addresses together
AXES_ACCOUNT_FAILURE_LIMIT times (higher, so a guesser elsewhere does not lock the editor out at
once, yet one spread over many addresses is stopped too).
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum

ACCOUNT = "username"


class AccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The failures, scaled so that reaching either limit reaches AXES_FAILURE_LIMIT."""
        limit = get_failure_limit(request, credentials)
        scaled = []
        parameter_sets = get_lockout_parameters(request, credentials)
        for parameters, attempts in zip(
            parameter_sets, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameters == ACCOUNT:
                failures = failures * limit // settings.AXES_ACCOUNT_FAILURE_LIMIT
            scaled.append(failures)
        return max(scaled, default=0)
