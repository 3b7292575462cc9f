"""Whole plans on random small missions: always valid, and honest about what falls short."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import time
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.capacity import visits_per_team
from planner.check import check_visits
from planner.model import Mission, Rules, Targets
from planner.plan import solve
from planner.problem import PlanOptions, area_problems
from planner.schedule import PHASES, Plan
from planner.travel import GreatCircleTravel
from tests.support.missions import LIGHT_SEARCH, multi_area_mission, random_mission, visit_rows


def _most_visits(mission: Mission) -> int:
    """The per-team cap on voting visits the plan used: what fits the day."""
    travel = GreatCircleTravel.from_rules(mission.rules)
    return max(visits_per_team(p, travel)[0] for p in area_problems(mission, PlanOptions()))


def _solve(mission: Mission, seed: int = 0) -> Plan:
    # Searches stop on counts of work; the limit is only there so that a busy machine
    # does not cut an area (which would leave its teams unplanned).
    return solve(mission, time_limit_s=60, seed=seed, workers=1, options=LIGHT_SEARCH)


def _assert_valid(plan: Plan, mission: Mission) -> None:
    report = check_visits(visit_rows(plan), mission)
    assert report.ok, [str(v) for v in report.violations]


def _phases_by_team(plan: Plan) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for s in plan.stops:
        out.setdefault(s.team_id, Counter())[s.phase] += 1
    return out


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    stations=st.integers(40, 150),
    teams=st.integers(1, 4),
    districts=st.integers(2, 5),
    seed=st.integers(0, 10_000),
)
def test_random_missions_give_valid_complete_plans(stations, teams, districts, seed) -> None:
    """Any small mission gives a plan that passes the checker, every team fully planned."""
    mission = random_mission(stations=stations, teams=teams, districts=districts, seed=seed)
    plan = _solve(mission, seed)
    _assert_valid(plan, mission)
    phases = _phases_by_team(plan)
    assert set(phases) == {t.team_id for t in mission.sto_teams}
    for team, counts in phases.items():
        assert counts["opening"] == 1, team
        assert counts["counting"] == 1, team
        assert counts["tabulation"] <= 1, team
        assert counts["voting"] <= _most_visits(mission), team
        assert counts["base"] == 2, team
    for team in phases:
        stops = plan.stops_of(team)
        assert [s.seq for s in stops] == list(range(len(stops)))
        assert stops[0].phase == stops[-1].phase == "base"
        assert all(a.depart <= b.arrive for a, b in pairwise(stops))
    assert plan.achieved["opening"] == plan.achieved["counting"] == teams
    assert plan.achieved["tabulation"] == min(teams, districts)


def test_multi_area_plan_keeps_teams_in_their_areas() -> None:
    """Areas are solved separately; each team's stations all lie in its own area."""
    mission = multi_area_mission(stations=(40, 70), teams=3, districts=2, seed=4)
    plan = _solve(mission, 4)
    _assert_valid(plan, mission)
    area_of = {t.team_id: t.area_id for t in mission.sto_teams}
    for s in plan.stops:
        if s.site_type == "station":
            station = mission.station_by_id[s.site_id]
            assert mission.area_of_station(station) == area_of[s.team_id]
    assert {a.area_id for a in plan.areas} == {"A1", "A2"}


def _assert_shortfalls(plan: Plan, phases: set[str]) -> None:
    got = {s.phase: s for s in plan.shortfalls}
    assert set(got) == phases
    for phase, s in got.items():
        assert phase in PHASES
        assert s.achieved == plan.achieved[phase] < s.target
        assert s.reason


def test_voting_target_beyond_one_team_is_a_shortfall() -> None:
    """A voting target no single team can reach is reported as a shortfall, with a reason."""
    mission = random_mission(stations=60, teams=1, seed=2)
    mission = replace(mission, targets=Targets(opening=1, voting=200, counting=1, tabulation=1))
    plan = _solve(mission)
    _assert_valid(plan, mission)
    _assert_shortfalls(plan, {"voting"})
    (short,) = plan.shortfalls
    assert short.achieved <= _most_visits(mission)
    assert "voting visits per team" in short.reason


def test_more_openings_wanted_than_teams_is_a_shortfall() -> None:
    """Targets above one opening and one count per team are shortfalls naming the team count."""
    mission = random_mission(stations=60, teams=2, districts=2, seed=3)
    mission = replace(mission, targets=Targets(opening=5, voting=4, counting=4, tabulation=3))
    plan = _solve(mission)
    _assert_valid(plan, mission)
    _assert_shortfalls(plan, {"opening", "counting", "tabulation"})
    reasons = {s.phase: s.reason for s in plan.shortfalls}
    assert "2 team(s)" in reasons["opening"] and "2 team(s)" in reasons["counting"]
    assert "commission" in reasons["tabulation"]


def test_short_polling_day_gives_a_plan_with_shortfalls() -> None:
    """Polls open 07:00-10:00 leave little time to vote: a valid plan, voting short."""
    rules = Rules(polls_close=time(10, 0))
    mission = random_mission(stations=60, teams=2, seed=5, rules=rules)
    plan = _solve(mission)
    _assert_valid(plan, mission)
    assert plan.achieved["opening"] == plan.achieved["counting"] == 2
    _assert_shortfalls(plan, {"voting"})
    assert plan.achieved["voting"] < 2 * _most_visits(mission)
    for s in plan.stops:
        if s.phase == "voting":
            assert s.arrive.time() >= time(7, 0) and s.depart.time() <= time(10, 0)


def test_unreachable_tecs_give_unplanned_teams_not_an_exception() -> None:
    """When no count station is near its TEC, teams go unplanned and the reasons say why."""
    mission = random_mission(stations=50, teams=2, seed=6)
    far = tuple(replace(c, lon=c.lon + 8.0) for c in mission.commissions)
    plan = _solve(replace(mission, commissions=far))
    assert plan.stops == ()
    _assert_shortfalls(plan, {"opening", "voting", "counting", "tabulation"})
    for s in plan.shortfalls:
        assert "2 of 2 team(s) have no day (2: no count or closing station in reach)" in s.reason
    assert any("STO-01" in note for note in plan.notes)


def test_unplaced_teams_are_allocated_and_planned() -> None:
    """Teams given without area or base are spread over the areas and all planned."""
    mission = multi_area_mission(stations=(40, 60), teams=3, placed=False, seed=7)
    plan = _solve(mission, 7)
    planned = {s.team_id for s in plan.stops}
    assert planned == {t.team_id for t in mission.sto_teams}
    assert {a.area_id for a in plan.areas} == {"A1", "A2"}


def test_fewer_unplaced_teams_than_areas_is_a_shortfall_not_an_error() -> None:
    """Two unplaced teams for three areas still give a plan (some area uncovered)."""
    mission = multi_area_mission(stations=(40, 120, 40), teams=2, placed=False, seed=8)
    plan = _solve(mission, 8)
    assert {s.team_id for s in plan.stops} == {"STO-01", "STO-02"}
