"""Route mode's solve: the problem as a router input, the router's routes as a plan."""

from __future__ import annotations

import numpy as np

from planner.route.problem import MinuteGrid, RouteProblem
from planner.route.schedule import RoutePlan, schedule
from planner.routing import solve_routing
from planner.routing_data import RoutingInput


def routing_input(problem: RouteProblem) -> tuple[RoutingInput, list[int]]:
    """The router's input on the problem's minute grid, and the station index of each of
    its optional nodes (after the depots).

    A station whose window is shorter than the grid's minute cannot be met and is left
    out.
    """
    grid = MinuteGrid.of(problem)
    n_teams, n_depots = len(problem.teams), problem.first_station
    candidates = [i for i in range(len(problem.stations)) if grid.open[i] <= grid.close[i]]
    nodes = np.r_[np.arange(n_depots), [problem.station_node(i) for i in candidates]].astype(
        np.int64
    )
    travel = problem.travel[np.ix_(nodes, nodes)]
    n = len(nodes)
    service = np.zeros(n, dtype=np.int64)
    window_open = np.zeros(n, dtype=np.int64)
    window_close = np.zeros(n, dtype=np.int64)
    prize = np.zeros(n, dtype=np.int64)
    idx = np.asarray(candidates, dtype=np.int64)
    service[n_depots:] = grid.stay[idx]
    window_open[n_depots:] = grid.open[idx]
    window_close[n_depots:] = grid.close[idx]
    prize[n_depots:] = problem.prizes()[idx]
    caps = tuple(
        len(candidates) if t.max_stops is None else min(t.max_stops, len(candidates))
        for t in problem.teams
    )
    inp = RoutingInput(
        travel=travel,
        service=service,
        window_open=window_open,
        window_close=window_close,
        prize=prize,
        required_vehicle=np.full(n, -1, dtype=np.int64),
        starts=tuple(range(n_teams)),
        ends=problem.ends,
        depart_earliest=grid.depart,
        depart_latest=np.maximum(grid.back, grid.depart),
        return_latest=grid.back,
        max_visits=max(caps, default=0),
        vehicle_max_visits=caps,
        balance_coefficient=0,
    )
    return inp, candidates


def solve_route(problem: RouteProblem, *, time_limit_s: float) -> RoutePlan:
    """Collect the most weight, then drive the least, within every window, team's hours and
    stop limit. Each team leaves as late as it can without coming back later."""
    inp, candidates = routing_input(problem)
    n_depots = problem.first_station
    if candidates:
        result = solve_routing(inp, time_limit_s=time_limit_s)
        routes = [[candidates[node - n_depots] for node in r] for r in result.routes]
        status, stats = result.status, dict(result.stats)
    else:
        routes = [[] for _ in problem.teams]
        status, stats = "NOTHING_TO_VISIT", {}
    final = tuple(tuple(route) for route in routes)
    try:
        visits, travel_s = schedule(problem, final)
    except ValueError as exc:
        raise RuntimeError(f"the solver returned an infeasible route: {exc}") from exc
    return RoutePlan(problem, final, visits, travel_s, status, time_limit_s, stats)
