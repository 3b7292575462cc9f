"""Country-scale runs: wall time, peak memory of the whole process tree, teams planned and
coverage, in this process against a 2-worker LocalCluster.

    python bench/scale.py                               # 10k and 60k stations
    python bench/scale.py --sizes 10k,60k,200k,1m       # the four countries
    python bench/scale.py --sizes 1m --workers 2 --time-limit 1800

Countries are synthetic (`planner.synthetic.synthetic_mission`: clustered cities and
villages, districts, TECs, one region per area, teams in proportion to stations, a capital
area with about 14 % of the stations), built as `Mission` objects and handed to each run
as a pickle:

| size | stations | teams | areas |
|---|---|---|---|
| 10k | 10,000 | 150 | 15 |
| 60k | 60,000 | 900 | 30 |
| 200k | 200,000 | 1,500 | 50 |
| 1m | 1,000,000 | 1,500 | 50 |

Each run is a fresh process doing what `planner plan` does after loading a package: its
clock starts with the process, a LocalCluster (unless `--workers 1`) starts while the
mission is read, areas are solved with the run's deadline, files are written (and, with
`--check`, re-checked). Peak memory is the resident memory of that process and all its
descendants (fork server, workers), summed and sampled every 0.2 s with psutil.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SIZES = {
    "10k": (10_000, 150, 15),
    "60k": (60_000, 900, 30),
    "200k": (200_000, 1_500, 50),
    "1m": (1_000_000, 1_500, 50),
}
PHASES = ("opening", "voting", "counting", "tabulation")


def run_one(args: argparse.Namespace) -> None:
    """One run in this process (the child side); prints its figures as one JSON line."""
    from planner.execution import Execution, Runner, process_started_at

    started = process_started_at()  # the run's clock starts with its process
    runner = Runner(Execution(workers=args.workers))
    closing = None
    try:
        from planner.outputs import write_plan
        from planner.plan import solve, write_reserve_s

        began = time.time()
        mission = pickle.loads(Path(args.run).read_bytes())
        loaded = time.time()
        plan = solve(
            mission,
            time_limit_s=args.time_limit,
            seed=args.seed,
            runner=runner,
            deadline=started + args.time_limit - write_reserve_s(mission),
        )
        solved = time.time()
        closing = threading.Thread(target=runner.close)
        closing.start()
        write_plan(plan, mission, Path(args.out), force=True)
        written = time.time()
    finally:
        if closing is None:
            runner.close()
        else:
            closing.join()
    violations = None
    if args.check:
        from planner.check import check_plan_dir

        violations = len(check_plan_dir(Path(args.out), mission).violations)
    planned = len({s.team_id for s in plan.stops})
    print(
        json.dumps(
            {
                "load_s": loaded - began,
                "solve_s": solved - loaded,
                "write_s": written - solved,
                "teams": len(mission.sto_teams),
                "planned": planned,
                "achieved": plan.achieved,
                "targets": {p: getattr(plan.targets, p) for p in PHASES},
                "cut": plan.stats["cut_areas"],
                "areas": len(plan.areas),
                "area_cpu_s": sum(float(a.stats.get("cpu_s") or 0.0) for a in plan.areas),
                "largest_area_teams": max(int(a.stats["teams"]) for a in plan.areas),
                "unplanned_areas": sorted(
                    a.area_id
                    for a in plan.areas
                    if int(a.stats.get("planned_teams", 0)) < int(a.stats["teams"])
                ),
                "violations": violations,
            }
        ),
        flush=True,
    )


def _tree_rss(process) -> int:  # type: ignore[no-untyped-def]
    import psutil

    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def measure(mission_file: Path, out: Path, workers: int, args: argparse.Namespace) -> dict:
    """Run one child process; its figures plus wall time and peak tree memory."""
    import psutil

    command = [
        sys.executable, str(Path(__file__).resolve()), "--run", str(mission_file),
        "--out", str(out), "--workers", str(workers), "--time-limit", str(args.time_limit),
        "--seed", str(args.seed),
    ]  # fmt: skip
    if args.check:
        command.append("--check")
    began = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    root = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, _tree_rss(root))
        time.sleep(0.2)
    wall = time.monotonic() - began
    output = child.stdout.read() if child.stdout else ""
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if child.returncode != 0 or not lines:
        return {"error": f"exit {child.returncode}", "wall_s": wall, "peak_mb": peak / 2**20}
    return {**json.loads(lines[-1]), "wall_s": wall, "peak_mb": peak / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10k,60k", help=f"comma-separated, of {list(SIZES)}")
    ap.add_argument("--workers", default="1,2", help="runs per size: 1 = in-process")
    ap.add_argument("--time-limit", type=float, default=1800.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", action="store_true", help="re-check each plan's files")
    ap.add_argument("--run", help=argparse.SUPPRESS)  # the child side: a pickled mission
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run:
        args.workers = int(args.workers)
        run_one(args)
        return

    from instances import print_table

    from planner.synthetic import synthetic_mission

    rows = []
    with tempfile.TemporaryDirectory(prefix="planner-scale-") as tmp:
        for size in args.sizes.split(","):
            stations, teams, areas = SIZES[size]
            t = time.monotonic()
            mission = synthetic_mission(stations, teams, areas, seed=args.seed)
            made = time.monotonic() - t
            mission_file = Path(tmp) / f"{size}.pickle"
            mission_file.write_bytes(pickle.dumps(mission, protocol=pickle.HIGHEST_PROTOCOL))
            print(
                f"{size}: built in {made:.1f} s, pickle {mission_file.stat().st_size / 2**20:.0f}"
                " MB",
                file=sys.stderr,
            )
            del mission
            for workers in (int(w) for w in args.workers.split(",")):
                got = measure(mission_file, Path(tmp) / f"{size}-{workers}", workers, args)
                print(f"{size}, {workers} worker(s): {json.dumps(got)}", file=sys.stderr)
                rows.append(_row(size, workers, got))
            mission_file.unlink()
    print_table(
        ["country", "run", "wall s", "load s", "solve s", "write s", "area CPU s", "peak MB",
         "teams planned", "opening", "voting", "counting", "TECs", "cut areas", "check"],
        rows,
    )  # fmt: skip


def _row(size: str, workers: int, got: dict) -> list[object]:
    _stations, teams, areas = SIZES[size]
    run = "in-process" if workers == 1 else f"{workers} workers"
    head: list[object] = [f"{size} ({teams} teams, {areas} areas)", run, round(got["wall_s"], 1)]
    if "error" in got:
        return [*head, "", "", "", "", round(got["peak_mb"]), got["error"], *[""] * 6]
    achieved, targets = got["achieved"], got["targets"]
    return [
        *head,
        round(got["load_s"], 1),
        round(got["solve_s"], 1),
        round(got["write_s"], 1),
        round(got["area_cpu_s"]),
        round(got["peak_mb"]),
        f"{got['planned']}/{got['teams']} ({100 * got['planned'] / got['teams']:.0f} %)",
        *(f"{achieved[p]}/{targets[p]}" for p in PHASES),
        len(got["cut"]),
        "" if got["violations"] is None else f"{got['violations']} violations",
    ]


if __name__ == "__main__":
    main()
