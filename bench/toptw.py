"""Our router against PyVRP and VROOM on published TOPTW instances, against best-known scores.

Montemanni & Gambardella's pr11-pr20 (`bench/data/toptw/`), each with m = 1..4 identical
tours, solved by every solver at every time limit in the same run on the same machine;
every solution is re-checked and scored by `toptw_format.check_tours` under the
best-known scores' distance convention (Euclidean distance truncated to two decimals).
An infeasible solution scores 0 and is listed.

    python bench/toptw.py --limits 1,10                     # 40 pairs x 3 solvers x 2 limits
    python bench/toptw.py --limits 10 --instances pr11,pr15 --tours 2,4 --seeds 0,1,2
    python bench/toptw.py --solvers ours --unit 1000        # another time unit: same instance

Prints per time limit: the score of every solver on every pair with its gap to the
best-known score, the mean gap per m and solver, the head-to-head of our router against
PyVRP (wins / ties / losses on the mean score over seeds), and the work each solver did
(PyVRP iterations, ours and PyVRP's own) with how often the time limit cut ours before its
work limit. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent))

from toptw_format import check_tours, read_best_known, read_instance
from toptw_solvers import SolverRun, run_ours, run_pyvrp, run_vroom

DATA = Path(__file__).resolve().parent / "data" / "toptw"
INSTANCES = tuple(f"pr{k}" for k in range(11, 21))
SOLVERS: dict[str, Callable[..., SolverRun]] = {
    "ours": run_ours,
    "pyvrp": run_pyvrp,
    "vroom": run_vroom,
}
# Solvers whose answer does not depend on the seed: run once whatever `--seeds` says.
DETERMINISTIC = ("vroom",)
MAX_JOBS = 2


@dataclass(frozen=True)
class Job:
    instance: str
    tours: int
    solver: str
    limit: float
    seed: int
    unit: int
    data: Path


@dataclass(frozen=True)
class Row:
    instance: str
    tours: int
    solver: str
    limit: float
    seed: int
    score: int
    feasible: bool
    visits: int
    travel: float  # in the file's time units
    wall_s: float
    cpu_s: float  # processor time the solving process got: the machine is shared
    work: float  # PyVRP's iterations (ours included); 0 for VROOM
    cut_by_time: bool  # ours: the time limit, not the work limit, ended the search
    problems: str


def run_job(job: Job) -> Row:
    """Solve one job (in its own process) and score it."""
    warnings.simplefilter("ignore")
    inst = read_instance(job.data / f"{job.instance}.txt")
    cpu = time.process_time()
    run = SOLVERS[job.solver](inst, job.tours, job.limit, seed=job.seed, unit=job.unit)
    cpu = time.process_time() - cpu
    check = check_tours(inst, run.tours, job.tours)
    work = float(run.info.get("iterations_done", run.info.get("iterations", 0)))
    return Row(
        job.instance,
        job.tours,
        job.solver,
        job.limit,
        job.seed,
        check.score,
        check.feasible,
        check.visits,
        check.travel / 100,
        run.wall_s,
        cpu,
        work,
        bool(run.info.get("cut_by_time", False)),
        "; ".join(check.problems[:3]),
    )


def run_jobs(jobs: Sequence[Job], workers: int) -> list[Row]:
    """Each job in a fresh process, at most `workers` at once; progress on stderr."""
    rows: list[Row] = []
    ctx = mp.get_context("fork")
    with ctx.Pool(max(1, min(MAX_JOBS, workers)), maxtasksperchild=1) as pool:
        for k, row in enumerate(pool.imap(run_job, jobs), start=1):
            rows.append(row)
            flag = "" if row.feasible else "  INFEASIBLE"
            print(
                f"[{k}/{len(jobs)}] {row.instance} m={row.tours} {row.solver} "
                f"{row.limit:g}s seed {row.seed}: {row.score} ({row.wall_s:.1f} s){flag}",
                file=sys.stderr,
            )
    return rows


def build_jobs(args: argparse.Namespace) -> list[Job]:
    """Every solver on one pair before the next pair, so the machine's load (shared with
    others) hits the solvers alike."""
    jobs = []
    for limit in args.limits:
        for name in args.instances:
            for tours in args.tours:
                for seed in args.seeds:
                    for solver in args.solvers:
                        if solver in DETERMINISTIC and seed != args.seeds[0]:
                            continue
                        jobs.append(Job(name, tours, solver, limit, seed, args.unit, args.data))
    return jobs


def gap(score: float, best: int) -> float:
    """Percent below the best-known score (negative: above it)."""
    return 100.0 * (best - score) / best


def print_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A Markdown table: text left, cells right-aligned."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells:
        print("| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |")
    print()


def report(rows: list[Row], bks: dict[tuple[str, int], int], args: argparse.Namespace) -> None:
    solvers = [s for s in args.solvers if any(r.solver == s for r in rows)]
    by: dict[tuple[float, str, int, str], list[Row]] = defaultdict(list)
    for r in rows:
        by[(r.limit, r.instance, r.tours, r.solver)].append(r)

    def mean_score(key: tuple[float, str, int, str]) -> float:
        return mean(r.score for r in by[key])

    for limit in args.limits:
        pairs = [(i, m) for i in args.instances for m in args.tours if (i, m) in bks]
        print(f"## {limit:g} s\n")
        header = ["instance", "m", "BKS"]
        for s in solvers:
            header += [s, f"{s} gap %"]
        table = []
        for inst, m in pairs:
            line: list[object] = [inst, m, bks[(inst, m)]]
            for s in solvers:
                runs = by[(limit, inst, m, s)]
                if not runs:
                    line += ["-", "-"]
                    continue
                scores = sorted(r.score for r in runs)
                shown = f"{mean(scores):.1f}" if len(scores) > 1 else str(scores[0])
                if len(scores) > 1:
                    shown += f" ({scores[0]}-{scores[-1]})"
                line += [shown, f"{gap(mean(scores), bks[(inst, m)]):.2f}"]
            table.append(line)
        print_table(header, table)

        header = ["m", *(f"{s} mean gap %" for s in solvers)]
        table = []
        for m in [*args.tours, "all"]:
            line = [m]
            for s in solvers:
                gaps = [
                    gap(mean_score((limit, i, mm, s)), bks[(i, mm)])
                    for i, mm in pairs
                    if (m == "all" or mm == m) and by[(limit, i, mm, s)]
                ]
                line.append(f"{mean(gaps):.2f}" if gaps else "-")
            table.append(line)
        print_table(header, table)

        if "ours" in solvers and "pyvrp" in solvers:
            wins = ties = losses = 0
            for inst, m in pairs:
                if not by[(limit, inst, m, "ours")] or not by[(limit, inst, m, "pyvrp")]:
                    continue
                ours, theirs = (
                    mean_score((limit, inst, m, "ours")),
                    mean_score((limit, inst, m, "pyvrp")),
                )
                wins += ours > theirs
                ties += ours == theirs
                losses += ours < theirs
            print(f"ours vs PyVRP at {limit:g} s: {wins} wins, {ties} ties, {losses} losses\n")

        header = ["solver", "runs", "mean wall s", "mean CPU s", "mean work", "work per CPU s"]
        header += ["cut by time", "infeasible"]
        table = []
        for s in solvers:
            runs = [r for r in rows if r.limit == limit and r.solver == s]
            walls = [r.wall_s for r in runs]
            works = [r.work / max(1e-9, r.cpu_s) for r in runs]
            table.append(
                [
                    s,
                    len(runs),
                    f"{mean(walls):.2f}",
                    f"{mean(r.cpu_s for r in runs):.2f}",
                    f"{mean(r.work for r in runs):.0f}",
                    f"{mean(works):.0f}",
                    sum(r.cut_by_time for r in runs),
                    sum(not r.feasible for r in runs),
                ]
            )
        print("work: PyVRP iterations (ours: PyVRP under route mode's work limit)\n")
        print_table(header, table)

    bad = [r for r in rows if not r.feasible]
    if bad:
        print("Infeasible solutions (scored 0):")
        for r in bad:
            print(f"- {r.instance} m={r.tours} {r.solver} {r.limit:g}s seed {r.seed}: {r.problems}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)

    def numbers(kind: type) -> Callable[[str], list]:  # type: ignore[type-arg]
        return lambda text: [kind(x) for x in text.split(",") if x]

    p.add_argument("--limits", type=numbers(float), default=[1.0, 10.0, 60.0])
    p.add_argument("--instances", type=lambda t: t.split(","), default=list(INSTANCES))
    p.add_argument("--tours", type=numbers(int), default=[1, 2, 3, 4])
    p.add_argument("--seeds", type=numbers(int), default=[0])
    p.add_argument("--solvers", type=lambda t: t.split(","), default=list(SOLVERS))
    p.add_argument("--jobs", type=int, default=MAX_JOBS, help="solver processes at once (1-2)")
    p.add_argument(
        "--unit", type=int, default=100, help="integer ticks per time unit (multiple of 100)"
    )
    p.add_argument("--data", type=Path, default=DATA, help="directory of prNN.txt and bks.csv")
    p.add_argument("--csv", type=Path, help="also write every run as a CSV row to this file")
    args = p.parse_args(argv)
    unknown = set(args.solvers) - set(SOLVERS)
    if unknown:
        p.error(f"unknown solvers {sorted(unknown)}; known: {', '.join(SOLVERS)}")
    if args.unit <= 0 or args.unit % 100:
        p.error("--unit must be a positive multiple of 100 (two decimals of the time unit)")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    bks = read_best_known(args.data / "bks.csv")
    for name in args.instances:
        read_instance(args.data / f"{name}.txt")  # fail early on a bad file
    jobs = build_jobs(args)
    load_before = os.getloadavg()
    began = time.perf_counter()
    rows = run_jobs(jobs, args.jobs)
    load_after = os.getloadavg()
    print(
        f"# TOPTW: {len(jobs)} runs in {time.perf_counter() - began:.0f} s, {args.jobs} at once, "
        f"{os.cpu_count()} cores; load average (1/5/15 min) before "
        f"{'/'.join(f'{x:.1f}' for x in load_before)}, after "
        f"{'/'.join(f'{x:.1f}' for x in load_after)}\n"
    )
    report(rows, bks, args)
    if args.csv is not None:
        with args.csv.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(asdict(rows[0]).keys()))
            writer.writeheader()
            writer.writerows(asdict(r) for r in rows)


if __name__ == "__main__":
    main()
