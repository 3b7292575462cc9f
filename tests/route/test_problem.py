"""Route mode's problem: the travel matrix on the whole-minute grid."""

from __future__ import annotations

import numpy as np

from planner.route import (
    RouteStation,
    RouteTeam,
    route_problem,
)
from planner.travel import MatrixTravel
from tests.route.support import (
    REFERENCE,
)


def test_travel_is_rounded_up_to_minutes():
    """The model's travel is whole minutes, never shorter than the travel model's."""
    stations = [RouteStation("A", 0, 0, 86_400, lat=43.25, lon=76.93)]
    teams = [RouteTeam("T", 0, 86_400, start_lat=43.2436, start_lon=76.9456)]
    exact = np.array([[0, 61], [61, 0]])
    problem = route_problem(
        stations, teams, reference=REFERENCE, travel=MatrixTravel(("T", "A"), exact)
    )
    assert problem.travel.tolist() == [[0, 120], [120, 0]]
