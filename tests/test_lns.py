"""Ruin and recreate: sub-problems are faithful slices, and rounds never lose ground."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from planner import lns
from planner.feasibility import replay_vehicle
from planner.lns import restrict
from planner.objective import objective
from planner.routing import _descend, _prize_scale, solve_routing
from planner.routing_data import Deadline, MealBreak, RoutingInput, SearchParameters
from tests.support.routing import BIG, HOUR, assert_schedule_feasible, make_input


def three_team_input() -> RoutingInput:
    # depots 0-2; node 3 is mandatory for vehicle 1, node 4 for vehicle 2; 5-9 optional
    pts = [(0, 0), (50, 0), (100, 0), (50, 10), (100, 10)] + [(10 * i, 30) for i in range(5)]
    return make_input(
        pts,
        vehicles=3,
        required=[-1, -1, -1, 1, 2, -1, -1, -1, -1, -1],
        prize=[0, 0, 0, 0, 0, 11, 12, 13, 14, 15],
        breaks=(None, MealBreak(100, 200, 30), None),
        vehicle_max_visits=(4, 5, 6),
    )


def test_restrict_keeps_the_group_and_the_offered_nodes_only() -> None:
    inp = three_team_input()
    sub = restrict(inp, [2, 1], [7, 5])
    # vehicle 2's depot, vehicle 1's depot, their mandatory nodes, then the offered ones
    assert sub.nodes.tolist() == [2, 1, 3, 4, 7, 5]
    assert sub.vehicles == (2, 1)
    assert sub.inp.starts == (0, 1) and sub.inp.ends == (0, 1)
    assert sub.inp.required_vehicle.tolist() == [-1, -1, 1, 0, -1, -1]
    assert sub.inp.prize.tolist() == [0, 0, 0, 0, 13, 11]
    assert sub.inp.travel[4, 5] == inp.travel[7, 5]
    assert sub.inp.vehicle_max_visits == (6, 5)
    assert sub.inp.breaks == (None, MealBreak(100, 200, 30))


def test_routes_round_trip_through_a_sub_problem() -> None:
    inp = three_team_input()
    sub = restrict(inp, [1, 2], [5, 6, 9])
    routes = [[8], [5, 3, 6], [4, 9]]
    assert sub.to_full(sub.to_sub(routes)) == [[5, 3, 6], [4, 9]]


@st.composite
def small_missions(draw: st.DrawFn) -> RoutingInput:
    """Two or three teams, each with one mandatory stop, and a dozen optional stations."""
    vehicles = draw(st.integers(2, 3))
    optional = draw(st.integers(6, 14))
    coord = st.integers(0, 3000)
    points = [(draw(coord), draw(coord)) for _ in range(vehicles * 2 + optional)]
    required = [-1] * vehicles + list(range(vehicles)) + [-1] * optional
    prize = [0] * (2 * vehicles) + [draw(st.integers(1, 9)) for _ in range(optional)]
    windows = [(0, BIG)] * (2 * vehicles) + [
        (start, start + draw(st.integers(600, 4 * HOUR)))
        for start in (draw(st.integers(0, 3 * HOUR)) for _ in range(optional))
    ]
    return make_input(
        points,
        vehicles=vehicles,
        required=required,
        prize=prize,
        windows=windows,
        service=[0] * vehicles + [300] * (vehicles + optional),
        return_latest=draw(st.integers(3 * HOUR, 6 * HOUR)),
        vehicle_max_visits=tuple(draw(st.integers(1, 5)) for _ in range(vehicles)),
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_missions(), st.integers(0, 3))
def test_rounds_never_lose_prize_and_keep_plans_feasible(inp: RoutingInput, seed: int) -> None:
    """The rounds start from the searched plan and only accept what is no worse."""
    searched = solve_routing(inp, time_limit_s=30, solution_limit=5, rounds=0)
    improved = solve_routing(inp, time_limit_s=30, solution_limit=5, rounds=8, seed=seed)
    assert improved.stats["lns_rounds"] == 8
    assert improved.prize_total >= searched.prize_total
    assert_schedule_feasible(inp, improved)
    for v, route in enumerate(improved.routes):
        mandatory = {n for n in range(inp.num_nodes) if inp.required_vehicle[n] == v}
        assert mandatory <= set(route)
        assert len([n for n in route if inp.required_vehicle[n] < 0]) <= inp.visit_caps[v]
    visited = [n for r in improved.routes for n in r]
    assert len(visited) == len(set(visited))


def test_same_seed_same_rounds_same_routes() -> None:
    rng = np.random.default_rng(7)
    points = [(0, 0), (2000, 2000), (100, 100), (1900, 1900)] + [
        (int(x), int(y)) for x, y in rng.integers(0, 2500, size=(16, 2))
    ]
    inp = make_input(
        points,
        vehicles=2,
        required=[-1, -1, 0, 1] + [-1] * 16,
        prize=[0, 0, 0, 0] + [int(p) for p in rng.integers(1, 9, size=16)],
        service=[0, 0] + [400] * 18,
        return_latest=4 * HOUR,
    )
    runs = [
        solve_routing(inp, time_limit_s=30, solution_limit=5, rounds=10, seed=3) for _ in range(2)
    ]
    assert runs[0].routes == runs[1].routes
    assert runs[0].stats["lns_rounds"] == 10


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_missions(), st.data())
def test_the_objective_without_a_solver_is_the_models(
    inp: RoutingInput, data: st.DataObject
) -> None:
    """Rounds compare routes by `objective`: it must be exactly what OR-Tools minimises,
    driving balance and urban/rural band included."""
    inp = replace(
        inp,
        max_drive=data.draw(st.integers(3000, 20_000)),
        mix_delta=np.array(
            [data.draw(st.sampled_from((-2, 3))) for _ in range(inp.num_nodes)], dtype=np.int64
        ),
        mix_band=data.draw(st.integers(0, 4)),
        mix_penalty=1,
    )
    result = solve_routing(inp, time_limit_s=30, solution_limit=5, rounds=4)
    assume("objective" in result.stats)  # a driving limit too short for the mandatory stops
    routes = [list(r) for r in result.routes]
    assert objective(inp, routes, _prize_scale(inp)) == result.stats["objective"]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_missions(), st.integers(0, 3))
def test_rounds_that_start_again_keep_the_best_plan_they_held(inp: RoutingInput, seed: int) -> None:
    """With a restart after every stuck round, the plan returned is the best one the
    rounds held when they started again, never the last path's."""
    scale = _prize_scale(inp)
    start = solve_routing(inp, time_limit_s=30, solution_limit=1, rounds=0)
    held: list[int] = []

    def cost_of(sub: RoutingInput, routes: list[list[int]]) -> int:
        cost = objective(sub, routes, scale)
        if sub is inp:
            held.append(cost)
        return cost

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lns, "RESTART_ROUNDS_PER_TEAM", 0)
        patch.setattr(lns, "RESTART_ROOM", 0)
        routes, done = lns.improve(
            inp,
            [list(r) for r in start.routes],
            cost_of,
            lambda sub, routes, limit: _descend(sub, routes, scale, limit),
            prize_scale=scale,
            rounds=30,
            deadline=Deadline(60),
            seed=seed,
        )
    assert done == 30
    assert objective(inp, routes, scale) == min(held)


def test_search_parameters_choose_the_search() -> None:
    """Other operators, a GLS weight, extra OR-Tools fields and rounds
    without ejection chains: still a valid answer, and no rounds when they are off."""
    inp = three_team_input()
    search = SearchParameters(
        first_solutions=(("PARALLEL_CHEAPEST_INSERTION", 2.0),),
        gls_lambda=0.2,
        operators=(("use_path_lns", True), ("use_relocate", False)),
        extra=(("log_search", False),),
        chains=False,
    )
    result = solve_routing(inp, time_limit_s=30, solution_limit=5, rounds=4, search=search)
    assert all(replay_vehicle(inp, v, r).on_time for v, r in enumerate(result.routes))
    assert result.stats["lns_rounds"] == 4
    plain = solve_routing(
        inp, time_limit_s=30, solution_limit=5, rounds=4, search=replace(search, rounds=False)
    )
    assert plain.stats["lns_rounds"] == 0
    assert all(replay_vehicle(inp, v, r).on_time for v, r in enumerate(plain.routes))
