"""The default mission at each search level of `planner.search_work`: CPU seconds and
coverage, in this process with one worker (CPU time, so the load of the machine hardly
moves the figures that set the levels' reference costs).

    python bench/search_work.py                 # every level, mission seed
    python bench/search_work.py --seed 7
    python bench/search_work.py --levels 0,4 --pyvrp 0,1000   # levels by index, PyVRP starts
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import Counter

from planner.datasets import get_path
from planner.geodata import load_mission
from planner.plan import solve
from planner.problem import PlanOptions
from planner.search_work import LEVELS


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--levels", default=None, help="indices into LEVELS (default: all)")
    parser.add_argument(
        "--pyvrp",
        default=None,
        help="PyVRP start iterations to run each level with (default: the level's own)",
    )
    args = parser.parse_args()
    chosen = [LEVELS[int(k)] for k in args.levels.split(",")] if args.levels else list(LEVELS)
    starts = [int(k) for k in args.pyvrp.split(",")] if args.pyvrp else [None]
    mission = load_mission(get_path())
    seed = mission.seed if args.seed is None else args.seed
    teams = len(mission.sto_teams)
    print(f"default mission, {teams} STO teams, seed {seed}, 1 worker in this process")
    print(
        "| first solutions | solutions | rounds | PyVRP iterations | CPU s | CPU s per team "
        "| reference | wall s | opening | voting | counting | tabulation | cut |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for level, pyvrp in ((lv, p) for lv in chosen for p in starts):
        iterations = level.pyvrp_iterations if pyvrp is None else pyvrp
        options = PlanOptions(
            solution_limit=level.solution_limit,
            max_rounds=level.max_rounds,
            first_solutions=level.first_solutions,
            pyvrp_iterations=iterations,
        )
        cpu, wall = _cpu_s(), time.perf_counter()
        # A limit far above the work: the counts end every search.
        plan = solve(mission, time_limit_s=3_000, seed=seed, workers=1, options=options)
        cpu, wall = _cpu_s() - cpu, time.perf_counter() - wall
        done = Counter(s.phase for s in plan.stops)
        print(
            f"| {level.first_solutions} | {level.solution_limit} | {level.max_rounds} "
            f"| {iterations:,} | {cpu:.0f} | {cpu / teams:.2f} | "
            f"{level.cpu_s_per_team:.2f} | {wall:.0f} | {done['opening']} | {done['voting']:,} | "
            f"{done['counting']} | {done['tabulation']} | {len(plan.stats['cut_areas'])} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
