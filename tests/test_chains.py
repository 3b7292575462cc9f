"""Ejection chains: a hand-over over two teams is found, and recombining never loses."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.chains import chain_columns, recombine
from planner.lns import chain_sweep
from planner.objective import objective
from planner.routing import _descend, _prize_scale
from planner.routing_data import Deadline, RoutingInput
from tests.support.routing import make_input


def hand_over_input() -> RoutingInput:
    """Team A (base at 0) and team B (base at 1000) on a line, two visits each at most.

    A has the time for its far station c (at -400, worth 10) or for the pair s1, s2 near
    its base (worth 6 each), not both; B has the time to drive to the pair and back.
    u1, u2 (worth 6 each) lie next to B's base.
    """
    xs = [0, 1000, -400, 100, 120, 950, 970]  # A, B, c, s1, s2, u1, u2
    inp = make_input(
        [(x, 0) for x in xs],
        vehicles=2,
        prize=[0, 0, 10, 6, 6, 6, 6],
        vehicle_max_visits=(2, 2),
    )
    return replace(inp, return_latest=np.array([900, 2000], dtype=np.int64))


def sweep(inp: RoutingInput, routes: list[list[int]]) -> list[list[int]] | None:
    scale = _prize_scale(inp)
    return chain_sweep(
        inp,
        routes,
        [2, 3, 4, 5, 6],
        lambda sub, r: objective(sub, r, scale),
        lambda sub, r, limit: _descend(sub, r, scale, limit),
        scale,
        Deadline(30),
    )


def collected(inp: RoutingInput, routes: list[list[int]]) -> int:
    return sum(int(inp.prize[n]) for r in routes for n in r)


def test_a_team_drops_its_far_station_for_its_neighbours_pair() -> None:
    """A gives up c and takes s1, s2 off B, which fills its day with u1, u2: 24 for 22.

    Neither team can do better alone: the chain is the only way up.
    """
    inp = hand_over_input()
    better = sweep(inp, [[2], [3, 4]])
    assert better is not None
    assert sorted(better[0]) == [3, 4] and sorted(better[1]) == [5, 6]
    assert collected(inp, better) == 24


def test_no_chain_is_reported_on_the_best_plan() -> None:
    inp = hand_over_input()
    assert sweep(inp, [[3, 4], [5, 6]]) is None


def test_a_chain_hands_the_roots_stations_on_and_bars_what_each_team_lost() -> None:
    """Team 0 gives up its root visit 2, keeps 8 or takes team 1's pair (3, 4) and gives
    up 8; team 1, robbed, may then take 8 but never 3 or 4 back; team 2 is untouched.

    The team search here fills a day with every station it is allowed: what the chain
    lets each team have is what its routes show.
    """
    optional = {2, 3, 4, 5, 6, 7, 8}

    def team_search(
        v: int, start: list[int], barred: set[int], takes: bool, given_up: set[int], left: float
    ) -> list[int] | None:
        if v == 0 and takes:
            return [3, 4]  # takes team 1's pair and gives up station 8
        free = sorted(given_up - barred - set(start)) if v == 1 else []
        return [*start, *free]

    routes = [[2, 8], [3, 4], [7]]
    columns = chain_columns(routes, [(2, 0)], optional, team_search, Deadline(3600))
    assert columns[0] == {(8,), (3, 4)}  # never 2 again
    assert columns[1] == {(8,)}  # 8, given up by team 0; not 3 or 4, lost to it
    assert columns[2] == set()


def test_recombine_takes_a_chain_only_whole() -> None:
    prize = np.array([0, 5, 5, 5, 5])
    optional = {1, 2, 3, 4}

    def cost(v: int, route: list[int]) -> int:
        return len(route)

    # team 0 may take station 2 off team 1 and add 3; team 1 can then go to 4 instead
    routes = [[1], [2]]
    assert recombine(routes, [{(2, 3)}, {(4,)}], prize, optional, cost, 100, Deadline(5)) == [
        [2, 3],
        [4],
    ]
    # without an alternative for team 1, taking its station would visit 2 twice
    assert recombine(routes, [{(2, 3)}, set()], prize, optional, cost, 100, Deadline(5)) == routes


@st.composite
def pools(draw: st.DrawFn) -> tuple[list[list[int]], list[set[tuple[int, ...]]], np.ndarray]:
    """Disjoint current routes over stations 1..12 and a few candidate routes per team."""
    teams = draw(st.integers(1, 4))
    stations = list(range(1, 13))
    order = draw(st.permutations(stations))
    cuts = sorted(draw(st.lists(st.integers(0, 12), min_size=teams - 1, max_size=teams - 1)))
    bounds = [0, *cuts, draw(st.integers(cuts[-1] if cuts else 0, 12))]
    routes = [list(order[a:b]) for a, b in pairwise(bounds)]
    route = st.lists(st.sampled_from(stations), max_size=5, unique=True).map(tuple)
    columns = [set(draw(st.lists(route, max_size=4))) for _ in range(teams)]
    prize = np.array([0] + [draw(st.integers(1, 9)) for _ in stations])
    return routes, columns, prize


@settings(max_examples=60, deadline=None)
@given(pools())
def test_recombine_never_loses_and_never_visits_a_station_twice(
    case: tuple[list[list[int]], list[set[tuple[int, ...]]], np.ndarray],
) -> None:
    routes, columns, prize = case
    optional = set(range(1, 13))

    def cost(v: int, route: list[int]) -> int:
        return 7 * len(route) + v

    chosen = recombine(routes, columns, prize, optional, cost, 100, Deadline(5))
    assert len(chosen) == len(routes)
    for v, r in enumerate(chosen):
        assert r == routes[v] or tuple(r) in columns[v]
    flat = [n for r in chosen for n in r]
    assert len(flat) == len(set(flat))

    def value(rs: list[list[int]]) -> int:
        return sum(100 * sum(int(prize[n]) for n in r) - cost(v, r) for v, r in enumerate(rs))

    assert value(chosen) >= value(routes)
