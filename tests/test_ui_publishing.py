"""What the publishing question says: teams that get another schedule, coverage moves."""

from __future__ import annotations

import dataclasses

from planner.ui.publishing import publish_summary
from tests.support.missions import small_plan


def test_first_publication_names_every_planned_team() -> None:
    plan = small_plan()
    (line,) = publish_summary(plan, None, 0, 3)
    assert line == "Nothing is published yet: all 3 planned teams will see a schedule."


def test_coverage_moves_are_listed_phase_by_phase() -> None:
    plan = small_plan()
    fewer = dataclasses.replace(
        plan, stops=tuple(s for s in plan.stops if s.phase != "voting" or s.seq % 2)
    )
    lines = publish_summary(plan, fewer, 2, 3)
    assert lines[0] == "2 of 3 teams will see a changed schedule."
    voting = plan.achieved["voting"]
    assert lines[1] == f"Coverage: voting {fewer.achieved['voting']} → {voting}"
    assert publish_summary(plan, plan, 0, 3)[1] == "Coverage stays as published."
