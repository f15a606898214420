import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test starts with an empty page cache and no per-version figures: versions taken by
    a rolled-back test transaction would otherwise meet another test's data."""
    from django.core.cache import cache

    from core.cache import _watch, forget_memos

    cache.clear()
    forget_memos()
    yield
    cache.clear()
    forget_memos()
    _watch.close()  # its connection would keep the test database from being dropped


@pytest.fixture
def today(monkeypatch):
    """The day of this test, read once: the data a test builds, its assertions and the app it
    calls all see this date, even when the test runs across midnight.

    Every "today" of the app is ``timezone.localdate()`` without an argument; for the length of
    the test that call answers this date. Calls with a value or a zone convert as before, and
    ``timezone.now()`` keeps running.
    """
    day = timezone.localdate()
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        if value is None and timezone is None:
            return day
        return real(value, timezone)

    monkeypatch.setattr(timezone, "localdate", localdate)
    return day
