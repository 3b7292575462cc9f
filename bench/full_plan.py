"""The whole default plan (150 teams, 10,101 stations): time, memory, coverage, checker.

Runs `planner.plan.solve` as `planner plan` does (time limit 60 s, 2 workers, the
mission's seed), writes the plan files to a temporary directory, re-checks them with
`planner.check.check_plan_dir`, and prints tables.

    python bench/full_plan.py                 # one run
    python bench/full_plan.py --repeat 2      # + determinism and seed-sensitivity checks

Memory: `peak tree RSS` is sampled every 0.1 s as the sum of the resident memory of this
process and all its descendants (the worker pool); the getrusage figures are the peak of
this process alone and of the largest single finished child.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import print_table

from planner.check import check_plan_dir
from planner.datasets import get_path
from planner.geodata import load_mission
from planner.outputs import visits_csv, write_plan
from planner.plan import _budgets, solve
from planner.problem import PlanOptions, area_problems
from planner.schedule import PHASES, Plan

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
        except OSError:
            continue
        out.extend(int(c) for c in text.split())
    return out


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(root: int) -> int:
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss(pid)
        stack.extend(_children(pid))
    return total


class TreeMemory:
    """Samples the resident memory of this process tree in a background thread."""

    def __init__(self, every_s: float = 0.1) -> None:
        self.every_s = every_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(me))
            self._stop.wait(self.every_s)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def one_run(mission, seed: int, time_limit: float, workers: int) -> tuple[Plan, float, int]:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    with TreeMemory() as mem:
        plan = solve(mission, time_limit_s=time_limit, seed=seed, workers=workers)
    return plan, time.perf_counter() - began, mem.peak


def mb(n_bytes: float) -> float:
    return round(n_bytes / 2**20, 1)


def selection(plan: Plan) -> set[tuple[str, str]]:
    return {(s.phase, s.site_id) for s in plan.stops if s.phase != "base"}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mission", type=Path, default=None, help="default: the shipped mission")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=None, help="default: the mission's")
    ap.add_argument("--repeat", type=int, default=1, help="2: also check determinism and seeds")
    args = ap.parse_args(argv)
    workers = min(2, args.workers)

    began = time.perf_counter()
    path = args.mission or get_path()
    mission = load_mission(path)
    load_s = time.perf_counter() - began
    seed = mission.seed if args.seed is None else args.seed

    plan, wall, tree_peak = one_run(mission, seed, args.time_limit, workers)
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024

    with tempfile.TemporaryDirectory() as tmp:
        began_check = time.perf_counter()
        out = write_plan(plan, mission, Path(tmp) / "plan", mission_path=path)
        report = check_plan_dir(out, mission)
        check_s = time.perf_counter() - began_check

    stations = len(mission.stations)
    print(
        f"{mission.name}: {stations:,} stations, {len(mission.sto_teams)} STO teams,"
        f" {len(plan.areas)} areas; seed {seed}, time limit {args.time_limit:g} s,"
        f" {workers} workers"
    )
    print()
    print_table(
        ["measure", "value"],
        [
            ["load mission s", round(load_s, 2)],
            ["solve wall s", round(wall, 2)],
            ["solve wall s (plan.stats)", plan.stats.get("wall_s", "")],
            ["routing budget s (sum over areas)", plan.stats.get("routing_budget_s", "")],
            ["write + check s", round(check_s, 2)],
            ["peak tree RSS MB (sampled)", mb(tree_peak)],
            ["peak RSS MB, main process", mb(self_peak)],
            ["peak RSS MB, largest worker", mb(child_peak)],
            ["stops", len(plan.stops)],
            ["check violations", len(report.violations)],
            ["check warnings", len(report.warnings)],
        ],
    )
    print()
    achieved = plan.achieved
    print_table(
        ["phase", "target", "planned", "% of target", "met"],
        [
            [
                phase,
                getattr(plan.targets, phase),
                achieved[phase],
                round(100 * achieved[phase] / max(1, getattr(plan.targets, phase)), 1),
                achieved[phase] >= getattr(plan.targets, phase),
            ]
            for phase in PHASES
        ],
    )
    print()
    options = PlanOptions(seed=seed, time_limit_s=args.time_limit)
    problems = area_problems(mission, options)
    budgets: dict[str, float] = {}
    for p, budget in zip(problems, _budgets(problems, args.time_limit, workers), strict=True):
        budgets[p.area_id] = budgets.get(p.area_id, 0.0) + budget  # an area's parts together
    print_table(
        ["area", "teams", "pool", "voting", "per team", "budget s", "search s", "rounds", "status"],
        [
            [
                a.area_id,
                int(a.stats["teams"]),
                int(a.stats["pool"]),
                int(a.stats["voting_visits"]),
                round(a.stats["voting_visits"] / max(1, a.stats["teams"]), 1),
                round(budgets.get(a.area_id, 0.0), 1),
                a.stats["search_s"],
                int(a.stats.get("lns_rounds", 0)),
                a.stats["status"],
            ]
            for a in plan.areas
        ],
    )
    if report.violations or report.warnings:
        print()
        rules = Counter(v.rule for v in report.violations)
        warn = Counter(w.rule for w in report.warnings)
        print_table(
            ["kind", "rule", "count", "first example"],
            [
                ["violation", r, n, str(next(v for v in report.violations if v.rule == r))]
                for r, n in rules.most_common()
            ]
            + [
                ["warning", r, n, str(next(w for w in report.warnings if w.rule == r))]
                for r, n in warn.most_common()
            ],
        )

    if args.repeat >= 2:
        print()
        first = visits_csv(plan)
        again, wall2, _ = one_run(mission, seed, args.time_limit, workers)
        same = visits_csv(again) == first
        other, wall3, _ = one_run(mission, seed + 1, args.time_limit, workers)
        a, b = selection(plan), selection(other)
        overlap = len(a & b) / max(1, len(a | b))
        rows = [
            ["same seed: visits.csv byte-identical", same],
            ["same seed: second run wall s", round(wall2, 1)],
            [f"seed {seed + 1}: wall s", round(wall3, 1)],
            [f"seed {seed + 1}: selection differs", a != b],
            [f"seed {seed + 1}: stops in common (Jaccard)", round(overlap, 3)],
        ]
        for phase in PHASES:
            rows.append(
                [
                    f"{phase}: seed {seed} / seed {seed + 1}",
                    f"{plan.achieved[phase]} / {other.achieved[phase]}",
                ]
            )
        if not same:
            diff = sum(
                1
                for x, y in zip(first.splitlines(), visits_csv(again).splitlines(), strict=False)
                if x != y
            )
            rows.append(["same seed: differing visits.csv lines", diff])
        print_table(["repeat check", "result"], rows)
        if not same:
            print()
            print("Areas whose stops differ between the two same-seed runs:")
            second = {a.area_id: a for a in again.areas}
            print_table(
                ["area", "budget s", "search s run 1", "search s run 2", "status run 1"],
                [
                    [
                        a.area_id,
                        round(budgets.get(a.area_id, 0.0), 1),
                        a.stats.get("search_s", ""),
                        second[a.area_id].stats.get("search_s", ""),
                        a.stats.get("status", ""),
                    ]
                    for a in plan.areas
                    if a.area_id in second and a.stops != second[a.area_id].stops
                ],
            )


if __name__ == "__main__":
    main()
