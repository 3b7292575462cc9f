"""The search work a run's time limit stands for: a count, the same on every machine.

An area's router stops after a count of improving solutions and a count of
ruin-and-recreate rounds (`PlanOptions.solution_limit`, `PlanOptions.max_rounds`), so a
plan depends on its inputs and seed, never on the machine's speed or load. A run that
leaves those counts open gets the deepest level of `LEVELS` that its time limit pays for
at the reference costs below, with the machine's cores shared with another program: the
level comes from the time limit and the number of teams alone, so the same run gives the
same plan anywhere, and a time limit short enough to cut areas asks for less work
instead.

Reference costs: CPU seconds per STO team of the shipped default mission (10,101
stations, 150 teams, 20 areas), one worker, two such runs at once on the benchmark
machine's two cores (`bench/README.md`, `search_work.py`). Every level starts each area
from PyVRP's routes (`planner.pyvrp_start`): at equal CPU time they cover more than any
depth of the OR-Tools search alone. Voting visits at each level, mission seed: 1,881,
1,860 and 1,834 (the OR-Tools search alone: 1,780 to 1,820 at 0.12 to 1.7 CPU s per
team); openings, counts and tabulations equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.routing_data import FIRST_SOLUTIONS


@dataclass(frozen=True)
class SearchLevel:
    """How far each area's router searches, and what that costs per team."""

    solution_limit: int
    max_rounds: int
    cpu_s_per_team: float
    # First solutions built before the search (the first this many of
    # `planner.routing_data.FIRST_SOLUTIONS`).
    first_solutions: int = len(FIRST_SOLUTIONS)
    # Iterations of PyVRP's search that give each area's router one more start
    # (`planner.pyvrp_start`); 0: none.
    pyvrp_iterations: int = 0


LEVELS = (
    SearchLevel(solution_limit=5, max_rounds=0, cpu_s_per_team=0.5, first_solutions=1,
                pyvrp_iterations=3_000),
    SearchLevel(solution_limit=5, max_rounds=0, cpu_s_per_team=0.25, first_solutions=1,
                pyvrp_iterations=1_000),
    SearchLevel(solution_limit=5, max_rounds=0, cpu_s_per_team=0.17, first_solutions=1,
                pyvrp_iterations=300),
)  # fmt: skip

# CPU seconds a run counts on per second of its time limit: one core. Two workers on two
# cores that another program keeps busy get about one core between them; the share left
# below one pays for loading, writing and areas that end unevenly.
CORE_SECONDS_PER_SECOND = 0.6


def level_for(time_limit_s: float, teams: int) -> SearchLevel:
    """The deepest level whose work for `teams` fits in `time_limit_s` (the lightest one
    when none does)."""
    budget = CORE_SECONDS_PER_SECOND * time_limit_s
    for level in LEVELS:
        if level.cpu_s_per_team * teams <= budget:
            return level
    return LEVELS[-1]
