"""The fixture plan the route-mode tests share."""

from __future__ import annotations

import pytest

from planner.route import (
    RoutePlan,
    load_route_problem,
    solve_route,
)
from tests.support.route import (
    ROUTE,
)


@pytest.fixture(scope="module")
def fixture_plan() -> RoutePlan:
    problem = load_route_problem(ROUTE / "stations.csv", ROUTE / "teams.csv")
    return solve_route(problem, time_limit_s=1.0)
