"""What the debug error page (DEBUG on) may show.

Django hides settings whose names sound secret (KEY, PASS, TOKEN …), but a password inside a URL
has an innocent name: DATABASE_URL, REDIS_URL, the cache's LOCATION, and the same variables in
the environment that runserver copies into request.META. Their passwords are replaced here.
"""

import re

from django.utils.functional import LazyObject
from django.views.debug import SafeExceptionReporterFilter

# scheme://user:password@host – the password runs to the last "@" before the path.
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s/]*(?=@)", re.IGNORECASE)


def without_url_passwords(value, substitute: str):
    """The value with each URL's password replaced; anything but plain text as it is."""
    if not isinstance(value, str) or isinstance(value, LazyObject):  # a lazy setting poses as str
        return value
    return _URL_PASSWORD.sub(lambda match: match.group(1) + substitute, value)


class CredentialsFilter(SafeExceptionReporterFilter):
    """Django's filter, and no password from a URL in settings, environment or local variables."""

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)  # recurses into dicts through this method
        return without_url_passwords(cleansed, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, without_url_passwords(value, self.cleansed_substitute))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
