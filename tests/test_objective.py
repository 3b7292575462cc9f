"""The router's objective computed without a solver: its terms by hand, and the same
number OR-Tools reports for the routes it returns."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from planner.objective import BALANCE_SHARE, objective, route_cost
from planner.routing import _prize_scale, solve_routing
from tests.support.routing import make_input


def line_input(**kw):  # type: ignore[no-untyped-def]
    """Depot 0 at x=0, stations at x=100, 200, 300 worth 4, 5, 6."""
    return make_input([(0, 0), (100, 0), (200, 0), (300, 0)], prize=[0, 4, 5, 6], **kw)


def test_route_cost_is_the_round_trip_without_prizes() -> None:
    inp = line_input(balance_coefficient=0)
    assert route_cost(inp, 0, [1, 3], prize_scale=1000) == 100 + 200 + 300
    assert route_cost(inp, 0, [], prize_scale=1000) == 0


def test_driving_above_the_soft_share_costs_extra() -> None:
    """Each second of driving above `BALANCE_SHARE` of the cap costs the coefficient."""
    inp = line_input(max_drive=500, balance_coefficient=3)
    soft = int(500 * BALANCE_SHARE)
    assert route_cost(inp, 0, [3], prize_scale=1) == 600 + 3 * (600 - soft)
    assert route_cost(inp, 0, [1], prize_scale=1) == 200  # under the soft cap


def test_mix_outside_its_band_costs_prize_units() -> None:
    mix = np.array([0, 5, 5, -5])
    inp = line_input(balance_coefficient=0, mix_delta=mix, mix_band=4, mix_penalty=2)
    # +10 against a band of 4: 6 units, each 2 prize units of 7 objective units
    assert route_cost(inp, 0, [1, 2], prize_scale=7) == 400 + 6 * 2 * 7
    assert route_cost(inp, 0, [1, 3], prize_scale=7) == 600  # +5 - 5: inside


def test_objective_adds_the_prize_of_every_optional_station_left_out() -> None:
    inp = line_input(balance_coefficient=0, required=[-1, -1, 0, -1])
    # station 2 is mandatory: its prize never counts; 1 (4) and 3 (6) are optional
    assert objective(inp, [[2]], prize_scale=10) == 400 + (4 + 6) * 10
    assert objective(inp, [[1, 2, 3]], prize_scale=10) == 600


@pytest.mark.parametrize("balance", [0, 1])
def test_objective_equals_the_solvers(balance: int) -> None:
    """Two teams, a cap and a drive limit that force choices: OR-Tools' objective for the
    routes it returns is what `objective` computes for them."""
    rng = np.random.default_rng(4)
    points = [(0.0, 0.0), (900.0, 0.0)] + [tuple(p) for p in rng.uniform(0, 900, (8, 2))]
    inp = make_input(
        points,  # type: ignore[arg-type]
        vehicles=2,
        prize=[0, 0, *rng.integers(1, 9, 8).tolist()],
        vehicle_max_visits=(3, 3),
        max_drive=2500,
        balance_coefficient=balance,
    )
    inp = replace(inp, depart_latest=np.array([0, 0]))
    result = solve_routing(inp, time_limit_s=5, solution_limit=20, rounds=0)
    routes = [list(r) for r in result.routes]
    assert result.stats["objective"] == objective(inp, routes, _prize_scale(inp))
