"""Phases as mission settings: what the file says, what a plan observes, what the checker
holds it to."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planner.capacity import phase_capacity, target_warnings
from planner.check import check_visits
from planner.errors import MissionDataError
from planner.model import (
    OWN_COMMISSION,
    CountingPlace,
    Mission,
    Phases,
    Targets,
    commission_at_level,
    observed_phases,
)
from planner.outputs import coverage_rows, plan_summary
from planner.plan import solve
from planner.problem import PlanOptions
from planner.settings import dump_settings, parse_settings
from planner.ui.editing import rule_values, rules_from_values
from tests.support.missions import random_mission, visit_rows

Rows = list[dict[str, str]]

TEAMS = 4

# A short search: these tests are about what teams do, not how well they route.
QUICK = PlanOptions(solution_limit=10, rounds_per_team=1, max_rounds=2)


def _mission(phases: Phases, targets: Targets, *, teams: int = TEAMS) -> Mission:
    mission = random_mission(stations=150, teams=teams, districts=5, seed=3)
    return replace(mission, rules=replace(mission.rules, phases=phases), targets=targets)


def _plan(mission: Mission, time_limit_s: float = 20) -> Rows:
    return visit_rows(solve(mission, time_limit_s=time_limit_s, seed=1, workers=1, options=QUICK))


def _by_team(rows: Rows) -> dict[str, list[dict[str, str]]]:
    teams: dict[str, list[dict[str, str]]] = {}
    for r in sorted(rows, key=lambda r: (r["team_id"], int(r["seq"]))):
        teams.setdefault(r["team_id"], []).append(r)
    return teams


def _rules(mission: Mission, rows: Rows) -> set[str]:
    return {v.rule for v in check_visits(rows, mission).violations}


# --- settings ------------------------------------------------------------------------


def test_phases_are_their_own_section_and_survive_a_round_trip() -> None:
    text = """
[mission]
name = "Central count"

[phases]
closing = true
counting = "commission"
tabulation = false
teams_per_commission = 3

[targets]
closing = 20
"""
    settings = parse_settings(text)
    phases = settings.rules.phases
    assert phases == Phases(
        closing=True, counting=CountingPlace.COMMISSION, tabulation=False, teams_per_commission=3
    )
    dumped = dump_settings(settings)
    assert '[phases]\nopening = true\nvoting = true\nclosing = true\ncounting = "commission"' in (
        dumped
    )
    assert "phases" not in dumped.split("[phases]")[0]  # not repeated among the rules
    assert parse_settings(dumped) == settings


def test_bad_phase_settings_are_named_with_their_field() -> None:
    text = """
[phases]
counting = "later"
tabulation_level = "village"
teams_per_commission = 0
colour = "red"
"""
    with pytest.raises(MissionDataError) as caught:
        parse_settings(text, file="m.toml")
    fields = {p.field for p in caught.value.problems}
    assert {"phases.counting", "phases.colour"} <= fields
    assert all(p.file == "m.toml" for p in caught.value.problems)
    with pytest.raises(MissionDataError, match="tabulation_level"):
        parse_settings('[phases]\ntabulation_level = "village"\n')
    with pytest.raises(MissionDataError, match="teams_per_commission"):
        parse_settings("[phases]\nteams_per_commission = 0\n")


def test_closing_on_its_own_needs_a_count_elsewhere() -> None:
    """The count at the station includes the close: a separate closing is refused there."""
    with pytest.raises(ValueError, match="includes the close"):
        Phases(closing=True)
    assert Phases(closing=True, counting=CountingPlace.NONE).evening_station == "closing"
    assert Phases().evening_station == "counting"
    assert Phases(counting=CountingPlace.COMMISSION).evening_station is None


def test_a_target_of_zero_switches_its_phase_off() -> None:
    on = Phases(closing=True, counting=CountingPlace.COMMISSION)
    everything = Targets(opening=1, voting=1, counting=1, tabulation=1, closing=1)
    assert observed_phases(on, everything) == on
    nothing = Targets(opening=0, voting=0, counting=0, tabulation=0, closing=0)
    off = observed_phases(on, nothing)
    assert off.names == ()
    assert off.counting is CountingPlace.NONE
    # A switch that is off stays off whatever the target.
    assert "opening" not in observed_phases(Phases(opening=False), everything).names


def test_the_form_sets_phases_and_lists_what_is_wrong(small_mission: Mission) -> None:
    base = small_mission.rules
    values = rule_values(base) | {"phases": {"counting": "commission", "teams_per_commission": 2}}
    rules, problems = rules_from_values(values, base)
    assert problems == [] and rules is not None
    assert rules.phases.counting is CountingPlace.COMMISSION
    assert rules.phases.teams_per_commission == 2
    rules, problems = rules_from_values(rule_values(base) | {"phases": {"closing": True}}, base)
    assert rules is None and "includes the close" in problems[0]


def test_commission_at_level_walks_up_the_parents() -> None:
    mission = random_mission(stations=10, districts=2)
    tecs = mission.commission_by_id
    assert commission_at_level("TEC-D0", OWN_COMMISSION, tecs) == "TEC-D0"
    assert commission_at_level("TEC-D0", "district", tecs) == "TEC-D0"
    assert commission_at_level("TEC-D0", "regional", tecs) == "TEC-R1"
    assert commission_at_level("TEC-D0", "city", tecs) is None
    assert commission_at_level("NOPE", OWN_COMMISSION, tecs) is None


# --- what validate says ----------------------------------------------------------------


def test_validate_warns_of_targets_teams_and_commissions_cannot_give() -> None:
    mission = random_mission(stations=60, teams=8, districts=3)
    assert phase_capacity(mission).most["tabulation"] == 3  # three district TECs
    notes = target_warnings(replace(mission, targets=replace(mission.targets, tabulation=8)))
    assert any(
        "tabulation target 8 is more than the 3 possible" in n and "teams_per_commission" in n
        for n in notes
    )
    shared = replace(mission, rules=replace(mission.rules, phases=Phases(teams_per_commission=3)))
    assert phase_capacity(shared).most["tabulation"] == 8
    notes = target_warnings(
        replace(mission, rules=replace(mission.rules, phases=Phases(counting=CountingPlace.NONE)))
    )
    assert any("counting target" in n and "none" in n for n in notes)
    notes = target_warnings(replace(mission, targets=replace(mission.targets, opening=9)))
    assert any("opening target 9 is more than the 8 possible" in n for n in notes)


# --- plans that follow the phases ----------------------------------------------------------


@pytest.fixture(scope="module")
def central_count() -> tuple[Mission, Rows]:
    """Counting at the commission, no tabulation."""
    mission = _mission(
        Phases(counting=CountingPlace.COMMISSION, tabulation=False),
        Targets(opening=TEAMS, voting=20, counting=TEAMS, tabulation=0),
    )
    return mission, _plan(mission)


def test_central_count_plans_and_passes_the_check(central_count: tuple[Mission, Rows]) -> None:
    mission, rows = central_count
    report = check_visits(rows, mission)
    assert report.ok, [str(v) for v in report.violations]
    days = _by_team(rows)
    assert len(days) == TEAMS
    for stops in days.values():
        phases = [r["phase"] for r in stops if r["phase"] != "base"]
        assert phases[0] == "opening" and phases[-1] == "counting"
        count = stops[-2]
        assert count["site_type"] == "tec" and count["site_id"] in mission.commission_by_id
    assert not any(r["phase"] == "tabulation" for r in rows)


def test_the_checker_holds_a_central_count_to_its_rules(
    central_count: tuple[Mission, Rows],
) -> None:
    mission, rows = central_count
    # The same plan under the default phases: the count must be at a station.
    default = replace(mission, rules=replace(mission.rules, phases=Phases()))
    assert "counting" in _rules(default, rows)
    # Leaving the count early is a window violation.
    tampered = [dict(r) for r in rows]
    count = next(r for r in tampered if r["phase"] == "counting")
    count["depart"] = count["arrive"]
    assert "window" in _rules(mission, tampered)


@pytest.fixture(scope="module")
def closing_observed() -> tuple[Mission, Rows]:
    """Opening, voting and the close of polls; no count, no tabulation."""
    mission = _mission(
        Phases(closing=True, counting=CountingPlace.NONE, tabulation=False),
        Targets(opening=TEAMS, voting=20, counting=0, tabulation=0, closing=TEAMS),
    )
    return mission, _plan(mission)


def test_closing_without_a_count_plans_and_passes_the_check(
    closing_observed: tuple[Mission, Rows],
) -> None:
    mission, rows = closing_observed
    report = check_visits(rows, mission)
    assert report.ok, [str(v) for v in report.violations]
    phases = Counter(r["phase"] for r in rows)
    assert phases["closing"] == TEAMS and phases["opening"] == TEAMS
    assert phases["counting"] == phases["tabulation"] == 0
    for stops in _by_team(rows).values():
        assert [r["phase"] for r in stops if r["phase"] != "base"][-1] == "closing"
    # A count stop in a mission that does not observe the count is a violation.
    tampered = [dict(r) for r in rows]
    next(r for r in tampered if r["phase"] == "closing")["phase"] = "counting"
    assert "counting" in _rules(mission, tampered)


def test_closing_only_days_leave_the_base_for_the_evening() -> None:
    """Nothing but the close of polls: no meal break to take, so the team leaves late."""
    mission = _mission(
        Phases(opening=False, voting=False, closing=True, counting=CountingPlace.NONE),
        Targets(opening=0, voting=0, counting=0, tabulation=0, closing=TEAMS),
    )
    # Nothing optional to route: the search has nothing to improve and stops at the limit.
    rows = _plan(mission, time_limit_s=6)
    assert check_visits(rows, mission).ok
    assert Counter(r["phase"] for r in rows) == {"base": 2 * TEAMS, "closing": TEAMS}
    for stops in _by_team(rows).values():
        assert stops[0]["depart"][11:16] > "15:00"


def test_closing_then_the_count_at_its_commission_then_the_tabulation() -> None:
    mission = _mission(
        Phases(closing=True, counting=CountingPlace.COMMISSION, tabulation_level="regional"),
        Targets(opening=TEAMS, voting=20, counting=TEAMS, tabulation=1, closing=TEAMS),
    )
    rows = _plan(mission)
    report = check_visits(rows, mission)
    assert report.ok, [str(v) for v in report.violations]
    for stops in _by_team(rows).values():
        evening = [r for r in stops if r["phase"] in ("closing", "counting", "tabulation")]
        closing, count = evening[0], evening[1]
        assert (closing["phase"], count["phase"]) == ("closing", "counting")
        assert count["site_id"] == mission.station_by_id[closing["site_id"]].tec_id
        if len(evening) == 3:
            assert evening[2]["site_id"] == "TEC-R1"  # the regional commission
    assert sum(r["phase"] == "tabulation" for r in rows) == 1  # one team per commission


def test_targets_of_zero_leave_the_count_and_tabulation_out() -> None:
    """Targets of 0 for counting and tabulation change what teams do."""
    mission = _mission(Phases(), Targets(opening=TEAMS, voting=20, counting=0, tabulation=0))
    rows = _plan(mission)
    assert check_visits(rows, mission).ok
    assert {r["phase"] for r in rows} == {"base", "opening", "voting"}


def test_several_teams_follow_one_commission_after_every_commission_has_one() -> None:
    teams = 8
    mission = _mission(
        Phases(teams_per_commission=2),
        Targets(opening=teams, voting=20, counting=teams, tabulation=teams),
        teams=teams,
    )
    plan = solve(mission, time_limit_s=20, seed=1, workers=1, options=QUICK)
    rows = visit_rows(plan)
    assert check_visits(rows, mission).ok
    followed = Counter(r["site_id"] for r in rows if r["phase"] == "tabulation")
    assert len(followed) == 5  # every district commission first
    assert sum(followed.values()) == plan.achieved["tabulation"] > 5
    assert max(followed.values()) == 2
    # Three teams at one commission is one too many.
    tampered = [dict(r) for r in rows]
    crowded = next(tec for tec, n in followed.items() if n == 2)
    extra = next(r for r in tampered if r["phase"] == "tabulation" and r["site_id"] != crowded)
    extra["site_id"] = crowded
    assert "duplicate" in _rules(mission, tampered)
    # The coverage and plan.json count tabulations as the plan does, and name the phases.
    total = next(r for r in coverage_rows(plan, mission) if r["level"] == "total")
    assert total["tabulation"] == plan.achieved["tabulation"]
    summary = plan_summary(plan, mission)
    assert summary["phases"]["teams_per_commission"] == 2
    assert summary["phases"]["counting"] == "station"
    assert "phases" not in summary["rules"]


@st.composite
def _phase_settings(draw: st.DrawFn) -> Phases:
    counting = draw(st.sampled_from(list(CountingPlace)))
    phases = Phases(
        opening=draw(st.booleans()),
        voting=draw(st.booleans()),
        closing=counting is not CountingPlace.STATION and draw(st.booleans()),
        counting=counting,
        tabulation=draw(st.booleans()),
        tabulation_level=draw(st.sampled_from([OWN_COMMISSION, "district", "regional"])),
        teams_per_commission=draw(st.integers(1, 2)),
    )
    assume(phases.names)
    return phases


@settings(max_examples=8, deadline=None)
@given(phases=_phase_settings(), seed=st.integers(0, 1000))
def test_any_phases_give_a_plan_that_observes_them_and_passes_the_check(
    phases: Phases, seed: int
) -> None:
    mission = random_mission(stations=60, teams=2, districts=3, seed=seed)
    targets = Targets(opening=2, voting=6, counting=2, tabulation=2, closing=2)
    mission = replace(mission, rules=replace(mission.rules, phases=phases), targets=targets)
    plan = solve(mission, time_limit_s=8, seed=1, workers=1, options=QUICK)
    rows = visit_rows(plan)
    report = check_visits(rows, mission)
    assert report.ok, [str(v) for v in report.violations]
    fixed = {"opening", "closing", "counting"} & set(phases.names)
    days = _by_team(rows)
    for stops in days.values():
        seen = Counter(r["phase"] for r in stops) - Counter(base=2)
        assert set(seen) <= set(phases.names)
        assert all(seen[phase] == 1 for phase in fixed)
    # A team without a day says why; a phase switched off is short for that reason alone.
    (area,) = plan.areas
    if fixed:
        assert set(days) | set(area.sample.unplanned) == {t.team_id for t in mission.teams}
    for short in plan.shortfalls:
        if short.phase not in phases.names:
            assert short.reason.startswith("not observed")
