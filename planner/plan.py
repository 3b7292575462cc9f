"""The whole election-day plan: areas solved in parallel, then put together.

`solve(mission, time_limit_s=..., seed=...)` is the one entry point: it cuts the mission
into areas, solves each in a worker process, and returns a `Plan` with every team's stops,
coverage against the mission targets, and the reasons for any shortfall.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import replace

from planner.allocation import allocate_teams
from planner.election import solve_area
from planner.model import Mission
from planner.problem import AreaProblem, PlanOptions, area_problems
from planner.schedule import AreaPlan, Plan
from planner.travel import GreatCircleTravel, TravelModel
from planner.travel_source import plan_travel_record

# Wall time kept back for splitting the mission, starting workers and writing results.
OVERHEAD_S = 4.0
# Rough share of an area's budget spent sampling (CP-SAT) before routing starts.
SAMPLING_S = 1.5

Progress = Callable[[str, int, int], None]


def _budgets(problems: list[AreaProblem], time_limit_s: float, workers: int) -> list[float]:
    """Routing seconds per area, in proportion to its teams, so all areas end in time.

    Areas run largest first on `workers` processes, so the wall time is about the sum of
    the budgets divided by the workers.
    """
    if not problems:
        return []
    usable = max(1.0, time_limit_s - OVERHEAD_S) * max(1, min(workers, len(problems)))
    routing = max(0.5 * len(problems), usable - SAMPLING_S * len(problems))
    teams = sum(len(p.teams) for p in problems)
    return [max(0.5, routing * len(p.teams) / teams) for p in problems]


def solve(
    mission: Mission,
    *,
    time_limit_s: float,
    seed: int,
    workers: int = 2,
    travel: TravelModel | None = None,
    options: PlanOptions | None = None,
    excluded: frozenset[str] = frozenset(),
    on_progress: Progress | None = None,
) -> Plan:
    """Plan every STO team's election day.

    Deterministic for a given seed: sampling (CP-SAT) stops on a deterministic-time limit
    and each area's search on a number of improving solutions. The per-area time limit is
    only a safety net; an area that reaches it (a much slower or overloaded machine) says
    so in its status, and only then can two runs differ.
    """
    started = clock.perf_counter()
    if any(t.area_id is None or t.lon is None or t.lat is None for t in mission.sto_teams):
        mission = allocate_teams(mission)
    travel = travel or GreatCircleTravel.from_rules(mission.rules)
    options = replace(options or PlanOptions(), seed=seed, time_limit_s=time_limit_s)
    problems = area_problems(mission, options, excluded=excluded)
    budgets = _budgets(problems, time_limit_s, workers)
    problems = [replace(p, time_limit_s=b) for p, b in zip(problems, budgets, strict=True)]
    largest_first = sorted(problems, key=lambda p: -len(p.teams))
    total = len(problems)
    results: dict[str, AreaPlan] = {}

    def done(area_id: str) -> None:
        if on_progress is not None:
            on_progress(area_id, len(results), total)

    if workers <= 1 or total <= 1:
        for p in largest_first:
            results[p.area_id] = solve_area(p, travel)
            done(p.area_id)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures: dict[Future[AreaPlan], str] = {
                pool.submit(solve_area, p, travel): p.area_id for p in largest_first
            }
            for future in as_completed(futures):
                area_id = futures[future]
                results[area_id] = future.result()
                done(area_id)

    ordered = tuple(results[p.area_id] for p in problems)
    stops = tuple(s for area in ordered for s in area.stops)
    teams = sum(len(p.teams) for p in problems)
    tecs_reachable = sum(len({c.tec_id for c in p.commissions}) for p in problems)
    stats = {
        "teams": teams,
        "areas": total,
        "workers": workers,
        "routing_budget_s": round(sum(budgets), 1),
        "wall_s": round(clock.perf_counter() - started, 2),
        "tecs_reachable": tecs_reachable,
        "travel": plan_travel_record(travel, mission),
    }
    return Plan(mission.name, seed, time_limit_s, stops, ordered, mission.targets, stats)
