"""Weighted coverage of our router against PyVRP and VROOM on the same area instances.

Every solver gets the same `RoutingInput` (built by `planner.election.build_routing_input`
from the area's sample, mix dimension removed) and the same time limit; every answer is
scored by the one evaluator in `evaluate.py`.

Instance variants: `full` has the meal break; `nomeal` drops it, because PyVRP cannot
model a break. On `full`, PyVRP solves the meal-less relaxation and its routes are then
repaired (cheapest optional stops dropped until the break fits): `pyvrp+repair`.
Our router and VROOM solve both variants exactly.

Our router and PyVRP are randomised: one run says little when two seeds of the same
solver differ by as much as two solvers do. Each runs once per seed (`--seeds`) and the
verdict compares mean weighted coverage; VROOM is deterministic and runs once.

    python bench/compare_solvers.py                       # 5 s and 30 s, three areas, 3 seeds
    python bench/compare_solvers.py --limits 5 --areas AOR-12 --variants nomeal --seeds 0
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, replace
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

from planner.routing_data import DEFAULT_SEARCH

SOLVERS = ("ortools", "ortools-sl60", "ortools-tuned", "pyvrp", "vroom")
DEFAULT_SOLVERS = ("ortools", "pyvrp", "vroom")
# solvers whose answer does not depend on a seed: run once whatever `--seeds` says
DETERMINISTIC = ("ortools-tuned", "vroom")
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
        return [Job(inst, "ortools", limit, run_ortools, {"seed": seed})]
    if solver.startswith("ortools-pyvrp"):  # e.g. ortools-pyvrp50: half the limit to PyVRP
        share = int(solver.removeprefix("ortools-pyvrp")) / 100
        search = replace(DEFAULT_SEARCH, pyvrp_share=share)
        kwargs = {"seed": seed, "search": search, "name": solver}
        return [Job(inst, solver, limit, run_ortools, kwargs)]
    if solver == "ortools-sl60":
        return [Job(inst, "ortools-sl60", limit, run_ortools, {"solution_limit": 60, "seed": seed})]
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


@dataclass(frozen=True)
class Summary:
    """One solver's runs on one instance at one time limit."""

    prizes: tuple[int, ...]
    visits: float
    travel_h: float
    infeasible: int
    wall_s: float

    @property
    def mean(self) -> float:
        return sum(self.prizes) / len(self.prizes)


def summarise(outcomes: list[Outcome]) -> dict[tuple[str, float, str], Summary]:
    """Runs grouped by (instance, limit, solver), in the order they were listed."""
    groups: dict[tuple[str, float, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.job.instance.name, o.job.time_limit_s, o.job.solver].append(o)
    return {
        key: Summary(
            prizes=tuple(o.score.prize for o in runs),
            visits=sum(o.score.visits for o in runs) / len(runs),
            travel_h=sum(o.score.travel_s for o in runs) / len(runs) / 3600,
            infeasible=sum(o.score.infeasible_routes for o in runs),
            wall_s=max(o.run.wall_s for o in runs),
        )
        for key, runs in groups.items()
    }


def report(outcomes: list[Outcome]) -> None:
    summaries = summarise(outcomes)
    best: dict[str, float] = defaultdict(float)
    for (name, _, _), summary in summaries.items():
        best[name] = max(best[name], summary.mean)
    nodes = {o.job.instance.name: o.job.instance for o in outcomes}
    rows = []
    for (name, limit, solver), summary in sorted(summaries.items(), key=lambda kv: kv[0][:2]):
        inst = nodes[name]
        rows.append(
            [
                name,
                f"{inst.inp.num_nodes}/{inst.optional_nodes}",
                inst.inp.num_vehicles,
                limit,
                solver,
                len(summary.prizes),
                round(summary.mean, 1),
                min(summary.prizes),
                max(summary.prizes),
                round(100 * summary.mean / best[name], 2) if best[name] else 0.0,
                round(summary.visits, 1),
                round(summary.travel_h, 1),
                "yes" if not summary.infeasible else f"NO ({summary.infeasible} routes)",
                round(summary.wall_s, 1),
            ]
        )
    print_table(
        [
            "instance",
            "nodes/pool",
            "vehicles",
            "limit s",
            "solver",
            "runs",
            "prize mean",
            "min",
            "max",
            "% of best",
            "visits",
            "travel h",
            "feasible",
            "wall s",
        ],
        rows,
    )
    print()
    print("% of best: of the highest mean prize any solver reached on that instance, any limit.")
    print_verdict(summaries)
    problems = [(o, p) for o in outcomes for p in o.score.problems]
    if problems:
        print()
        print("Infeasible routes (scored 0):")
        for o, p in problems[:40]:
            print(f"  {o.job.instance.name} {o.job.time_limit_s:g}s {o.job.solver}: {p}")


def print_verdict(summaries: dict[tuple[str, float, str], Summary]) -> None:
    """Ours against the best other solver, instance by instance, by mean prize."""
    rows = []
    cases = sorted({(name, limit) for name, limit, _ in summaries}, key=lambda c: (c[1], c[0]))
    for name, limit in cases:
        ours = summaries.get((name, limit, "ortools"))
        others = [
            (summary.mean, solver)
            for (n, lim, solver), summary in summaries.items()
            if n == name and lim == limit and not solver.startswith("ortools")
        ]
        if ours is None or not others:
            continue
        other_mean, other = max(others)
        rows.append(
            [
                name,
                limit,
                round(ours.mean, 1),
                f"{min(ours.prizes)}-{max(ours.prizes)}",
                other,
                round(other_mean, 1),
                round(100 * ours.mean / other_mean, 2) if other_mean else 0.0,
                "yes" if ours.mean >= other_mean else "no",
            ]
        )
    if not rows:
        return
    print()
    print_table(
        ["instance", "limit s", "ours mean", "ours range", "best other", "its mean", "%", "met"],
        rows,
    )
    met = sum(row[-1] == "yes" for row in rows)
    print(f"ours >= the best other solver's mean on {met} of {len(rows)} instance/limit pairs")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--areas", default=",".join(DEFAULT_AREAS), help="comma-separated area ids")
    ap.add_argument("--variants", default="full,nomeal")
    ap.add_argument("--limits", default="5,30", help="time limits in seconds")
    ap.add_argument(
        "--solvers", default=",".join(DEFAULT_SOLVERS), help=f"any of {','.join(SOLVERS)}"
    )
    ap.add_argument("--seeds", default="0,1,2", help="seeds of the randomised solvers")
    ap.add_argument("--jobs", type=int, default=2, help="solver processes at once (max 2)")
    args = ap.parse_args(argv)

    seeds = [int(s) for s in parse_list(args.seeds)]
    instances = build_instances(parse_list(args.areas), tuple(parse_list(args.variants)))
    jobs = [
        job
        for limit in parse_limits(args.limits)
        for inst in instances
        for solver in parse_list(args.solvers)
        for seed in (seeds[:1] if solver in DETERMINISTIC else seeds)
        for job in jobs_for(inst, solver, limit, seed)
    ]
    total = len(jobs)
    done = 0

    def progress(o: Outcome) -> None:
        nonlocal done
        done += 1
        print(
            f"[{done}/{total}] {o.job.instance.name} {o.job.time_limit_s:g}s {o.job.solver}"
            f" seed {o.job.kwargs.get('seed', '-')}:"
            f" prize {o.score.prize}, {'feasible' if o.score.feasible else 'INFEASIBLE'}",
            file=sys.stderr,
            flush=True,
        )

    outcomes = run_jobs(jobs, workers=args.jobs, on_done=progress)
    report(outcomes)


if __name__ == "__main__":
    main()
