"""Our router, PyVRP and VROOM on a TOPTW instance with `tours` identical tours.

Every solver gets the same integer instance: times in ticks of `1 / unit` of the file's
time unit (`toptw_format.ticks_per_hundredth`), travel the best-known scores' truncated
distance in those ticks, so a tour feasible for any solver here is feasible under the
best-known scores' convention (and `toptw_format.check_tours` re-checks it anyway).
Each runner returns the tours as customer numbers (1..N) in visiting order.

- `run_ours`: route mode's search, `planner.route.route_search` (PyVRP for the iterations
  the time limit stands for, then set partitioning over its routes), on the
  `RoutingInput` route mode (`planner.route.solve_route`) builds: the depot one start
  and end place shared by every team, every customer optional and worth
  `score x PRIZE_PER_WEIGHT`, departure window [0, budget], back by the budget, no visit
  cap. `routing_input` and `solve_ours` are the only places that know the production
  module names.
- `run_pyvrp`: PyVRP 0.14 (iterated local search): one depot, `tours` vehicles of one
  type with time window [0, budget], optional clients with prizes and windows.
- `run_vroom`: pyvroom; a customer's score is its job priority (0-100).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from toptw_format import Instance, ticks_per_hundredth

# PyVRP: what one score point is worth in time units of travel; None: more than every
# tour's whole budget, so collecting score comes first and travel only breaks ties. The
# penalty ceiling is high enough that no time warp can be bought with prizes.
PYVRP_SCORE_WORTH: float | None = None
PYVRP_MAX_PENALTY = 1e9
# Largest VROOM priority.
VROOM_TOP_PRIORITY = 100


@dataclass
class SolverRun:
    solver: str
    tours: list[list[int]]
    wall_s: float
    info: dict[str, Any] = field(default_factory=dict)


def travel_ticks(inst: Instance, unit: int) -> np.ndarray:
    """Depot and customers' travel matrix in ticks (exact: truncated hundredths x ticks)."""
    return inst.hundredths() * ticks_per_hundredth(unit)


# --------------------------------------------------------------------------- ours


def routing_input(inst: Instance, tours: int, unit: int):  # type: ignore[no-untyped-def]
    """The `RoutingInput` route mode builds for this instance: node 0 is the depot every
    team starts and ends at, customer c is node c."""
    from planner.route.problem import PRIZE_PER_WEIGHT
    from planner.routing_data import RoutingInput

    travel = travel_ticks(inst, unit)
    n = inst.customers
    budget = inst.budget * unit
    return RoutingInput(
        travel=travel,
        service=np.r_[0, np.array(inst.service[1:], dtype=np.int64) * unit],
        window_open=np.r_[0, np.array(inst.open[1:], dtype=np.int64) * unit],
        window_close=np.r_[0, np.array(inst.close[1:], dtype=np.int64) * unit],
        prize=np.r_[0, np.array(inst.score[1:], dtype=np.int64) * PRIZE_PER_WEIGHT],
        required_vehicle=np.full(n + 1, -1, dtype=np.int64),
        starts=(0,) * tours,
        ends=(0,) * tours,
        depart_earliest=np.zeros(tours, dtype=np.int64),
        depart_latest=np.full(tours, budget, dtype=np.int64),
        return_latest=np.full(tours, budget, dtype=np.int64),
        max_visits=n,
        vehicle_max_visits=(n,) * tours,
        balance_coefficient=0,
    )


def solve_ours(inp, *, time_limit_s: float, seed: int):  # type: ignore[no-untyped-def]
    """Route mode's search (kept apart so it can follow the module it lives in)."""
    from planner.route import route_search

    return route_search(inp, time_limit_s=time_limit_s, seed=seed)


def run_ours(
    inst: Instance, tours: int, time_limit_s: float, *, seed: int = 0, unit: int = 100
) -> SolverRun:
    import planner.route  # noqa: F401  (imported before the clock starts, as PyVRP is)

    began = time.perf_counter()
    inp = routing_input(inst, tours, unit)
    result = solve_ours(inp, time_limit_s=time_limit_s, seed=seed)
    wall = time.perf_counter() - began
    info = {"status": result.status, "cut_by_time": result.cut_by_time, **result.stats}
    return SolverRun("ours", [list(route) for route in result.routes], wall, info)


# --------------------------------------------------------------------------- PyVRP


def pyvrp_data(inst: Instance, tours: int, unit: int):  # type: ignore[no-untyped-def]
    """ProblemData: location 0 the depot, location c (client c - 1) customer c."""
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType

    matrix = travel_ticks(inst, unit)
    budget = inst.budget * unit
    worth = tours * budget + 1 if PYVRP_SCORE_WORTH is None else PYVRP_SCORE_WORTH * unit
    per_score = round(worth)
    locations = [Location(float(x), float(y)) for x, y in zip(inst.x, inst.y, strict=True)]
    clients = [
        Client(
            location=c,
            service_duration=inst.service[c] * unit,
            tw_early=inst.open[c] * unit,
            tw_late=inst.close[c] * unit,
            prize=inst.score[c] * per_score,
            required=False,
        )
        for c in range(1, inst.customers + 1)
    ]
    vehicles = [VehicleType(tours, tw_early=0, tw_late=budget, start_late=budget)]
    matrices: list = [matrix]  # type: ignore[type-arg]
    return ProblemData(locations, clients, [Depot(location=0)], vehicles, matrices, matrices)


def run_pyvrp(
    inst: Instance, tours: int, time_limit_s: float, *, seed: int = 0, unit: int = 100
) -> SolverRun:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    began = time.perf_counter()
    data = pyvrp_data(inst, tours, unit)
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=PYVRP_MAX_PENALTY))
    left = max(0.01, time_limit_s - (time.perf_counter() - began))
    result = pyvrp.solve(
        data, MaxRuntime(left), seed=seed, collect_stats=False, display=False, params=params
    )
    wall = time.perf_counter() - began
    # A schedule's client activity k is client k, at location k + 1: customer k + 1.
    customers = [
        [a.idx + 1 for a in route.schedule() if a.is_client()] for route in result.best.routes()
    ]
    info = {"feasible": result.is_feasible(), "iterations": result.num_iterations}
    return SolverRun("pyvrp", customers, wall, info)


# --------------------------------------------------------------------------- VROOM


def vroom_priorities(inst: Instance) -> list[int]:
    """Scores as priorities; scaled down only if some score is above VROOM's top."""
    top = max(inst.score[1:], default=0)
    if top <= VROOM_TOP_PRIORITY:
        return list(inst.score)
    return [round(s * VROOM_TOP_PRIORITY / top) for s in inst.score]


def run_vroom(
    inst: Instance,
    tours: int,
    time_limit_s: float,
    *,
    seed: int = 0,
    unit: int = 100,
    exploration: int = 5,
) -> SolverRun:
    """VROOM is deterministic: `seed` is accepted and ignored."""
    import vroom  # type: ignore[import-untyped]

    began = time.perf_counter()
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=travel_ticks(inst, unit))
    budget = inst.budget * unit
    for v in range(tours):
        problem.add_vehicle(
            vroom.Vehicle(v + 1, start=0, end=0, time_window=vroom.TimeWindow(0, budget))
        )
    priority = vroom_priorities(inst)
    problem.add_job(
        [
            vroom.Job(
                c,
                location=c,
                default_service=inst.service[c] * unit,
                time_windows=[vroom.TimeWindow(inst.open[c] * unit, inst.close[c] * unit)],
                priority=priority[c],
            )
            for c in range(1, inst.customers + 1)
        ]
    )
    left = max(0.01, time_limit_s - (time.perf_counter() - began))
    solution = problem.solve(
        exploration_level=exploration, nb_threads=1, timeout=timedelta(seconds=left)
    )
    wall = time.perf_counter() - began
    customers: list[list[int]] = [[] for _ in range(tours)]
    for row in solution.routes.itertuples(index=False):
        if row.type == "job":
            customers[int(row.vehicle_id) - 1].append(int(row.id))
    return SolverRun("vroom", customers, wall, {"unassigned": int(solution.summary.unassigned)})
