"""Route mode's solve: the problem as a router input, the router's routes as a plan.

Route mode's problem is exactly what PyVRP models (optional stations with prizes and
windows, departure and return windows, stop caps, ends elsewhere), so it is solved by
`planner.pyvrp_router` on a count of iterations derived from the time limit: the same
inputs and seed give the same plan on any machine.
"""

from __future__ import annotations

import numpy as np

from planner.pyvrp_router import iterations_for, solve_pyvrp
from planner.route.problem import RouteProblem, TimeGrid
from planner.route.schedule import RoutePlan, schedule
from planner.routing_data import Deadline, RoutingInput, RoutingResult

STATUS_NOTHING = "nothing to visit"


def routing_input(problem: RouteProblem) -> tuple[RoutingInput, list[int]]:
    """The router's input on the problem's time grid, and the station index of each of
    its optional nodes (after the depots).

    A station whose window is shorter than the grid's step cannot be met and is left out.
    """
    grid = TimeGrid.of(problem)
    n_depots = problem.first_station
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
    node_of = {i: n_depots + k for k, i in enumerate(candidates)}
    groups = tuple(
        tuple(node_of[i] for i in group if i in node_of) for group in problem.alternatives()
    )
    inp = RoutingInput(
        travel=travel,
        service=service,
        window_open=window_open,
        window_close=window_close,
        prize=prize,
        required_vehicle=np.full(n, -1, dtype=np.int64),
        starts=problem.starts,
        ends=problem.ends,
        depart_earliest=grid.depart,
        depart_latest=np.maximum(grid.back, grid.depart),
        return_latest=grid.back,
        max_visits=max(caps, default=0),
        vehicle_max_visits=caps,
        balance_coefficient=0,
        groups=tuple(g for g in groups if len(g) > 1),
    )
    return inp, candidates


def route_search(inp: RoutingInput, *, time_limit_s: float, seed: int = 0) -> RoutingResult:
    """Route mode's search on its router input: PyVRP for the iterations the time limit
    stands for (`iterations_for`), the time limit only a safety net."""
    deadline = Deadline(time_limit_s)
    return solve_pyvrp(
        inp, iterations=iterations_for(inp, time_limit_s), seed=seed, deadline=deadline
    )


def solve_route(problem: RouteProblem, *, time_limit_s: float, seed: int = 0) -> RoutePlan:
    """Collect the most weight, then drive the least, within every window, team's hours and
    stop limit. Each team leaves as late as it can without coming back later."""
    inp, candidates = routing_input(problem)
    n_depots = problem.first_station
    if candidates:
        result = route_search(inp, time_limit_s=time_limit_s, seed=seed)
        routes = [[candidates[node - n_depots] for node in r] for r in result.routes]
        status, stats, cut = result.status, dict(result.stats), result.cut_by_time
    else:
        routes = [[] for _ in problem.teams]
        status, stats, cut = STATUS_NOTHING, {}, False
    final = tuple(tuple(route) for route in routes)
    try:
        visits, travel_s = schedule(problem, final)
    except ValueError as exc:
        raise RuntimeError(f"the solver returned an infeasible route: {exc}") from exc
    return RoutePlan(
        problem, final, visits, travel_s, status, time_limit_s, stats, seed=seed, cut_by_time=cut
    )
