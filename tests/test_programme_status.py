"""Status is derived from dates in one queryset method; each state and its edge dates."""

from datetime import date, timedelta

import pytest

from programmes.models import Programme
from programmes.querysets import Status
from tests.factories import make_programme

TODAY = date(2026, 11, 21)
DAY = timedelta(days=1)


def status_of(programme, today=TODAY):
    return Programme.objects.with_status(today).get(pk=programme.pk).status


@pytest.mark.django_db
class TestDerivedStatus:
    def test_no_dates_at_all_is_running(self):
        assert status_of(make_programme()) == Status.RUNNING

    def test_marked_as_announced_without_dates(self):
        assert status_of(make_programme(is_announced=True)) == Status.ANNOUNCED

    def test_start_tomorrow_is_announced_start_today_is_running(self):
        assert status_of(make_programme(start_date=TODAY + DAY)) == Status.ANNOUNCED
        assert status_of(make_programme(start_date=TODAY)) == Status.RUNNING

    def test_ended_yesterday_is_closed_ending_today_is_still_running(self):
        assert status_of(make_programme(end_date=TODAY - DAY)) == Status.CLOSED
        assert status_of(make_programme(end_date=TODAY)) == Status.RUNNING

    def test_window_covering_today_is_open_on_both_edge_days(self):
        opens_today = make_programme(windows=[(TODAY, TODAY + 10 * DAY)])
        closes_today = make_programme(windows=[(TODAY - 10 * DAY, TODAY)])
        assert status_of(opens_today) == Status.OPEN
        assert status_of(closes_today) == Status.OPEN

    def test_window_without_dates_means_apply_any_time(self):
        assert status_of(make_programme(windows=[(None, None)])) == Status.OPEN

    def test_window_closed_yesterday_falls_back_to_running(self):
        programme = make_programme(windows=[(TODAY - 30 * DAY, TODAY - DAY)])
        assert status_of(programme) == Status.RUNNING

    def test_window_opening_tomorrow_is_upcoming(self):
        programme = make_programme(windows=[(TODAY + DAY, TODAY + 30 * DAY)])
        assert status_of(programme) == Status.UPCOMING

    def test_an_open_window_wins_over_a_later_one(self):
        programme = make_programme(
            windows=[(TODAY - DAY, TODAY + DAY), (TODAY + 60 * DAY, TODAY + 90 * DAY)]
        )
        assert status_of(programme) == Status.OPEN

    def test_end_of_programme_wins_over_an_open_window(self):
        programme = make_programme(end_date=TODAY - DAY, windows=[(None, None)])
        assert status_of(programme) == Status.CLOSED

    def test_status_moves_with_the_day_asked_about(self):
        programme = make_programme(windows=[(date(2027, 1, 1), date(2027, 3, 31))])
        assert status_of(programme, date(2026, 12, 31)) == Status.UPCOMING
        assert status_of(programme, date(2027, 1, 1)) == Status.OPEN
        assert status_of(programme, date(2027, 4, 1)) == Status.RUNNING


@pytest.mark.django_db
def test_next_deadline_is_the_earliest_closing_date_from_today():
    programme = make_programme(
        windows=[
            (TODAY - 40 * DAY, TODAY - DAY),
            (TODAY, TODAY + 5 * DAY),
            (TODAY + 20 * DAY, TODAY + 50 * DAY),
        ]
    )
    found = Programme.objects.with_next_deadline(TODAY).get(pk=programme.pk)
    assert found.next_deadline == TODAY + 5 * DAY


@pytest.mark.django_db
def test_a_project_without_its_own_end_ends_with_the_programme_it_belongs_to():
    measure = make_programme("Maßnahme", end_date=TODAY - timedelta(days=1))
    open_ended = make_programme("Projekt ohne Ende", parent=measure)
    longer = make_programme("Projekt länger", parent=measure, end_date=TODAY + timedelta(days=9))
    running_parent = make_programme("Laufende Maßnahme")
    child = make_programme("Projekt darin", parent=running_parent)

    status = dict(Programme.objects.with_status(TODAY).values_list("title", "status"))
    assert status[open_ended.title] == Status.CLOSED
    assert status[longer.title] == Status.RUNNING
    assert status[child.title] == Status.RUNNING
