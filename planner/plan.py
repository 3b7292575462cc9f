"""The whole election-day plan: areas solved where the run says, then put together.

`solve(mission, time_limit_s=..., seed=...)` is the one entry point: it cuts the mission
into areas (and dense areas into parts), solves each (`planner.execution`: in this
process, on a LocalCluster or on a Dask cluster), and returns a `Plan` with every team's
stops, coverage against the mission targets, and the reasons for any shortfall.
`assemble` puts the results of the problems together, whatever order or place they were
solved in.

Areas run on their work counts (improving solutions, rounds), so the same mission, seed
and settings give the same plan at any load, on any machine, in any completion order.
The time limit is a safety net: the run has one deadline (wall-clock epoch seconds),
every solver call's time limit is the time left until it, and the run stops waiting for
areas at it. An area the deadline stopped early is "cut": `Plan.stats["cut_areas"]`
names them, and only those make a plan depend on the machine.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from planner.allocation import allocate_teams
from planner.election import solve_area
from planner.execution import Execution, Runner
from planner.model import Mission
from planner.outputs import cut_areas
from planner.problem import AreaProblem, PlanOptions, area_problems
from planner.schedule import (
    AreaPlan,
    AreaSample,
    KeptTeams,
    Plan,
    Resume,
    TeamAssignment,
    combine_parts,
)
from planner.travel import GreatCircleTravel, TravelModel
from planner.travel_source import plan_travel_record

Progress = Callable[[str, int, int], None]

# Between an area's deadline and the moment the run stops waiting for it: the area's
# schedules are built and sent back after its searches stop.
AREA_MARGIN_S = 0.5
AREA_MARGIN_SHARE = 0.02
# Writing a plan's files, kept at the end of a run: a base plus a share per station
# (coverage.csv walks every station), measured on a busy two-core machine with room.
WRITE_BASE_S = 0.5
WRITE_PER_STATION_S = 20e-6


def write_reserve_s(mission: Mission) -> float:
    """Seconds kept at the end of a run for writing its files."""
    return WRITE_BASE_S + WRITE_PER_STATION_S * len(mission.stations)


def area_deadline(results_due: float, time_limit_s: float) -> float:
    """When an area's searches must stop for its result to be back by `results_due`."""
    return results_due - AREA_MARGIN_S - AREA_MARGIN_SHARE * time_limit_s


def run_area(problem: AreaProblem, travel: TravelModel) -> AreaPlan:
    """One area's task: its plan, or a cut area when its deadline passed before it began
    (a busy cluster started it too late)."""
    if problem.deadline is not None and clock.time() >= problem.deadline:
        return cut_area(problem, "not started before the time limit")
    cpu = clock.process_time()
    plan = solve_area(problem, travel)
    return replace(plan, stats={**plan.stats, "cpu_s": round(clock.process_time() - cpu, 2)})


def cut_area(problem: AreaProblem, why: str) -> AreaPlan:
    """An area the time limit left without routes."""
    note = f"cut by the time limit ({why}): no routes for its {len(problem.teams)} team(s)"
    sample = AreaSample((), (), {}, {}, (note,))
    stats = {
        "teams": len(problem.teams),
        "planned_teams": 0,
        "voting_visits": 0,
        "solved": 0.0,
        "status": "CUT",
        "cut_by_time": True,
    }
    return AreaPlan(problem.area_id, (), sample, stats, problem.part)


def solve(
    mission: Mission,
    *,
    time_limit_s: float,
    seed: int,
    workers: int = 2,
    scheduler: str | None = None,
    runner: Runner | None = None,
    deadline: float | None = None,
    travel: TravelModel | None = None,
    options: PlanOptions | None = None,
    excluded: frozenset[str] = frozenset(),
    kept: Mapping[str, TeamAssignment] | None = None,
    resume: Resume | None = None,
    kept_teams: KeptTeams | None = None,
    previous_visits: Mapping[str, tuple[str, ...]] | None = None,
    on_progress: Progress | None = None,
) -> Plan:
    """Plan every STO team's election day.

    `kept` holds fixed stops a re-plan keeps (by team; `planner.repair.fixed_stops`);
    `resume` makes it an election-day re-plan from a time of day, each team going on from
    the stops it keeps before it (`planner.repair.resume_at`); `kept_teams` are the
    teams of the area a re-plan of some of its teams leaves as they are
    (`planner.repair.kept_teams`); `previous_visits` the re-planned teams' voting visits
    in the plan being changed, which the re-plan weighs keeping
    (`planner.repair.voting_visits`, `PlanOptions.keep_visit_weight`).

    `deadline` (wall-clock epoch seconds) is when the plan must be back: by default
    `time_limit_s` from now; a caller that still has files to write passes its own run
    deadline minus `write_reserve_s`. Areas run on `runner`, or on a runner made from
    `workers` and `scheduler` (`planner.execution.Execution`) and closed at the end.
    """
    started = clock.time()
    results_due = started + time_limit_s if deadline is None else deadline
    own_runner = runner is None
    runner = runner or Runner(Execution(workers=workers, scheduler=scheduler))
    try:
        return _solve(
            mission,
            time_limit_s=time_limit_s,
            seed=seed,
            runner=runner,
            started=started,
            results_due=results_due,
            travel=travel,
            options=options,
            excluded=excluded,
            kept=kept or {},
            resume=resume,
            kept_teams=kept_teams,
            previous_visits=previous_visits or {},
            on_progress=on_progress,
        )
    finally:
        if own_runner:
            runner.close()


def _solve(
    mission: Mission,
    *,
    time_limit_s: float,
    seed: int,
    runner: Runner,
    started: float,
    results_due: float,
    travel: TravelModel | None,
    options: PlanOptions | None,
    excluded: frozenset[str],
    kept: Mapping[str, TeamAssignment],
    resume: Resume | None,
    kept_teams: KeptTeams | None,
    previous_visits: Mapping[str, tuple[str, ...]],
    on_progress: Progress | None,
) -> Plan:
    if any(t.area_id is None or t.lon is None or t.lat is None for t in mission.sto_teams):
        mission = allocate_teams(mission)
    travel = travel or GreatCircleTravel.from_rules(mission.rules)
    options = replace(options or PlanOptions(), seed=seed, time_limit_s=time_limit_s)
    due = area_deadline(results_due, time_limit_s)
    split = area_problems(
        mission,
        options,
        excluded=excluded,
        kept=kept,
        resume=resume,
        kept_teams=kept_teams,
        previous_visits=previous_visits,
    )
    problems = [replace(p, deadline=due) for p in split]
    total = len(problems)
    arrived: list[str] = []

    def done(area: AreaPlan) -> None:
        arrived.append(area.key)
        if on_progress is not None:
            on_progress(area.key, len(arrived), total)

    results = runner.run(run_area, problems, travel, results_due=results_due, on_done=done)
    complete = {
        p.key: results.get(p.key) or cut_area(p, "no result by the time limit") for p in problems
    }
    stats = {
        "problems": total,
        "execution": runner.execution.kind,
        "workers": runner.workers,
        "wall_s": round(clock.time() - started, 2),
        "tecs_reachable": len(
            {
                c.tec_id
                for p in problems
                for c in p.commissions
                if c.tec_id not in p.foreign_commissions
            }
        ),
        "travel": plan_travel_record(travel, mission),
        **_search_work(problems),
    }
    plan = assemble(mission, seed, time_limit_s, problems, complete, stats)
    cut = cut_areas(plan)
    return replace(plan, stats={**plan.stats, "cut_areas": cut, "reproducible": not cut})


def _search_work(problems: Sequence[AreaProblem]) -> dict[str, int]:
    """The search counts every area ran with (the same for all; `planner.search_work`)."""
    if not problems:
        return {}
    options = problems[0].options
    return {
        "first_solutions": options.first_solutions or 0,
        "solution_limit": options.solution_limit or 0,
        "max_rounds": options.max_rounds or 0,
        "pyvrp_iterations": options.pyvrp_iterations or 0,
    }


def assemble(
    mission: Mission,
    seed: int,
    time_limit_s: float,
    problems: Sequence[AreaProblem],
    results: Mapping[str, AreaPlan],
    stats: Mapping[str, Any],
) -> Plan:
    """The plan from every problem's result (`results` by `AreaProblem.key`, solved in any
    order or place): parts put back together per area, areas in mission order, and the
    statistics the shortfall reasons read (teams, the phases) added to `stats`."""
    ordered = combine_parts(results[p.key] for p in problems)
    stops = tuple(s for area in ordered for s in area.stops)
    summary = {
        "teams": sum(len(p.teams) for p in problems),
        "areas": len(ordered),
        **stats,
        "phases": list(mission.phases.names),
        "counting": str(mission.phases.counting),
        "teams_per_commission": mission.phases.teams_per_commission,
    }
    return Plan(mission.name, seed, time_limit_s, stops, ordered, mission.targets, summary)
