"""The prize-collecting router on hand-built instances small enough to reason about."""

from __future__ import annotations

from itertools import combinations, permutations

import numpy as np
import pytest

from planner.routing_data import STATUS_DONE, MealBreak, RoutingInput
from tests.support.routing import BIG, HOUR, assert_schedule_feasible, make_input, solve


def test_windows_respected() -> None:
    """Every visit starts inside its time window, in a feasible order."""
    pts = [(0, 0), (100, 0), (200, 0), (300, 0), (0, 300), (150, 150)]
    windows = [(0, BIG), (2000, 2500), (500, 700), (100, 400), (1000, 1400), (3000, 3600)]
    inp = make_input(pts, windows=windows, service=[0, 200, 200, 200, 200, 200])
    res = solve(inp)
    assert_schedule_feasible(inp, res)
    assert sorted(res.routes[0]) == [1, 2, 3, 4, 5]
    assert res.prize_total == 50


def test_mandatory_nodes_visited_by_their_vehicle() -> None:
    """A node required of one vehicle is on that vehicle's route, and only there."""
    pts = [(0, 0), (1000, 0), (10, 0), (990, 0), (500, 0), (520, 0)]
    # Node 2 is next to depot 0 but must go with vehicle 1; node 3 the other way round.
    required = [-1, -1, 1, 0, -1, -1]
    inp = make_input(pts, vehicles=2, required=required, prize=[0, 0, 0, 0, 10, 10])
    res = solve(inp)
    assert 2 in res.routes[1] and 2 not in res.routes[0]
    assert 3 in res.routes[0] and 3 not in res.routes[1]
    assert sorted(res.routes[0] + res.routes[1]) == [2, 3, 4, 5]
    assert res.prize_total == 20
    assert_schedule_feasible(inp, res)


def test_only_fixed_stops_end_on_the_first_plan_not_the_clock() -> None:
    """With nothing optional (a closing-only day) there is nothing to search for: the
    router returns its first plan, done, however long the time limit."""
    pts = [(0, 0), (1000, 0), (300, 0), (700, 0), (900, 0)]
    windows = [(0, BIG), (0, BIG), (HOUR, 2 * HOUR), (3 * HOUR, 4 * HOUR), (3 * HOUR, 4 * HOUR)]
    inp = make_input(pts, vehicles=2, required=[-1, -1, 0, 0, 1], windows=windows)
    res = solve(inp, limit=120)
    assert not res.cut_by_time and res.status == STATUS_DONE
    assert [list(r) for r in res.routes] == [[2, 3], [4]]
    assert_schedule_feasible(inp, res)


def test_prize_dominates_travel_with_one_slot() -> None:
    """With room for one visit, the far high-prize station beats the near low-prize one."""
    pts = [(0, 0), (50, 0), (5000, 0)]
    inp = make_input(pts, prize=[0, 10, 11], max_visits=1)
    res = solve(inp)
    assert res.routes[0] == (2,)
    assert res.prize_total == 11


def test_prize_dominates_travel_when_only_one_fits_the_day() -> None:
    """When the day has time for one stay only, the router takes the larger prize."""
    pts = [(0, 0), (60, 0), (3000, 0)]
    inp = make_input(pts, prize=[0, 100, 150], service=[0, 4000, 4000], return_latest=11_000)
    res = solve(inp)
    assert res.routes[0] == (2,)
    assert_schedule_feasible(inp, res)


def test_travel_breaks_ties_between_equal_prizes() -> None:
    """Among equally valuable choices, the shorter drive wins."""
    pts = [(0, 0), (50, 0), (5000, 0)]
    res = solve(make_input(pts, prize=[0, 10, 10], max_visits=1))
    assert res.routes[0] == (1,)
    assert res.travel_total == 100


def test_max_visits_counts_only_optional_nodes() -> None:
    """A vehicle makes at most `max_visits` optional visits, plus its mandatory ones."""
    pts = [(0, 0)] + [(100 * k, 50) for k in range(1, 8)]
    required = [-1, 0, 0] + [-1] * 5
    inp = make_input(pts, required=required, max_visits=3)
    res = solve(inp)
    route = res.routes[0]
    assert {1, 2} <= set(route)
    assert len([n for n in route if required[n] < 0]) == 3


def test_infeasible_mandatory_node_returns_empty_result() -> None:
    """A mandatory stop nobody can reach in time gives empty routes, not an exception."""
    pts = [(0, 0), (5000, 0), (10, 0)]
    windows = [(0, BIG), (0, 100), (0, BIG)]
    inp = make_input(pts, windows=windows, required=[-1, 0, -1])
    res = solve(inp)
    assert res.routes == ((),)
    assert res.prize_total == 0
    assert isinstance(res.status, str) and res.status != "SUCCESS"


def test_meal_break_leaves_a_gap_in_its_window() -> None:
    """A vehicle with a meal break has a stay-free gap of the break's length in its window."""
    pts = [(0, 0)] + [(100 * k, 0) for k in range(1, 9)]
    windows = [(0, BIG)] + [(0, 20 * HOUR)] * 8
    meal = MealBreak(4 * HOUR, 5 * HOUR, HOUR)
    inp = make_input(
        pts,
        windows=windows,
        service=[0] + [HOUR] * 8,
        return_latest=10 * HOUR,
        breaks=(meal,),
    )
    res = solve(inp)
    assert_schedule_feasible(inp, res)
    route, starts = res.routes[0], res.starts[0]
    # Nine hours of stays would fill the day; with a one-hour break only eight fit.
    assert len(route) <= 8
    ends = [s + int(inp.service[n]) for n, s in zip(route, starts, strict=True)]
    gaps = [(res.depart_depot[0], starts[0])] if route else []
    gaps += list(zip(ends, starts[1:], strict=False))
    gaps.append((ends[-1], 10 * HOUR))
    assert any(
        b - a >= meal.duration and a <= meal.latest and b - meal.duration >= meal.earliest
        for a, b in gaps
    )


def test_max_drive_limits_a_vehicle() -> None:
    """A vehicle never drives more than `max_drive` seconds in total."""
    pts = [(0, 0), (1000, 0), (-1000, 0), (0, 1000), (0, -1000)]
    res = solve(make_input(pts, max_drive=4100))
    assert res.travel_total <= 4100
    assert len(res.routes[0]) == 2


# --- brute force -----------------------------------------------------------------------------


def best_prize(inp: RoutingInput) -> int:
    """The most prize one vehicle can collect, by trying every order of every subset."""
    nodes = range(1, inp.num_nodes)
    best = 0
    for k in range(1, inp.num_nodes):
        for subset in combinations(nodes, k):
            prize = int(sum(inp.prize[n] for n in subset))
            if prize <= best or k > inp.max_visits:
                continue
            for order in permutations(subset):
                t, prev, ok = int(inp.depart_latest[0]), 0, True
                for n in order:
                    t = max(t + int(inp.travel[prev, n]), int(inp.window_open[n]))
                    if t > inp.window_close[n]:
                        ok = False
                        break
                    t += int(inp.service[n])
                    prev = n
                if ok and t + inp.travel[prev, 0] <= inp.return_latest[0]:
                    best = prize
                    break
    return best


@pytest.mark.parametrize("seed", range(5))
def test_solver_finds_the_best_prize_on_a_tiny_instance(seed: int) -> None:
    """On 5 optional stations and 1 vehicle the router collects the brute-force optimum."""
    rng = np.random.default_rng(seed)
    pts = [(0.0, 0.0)] + [tuple(rng.uniform(-1500, 1500, 2)) for _ in range(5)]
    opens = rng.integers(0, 3000, 6)
    windows = [(0, BIG)] + [(int(o), int(o) + int(rng.integers(300, 1500))) for o in opens[1:]]
    prize = [0] + [int(p) for p in rng.integers(1, 20, 5)]
    service = [0] + [int(s) for s in rng.integers(100, 600, 5)]
    inp = make_input(
        pts, windows=windows, prize=prize, service=service, return_latest=5000, max_visits=4
    )
    expected = best_prize(inp)
    assert expected > 0
    res = solve(inp)
    assert res.prize_total == expected
    assert_schedule_feasible(inp, res)
    assert len(res.routes[0]) <= 4
