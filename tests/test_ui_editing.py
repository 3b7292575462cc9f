"""Teams, rules and targets as edited in the app."""

from __future__ import annotations

import dataclasses
import math
from datetime import time

import pytest

from planner.model import Rules
from planner.ui.editing import (
    allocate,
    allocation_table,
    plan_blockers,
    resize_teams,
    rule_values,
    rules_from_values,
    target_warnings,
    targets_from_values,
    team_warnings,
    teams_frame,
    teams_from_rows,
)
from tests.support.missions import small_mission


def test_unchanged_teams_table_gives_the_same_teams() -> None:
    mission = small_mission()
    teams, problems = teams_from_rows(teams_frame(mission).to_dict("records"), mission)
    assert problems == []
    assert tuple(teams) == mission.teams


def test_every_problem_in_a_teams_table_is_listed() -> None:
    """Duplicate id, missing id, bad kind, unknown area, half a position, bad number."""
    mission = small_mission()
    rows = [
        {"team_id": "A", "kind": "sto", "area_id": "AOR-01", "lat": 47.8, "lon": 67.7},
        {"team_id": "A", "kind": "sto", "area_id": "", "lat": None, "lon": None},
        {"team_id": "", "kind": "lto", "area_id": None, "lat": math.nan, "lon": math.nan},
        {"team_id": "C", "kind": "car", "area_id": "AOR-77", "lat": 47.8, "lon": None},
        {"team_id": "D", "kind": "sto", "area_id": "AOR-01", "lat": "north", "lon": 200},
    ]
    teams, problems = teams_from_rows(rows, mission)
    assert [t.team_id for t in teams] == ["A"]
    found = {(row, field) for row, field, _ in problems}
    assert found == {
        (2, "team_id"),
        (3, "team_id"),
        (4, "kind"),
        (4, "area_id"),
        (4, "lon"),
        (5, "lat"),
        (5, "lon"),
    }


def test_rules_from_form_values() -> None:
    base = Rules()
    rules, problems = rules_from_values({**rule_values(base), "voting_stay_min": 40}, base)
    assert problems == [] and rules.voting_stay_min == 40


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"polls_close": time(6, 0)}, "Polls close: 06:00 must be after polls open (07:00)"),
        ({"meal_window_end": time(11, 0)}, "Meal break window to: 11:00 must be after the"),
        ({"meal_window_start": time(6, 0)}, "Meal break window from: The meal break window"),
        ({"voting_stay_min": -5}, "Voting visit stay (min): -5 is out of range: must be from 1"),
        ({"voting_stay_min": 0}, "Voting visit stay (min): 0 is out of range"),
        ({"detour_factor": 0.5}, "Road detour factor: 0.5 is out of range: must be from 1 to 5"),
        ({"max_driving_hours": 0.0}, "Driving per team, at most (h): 0.0 is out of range"),
        ({"max_duty_hours": 0.0}, "Duty day, at most (h): 0.0 is out of range"),
        ({"urban_speed_kmh": None}, "Urban speed (km/h): A value is needed"),
        ({"expected_turnout": 1.5}, "Expected turnout (0–1): 1.5 is out of range"),
        ({"meal_break_min": 200}, "Meal break (min): 200 min is longer than its window"),
    ],
)
def test_infeasible_rules_are_explained(change: dict, message: str) -> None:
    rules, problems = rules_from_values(change, Rules())
    assert rules is None
    assert any(p.startswith(message) for p in problems), problems


def test_targets_from_values() -> None:
    targets, problems = targets_from_values(
        {"opening": 1, "voting": 2, "closing": 0, "counting": 3, "tabulation": 4}
    )
    assert problems == [] and targets.tabulation == 4
    targets, problems = targets_from_values({"opening": -1, "voting": None})
    assert targets is None and len(problems) == 5


def test_resize_and_allocate() -> None:
    """More teams than today: new unplaced teams; allocation places every one."""
    mission = small_mission()
    bigger = resize_teams(mission, 6)
    assert len(bigger.sto_teams) == 6 and len(bigger.teams) == 7  # the LTO team stays
    assert sum(t.area_id is None for t in bigger.sto_teams) == 3
    placed = allocate(mission, count=6)
    assert all(t.area_id == "AOR-01" and t.lat is not None for t in placed.sto_teams)
    assert allocation_table(placed)["sto_teams"].tolist() == [6]
    assert len(resize_teams(mission, 1).sto_teams) == 1
    with pytest.raises(ValueError, match="negative"):
        resize_teams(mission, -1)


def test_allocating_fewer_teams_than_areas_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot cover 1 areas"):
        allocate(small_mission(), count=0)


def test_plan_blockers_and_warnings() -> None:
    mission = small_mission()
    assert plan_blockers(mission) == []
    no_teams = dataclasses.replace(mission, teams=())
    assert "no STO teams" in plan_blockers(no_teams)[0]
    unplaced = resize_teams(dataclasses.replace(mission, teams=()), 2)
    assert "area and a base" in plan_blockers(unplaced)[0]
    assert "no area" in team_warnings(unplaced)[0]
    every = {s.station_id for s in mission.stations}
    assert "closed or inaccessible" in plan_blockers(mission, every)[0]
    hard = dataclasses.replace(mission, targets=dataclasses.replace(mission.targets, opening=9))
    assert "opening target 9" in target_warnings(hard)[0]
