"""Alternative OR-Tools search set-ups for our election-day model, measured on the instances.

Every configuration solves a copy of `planner.routing.solve_routing`'s model (same
dimensions, windows, breaks, disjunctions) with different search parameters; the routes
are scored by `evaluate.py`. `base` reproduces the production parameters.

    python bench/tune_ortools.py --limit 5 --configs base,fs-parallel,gls-l0.5
    python bench/tune_ortools.py --list
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import DEFAULT_AREAS, build_instances, parse_limits, parse_list, print_table
from runner import Job, run_jobs
from solvers import OrConfig, run_ortools_config

MORE_OPS = (
    ("use_extended_swap_active", True),
    ("use_relocate_and_make_active", True),
    ("use_exchange_and_make_active", True),
)
LNS_OPS = (
    ("use_inactive_lns", True),
    ("use_path_lns", True),
    ("use_global_cheapest_insertion_close_nodes_lns", True),
    ("use_local_cheapest_insertion_close_nodes_lns", True),
)

MULTI_STARTS = tuple(
    (strategy, scale)
    for scale in (100, 300, None)
    for strategy in ("PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION")
)

CONFIGS: dict[str, OrConfig] = {
    c.name: c
    for c in [
        OrConfig("base"),
        # first-solution strategies
        *(
            OrConfig(f"fs-{short}", first_solution=full)
            for short, full in [
                ("parallel", "PARALLEL_CHEAPEST_INSERTION"),
                ("sequential", "SEQUENTIAL_CHEAPEST_INSERTION"),
                ("global-arc", "GLOBAL_CHEAPEST_ARC"),
                ("path-arc", "PATH_CHEAPEST_ARC"),
                ("savings", "SAVINGS"),
                ("unperformed", "ALL_UNPERFORMED"),
                ("local-cost", "LOCAL_CHEAPEST_COST_INSERTION"),
                ("automatic", "AUTOMATIC"),
            ]
        ),
        # metaheuristics
        OrConfig("mh-greedy", metaheuristic="GREEDY_DESCENT"),
        OrConfig("mh-sa", metaheuristic="SIMULATED_ANNEALING"),
        OrConfig("mh-tabu", metaheuristic="TABU_SEARCH"),
        OrConfig("mh-gtabu", metaheuristic="GENERIC_TABU_SEARCH"),
        # guided local search penalty weight
        *(OrConfig(f"gls-l{lam}", gls_lambda=lam) for lam in (0.01, 0.05, 0.5, 1.0)),
        # size of the drop penalty per prize unit (production: above any route's travel)
        *(OrConfig(f"scale-{s}", prize_scale=s) for s in (10, 30, 100, 300, 1000, 10000)),
        OrConfig("no-balance", balance=False),
        # first solution on a scale-100 model, then search with coverage strictly first
        OrConfig("warm100", warm_scale=100),
        OrConfig("warm100-half", warm_scale=100, warm_share=0.5),
        # several first solutions, keep the best, search on
        OrConfig("multistart", starts=MULTI_STARTS),
        # the plan's solution limit, with OR-Tools' LNS wall-clock cap (0.1 s) or without it
        OrConfig("sl60", solution_limit=60),
        OrConfig("lns-uncapped", lns_limit_s=3600.0),
        # operators
        OrConfig("ops-more", operators=MORE_OPS),
        OrConfig("ops-lns", operators=LNS_OPS),
        OrConfig("ops-all", operators=MORE_OPS + LNS_OPS),
    ]
}


def add_combo(name: str) -> OrConfig:
    """`a+b+...`: a config that merges the named configs' non-default fields, left to right."""
    default = OrConfig()
    merged = dict(default.__dict__)
    for part in name.split("+"):
        cfg = CONFIGS[part]
        for key, value in cfg.__dict__.items():
            if key == "name" or value == getattr(default, key):
                continue
            if key in ("operators", "params"):
                merged[key] = tuple(merged[key]) + tuple(value)
            else:
                merged[key] = value
    merged["name"] = name
    return OrConfig(**merged)


def config(name: str) -> OrConfig:
    return CONFIGS[name] if name in CONFIGS else add_combo(name)


def report_twice(outcomes: list) -> None:  # type: ignore[type-arg]
    """Same job twice: identical routes? (Deterministic only if no wall clock stops it.)"""
    rows = []
    for a, b in zip(outcomes[::2], outcomes[1::2], strict=True):
        rows.append(
            [
                a.job.instance.name,
                a.job.time_limit_s,
                a.job.solver,
                a.score.prize,
                b.score.prize,
                a.run.routes == b.run.routes,
                round(a.run.wall_s, 1),
                round(b.run.wall_s, 1),
            ]
        )
    print_table(
        ["instance", "limit s", "config", "prize 1", "prize 2", "same routes", "wall 1", "wall 2"],
        rows,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--areas", default=",".join(DEFAULT_AREAS))
    ap.add_argument("--variants", default="full")
    ap.add_argument("--limit", "--limits", dest="limits", default="5")
    ap.add_argument("--configs", default="base,fs-parallel,fs-sequential,fs-global-arc")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--list", action="store_true", help="list the named configurations")
    ap.add_argument(
        "--twice",
        action="store_true",
        help="run every job twice (side by side) and report whether the routes are identical",
    )
    args = ap.parse_args(argv)
    if args.list:
        for name, cfg in CONFIGS.items():
            print(name, cfg)
        return
    instances = build_instances(parse_list(args.areas), tuple(parse_list(args.variants)))
    names = parse_list(args.configs)
    configs = [config(n) for n in names]
    jobs = [
        Job(inst, cfg.name, limit, run_ortools_config, {"cfg": cfg})
        for limit in parse_limits(args.limits)
        for inst in instances
        for cfg in configs
    ]
    if args.twice:
        jobs = [j for job in jobs for j in (job, job)]
    outcomes = run_jobs(jobs, workers=args.jobs)
    if args.twice:
        report_twice(outcomes)
        return
    best: dict[str, int] = defaultdict(int)
    for o in outcomes:
        best[o.job.instance.name] = max(best[o.job.instance.name], o.score.prize)
    base = {
        (o.job.instance.name, o.job.time_limit_s): o.score.prize
        for o in outcomes
        if o.job.solver == names[0]
    }
    rows = []
    for o in outcomes:
        key = (o.job.instance.name, o.job.time_limit_s)
        b = base.get(key)
        rows.append(
            [
                o.job.instance.name,
                o.job.time_limit_s,
                o.job.solver,
                o.score.prize,
                o.score.visits,
                round(100 * o.score.prize / best[o.job.instance.name], 1)
                if best[o.job.instance.name]
                else 0.0,
                f"{100 * (o.score.prize - b) / b:+.1f}" if b else "",
                round(o.score.travel_s / 3600, 1),
                o.score.feasible,
                round(o.run.wall_s, 1),
            ]
        )
    print_table(
        [
            "instance",
            "limit s",
            "config",
            "prize",
            "visits",
            "% of best",
            f"% vs {names[0]}",
            "travel h",
            "feasible",
            "wall s",
        ],
        rows,
    )
    # mean over instances, per config and limit
    totals: dict[tuple[str, float], list[float]] = defaultdict(list)
    for o in outcomes:
        b = best[o.job.instance.name]
        totals[o.job.solver, o.job.time_limit_s].append(100 * o.score.prize / b if b else 0.0)
    print()
    print_table(
        ["config", "limit s", "mean % of best"],
        [[c, lim, round(sum(v) / len(v), 2)] for (c, lim), v in totals.items()],
    )


if __name__ == "__main__":
    main()
