"""Several threads per process (GUNICORN_THREADS): a per-version figure is computed by one of
them while the others wait, and the memos requests add to stay consistent under contention.
Bitsets are as long as the catalogue is large, whatever its ids."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.utils import timezone

from core.cache import Recent, Version, per_version, version_of_request
from programmes.facets import Positions

THREADS = 8


def in_threads(function, count=THREADS) -> list:
    """`function()` in `count` threads released together; their results."""
    start = threading.Barrier(count)

    def run():
        start.wait()
        return function()

    with ThreadPoolExecutor(count) as pool:
        return [future.result() for future in [pool.submit(run) for _ in range(count)]]


def test_threads_asking_at_once_compute_a_per_version_value_once():
    calls = []

    @per_version("tests:slow-figure")
    def slow_figure(today):
        calls.append(today)
        time.sleep(0.2)  # long enough for every other thread to ask meanwhile
        return object()

    version = Version(7, timezone.now())

    def ask():
        with version_of_request(version):  # no database: the version is known
            return slow_figure(date(2026, 11, 21))

    results = in_threads(ask)
    assert len(calls) == 1
    assert all(result is results[0] for result in results)

    with version_of_request(Version(8, timezone.now())):  # the catalogue changed
        assert slow_figure(date(2026, 11, 21)) is not results[0]
    assert len(calls) == 2


def test_a_failing_computation_lets_the_next_thread_try():
    attempts = []

    @per_version("tests:failing-once")
    def figure(today):
        attempts.append(today)
        if len(attempts) == 1:
            raise RuntimeError("database went away")
        return 42

    with version_of_request(Version(1, timezone.now())):
        with pytest.raises(RuntimeError):
            figure(date(2026, 11, 21))
        assert figure(date(2026, 11, 21)) == 42


def test_recent_results_compute_each_key_once_and_stay_bounded():
    recent = Recent(16)
    calls = []

    def compute(key):
        def build():
            calls.append(key)
            time.sleep(0.05)
            return key * 2

        return build

    same = in_threads(lambda: recent.get(3, compute(3)))
    assert same == [6] * THREADS
    assert calls == [3]  # one thread built it, the others waited

    counter = iter(range(10_000))
    lock = threading.Lock()

    def churn():
        results = []
        for _ in range(200):
            with lock:
                key = next(counter) % 40
            results.append(recent.get(key, lambda key=key: key * 2) == key * 2)
        return all(results)

    assert all(in_threads(churn))  # no KeyError or "changed size during iteration"
    assert len(recent) <= 16


@pytest.mark.parametrize(
    "ids",
    [
        [3, 10**12, 10**15 + 7],  # sparse, huge ids: looked up in a dict
        [5, 6, 8, 9, 12],  # close to consecutive: a table over their range
    ],
)
def test_bitsets_are_sized_by_the_number_of_programmes_not_their_ids(ids):
    positions = Positions(ids)
    chosen = [ids[-1], ids[0], 7, 10**16, None]  # 7, 10**16 and None are not published
    bits = positions.bitset(chosen)
    assert bits.bit_length() <= len(ids)
    assert positions.members(bits) == [ids[0], ids[-1]]
    assert positions.bitset([]) == 0
    assert positions.members(positions.bitset(ids)) == ids
