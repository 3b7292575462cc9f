"""Route mode's search on PyVRP: exact on what it models, a count of work from the time
limit, the same search in any time unit, and set partitioning that never loses."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from planner import pyvrp_router
from planner.feasibility import Nodes, replay, replay_vehicle
from planner.pyvrp_router import iterations_for, solve_pyvrp, supports, time_unit
from planner.routing_data import Deadline, MealBreak, RoutingInput
from tests.support.routing import make_input
from tests.test_determinism import route_like


def scaled(inp: RoutingInput, factor: int) -> RoutingInput:
    return replace(
        inp,
        travel=inp.travel * factor,
        service=inp.service * factor,
        window_open=inp.window_open * factor,
        window_close=inp.window_close * factor,
        depart_earliest=inp.depart_earliest * factor,
        depart_latest=inp.depart_latest * factor,
        return_latest=inp.return_latest * factor,
    )


def assert_feasible(inp: RoutingInput, routes: tuple[tuple[int, ...], ...]) -> None:
    seen = [n for r in routes for n in r]
    assert len(seen) == len(set(seen))
    for v, route in enumerate(routes):
        assert len(route) <= inp.visit_caps[v]
        timeline = replay(
            Nodes.of(inp),
            route,
            start=inp.starts[v],
            end=inp.ends[v],
            depart=int(inp.depart_earliest[v]),
            return_latest=int(inp.return_latest[v]),
        )
        assert timeline.on_time


def test_pyvrp_takes_only_what_it_models_exactly() -> None:
    inp = route_like()
    assert supports(inp)
    assert supports(replace(inp, required_vehicle=np.r_[-1, 0, inp.required_vehicle[2:]]))
    assert not supports(replace(inp, breaks=(MealBreak(0, 10, 5),)))
    assert not supports(replace(inp, balance_coefficient=1))
    with pytest.raises(ValueError, match="cannot model"):
        solve_pyvrp(
            replace(inp, balance_coefficient=1), iterations=10, seed=0, deadline=Deadline(5)
        )


def test_a_stop_mandatory_for_a_team_is_on_that_team_s_route_only() -> None:
    """Each team's own stops lie next to the other team's base: PyVRP's plain search
    would swap them; the per-team routing profiles keep every one with its team."""
    points = [(0, 0), (1000, 0), (990, 10), (980, -10), (10, 10), (20, -10)]
    points += [(100 * k, 300) for k in range(1, 10)]
    required = [-1, -1, 0, 0, 1, 1] + [-1] * 9
    inp = make_input(
        points,
        vehicles=2,
        required=required,
        return_latest=4000,
        max_visits=3,
        balance_coefficient=0,
    )
    found = solve_pyvrp(inp, iterations=1500, seed=1, deadline=Deadline(30))
    seen = [n for r in found.routes for n in r]
    assert len(seen) == len(set(seen))
    for v, route in enumerate(found.routes):
        assert replay_vehicle(inp, v, route).on_time
    assert {2, 3} <= set(found.routes[0]) and {4, 5} <= set(found.routes[1])
    mandatory = {2, 3, 4, 5}
    assert all(len(set(r) - mandatory) <= 3 for r in found.routes)  # the cap: optional only
    assert found.prize_total > 0


def test_the_work_is_a_count_from_the_time_limit_and_the_input() -> None:
    """More time, more iterations; more vehicles, fewer per second; never below the floor."""
    inp = route_like()
    assert iterations_for(inp, 10) == iterations_for(inp, 10)
    assert iterations_for(inp, 20) > iterations_for(inp, 10) > iterations_for(inp, 1)
    one = replace(inp, starts=(0,), ends=(0,), depart_earliest=inp.depart_earliest[:1])
    assert iterations_for(one, 10) > iterations_for(inp, 10)
    assert iterations_for(inp, 0.001) == pyvrp_router.MIN_RUN


def test_the_same_instance_in_another_time_unit_is_the_same_search() -> None:
    inp = route_like()
    assert time_unit(inp) == 1 and time_unit(scaled(inp, 60)) == 60
    plans = [
        solve_pyvrp(scaled(inp, f), iterations=2000, seed=1, deadline=Deadline(600))
        for f in (1, 10, 100)
    ]
    assert plans[0].routes == plans[1].routes == plans[2].routes
    assert plans[0].prize_total == plans[2].prize_total > 0


def test_caps_distinct_ends_and_windows_hold() -> None:
    """Two teams from one base, one ending elsewhere, caps of 2 and 3 stops."""
    points = [(0, 0), (900, 0)] + [(100 * k, 50 * (k % 3)) for k in range(1, 11)]
    inp = make_input(
        points,
        vehicles=2,
        prize=[0, 0, *range(1, 11)],
        service=[0, 0, *([120] * 10)],
        windows=[(0, 10**6)] * 2 + [(0, 3000)] * 10,
        depart=(0, 600),
        return_latest=4000,
        vehicle_max_visits=(2, 3),
        balance_coefficient=0,
    )
    inp = replace(inp, starts=(0, 0), ends=(0, 1))
    result = solve_pyvrp(inp, iterations=2000, seed=0, deadline=Deadline(600))
    assert_feasible(inp, result.routes)
    assert len(result.routes[0]) <= 2 and len(result.routes[1]) <= 3
    assert result.prize_total == sum(int(inp.prize[n]) for r in result.routes for n in r)
    assert not result.cut_by_time


def test_set_partitioning_recombines_routes_never_worse_and_never_twice() -> None:
    """Routes of two plans the search held recombine into a better one; a station is
    never taken twice, a vehicle type never used more than it has vehicles."""
    enc = pyvrp_router._encode(route_like())  # three vehicles of one type
    held = [(0, (1, 2)), (0, (3,)), (0, (4,))]
    pool = {
        (0, (1, 2)): (10, 100),
        (0, (3,)): (5, 50),
        (0, (4,)): (5, 50),
        (0, (3, 5)): (9, 80),  # better than (3,) alone
        (0, (2, 6)): (30, 90),  # the best route, but it shares station 2 with (1, 2)
        (0, (1, 7)): (8, 60),
    }
    chosen = pyvrp_router._partition(pool, held, enc, 1.0, Deadline(60))
    stations = [c for _, visits in chosen for c in visits]
    assert len(stations) == len(set(stations)) and len(chosen) <= 3
    assert sorted(chosen) == [(0, (1, 7)), (0, (2, 6)), (0, (3, 5))]  # 47 against 20
    assert pyvrp_router._partition({k: pool[k] for k in held}, held, enc, 1.0, Deadline(60)) == (
        held
    )


def test_every_segment_ends_with_a_set_partitioning_and_a_feasible_plan() -> None:
    """The segments' set partitionings run, and the plan stays feasible."""
    inp = route_like(seed=11)
    result = solve_pyvrp(inp, iterations=2500, seed=0, deadline=Deadline(600))
    assert result.stats["partitions"] == pyvrp_router.SEGMENTS
    assert_feasible(inp, result.routes)


def test_nothing_worth_visiting_gives_empty_routes() -> None:
    """No prize anywhere: no route is worth driving, and the set partitioning has no
    route to choose from."""
    inp = replace(route_like(), prize=np.zeros_like(route_like().prize))
    result = solve_pyvrp(inp, iterations=1500, seed=0, deadline=Deadline(600))
    assert result.prize_total == 0 and not any(result.routes)
    assert not result.cut_by_time
