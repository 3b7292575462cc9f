"""The route replay: against a brute-force simulation of every way to drive, wait and
break, and the latest departure against trying every departure."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.feasibility import Nodes, latest_departure, replay, replay_vehicle
from planner.routing_data import MealBreak
from tests.support.routing import make_input


@dataclass(frozen=True)
class Case:
    nodes: Nodes
    route: list[int]
    depart: int
    return_latest: int
    meal: MealBreak | None


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Depot 0 and up to five stops on small integer times, so that brute force can try
    every break start and every split of the drive around it."""
    n = draw(st.integers(1, 5)) + 1
    travel = np.array(
        [[0 if i == j else draw(st.integers(0, 12)) for j in range(n)] for i in range(n)]
    )
    opens = np.array([0] + [draw(st.integers(0, 60)) for _ in range(n - 1)])
    closes = opens + np.array([0] + [draw(st.integers(0, 30)) for _ in range(n - 1)])
    closes[0] = 10**6
    service = np.array([0] + [draw(st.integers(0, 10)) for _ in range(n - 1)])
    until = np.array([-1] + [draw(st.sampled_from([-1, -1, 40, 70])) for _ in range(n - 1)])
    route = draw(st.permutations(list(range(1, n))))
    meal = None
    if draw(st.booleans()):
        earliest = draw(st.integers(0, 60))
        meal = MealBreak(earliest, earliest + draw(st.integers(0, 20)), draw(st.integers(1, 8)))
    return Case(
        Nodes(travel, service, opens, closes, until),
        list(route),
        draw(st.integers(0, 20)),
        draw(st.integers(40, 140)),
        meal,
    )


def brute_force(case: Case) -> tuple[bool, tuple[int, ...], int] | None:
    """On time?, the stays' starts and the return, by trying every gap for the break,
    every minute it could start and every split of the drive around it; the choice the
    replay documents: on time, then the earliest stays, then the earliest return.
    Without a meal, the plain earliest simulation. None when no break fits anywhere."""
    nodes, route = case.nodes, case.route
    path = [0, *route, 0]

    def drive(gap: int | None, break_start: int | None, split: int) -> tuple[int, list[int], int]:
        t, starts, late = case.depart, [], 0
        for k in range(len(path) - 1):
            a, b = path[k], path[k + 1]
            leg = int(nodes.travel[a, b])
            if k == gap:
                assert break_start is not None
                t = break_start + case.meal.duration + (leg - split)  # type: ignore[union-attr]
            else:
                t += leg
            if k == len(path) - 2:
                return late + max(0, t - case.return_latest), starts, t
            start = max(t, int(nodes.window_open[b]))
            late += max(0, start - int(nodes.window_close[b]))
            starts.append(start)
            t = max(start + int(nodes.service[b]), int(nodes.leave_not_before[b]))  # type: ignore[index]
        raise AssertionError

    if case.meal is None:
        late, starts, back = drive(None, None, 0)
        return late == 0, tuple(starts), back
    best = None
    for gap in range(len(path) - 1):
        t = _leave_before_gap(case, gap)
        leg = int(nodes.travel[path[gap], path[gap + 1]])
        for split in range(leg + 1):
            for s in range(case.meal.earliest, case.meal.latest + 1):
                if s < t + split:
                    continue
                late, starts, back = drive(gap, s, split)
                key = (late, tuple(starts), back)
                if best is None or key < best:
                    best = key
    if best is None:
        return None
    return best[0] == 0, best[1], best[2]


def _leave_before_gap(case: Case, gap: int) -> int:
    """When the team leaves the stop before gap `gap` (no break taken before it)."""
    nodes, path = case.nodes, [0, *case.route]
    t = case.depart
    for k in range(gap):
        a, b = path[k], path[k + 1]
        start = max(t + int(nodes.travel[a, b]), int(nodes.window_open[b]))
        t = max(start + int(nodes.service[b]), int(nodes.leave_not_before[b]))  # type: ignore[index]
    return t


def _replay(case: Case, depart: int | None = None):  # type: ignore[no-untyped-def]
    return replay(
        case.nodes,
        case.route,
        start=0,
        end=0,
        depart=case.depart if depart is None else depart,
        return_latest=case.return_latest,
        meal=case.meal,
    )


@settings(max_examples=150, deadline=None)
@given(cases())
def test_replay_matches_brute_force(case: Case) -> None:
    timeline = _replay(case)
    expected = brute_force(case)
    if expected is None:
        assert timeline.meal_missed and not timeline.on_time
        return
    on_time, starts, back = expected
    assert timeline.on_time == on_time
    assert timeline.starts == starts
    assert timeline.back == back
    for stop in timeline.stops:
        assert stop.wait == stop.start - stop.arrive >= 0
        assert stop.late == max(0, stop.start - int(case.nodes.window_close[stop.node]))
    if case.meal is not None:
        assert timeline.meal_start is not None
        assert case.meal.earliest <= timeline.meal_start <= case.meal.latest


@settings(max_examples=80, deadline=None)
@given(cases())
def test_latest_departure_is_the_last_that_keeps_the_return(case: Case) -> None:
    first = _replay(case)
    if not first.on_time:
        with pytest.raises(ValueError, match="not on time"):
            latest_departure(
                case.nodes, case.route, start=0, end=0, earliest=case.depart,
                latest=case.depart + 50, return_latest=case.return_latest, meal=case.meal,
            )  # fmt: skip
        return
    found = latest_departure(
        case.nodes, case.route, start=0, end=0, earliest=case.depart,
        latest=case.depart + 50, return_latest=case.return_latest, meal=case.meal,
    )  # fmt: skip
    keeps = [
        d
        for d in range(case.depart, case.depart + 51)
        if _replay(case, d).on_time and _replay(case, d).back <= first.back
    ]
    assert found == max(keeps)


def test_a_missed_window_is_lateness_not_a_skip() -> None:
    """Depot 0, stop 1 reachable in 10 s but closing at 5: the stay is late by 5 s."""
    nodes = Nodes(
        np.array([[0, 10], [10, 0]]), np.array([0, 3]), np.array([0, 0]), np.array([10**6, 5])
    )
    timeline = replay(nodes, [1], start=0, end=0, depart=0, return_latest=100)
    assert [(s.arrive, s.start, s.depart, s.late) for s in timeline.stops] == [(10, 10, 13, 5)]
    assert timeline.back == 23 and timeline.travel == 20
    assert timeline.late == 5 and not timeline.on_time


def test_the_break_uses_waiting_time_first() -> None:
    """A wait of 30 s before stop 2 holds the 20-s break: no stay moves, and the break is
    taken there rather than before stop 1, which it would delay."""
    travel = np.array([[0, 5, 5], [5, 0, 5], [5, 5, 0]])
    nodes = Nodes(travel, np.array([0, 5, 5]), np.array([0, 0, 45]), np.array([10**6, 50, 60]))
    meal = MealBreak(0, 40, 20)
    timeline = replay(nodes, [1, 2], start=0, end=0, depart=0, return_latest=100, meal=meal)
    assert timeline.starts == (5, 45)
    assert timeline.meal_gap == 1 and timeline.on_time


def test_replay_vehicle_reads_the_routers_input() -> None:
    inp = make_input([(0, 0), (0, 100), (0, 200)], vehicles=1, prize=[0, 1, 1])
    timeline = replay_vehicle(inp, 0, [1, 2])
    assert timeline.depart == int(inp.depart_earliest[0])
    assert timeline.travel == int(inp.travel[0, 1] + inp.travel[1, 2] + inp.travel[2, 0])
