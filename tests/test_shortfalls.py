"""Every shortfall names its real cause: teams without a day and why, too few teams, too
few commissions in reach, fixed stops that do not fit the day."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from planner.check import check_visits
from planner.model import Targets
from planner.plan import solve
from planner.problem import PlanOptions
from tests.support.missions import random_mission, visit_rows

# A short search: these tests are about what teams do, not how well they route.
QUICK = PlanOptions(solution_limit=10, rounds_per_team=1, max_rounds=2)


def test_too_few_commissions_for_the_tabulation_target_says_so() -> None:
    """Eight teams, three district commissions, one team each: at most three."""
    mission = random_mission(stations=90, teams=8, districts=3, seed=2)
    mission = replace(mission, targets=replace(mission.targets, tabulation=8))
    plan = solve(mission, time_limit_s=20, seed=1, workers=1, options=QUICK)
    assert check_visits(visit_rows(plan), mission).ok
    (short,) = [s for s in plan.shortfalls if s.phase == "tabulation"]
    assert short.achieved == 3
    assert short.reason.startswith("not enough commissions: 3 in reach")
    assert "raise teams_per_commission" in short.reason
    assert "have no day" not in short.reason


def test_tabulations_beyond_the_drive_home_are_not_planned_and_the_reason_says_so() -> None:
    """Commissions further than `max_drive_home_after_tabulation_min` from the bases are
    not followed: the teams still count, and the shortfall names the drive home."""
    mission = random_mission(stations=120, teams=4, districts=5, seed=6, spread_km=100.0)
    mission = replace(mission, rules=replace(mission.rules, max_drive_home_after_tabulation_min=1))
    plan = solve(mission, time_limit_s=20, seed=1, workers=1, options=QUICK)
    assert check_visits(visit_rows(plan), mission).ok
    assert plan.achieved["counting"] == 4 and plan.achieved["tabulation"] == 0
    (short,) = [s for s in plan.shortfalls if s.phase == "tabulation"]
    assert "not enough commissions: 0 in reach" in short.reason
    assert "night drive home" in short.reason


def test_a_team_out_of_reach_is_counted_with_why() -> None:
    """A team based 800 km away reaches no station: it alone has no day, and says why."""
    mission = random_mission(stations=60, teams=3, seed=4)
    far = replace(mission.teams[2], lon=mission.teams[2].lon + 10.0)
    mission = replace(mission, teams=(*mission.teams[:2], far))
    plan = solve(mission, time_limit_s=20, seed=1, workers=1, options=QUICK)
    assert {s.team_id for s in plan.stops} == {t.team_id for t in mission.teams[:2]}
    short = {s.phase: s.reason for s in plan.shortfalls}
    assert "1 of 3 team(s) have no day (1: no opening station in reach" in short["opening"]
    assert "not enough teams" not in short["opening"]


def test_a_tabulation_that_does_not_fit_the_day_is_dropped_not_the_team() -> None:
    """A tabulation observed until 11:55 next day, the teams due back at 12:00: they
    count, do not tabulate, and the reason says the tabulation does not fit the day."""
    mission = random_mission(stations=60, teams=2, seed=5)
    rules = replace(mission.rules, tabulation_until=time(11, 55), return_to_base_by=time(12, 0))
    mission = replace(mission, rules=rules, targets=Targets(2, 4, 2, 2))
    plan = solve(mission, time_limit_s=20, seed=1, workers=1, options=QUICK)
    assert check_visits(visit_rows(plan), mission).ok
    assert plan.achieved["counting"] == 2 and plan.achieved["tabulation"] == 0
    (short,) = [s for s in plan.shortfalls if s.phase == "tabulation"]
    assert "2 team(s) cannot fit the tabulation into their day" in short.reason
    assert any("does not follow the tabulation" in note for note in plan.notes)
