"""Our router's weighted coverage as its time limit grows, on the comparison instances.

python bench/quality_vs_time.py                   # 1, 5, 30, 120 s
python bench/quality_vs_time.py --limits 1,5,30   # shorter
python bench/quality_vs_time.py --solvers ortools,ortools-tuned
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare_solvers import jobs_for
from instances import DEFAULT_AREAS, build_instances, parse_limits, parse_list, print_table
from runner import Outcome, run_jobs


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--areas", default=",".join(DEFAULT_AREAS))
    ap.add_argument("--variants", default="full")
    ap.add_argument("--limits", default="1,5,30,120")
    ap.add_argument("--solvers", default="ortools")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)

    limits = parse_limits(args.limits)
    instances = build_instances(parse_list(args.areas), tuple(parse_list(args.variants)))
    jobs = [
        job
        for limit in limits
        for inst in instances
        for solver in parse_list(args.solvers)
        for job in jobs_for(inst, solver, limit, 1)
    ]

    def progress(o: Outcome) -> None:
        print(
            f"{o.job.instance.name} {o.job.time_limit_s:g}s {o.job.solver}: {o.score.prize}",
            file=sys.stderr,
            flush=True,
        )

    outcomes = run_jobs(jobs, workers=args.jobs, on_done=progress)
    best: dict[str, int] = defaultdict(int)
    for o in outcomes:
        best[o.job.instance.name] = max(best[o.job.instance.name], o.score.prize)
    rows = []
    for o in sorted(
        outcomes, key=lambda o: (o.job.instance.name, o.job.solver, o.job.time_limit_s)
    ):
        b = best[o.job.instance.name]
        rows.append(
            [
                o.job.instance.name,
                o.job.solver,
                o.job.time_limit_s,
                o.score.prize,
                round(100 * o.score.prize / b, 1) if b else 0.0,
                o.score.visits,
                round(o.score.travel_s / 3600, 1),
                o.score.feasible,
                round(o.run.wall_s, 1),
            ]
        )
    print_table(
        [
            "instance",
            "solver",
            "limit s",
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
    print("% of best: of the highest prize on that instance over the limits run here.")
    pivot: dict[tuple[str, str], dict[float, int]] = defaultdict(dict)
    for o in outcomes:
        pivot[o.job.instance.name, o.job.solver][o.job.time_limit_s] = o.score.prize
    print()
    print_table(
        ["instance", "solver", *[f"{lim:g} s" for lim in limits]],
        [
            [name, solver, *[by.get(lim, "") for lim in limits]]
            for (name, solver), by in pivot.items()
        ],
    )


if __name__ == "__main__":
    main()
