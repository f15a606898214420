"""A Redis that swallows packets costs one timeout, not one per cache miss: after a failure the
cache skips it for a while, then tries once. Cache keys carry the release, so entries of
another deploy are never read. Attempts are counted, not timed."""

import socket

import pytest
from django.conf import settings
from django.core.cache import cache

from core.cache import FailOpenRedisCache, _breakers
from core.release import release_id


@pytest.fixture
def blackhole():
    """An address that accepts connections (into the backlog) and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    location = f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    yield location
    server.close()
    _breakers.pop(location, None)


def redis_cache(location: str) -> FailOpenRedisCache:
    options = {"socket_connect_timeout": 0.05, "socket_timeout": 0.05, "breaker_seconds": 3600}
    return FailOpenRedisCache(location, {"OPTIONS": options})


def count_attempts(*caches: FailOpenRedisCache) -> list[str]:
    """The calls that reach the Redis client of these caches."""
    attempts = []

    def counting(name, method):
        def counted(*args, **kwargs):
            attempts.append(name)
            return method(*args, **kwargs)

        return counted

    for redis in caches:
        client = redis._cache
        for name in ("get", "set", "get_many", "add", "delete"):
            setattr(client, name, counting(name, getattr(client, name)))
    return attempts


def test_after_a_failure_redis_is_skipped_then_tried_once(blackhole):
    redis = redis_cache(blackhole)
    attempts = count_attempts(redis)

    assert redis.get("page", "missing") == "missing"
    assert len(attempts) == 1  # the timeout was met once ...
    for i in range(50):
        assert redis.get(f"page-{i}") is None
        redis.set(f"page-{i}", "<html>")
        assert redis.add("lock", 1) is False
    assert redis.get_many(["a", "b"]) == {}
    assert len(attempts) == 1  # ... and not by the misses that followed

    redis.breaker.skip_until = 0.0  # the pause is over
    assert redis.get("page") is None
    assert redis.get("page") is None
    assert len(attempts) == 2  # one call tried, failed, and the pause began again


def test_the_pause_is_shared_by_the_threads_of_a_process(blackhole):
    one, other = redis_cache(blackhole), redis_cache(blackhole)  # Django: one per thread
    attempts = count_attempts(one, other)
    one.get("page")
    other.get("page")
    assert attempts == ["get"]  # the second thread did not wait for the timeout again
    assert one.breaker is other.breaker


def test_a_server_that_answers_again_is_used_again(blackhole):
    redis = redis_cache(blackhole)
    redis.get("page")
    attempts = count_attempts(redis)
    redis._cache.get = lambda key, default=None: attempts.append("get") or "<html>"
    redis.breaker.skip_until = 0.0
    assert redis.get("page") == "<html>"  # the trial call succeeds
    assert redis.get("page") == "<html>"
    assert attempts == ["get", "get"]
    assert redis.breaker.allows()


def test_cache_keys_carry_the_release():
    assert settings.CACHES["default"]["KEY_PREFIX"] == settings.RELEASE
    assert cache.make_key("page").startswith(settings.RELEASE + ":")


def test_the_release_changes_with_the_code(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "2.1.0"\n')
    (tmp_path / "core").mkdir()
    module = tmp_path / "core" / "models.py"
    module.write_text("class Version: pass\n")
    first = release_id(tmp_path)
    assert first.startswith("2.1.0-")
    assert release_id(tmp_path) == first
    module.write_text("class Version:\n    number = 0\n")
    assert release_id(tmp_path) != first
