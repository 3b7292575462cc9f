"""Route mode's schedules: the latest departure, the earliest stays, unreachable stations."""

from __future__ import annotations

from itertools import pairwise

import pytest

from planner.route import RouteStation, TimeGrid, route_problem, unreachable_stations
from planner.route.schedule import schedule, team_departure, team_timeline
from tests.support.route import MIN, REFERENCE, clock, seconds, team


def _problem():  # type: ignore[no-untyped-def]
    stations = [
        RouteStation("A", 30 * MIN, clock("10:00"), clock("10:30"), 1, lat=43.25, lon=76.93),
        RouteStation("B", 20 * MIN, clock("09:00"), clock("16:00"), 1, lat=43.26, lon=76.95),
        RouteStation("Far", 10 * MIN, clock("08:00"), clock("08:05"), 1, lat=44.5, lon=78.5),
    ]
    teams = [team("T", 43.2436, 76.9456, "07:00", "18:00", max_stops=2)]
    return route_problem(stations, teams, reference=REFERENCE)


def test_the_team_leaves_as_late_as_its_first_window_allows() -> None:
    problem = _problem()
    grid = TimeGrid.of(problem)
    depart = team_departure(problem, grid, 0, [0, 1])
    timeline = team_timeline(problem, grid, 0, [0, 1], depart)
    assert timeline.stops[0].start == clock("10:00") and timeline.stops[0].wait == 0
    assert depart == clock("10:00") - int(problem.travel[0, problem.station_node(0)])
    # B follows A straight away: its stay starts on arrival
    assert timeline.stops[1].wait == 0
    early = team_timeline(problem, grid, 0, [0, 1], clock("07:00"))
    assert early.back == timeline.back


def test_rows_are_the_timeline() -> None:
    problem = _problem()
    rows, travel = schedule(problem, [(0, 1)])
    assert [r.site_id for r in rows] == ["T", "A", "B", "T"]
    assert seconds(problem, rows[1].arrive) == clock("10:00")
    assert seconds(problem, rows[1].depart) == clock("10:30")
    nodes = [0, problem.station_node(0), problem.station_node(1), 0]
    assert travel == sum(int(problem.travel[a, b]) for a, b in pairwise(nodes))


def test_a_route_that_misses_a_window_or_the_cap_is_refused() -> None:
    problem = _problem()
    with pytest.raises(ValueError, match="team T"):
        schedule(problem, [(2,)])  # Far closes at 08:05, over an hour away
    with pytest.raises(ValueError, match="team T"):
        schedule(problem, [(1, 0, 2)])


def test_unreachable_stations_are_those_no_team_reaches_alone() -> None:
    assert unreachable_stations(_problem()) == [2]
