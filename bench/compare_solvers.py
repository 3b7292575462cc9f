"""Weighted coverage of our router against PyVRP and VROOM on the same area instances.

Every solver gets the same `RoutingInput` (built by `planner.election.build_routing_input`
from the area's sample, mix dimension removed) and the same time limit; every answer is
scored by the one evaluator in `evaluate.py`.

Instance variants: `full` has the meal break; `nomeal` drops it, because PyVRP cannot
model a break. On `full`, PyVRP solves the meal-less relaxation and its routes are then
repaired (cheapest optional stops dropped until the break fits): `pyvrp+repair`.
Our router and VROOM solve both variants exactly.

    python bench/compare_solvers.py                       # 5 s and 30 s, three areas
    python bench/compare_solvers.py --limits 5 --areas AOR-12 --variants nomeal
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import (
    DEFAULT_AREAS,
    Instance,
    build_instances,
    parse_limits,
    parse_list,
    print_table,
)
from runner import Job, Outcome, run_jobs
from solvers import (
    repair_for_meal,
    run_ortools,
    run_ortools_config,
    run_pyvrp,
    run_vroom,
)
from tune_ortools import config as ortools_config

SOLVERS = ("ortools", "ortools-sl60", "ortools-tuned", "pyvrp", "vroom")
# the best set-up found by tune_ortools.py (see bench/README.md)
TUNED = "multistart+ops-lns"
# PyVRP: prizes x1000 so coverage dominates travel; a high penalty ceiling so the
# large prizes cannot buy time-window or capacity violations (see README).
PYVRP_PRIZE_SCALE = 1000
PYVRP_MAX_PENALTY = 1e9
# VROOM: mandatory stops priority 100, optional stops at most 50 (see solvers.py)
VROOM_PRIORITY = "half"


def jobs_for(inst: Instance, solver: str, limit: float, seed: int) -> list[Job]:
    if solver == "ortools":
        return [Job(inst, "ortools", limit, run_ortools, {})]
    if solver == "ortools-sl60":
        return [Job(inst, "ortools-sl60", limit, run_ortools, {"solution_limit": 60})]
    if solver == "ortools-tuned":
        cfg = ortools_config(TUNED)
        return [Job(inst, f"ortools-tuned ({cfg.name})", limit, run_ortools_config, {"cfg": cfg})]
    if solver == "pyvrp":
        kwargs = {
            "coords": inst.coords,
            "seed": seed,
            "prize_scale": PYVRP_PRIZE_SCALE,
            "max_penalty": PYVRP_MAX_PENALTY,
        }
        if inst.inp.breaks and any(b is not None for b in inst.inp.breaks):
            return [Job(inst, "pyvrp+repair", limit, run_pyvrp, kwargs, post=repair_for_meal)]
        return [Job(inst, "pyvrp", limit, run_pyvrp, kwargs)]
    if solver == "vroom":
        return [Job(inst, "vroom", limit, run_vroom, {"priority_mode": VROOM_PRIORITY})]
    raise SystemExit(f"unknown solver {solver!r}; have {SOLVERS}")


def report(outcomes: list[Outcome]) -> None:
    best: dict[str, int] = defaultdict(int)
    for o in outcomes:
        best[o.job.instance.name] = max(best[o.job.instance.name], o.score.prize)
    rows = []
    for o in sorted(
        outcomes, key=lambda o: (o.job.instance.name, o.job.time_limit_s)
    ):  # stable: solver order kept
        inst = o.job.instance
        b = best[inst.name]
        rows.append(
            [
                inst.name,
                f"{inst.inp.num_nodes}/{inst.optional_nodes}",
                inst.inp.num_vehicles,
                o.job.time_limit_s,
                o.job.solver,
                o.score.prize,
                round(100 * o.score.prize / b, 1) if b else 0.0,
                o.score.visits,
                round(o.score.travel_s / 3600, 1),
                o.score.feasible
                if o.score.feasible
                else f"NO ({o.score.infeasible_routes} routes)",
                round(o.run.wall_s, 1),
            ]
        )
    print_table(
        [
            "instance",
            "nodes/pool",
            "vehicles",
            "limit s",
            "solver",
            "prize",
            "% of best",
            "visits",
            "travel h",
            "feasible",
            "wall s",
        ],
        rows,
    )
    print()
    print("% of best: of the highest prize any solver reached on that instance, at any limit.")
    summary: dict[tuple[str, float], list[float]] = defaultdict(list)
    for o in outcomes:
        b = best[o.job.instance.name]
        summary[o.job.solver.split(" ")[0], o.job.time_limit_s].append(
            100 * o.score.prize / b if b else 0.0
        )
    print()
    print_table(
        ["solver", "limit s", "instances", "mean % of best", "worst % of best"],
        [
            [s, lim, len(v), round(sum(v) / len(v), 2), round(min(v), 1)]
            for (s, lim), v in sorted(summary.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        ],
    )
    problems = [(o, p) for o in outcomes for p in o.score.problems]
    if problems:
        print()
        print("Infeasible routes (scored 0):")
        for o, p in problems[:40]:
            print(f"  {o.job.instance.name} {o.job.time_limit_s:g}s {o.job.solver}: {p}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--areas", default=",".join(DEFAULT_AREAS), help="comma-separated area ids")
    ap.add_argument("--variants", default="full,nomeal")
    ap.add_argument("--limits", default="5,30", help="time limits in seconds")
    ap.add_argument("--solvers", default=",".join(SOLVERS))
    ap.add_argument("--seed", type=int, default=1, help="PyVRP seed")
    ap.add_argument("--jobs", type=int, default=2, help="solver processes at once (max 2)")
    args = ap.parse_args(argv)

    instances = build_instances(parse_list(args.areas), tuple(parse_list(args.variants)))
    jobs = [
        job
        for limit in parse_limits(args.limits)
        for inst in instances
        for solver in parse_list(args.solvers)
        for job in jobs_for(inst, solver, limit, args.seed)
    ]
    total = len(jobs)
    done = 0

    def progress(o: Outcome) -> None:
        nonlocal done
        done += 1
        print(
            f"[{done}/{total}] {o.job.instance.name} {o.job.time_limit_s:g}s {o.job.solver}:"
            f" prize {o.score.prize}, {'feasible' if o.score.feasible else 'INFEASIBLE'}",
            file=sys.stderr,
            flush=True,
        )

    outcomes = run_jobs(jobs, workers=args.jobs, on_done=progress)
    report(outcomes)


if __name__ == "__main__":
    main()
