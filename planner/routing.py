"""Prize-collecting vehicle routing with time windows, on OR-Tools.

One model serves the election-day plan and route mode (`planner route`): nodes with
a stay, a window in which the stay must start, and a prize; some nodes are mandatory for
one given vehicle (a team's opening, count and TEC); vehicles start and end at their own
depots within a departure window. The objective collects prizes first (one prize unit is
worth more than every team's longest possible day of driving) and minimises travel
second. OR-Tools objects never leave this module.

Every phase stops on a count of work (first solutions, improving solutions of the guided
local search, ruin-and-recreate rounds), so the same input and seed give the same routes
on any machine at any load. The time limit is a safety net: when it ends a phase
instead, the answer says so (`RoutingResult.cut_by_time`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util.optional_boolean_pb2 import BOOL_FALSE, BOOL_TRUE

from planner.lns import improve
from planner.objective import BALANCE_SHARE, objective
from planner.pyvrp_router import MIN_SEGMENT, iterations_for, reference_seconds
from planner.pyvrp_start import pyvrp_start
from planner.routing_data import (
    DEFAULT_SEARCH,
    STATUS_CUT,
    STATUS_DONE,
    STATUS_NONE,
    Deadline,
    RoutingInput,
    RoutingResult,
    SearchParameters,
)

DAY_SECONDS = 86_400
DEFAULT_FIRST = "LOCAL_CHEAPEST_INSERTION"
# Work when a call gives only a time limit, from the reference costs of each phase on
# one core of the benchmark machine (election-day areas, bench/README.md): a first
# solution costs `START_COST` s per node x vehicle, an improving solution of guided local
# search `SOLUTION_COST` s per node x vehicle, a ruin-and-recreate round `ROUND_COST`
# s plus `ROUND_COST_PER_TEAM` s per team. First solutions get `STARTS_SHARE` of the time
# limit (the first of `search.first_solutions` that fit, one at least), the search
# `SEARCH_SHARE` (at most `SOLUTION_LIMIT` solutions) and rounds the rest but a margin.
# Counts derived from the time limit and the input alone: a faster machine finishes
# early, a slower or busier one is stopped by the limit.
START_COST = 2.1e-5
SOLUTION_COST = 4.2e-6
ROUND_COST, ROUND_COST_PER_TEAM = 0.045, 0.0036
STARTS_SHARE, SEARCH_SHARE, MARGIN_SHARE = 0.1, 0.15, 0.1
SOLUTION_LIMIT = 60


@dataclass(frozen=True)
class Work:
    """Counts of work for one search: first solutions, improving solutions, rounds."""

    starts: int
    solution_limit: int
    rounds: int


def work_for(inp: RoutingInput, time_limit_s: float, search: SearchParameters) -> Work:
    """The work a time limit stands for on `inp` at the reference costs (above)."""
    size = inp.num_nodes * max(1, inp.num_vehicles)
    per_start = START_COST * size
    starts = max(1, min(len(search.first_solutions), int(STARTS_SHARE * time_limit_s / per_start)))
    per_solution = SOLUTION_COST * size
    solutions = max(1, min(SOLUTION_LIMIT, int(SEARCH_SHARE * time_limit_s / per_solution)))
    left = (1 - MARGIN_SHARE) * time_limit_s - starts * per_start - solutions * per_solution
    per_round = ROUND_COST + ROUND_COST_PER_TEAM * inp.num_vehicles
    return Work(starts, solutions, max(0, int(left / per_round)))


def _worth(prize: int, scale: float) -> int:
    """A prize in objective units: exact for an integer scale, rounded otherwise (a
    positive prize is never worth nothing)."""
    if isinstance(scale, int):
        return prize * scale
    return max(1, round(prize * scale)) if prize > 0 else 0


def _optional_nodes(inp: RoutingInput) -> list[int]:
    """The nodes a route may leave out (every node but depots and mandatory stops)."""
    depots = set(inp.starts) | set(inp.ends)
    return [int(n) for n in np.flatnonzero(inp.required_vehicle < 0) if int(n) not in depots]


def start_scale(inp: RoutingInput, factor: float) -> float:
    """A start model's worth of one prize unit: leaving out an average station costs
    `factor` average legs between optional stations, in any time unit."""
    optional = _optional_nodes(inp)
    if not optional:
        return float(factor)
    mean_prize = float(inp.prize[optional].mean())
    if mean_prize <= 0:
        return float(factor)
    mean_leg = float(inp.travel[np.ix_(optional, optional)].mean())
    return factor * max(mean_leg, 1.0) / mean_prize


def _prize_scale(inp: RoutingInput) -> int:
    """Objective units per prize unit: one outweighs every vehicle's worst possible travel,
    so prizes are maximised exactly before travel is looked at."""
    longest_day = min(int(inp.max_drive), _longest_route(inp))
    return max(1, longest_day * inp.num_vehicles + 1)


def _longest_route(inp: RoutingInput) -> int:
    """An upper bound on one vehicle's travel: its worst leg times its most legs."""
    worst_leg = int(inp.travel.max()) if inp.travel.size else 0
    most_legs = max(inp.visit_caps, default=0) + int((inp.required_vehicle >= 0).sum()) + 1
    return worst_leg * most_legs


@dataclass
class _Model:
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time_dim: pywrapcp.RoutingDimension


def _build(inp: RoutingInput, prize_scale: float) -> _Model:
    """The OR-Tools model of `inp`, each prize unit worth `prize_scale` in the objective
    (an integer for the real model; a start model's may be a fraction, rounded per node)."""
    manager = pywrapcp.RoutingIndexManager(
        inp.num_nodes, inp.num_vehicles, list(inp.starts), list(inp.ends)
    )
    routing = pywrapcp.RoutingModel(manager)
    travel = inp.travel.astype(np.int64)
    service = inp.service.astype(np.int64)

    travel_cb = routing.RegisterTransitMatrix(travel.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(travel_cb)

    time_matrix = travel + service[:, None]
    time_cb = routing.RegisterTransitMatrix(time_matrix.tolist())
    horizon = int(max(inp.window_close.max(), inp.return_latest.max())) + DAY_SECONDS
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")

    # Driving per team: a hard cap, and a soft one at `balance_share` of it, so long days
    # are spread over the teams (a per-vehicle span cost; a global span cost would slow
    # the search several-fold for the same balance).
    routing.AddDimensionWithVehicleCapacity(
        travel_cb, 0, [inp.drive_cap(v) for v in range(inp.num_vehicles)], True, "drive"
    )
    drive_dim = routing.GetDimensionOrDie("drive")
    if inp.balance_coefficient > 0:
        soft_cap = int(inp.max_drive * BALANCE_SHARE)
        for v in range(inp.num_vehicles):
            drive_dim.SetSoftSpanUpperBoundForVehicle(
                pywrapcp.BoundCost(soft_cap, inp.balance_coefficient), v
            )

    is_optional = (inp.required_vehicle < 0).astype(np.int64)
    depots = set(inp.starts) | set(inp.ends)
    visit_vec = [0 if n in depots else int(is_optional[n]) for n in range(inp.num_nodes)]
    visit_cb = routing.RegisterUnaryTransitVector(visit_vec)
    routing.AddDimensionWithVehicleCapacity(
        visit_cb, 0, [int(c) for c in inp.visit_caps], True, "visits"
    )

    if inp.mix_delta is not None:
        offset = int(np.abs(inp.mix_delta).max()) * (max(inp.visit_caps, default=0) + 1) + max(
            (abs(int(m)) for m in inp.mix_start), default=0
        )
        mix_vec = [0 if n in depots else int(inp.mix_delta[n]) for n in range(inp.num_nodes)]
        mix_cb = routing.RegisterUnaryTransitVector(mix_vec)
        routing.AddDimension(mix_cb, 0, 2 * offset, False, "mix")
        mix_dim = routing.GetDimensionOrDie("mix")
        penalty = _worth(inp.mix_penalty, prize_scale)
        for v in range(inp.num_vehicles):
            mix_dim.CumulVar(routing.Start(v)).SetValue(offset + inp.mix_from(v))
            end = routing.End(v)
            mix_dim.SetCumulVarSoftUpperBound(end, offset + inp.mix_band, penalty)
            mix_dim.SetCumulVarSoftLowerBound(end, max(0, offset - inp.mix_band), penalty)

    for node in range(inp.num_nodes):
        if node in depots:
            continue
        index = manager.NodeToIndex(node)
        time_dim.CumulVar(index).SetRange(int(inp.window_open[node]), int(inp.window_close[node]))
        vehicle = int(inp.required_vehicle[node])
        if vehicle >= 0:
            routing.VehicleVar(index).SetValues([vehicle])
        else:
            routing.AddDisjunction([index], _worth(int(inp.prize[node]), prize_scale))

    solver = routing.solver()
    visit_transits = [int(service[manager.IndexToNode(i)]) for i in range(routing.Size())]
    for v in range(inp.num_vehicles):
        start = routing.Start(v)
        time_dim.CumulVar(start).SetRange(int(inp.depart_earliest[v]), int(inp.depart_latest[v]))
        time_dim.CumulVar(routing.End(v)).SetMax(int(inp.return_latest[v]))
        if inp.max_duty < horizon:
            time_dim.SetSpanUpperBoundForVehicle(int(inp.max_duty), v)
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(start))
        meal = inp.meal(v)
        if meal is not None:
            interval = solver.FixedDurationIntervalVar(
                int(meal.earliest), int(meal.latest), int(meal.duration), False, f"meal_{v}"
            )
            time_dim.SetBreakIntervalsOfVehicle([interval], v, visit_transits)
    return _Model(manager, routing, time_dim)


def _params(
    first_solution: str,
    time_limit_s: float,
    *,
    solution_limit: int | None,
    search: SearchParameters = DEFAULT_SEARCH,
) -> pywrapcp.RoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, first_solution
    )
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, search.metaheuristic
    )
    if search.gls_lambda is not None:
        params.guided_local_search_lambda_coefficient = search.gls_lambda
    for operator, on in search.operators:
        setattr(params.local_search_operators, operator, BOOL_TRUE if on else BOOL_FALSE)
    for key, value in search.extra:
        setattr(params, key, value)
    time_limit = max(1, int(time_limit_s * 1000))
    params.time_limit.FromMilliseconds(time_limit)
    # OR-Tools caps each of its large-neighbourhood moves at 0.1 s of wall time by default,
    # which makes the result depend on machine load; without that cap it does not.
    params.lns_time_limit.FromMilliseconds(time_limit)
    if solution_limit is not None:
        params.solution_limit = solution_limit
    return params


def _descent_params(
    time_limit_s: float, *, solution_limit: int | None = None
) -> pywrapcp.RoutingSearchParameters:
    """Greedy descent with the default operators: what a ruin-and-recreate round runs."""
    params = _params(DEFAULT_FIRST, time_limit_s, solution_limit=solution_limit)
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    return params


def _solve_from(
    inp: RoutingInput, routes: list[list[int]], prize_scale: int, params, status: str = ""
) -> tuple[int, RoutingResult] | None:
    """A search on `inp` from given routes: its objective and its answer."""
    model = _build(inp, prize_scale)
    # Closing with the search's parameters first: reading routes into an open model
    # would close it with the default operators.
    model.routing.CloseModelWithParameters(params)
    start = _read_routes(model, routes)
    if start is None:
        return None
    solution = model.routing.SolveFromAssignmentWithParameters(start, params)
    if solution is None:
        return None
    return int(solution.ObjectiveValue()), _extract(inp, model, solution, status)


def _read_routes(model: _Model, routes: list[list[int]]) -> Any:
    """An assignment of the closed model from routes of nodes (None if it breaks a rule).

    OR-Tools reads routes of its own indices, which differ from node numbers as soon as a
    vehicle ends somewhere other than where it starts.
    """
    to_index = model.manager.NodeToIndex
    return model.routing.ReadAssignmentFromRoutes(
        [[to_index(n) for n in route] for route in routes], True
    )


def _extract(inp: RoutingInput, model: _Model, solution, status: str) -> RoutingResult:
    routing, manager, time_dim = model.routing, model.manager, model.time_dim
    travel = inp.travel
    routes, starts, departs = [], [], []
    travel_total = prize_total = 0
    for v in range(inp.num_vehicles):
        index = routing.Start(v)
        departs.append(solution.Min(time_dim.CumulVar(index)))
        nodes, times = [], []
        prev = manager.IndexToNode(index)
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            nodes.append(node)
            times.append(solution.Min(time_dim.CumulVar(index)))
            travel_total += int(travel[prev, node])
            prize_total += int(inp.prize[node]) if inp.required_vehicle[node] < 0 else 0
            prev = node
            index = solution.Value(routing.NextVar(index))
        travel_total += int(travel[prev, manager.IndexToNode(index)])
        routes.append(tuple(nodes))
        starts.append(tuple(times))
    return RoutingResult(
        tuple(routes),
        tuple(starts),
        tuple(departs),
        travel_total,
        prize_total,
        status,
        {"objective": float(solution.ObjectiveValue())},
    )


def _empty(inp: RoutingInput, status: str) -> RoutingResult:
    empty = tuple(() for _ in range(inp.num_vehicles))
    return RoutingResult(empty, empty, tuple(0 for _ in range(inp.num_vehicles)), 0, 0, status)


def solve_routing(
    inp: RoutingInput,
    *,
    time_limit_s: float,
    solution_limit: int | None = None,
    rounds: int | None = None,
    seed: int = 0,
    search: SearchParameters = DEFAULT_SEARCH,
    pyvrp_iterations: int | None = None,
) -> RoutingResult:
    """Collect the most prize, then drive the least.

    Three phases, each ending on a count. First solutions of `search.first_solutions`
    are built (insertion heuristics on models whose drop penalty is small, so they weigh
    travel while inserting, and on the real model); the best by prize seeds a guided
    local search on the real model that stops after `solution_limit` improving
    solutions; then `rounds` ruin-and-recreate rounds on a few teams at a time
    (`planner.lns`). With both counts given every first solution is built; a count left
    out, and the number of first solutions then, come from the time limit and the input
    (`work_for`). The result depends only on `inp`, the counts, `seed` and `search`,
    unless the time limit ends a phase first (`cut_by_time`): then the best plan found so
    far is returned, a first solution at least when one was found.
    """
    deadline = Deadline(time_limit_s)
    began = time.perf_counter()
    starts = len(search.first_solutions)
    if solution_limit is None or rounds is None:
        own_s = (1 - search.pyvrp_share) * time_limit_s
        work = work_for(inp, own_s, search)
        starts = work.starts
        solution_limit = work.solution_limit if solution_limit is None else solution_limit
        rounds = work.rounds if rounds is None else rounds
        if pyvrp_iterations is None and search.pyvrp_share > 0:
            pyvrp_iterations = iterations_for(inp, time_limit_s - own_s)
    full_scale = _prize_scale(inp) if search.prize_scale is None else search.prize_scale
    best: RoutingResult | None = None
    if pyvrp_iterations and _optional_nodes(inp):
        # Not started when the time left cannot pay for one segment of its search at
        # the reference pace: its first descent cannot be stopped, and a start cut short
        # would not be the seed's anyway.
        if deadline.left() < reference_seconds(inp, MIN_SEGMENT):
            deadline.cut = True
            pyvrp_routes = None
        else:
            pyvrp_routes = pyvrp_start(inp, pyvrp_iterations, seed=seed, deadline=deadline)
        if pyvrp_routes is not None:
            params = _descent_params(max(0.05, deadline.left()), solution_limit=1)
            started = _solve_from(inp, pyvrp_routes, full_scale, params, STATUS_DONE)
            best = started[1] if started is not None else None
    for strategy, factor in search.first_solutions[:starts]:
        if best is not None and deadline.passed():
            break
        scale = full_scale if factor is None else start_scale(inp, factor)
        model = _build(inp, scale)
        params = _params(strategy, max(0.05, deadline.left()), solution_limit=1, search=search)
        solution = model.routing.SolveWithParameters(params)
        if solution is None:
            continue
        found = _extract(inp, model, solution, STATUS_DONE)
        if best is None or (found.prize_total, -found.travel_total) > (
            best.prize_total,
            -best.travel_total,
        ):
            best = found

    if best is not None and not _optional_nodes(inp):
        # Every stop is a team's fixed stop, in time windows that order them: the first
        # plan is the plan, and a search for better ones would only run out the clock.
        stats = {**best.stats, "wall_s": time.perf_counter() - began, "lns_rounds": 0.0}
        return replace(best, status=STATUS_DONE, stats=stats, cut_by_time=False)

    model = _build(inp, full_scale)
    first = search.first_solutions[0][0] if search.first_solutions else DEFAULT_FIRST
    params = _params(
        first, max(0.05, deadline.left()), solution_limit=solution_limit, search=search
    )
    model.routing.CloseModelWithParameters(params)
    initial = _read_routes(model, [list(r) for r in best.routes]) if best is not None else None
    if initial is not None:
        solution = model.routing.SolveFromAssignmentWithParameters(initial, params)
    else:
        solution = model.routing.SolveWithParameters(params)
    deadline.passed()  # the search ended on its time limit rather than its solution count
    if solution is not None:
        result = _extract(inp, model, solution, STATUS_DONE)
    elif best is not None:  # the search from the chosen start failed: keep the start itself
        result = best
    else:
        empty = _empty(inp, STATUS_CUT if deadline.cut else STATUS_NONE)
        stats = {"wall_s": time.perf_counter() - began, "solver_status": model.routing.status()}
        return replace(empty, stats=stats, cut_by_time=deadline.cut)

    done = 0
    if search.rounds and rounds > 0 and any(result.routes) and not deadline.passed():
        routes, done = improve(
            inp,
            [list(r) for r in result.routes],
            lambda sub, routes: objective(sub, routes, full_scale),
            lambda sub, routes, limit: _descend(sub, routes, full_scale, limit),
            prize_scale=full_scale,
            rounds=rounds,
            deadline=deadline,
            seed=seed,
            chains=search.chains,
        )
        result = _timed(inp, routes)
    status = STATUS_CUT if deadline.cut else STATUS_DONE
    stats = {**result.stats, "wall_s": time.perf_counter() - began, "lns_rounds": float(done)}
    return replace(result, status=status, stats=stats, cut_by_time=deadline.cut)


def _descend(
    inp: RoutingInput, routes: list[list[int]], prize_scale: int, time_limit_s: float
) -> tuple[int, list[list[int]]] | None:
    """Greedy descent from given routes: its objective and routes.

    The search leaves the driving balance out of its model (its soft bound makes the
    search up to half again as slow); the objective returned includes it.
    """
    searched = replace(inp, balance_coefficient=0)
    found = _solve_from(searched, routes, prize_scale, _descent_params(time_limit_s))
    if found is None:
        return None
    better = [list(r) for r in found[1].routes]
    return objective(inp, better, prize_scale), better


def _timed(inp: RoutingInput, routes: list[list[int]]) -> RoutingResult:
    """The result for fixed routes, with stay start times from the real model."""
    params = _descent_params(60.0, solution_limit=1)
    found = _solve_from(inp, routes, _prize_scale(inp), params, STATUS_DONE)
    if found is None:  # cannot happen for routes the same model accepted
        raise RuntimeError("improved routes were rejected by the full model")
    return found[1]
