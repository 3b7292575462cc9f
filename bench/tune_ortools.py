"""Alternative OR-Tools search set-ups for our election-day model, measured on the instances.

Every configuration runs the production router, `planner.routing.solve_routing`, with
other `SearchParameters` (and, for `sl60`, the plan's solution limit); the routes are
scored by `evaluate.py`. `base` is one first solution and one guided local search with
no rounds; `production` is what every plan runs.

    python bench/tune_ortools.py --limit 5 --configs base,fs-parallel,gls-l0.5
    python bench/tune_ortools.py --list
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import DEFAULT_AREAS, build_instances, parse_limits, parse_list, print_table
from runner import Job, run_jobs
from solvers import SINGLE_SEARCH, OrConfig, run_ortools_config

from planner.routing_data import DEFAULT_SEARCH, FIRST_SOLUTIONS, SearchParameters

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


def single(first: str = "LOCAL_CHEAPEST_INSERTION", **fields: Any) -> SearchParameters:
    """One first solution (`first`) and one local search, no rounds, other fields set."""
    return replace(SINGLE_SEARCH, first_solutions=((first, None),), **fields)


CONFIGS: dict[str, OrConfig] = {
    c.name: c
    for c in [
        OrConfig("base"),
        # the router as every plan runs it: several first solutions, the search, then
        # ruin-and-recreate rounds with ejection chains; and without the chains
        OrConfig("production", search=DEFAULT_SEARCH),
        OrConfig("no-chains", search=replace(DEFAULT_SEARCH, chains=False)),
        # first-solution strategies
        *(
            OrConfig(f"fs-{short}", search=single(full))
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
        OrConfig("mh-greedy", search=single(metaheuristic="GREEDY_DESCENT")),
        OrConfig("mh-sa", search=single(metaheuristic="SIMULATED_ANNEALING")),
        OrConfig("mh-tabu", search=single(metaheuristic="TABU_SEARCH")),
        OrConfig("mh-gtabu", search=single(metaheuristic="GENERIC_TABU_SEARCH")),
        # guided local search penalty weight
        *(OrConfig(f"gls-l{lam}", search=single(gls_lambda=lam)) for lam in (0.01, 0.05, 0.5, 1.0)),
        # size of the drop penalty per prize unit (production: above any route's travel)
        *(
            OrConfig(f"scale-{s}", search=single(prize_scale=s))
            for s in (10, 30, 100, 300, 1000, 10000)
        ),
        OrConfig("no-balance", balance=False),
        # first solution on a model whose drop penalty is 3 average legs per average
        # prize, then search with coverage strictly first
        OrConfig(
            "warm3",
            search=replace(SINGLE_SEARCH, first_solutions=(("LOCAL_CHEAPEST_INSERTION", 3.0),)),
        ),
        # several first solutions, keep the best, search on
        OrConfig("multistart", search=replace(SINGLE_SEARCH, first_solutions=FIRST_SOLUTIONS)),
        # the plan's solution limit
        OrConfig("sl60", solution_limit=60),
        # operators
        OrConfig("ops-more", search=single(operators=MORE_OPS)),
        OrConfig("ops-lns", search=single(operators=LNS_OPS)),
        OrConfig("ops-all", search=single(operators=MORE_OPS + LNS_OPS)),
    ]
}


def add_combo(name: str) -> OrConfig:
    """`a+b+...`: a config that merges the named configs' non-default fields (of the
    config and of its search parameters), left to right."""
    default = OrConfig()
    merged = {f.name: getattr(default, f.name) for f in fields(OrConfig)}
    search = {f.name: getattr(default.search, f.name) for f in fields(SearchParameters)}
    for part in name.split("+"):
        cfg = CONFIGS[part]
        for f in fields(OrConfig):
            value = getattr(cfg, f.name)
            if f.name not in ("name", "search") and value != getattr(default, f.name):
                merged[f.name] = value
        for f in fields(SearchParameters):
            value = getattr(cfg.search, f.name)
            if value == getattr(default.search, f.name):
                continue
            search[f.name] = search[f.name] + value if f.name == "operators" else value
    merged.update(name=name, search=SearchParameters(**search))
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
