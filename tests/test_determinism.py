"""Both routers stop on counts of work: the same input and seed give the same routes
whatever the machine's load, and the time limit, when it cuts, says so."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from planner.pyvrp_router import solve_pyvrp, supports
from planner.routing import DEFAULT_SEARCH, solve_routing, work_for
from planner.routing_data import Deadline, MealBreak, RoutingInput
from tests.support.routing import BIG, HOUR, make_input


def election_like(seed: int = 3) -> RoutingInput:
    """Four teams with a mandatory stop and a meal break each, 40 optional stations."""
    rng = np.random.default_rng(seed)
    vehicles, optional = 4, 40
    points = [tuple(p) for p in rng.integers(0, 6000, size=(2 * vehicles + optional, 2))]
    opens = rng.integers(0, 4 * HOUR, size=optional)
    return make_input(
        points,
        vehicles=vehicles,
        required=[-1] * vehicles + list(range(vehicles)) + [-1] * optional,
        prize=[0] * (2 * vehicles) + rng.integers(1, 20, size=optional).tolist(),
        windows=[(0, BIG)] * (2 * vehicles) + [(int(o), int(o) + 2 * HOUR) for o in opens],
        service=[0] * vehicles + [600] * (vehicles + optional),
        return_latest=8 * HOUR,
        vehicle_max_visits=(8,) * vehicles,
        breaks=(MealBreak(3 * HOUR, 5 * HOUR, 1800),) * vehicles,
    )


def route_like(seed: int = 5) -> RoutingInput:
    """Three teams from one base, 60 optional stations with windows: route mode's shape."""
    rng = np.random.default_rng(seed)
    optional = 60
    points = [(3000, 3000)] + [tuple(p) for p in rng.integers(0, 6000, size=(optional, 2))]
    opens = rng.integers(0, 5 * HOUR, size=optional)
    inp = make_input(
        points,
        vehicles=1,
        prize=[0, *rng.integers(1, 20, size=optional).tolist()],
        windows=[(0, BIG)] + [(int(o), int(o) + 2 * HOUR) for o in opens],
        service=[0] + [900] * optional,
        depart=(0, 8 * HOUR),
        return_latest=8 * HOUR,
        balance_coefficient=0,
    )
    three = np.zeros(3, dtype=np.int64)
    return RoutingInput(
        **{
            **inp.__dict__,
            "starts": (0, 0, 0),
            "ends": (0, 0, 0),
            "depart_earliest": three,
            "depart_latest": three + 8 * HOUR,
            "return_latest": three + 8 * HOUR,
        }
    )


@contextmanager
def busy_cores() -> Iterator[None]:
    """Every core kept busy by another process for the duration."""
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(os.cpu_count() or 2)
    ]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def test_the_election_router_gives_the_same_routes_on_a_busy_machine() -> None:
    """Counts of first solutions, improving solutions and rounds, chains and CP-SAT
    included: the same routes with and without other processes on every core."""
    inp = election_like()
    calm = solve_routing(inp, time_limit_s=600, solution_limit=20, rounds=12, seed=4)
    with busy_cores():
        busy = solve_routing(inp, time_limit_s=600, solution_limit=20, rounds=12, seed=4)
    assert not calm.cut_by_time and not busy.cut_by_time
    assert calm.stats["lns_rounds"] == busy.stats["lns_rounds"] == 12
    assert busy.routes == calm.routes and busy.prize_total > 0


def test_route_mode_gives_the_same_routes_on_a_busy_machine() -> None:
    inp = route_like()
    assert supports(inp)
    calm = solve_pyvrp(inp, iterations=3000, seed=2, deadline=Deadline(600))
    with busy_cores():
        busy = solve_pyvrp(inp, iterations=3000, seed=2, deadline=Deadline(600))
    assert not calm.cut_by_time and not busy.cut_by_time
    assert calm.stats["iterations_done"] == busy.stats["iterations_done"] == 3000
    assert busy.routes == calm.routes and busy.prize_total > 0
    other = solve_pyvrp(inp, iterations=3000, seed=3, deadline=Deadline(600))
    assert other.prize_total > 0


def test_a_time_limit_alone_stands_for_counts_of_work() -> None:
    """The work a time limit stands for depends on the limit and the input only, grows
    with the limit, and is what the router runs when given the limit alone."""
    inp = election_like()
    short, long = work_for(inp, 1.0, DEFAULT_SEARCH), work_for(inp, 20.0, DEFAULT_SEARCH)
    assert short == work_for(inp, 1.0, DEFAULT_SEARCH)
    assert 1 <= short.starts <= long.starts <= len(DEFAULT_SEARCH.first_solutions)
    assert short.solution_limit <= long.solution_limit
    assert short.rounds < long.rounds
    first = solve_routing(inp, time_limit_s=3.0, seed=1)
    again = solve_routing(inp, time_limit_s=3.0, seed=1)
    if not (first.cut_by_time or again.cut_by_time):  # a loaded machine may cut either
        assert first.routes == again.routes
        assert first.stats["lns_rounds"] <= work_for(inp, 3.0, DEFAULT_SEARCH).rounds


@pytest.mark.parametrize("which", ["election", "route"])
def test_a_time_limit_that_cuts_says_so_and_still_answers(which: str) -> None:
    """A limit far too short for the work: a feasible answer all the same, flagged."""
    if which == "election":
        inp = election_like()
        result = solve_routing(inp, time_limit_s=0.3, solution_limit=10**6, rounds=10**6)
    else:
        inp = route_like()
        result = solve_pyvrp(inp, iterations=10**9, seed=0, deadline=Deadline(0.3))
        assert result.stats["iterations_done"] < 10**9
    assert result.cut_by_time and result.status == "stopped by the time limit"
    if which == "route":
        assert result.prize_total > 0
