"""How many visits a team's day holds, and what teams and commissions can give at most.

The sampler sizes its voting pool and the router its per-team cap from
`visits_per_team`; `target_warnings` tells the coordinator (in `planner validate` and
the app) which targets the mission's teams and commissions cannot reach.
"""

from __future__ import annotations

from planner.problem import AreaProblem
from planner.travel import TravelModel


def visits_per_team(problem: AreaProblem, travel: TravelModel) -> tuple[int, int]:
    """(most voting visits a team may make, visits a team is expected to make)."""
    options = problem.options
    if not problem.rules.phases.voting:
        return 0, 0
    return options.max_voting_per_team, options.expected_visits_per_team
