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
stations, 150 teams, 20 areas), one worker on the benchmark machine while other work ran
(`bench/README.md`, `search_work.py`). Voting visits at each level, same seed: 1,820,
1,811, 1,810, 1,794 and 1,795; openings, counts and tabulations equal.
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


LEVELS = (
    SearchLevel(solution_limit=60, max_rounds=8, cpu_s_per_team=1.7),
    SearchLevel(solution_limit=20, max_rounds=4, cpu_s_per_team=0.95),
    SearchLevel(solution_limit=10, max_rounds=2, cpu_s_per_team=0.69),
    SearchLevel(solution_limit=5, max_rounds=0, cpu_s_per_team=0.27),
    SearchLevel(solution_limit=5, max_rounds=0, cpu_s_per_team=0.14, first_solutions=2),
)

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
