"""The catalogue watch cannot go silent: concurrent writers leave the highest number on the row,
the watch believes the row and not a NOTIFY's payload, re-reads the row without notifications,
and notices a killed LISTEN connection. Writers are connections of their own, committed for
real (transactional tests); the watch gets a hand-moved clock, so nothing waits for intervals."""

import select
import threading
import time

import psycopg
import pytest
from django.db import connection

from core.version_watch import LONGEST_REFRESH_SECONDS, READ_ROW, Version, VersionWatch
from programmes.models import Topic

pytestmark = pytest.mark.django_db(transaction=True)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


def connect(**options):
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, **options)


@pytest.fixture
def db_conn():
    """A connection of the test's own, in autocommit, for looking and killing."""
    with connect(autocommit=True) as conn:
        yield conn


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def watch(clock):
    watch = VersionWatch(refresh_seconds=15, clock=clock)
    yield watch
    watch.close()


def touch(conn):
    """A write to a watched table: a statement trigger fires even when no row matches."""
    conn.execute(f"UPDATE {Topic._meta.db_table} SET id = id WHERE false")


def row(conn) -> Version:
    return Version(*conn.execute(READ_ROW).fetchone())


def wait_until(condition, what, seconds=5.0):
    """Polls for something another connection does; the limit only ends a broken test."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.01)


def waits_for_a_lock(conn, pid) -> bool:
    query = "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s"
    return conn.execute(query, [pid]).fetchone() == ("Lock",)


def wait_for_notification(watch):
    ready, _, _ = select.select([watch.connection.fileno()], [], [], 5.0)
    assert ready, "no notification reached the watch's socket"


def test_the_writer_that_commits_last_leaves_the_highest_number(db_conn, watch):
    """An import takes a number, an admin save queues behind it on the row's lock, the import
    takes another number and commits, then the save commits last: it must draw its number
    after the lock, above both of the import's, and that number is what every watch sees."""
    touch(db_conn)  # the row exists (a flushed database gets it back on the first write)
    watch.current()
    with connect() as importer, connect() as editor:
        touch(importer)
        first = row(importer).number
        saved = {}

        def save():
            touch(editor)  # waits for the importer's lock on the version row
            saved["number"] = row(editor).number
            editor.commit()

        thread = threading.Thread(target=save)
        thread.start()
        pid = editor.info.backend_pid
        wait_until(lambda: waits_for_a_lock(db_conn, pid), "the save queues on the row lock")
        touch(importer)
        second = row(importer).number
        importer.commit()
        thread.join(timeout=10)
        assert not thread.is_alive()
    assert first < second < saved["number"]
    assert row(db_conn).number == saved["number"]
    wait_until(lambda: watch.current() == row(db_conn), "the watch hears the last commit")


def test_a_forged_notify_is_only_a_hint_to_read_the_row(db_conn, watch):
    """Any role may NOTIFY; a huge number in the payload neither shows nor freezes the watch."""
    touch(db_conn)
    assert watch.current() == row(db_conn)
    db_conn.execute("NOTIFY catalogue_version, '999999 0'")
    wait_for_notification(watch)
    assert watch.current() == row(db_conn)
    db_conn.execute("NOTIFY catalogue_version, 'not even a number'")
    wait_for_notification(watch)
    assert watch.current() == row(db_conn)
    touch(db_conn)  # a real change after the forgery is seen
    wait_for_notification(watch)
    assert watch.current() == row(db_conn)


def test_a_lower_number_on_the_row_is_taken(db_conn, watch, clock):
    """A restored backup can lower the number; the watch follows the row, not the maximum."""
    touch(db_conn)
    before = watch.current()
    db_conn.execute("UPDATE core_catalogueversion SET number = 1")  # as a restore leaves it
    clock.advance(15)
    now = watch.current()
    assert now.number == 1 < before.number and now == row(db_conn)


def test_the_row_is_read_again_when_notifications_are_lost(db_conn, watch, clock, settings):
    """A LISTEN socket that no longer delivers (here: UNLISTEN) costs at most the interval,
    and no setting stretches the interval beyond its cap."""
    settings.CATALOGUE_VERSION_REFRESH_SECONDS = 600
    watch.refresh_seconds = None  # from the setting
    touch(db_conn)
    before = watch.current()
    watch.connection.execute("UNLISTEN *")
    touch(db_conn)
    clock.advance(LONGEST_REFRESH_SECONDS - 1)
    assert watch.current() == before  # not due yet, and nothing announced the change
    clock.advance(1)
    assert watch.current() == row(db_conn) != before


def test_a_killed_listen_connection_is_noticed_and_replaced(db_conn, watch, clock):
    touch(db_conn)
    assert watch.current() == row(db_conn)
    pid = watch.connection.info.backend_pid
    name = db_conn.execute(
        "SELECT application_name FROM pg_stat_activity WHERE pid = %s", [pid]
    ).fetchone()
    assert name == ("kommunalkompass catalogue watch",)
    assert db_conn.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone() == (True,)
    touch(db_conn)
    assert watch.current() is None  # noticed at once: callers read the row themselves
    clock.advance(watch.retry_seconds)
    assert watch.current() == row(db_conn)
    assert watch.connection.info.backend_pid != pid


def test_the_listen_connection_has_tcp_keepalives(watch):
    """libpq's keepalives and user timeout: a peer that vanished without a word (a half-open
    socket) fails the connection within seconds rather than the kernel's ~15 minutes."""
    watch.current()
    parameters = watch.connection.info.get_parameters()
    assert parameters["keepalives"] == "1"
    assert int(parameters["keepalives_idle"]) + 3 * int(parameters["keepalives_interval"]) < 30
    assert int(parameters["tcp_user_timeout"]) / 1000 + LONGEST_REFRESH_SECONDS <= 30
