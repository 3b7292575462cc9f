"""The solvers under comparison, each fed the same `RoutingInput` and timed the same way.

Every runner returns a `Run`: one route per vehicle (node ids, depots excluded), the wall
time of the solve call, and a few solver-reported facts. Nothing here scores a run; that
is `evaluate.evaluate`'s job.

- `ortools`: our `planner.routing.solve_routing`, unchanged (time limit only: the counts
  of work it stands for, `planner.routing.work_for`; or with the solution limit the plan
  uses).
- `ortools_config`: the same router with another search set-up (`OrConfig`: the router's
  `SearchParameters`, i.e. first solutions, metaheuristic, GLS lambda, operators, prize
  scale, whether ruin-and-recreate rounds and ejection chains run). No OR-Tools model is
  built here: every OR-Tools row measures the production model.
- `pyvrp`: PyVRP 0.14. Per-team mandatory stops are encoded with one routing profile per
  team in which the other teams' mandatory stops cannot be reached in time (exact, not a
  relaxation). PyVRP has no breaks: it only solves the meal-less relaxation; on instances
  with a meal break its routes are scored as they are, and `pyvrp_repair` additionally
  drops the cheapest optional stops until each route fits the break.
- `vroom`: pyvroom. Mandatory stops are bound to their team by a skill, the meal break is
  a vroom break, the per-team cap is `max_tasks`, the driving limit `max_travel_time`;
  prizes become priorities (0-100).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import numpy as np
from evaluate import check_route

from planner.routing import solve_routing
from planner.routing_data import DEFAULT_SEARCH, RoutingInput, SearchParameters

# One first solution and one local search, no rounds: the router's search on its own.
SINGLE_SEARCH = SearchParameters(
    first_solutions=(("LOCAL_CHEAPEST_INSERTION", None),), rounds=False
)


@dataclass
class Run:
    solver: str
    routes: list[list[int]]
    wall_s: float
    info: dict[str, Any] = field(default_factory=dict)


def _depots(inp: RoutingInput) -> set[int]:
    return set(inp.starts) | set(inp.ends)


# --------------------------------------------------------------------------- OR-Tools


def run_ortools(
    inp: RoutingInput,
    time_limit_s: float,
    *,
    solution_limit: int | None = None,
    seed: int = 0,
    search: SearchParameters = DEFAULT_SEARCH,
    name: str | None = None,
) -> Run:
    """Our production router given a time limit only: it runs the counts of work the limit
    stands for (`planner.routing.work_for`), the limit itself a safety net."""
    began = time.perf_counter()
    result = solve_routing(
        inp, time_limit_s=time_limit_s, solution_limit=solution_limit, seed=seed, search=search
    )
    wall = time.perf_counter() - began
    if name is None:
        name = "ortools" if solution_limit is None else f"ortools-sl{solution_limit}"
    return Run(
        name,
        [list(r) for r in result.routes],
        wall,
        {
            "status": result.status,
            "search_s": result.stats.get("wall_s", 0.0),
            "cut_by_time": result.cut_by_time,
            "lns_rounds": result.stats.get("lns_rounds", 0.0),
        },
    )


@dataclass(frozen=True)
class OrConfig:
    """A search set-up of our production router (`planner.routing.solve_routing`)."""

    name: str = "ortools-base"
    search: SearchParameters = SINGLE_SEARCH
    solution_limit: int | None = None
    rounds: int | None = None
    # keep the driving balance (the router's per-team soft cap on driving)
    balance: bool = True


def run_ortools_config(inp: RoutingInput, time_limit_s: float, cfg: OrConfig) -> Run:
    """The production router with the set-up `cfg` on the clock."""
    began = time.perf_counter()
    if not cfg.balance:
        inp = replace(inp, balance_coefficient=0)
    result = solve_routing(
        inp,
        time_limit_s=time_limit_s,
        solution_limit=cfg.solution_limit,
        rounds=cfg.rounds,
        search=cfg.search,
    )
    return Run(
        cfg.name,
        [list(r) for r in result.routes],
        time.perf_counter() - began,
        {"status": result.status, "lns_rounds": result.stats.get("lns_rounds", 0.0)},
    )


# --------------------------------------------------------------------------- PyVRP

FORBIDDEN = 10**7  # seconds: no schedule can absorb such a leg


def pyvrp_data(inp: RoutingInput, coords=(), *, prize_scale: int = 1000):  # type: ignore[no-untyped-def]
    """ProblemData for the meal-less relaxation of `inp` and the client -> node map.

    Profile 0 is the plain matrix (used by no vehicle; it keeps PyVRP's neighbourhoods
    geographic); vehicle v drives profile v + 1, where every leg into or out of another
    team's mandatory node takes FORBIDDEN seconds and distance units.
    """
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType

    depots = sorted(_depots(inp))
    depot_of = {n: i for i, n in enumerate(depots)}
    client_nodes = [n for n in range(inp.num_nodes) if n not in depot_of]
    n = inp.num_nodes
    if coords:
        locations = [Location(float(x), float(y)) for x, y in coords]
    else:
        locations = [Location(0.0, 0.0) for _ in range(n)]
    depot_objs = [Depot(location=d) for d in depots]
    clients = []
    for node in client_nodes:
        optional = inp.required_vehicle[node] < 0
        clients.append(
            Client(
                location=node,
                delivery=[1 if optional else 0],
                service_duration=int(inp.service[node]),
                tw_early=int(inp.window_open[node]),
                tw_late=int(inp.window_close[node]),
                prize=int(inp.prize[node]) * prize_scale if optional else 0,
                required=not optional,
            )
        )
    base = inp.travel.astype(np.int64)
    matrices = [base]
    vehicle_types = []
    for v in range(inp.num_vehicles):
        others = np.flatnonzero((inp.required_vehicle >= 0) & (inp.required_vehicle != v))
        m = base.copy()
        m[others, :] = FORBIDDEN
        m[:, others] = FORBIDDEN
        m[others, others] = 0
        matrices.append(m)
        vehicle_types.append(
            VehicleType(
                1,
                capacity=[int(inp.visit_caps[v])],
                start_depot=depot_of[inp.starts[v]],
                end_depot=depot_of[inp.ends[v]],
                tw_early=int(inp.depart_earliest[v]),
                start_late=int(inp.depart_latest[v]),
                tw_late=int(inp.return_latest[v]),
                max_distance=int(inp.max_drive),
                profile=v + 1,
            )
        )
    data = ProblemData(locations, clients, depot_objs, vehicle_types, matrices, matrices)
    return data, client_nodes


def run_pyvrp(
    inp: RoutingInput,
    time_limit_s: float,
    *,
    coords=(),  # type: ignore[no-untyped-def]
    seed: int = 1,
    prize_scale: int = 1000,
    max_penalty: float | None = None,
    warm_start: bool = True,
) -> Run:
    """PyVRP on the meal-less relaxation.

    warm_start: begin from the trivially feasible solution in which each team only does
    its own mandatory stops (in window order), instead of PyVRP's random start, which on
    large areas puts mandatory stops on the wrong teams and may not recover in time.
    """
    import pyvrp
    from pyvrp.stop import MaxRuntime

    began = time.perf_counter()
    data, client_nodes = pyvrp_data(inp, coords, prize_scale=prize_scale)
    initial = _pyvrp_mandatory_solution(inp, data, client_nodes) if warm_start else None
    params = pyvrp.SolveParams()
    if max_penalty is not None:
        from pyvrp import PenaltyParams

        params = pyvrp.SolveParams(penalty=PenaltyParams(max_penalty=max_penalty))
    build = time.perf_counter() - began
    result = pyvrp.solve(
        data,
        MaxRuntime(max(0.01, time_limit_s - build)),
        seed=seed,
        collect_stats=False,
        display=False,
        params=params,
        initial_solution=initial,
    )
    wall = time.perf_counter() - began
    routes: list[list[int]] = [[] for _ in range(inp.num_vehicles)]
    for route in result.best.routes():
        v = route.vehicle_type()
        routes[v] = [client_nodes[a.idx] for a in route.schedule() if a.is_client()]
    return Run(
        "pyvrp",
        routes,
        wall,
        {"feasible": result.is_feasible(), "iterations": result.num_iterations},
    )


def _pyvrp_mandatory_solution(inp: RoutingInput, data, client_nodes: list[int]):  # type: ignore[no-untyped-def]
    from pyvrp import Activity, ActivityType, Route, Solution

    client_of = {node: c for c, node in enumerate(client_nodes)}
    routes = []
    for v in range(inp.num_vehicles):
        own = [int(n) for n in range(inp.num_nodes) if inp.required_vehicle[n] == v]
        if not own:
            continue
        own.sort(key=lambda n: (int(inp.window_open[n]), int(inp.window_close[n])))
        activities = [Activity(ActivityType.CLIENT, client_of[n]) for n in own]
        routes.append(Route(data, activities, v))
    return Solution(data, routes)


def repair_for_meal(inp: RoutingInput, routes: list[list[int]]) -> list[list[int]]:
    """Drop optional stops, least prize lost first, until each route passes the checker."""
    out = []
    for v, route in enumerate(routes):
        route = list(route)
        while route and not check_route(inp, v, route).feasible:
            optional = [i for i, n in enumerate(route) if inp.required_vehicle[n] < 0]
            if not optional:
                break
            best = None
            for i in optional:
                trial = route[:i] + route[i + 1 :]
                if check_route(inp, v, trial).feasible:
                    key = int(inp.prize[route[i]])
                    if best is None or key < best[0]:
                        best = (key, trial)
            if best is not None:
                route = best[1]
            else:  # no single removal helps: drop the least valuable stop and retry
                i = min(optional, key=lambda k: int(inp.prize[route[k]]))
                route = route[:i] + route[i + 1 :]
        out.append(route)
    return out


# --------------------------------------------------------------------------- VROOM


def vroom_priorities(inp: RoutingInput, mode: str = "proportional") -> np.ndarray:
    """Job priorities in 0-100: mandatory stops 100, optional stops from their prize.

    proportional: prize * 99 / max prize (keeps the ratios that the prize sum depends on);
    half: prize * 50 / max prize (two optional stops never outweigh a mandatory one).
    """
    top = max(1, int(inp.prize.max()))
    cap = {"proportional": 99, "half": 50}[mode]
    pr = np.clip(np.rint(inp.prize * cap / top), 1, cap).astype(int)
    pr[inp.required_vehicle >= 0] = 100
    return pr


def run_vroom(
    inp: RoutingInput,
    time_limit_s: float,
    *,
    exploration: int = 5,
    threads: int = 1,
    priority_mode: str = "proportional",
) -> Run:
    import vroom

    began = time.perf_counter()
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=inp.travel.astype(np.uint32))
    depots = _depots(inp)
    pr = vroom_priorities(inp, priority_mode)
    mandatory_count = np.bincount(
        inp.required_vehicle[inp.required_vehicle >= 0], minlength=inp.num_vehicles
    )
    for v in range(inp.num_vehicles):
        meal = inp.breaks[v] if v < len(inp.breaks) else None
        breaks = (
            [
                vroom.Break(
                    v,
                    time_windows=[vroom.TimeWindow(int(meal.earliest), int(meal.latest))],
                    service=int(meal.duration),
                )
            ]
            if meal is not None
            else []
        )
        problem.add_vehicle(
            vroom.Vehicle(
                v,
                start=int(inp.starts[v]),
                end=int(inp.ends[v]),
                skills={v + 1},
                time_window=vroom.TimeWindow(
                    int(inp.depart_earliest[v]), int(inp.return_latest[v])
                ),
                breaks=breaks,
                capacity=[int(inp.visit_caps[v])],
                max_tasks=int(inp.visit_caps[v] + mandatory_count[v]),
                max_travel_time=int(inp.max_drive),
            )
        )
    jobs = []
    for node in range(inp.num_nodes):
        if node in depots:
            continue
        owner = int(inp.required_vehicle[node])
        jobs.append(
            vroom.Job(
                node,
                location=node,
                default_service=int(inp.service[node]),
                time_windows=[
                    vroom.TimeWindow(int(inp.window_open[node]), int(inp.window_close[node]))
                ],
                delivery=[1 if owner < 0 else 0],
                priority=int(pr[node]),
                skills={owner + 1} if owner >= 0 else set(),
            )
        )
    problem.add_job(jobs)
    solution = problem.solve(
        exploration_level=exploration,
        nb_threads=threads,
        timeout=timedelta(seconds=time_limit_s - (time.perf_counter() - began)),
    )
    wall = time.perf_counter() - began
    routes: list[list[int]] = [[] for _ in range(inp.num_vehicles)]
    frame = solution.routes
    for row in frame.itertuples(index=False):
        if row.type == "job":
            routes[int(row.vehicle_id)].append(int(row.id))
    return Run("vroom", routes, wall, {"unassigned": int(solution.summary.unassigned)})
