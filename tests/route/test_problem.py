"""Route mode's problem: the travel matrix on the whole-minute grid."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from planner.route import (
    RouteStation,
    RouteTeam,
    TimeGrid,
    route_problem,
)
from planner.travel import MatrixTravel
from tests.support.route import (
    REFERENCE,
)


def test_travel_is_exact_seconds_or_rounded_up_to_minutes():
    """The model's travel is the matrix's, fractions of a second rounded up; on the
    whole-minute grid, whole minutes, never shorter than the travel model's."""
    stations = [RouteStation("A", 0, 0, 86_400, lat=43.25, lon=76.93)]
    teams = [RouteTeam("T", 0, 86_400, start_lat=43.2436, start_lon=76.9456)]
    matrix = MatrixTravel(("T", "A"), np.array([[0, 61], [60.2, 0]]))
    exact = route_problem(stations, teams, reference=REFERENCE, travel=matrix)
    assert exact.travel.tolist() == [[0, 61], [61, 0]]
    minutes = route_problem(stations, teams, reference=REFERENCE, travel=matrix, step=60)
    assert minutes.travel.tolist() == [[0, 120], [120, 0]]


def test_the_grid_rounds_stays_up_and_windows_inwards():
    """On whole minutes, a stay of 10.5 min takes 11; a window 09:00:30-09:59:30 becomes
    09:01-09:59; a team out at 08:00:10 and back by 17:59:50 works 08:01-17:59. To the
    second, nothing moves."""
    stations = [RouteStation("A", 630, 9 * 3600 + 30, 10 * 3600 - 30, lat=43.25, lon=76.93)]
    teams = [RouteTeam("T", 8 * 3600 + 10, 18 * 3600 - 10, start_lat=43.24, start_lon=76.94)]
    grid = TimeGrid.of(route_problem(stations, teams, reference=REFERENCE, step=60))
    assert grid.stay.tolist() == [660]
    assert (grid.open.tolist(), grid.close.tolist()) == ([9 * 3600 + 60], [10 * 3600 - 60])
    assert (grid.depart.tolist(), grid.back.tolist()) == ([8 * 3600 + 60], [18 * 3600 - 60])
    exact = TimeGrid.of(route_problem(stations, teams, reference=REFERENCE))
    assert (exact.stay.tolist(), exact.open.tolist()) == ([630], [9 * 3600 + 30])
    assert exact.back.tolist() == [18 * 3600 - 10]


def test_prizes_count_weights_to_two_decimals():
    stations = [
        RouteStation(k, 0, 0, 3600, weight=w, lat=43.25, lon=76.93)
        for k, w in (("A", 1.004), ("B", 2.5))
    ]
    teams = [RouteTeam("T", 0, 3600, start_lat=43.24, start_lon=76.94)]
    problem = route_problem(stations, teams, reference=REFERENCE)
    assert problem.prizes().tolist() == [100, 250]
    assert replace(problem, prize_per_weight=1000).prizes().tolist() == [1004, 2500]


@pytest.mark.parametrize(
    ("station", "team", "message"),
    [
        (RouteStation("A", -1, 0, 60), None, "stay, weight >= 0"),
        (RouteStation("A", 0, 120, 60), None, "open <= close"),
        (None, RouteTeam("T", 100, 50), "earliest_departure <= latest_return"),
        (None, RouteTeam("T", 0, 50, max_stops=-1), "max_stops"),
    ],
)
def test_a_problem_that_breaks_the_model_is_refused(station, team, message):  # type: ignore[no-untyped-def]
    stations = [station or RouteStation("A", 0, 0, 60)]
    teams = [team or RouteTeam("T", 0, 50)]
    with pytest.raises(ValueError, match=message):
        route_problem(
            stations, teams, reference=REFERENCE, travel=MatrixTravel(("T", "A"), np.zeros((2, 2)))
        )
