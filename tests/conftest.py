import pytest


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
