"""Dense areas in parts: every station in one part, parts of bounded size, commissions
shared out once, and the same plan whatever order the parts are solved in."""

from __future__ import annotations

import pickle
import random
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.check import check_visits
from planner.election import solve_area
from planner.model import Mission, Phases
from planner.outputs import visits_csv
from planner.parts import bisect, commission_owners
from planner.plan import assemble, solve
from planner.problem import PlanOptions, area_problems, area_seed
from planner.sampling import sample_area
from planner.schedule import Plan
from planner.synthetic import synthetic_mission
from planner.travel import GreatCircleTravel
from tests.support.missions import LIGHT_SEARCH, visit_rows


@pytest.fixture(scope="module")
def city() -> Mission:
    """One area: a city of 1,200 stations and 24 teams."""
    return synthetic_mission(1_200, 24, 1, dense=(1_200, 24), seed=4)


def test_a_small_area_is_one_problem_named_by_its_area(city: Mission) -> None:
    (problem,) = area_problems(city, PlanOptions(seed=3, max_teams_per_part=24))
    assert (problem.part, problem.key) == ("", "AOR-001")
    assert problem.seed == area_seed(3, "AOR-001")
    assert problem.foreign_commissions == frozenset()


def test_a_dense_area_is_cut_into_parts_that_share_it_out(city: Mission) -> None:
    problems = area_problems(city, PlanOptions(seed=3, max_teams_per_part=5))
    assert [p.part for p in problems] == ["1", "2", "3", "4", "5"]
    assert {p.area_id for p in problems} == {"AOR-001"}
    assert len({p.key for p in problems}) == 5
    assert len({p.seed for p in problems}) == 5
    assert all(p.seed == area_seed(3, p.key) for p in problems)
    assert sorted(len(p.teams) for p in problems) == [4, 5, 5, 5, 5]
    # Every station and every team in exactly one part.
    stations = Counter(s.station_id for p in problems for s in p.stations)
    assert set(stations.values()) == {1} and len(stations) == len(city.stations)
    assert Counter(t.team_id for p in problems for t in p.teams) == Counter(
        t.team_id for t in city.teams
    )
    # About as many stations per team in every part.
    per_team = [len(p.stations) / len(p.teams) for p in problems]
    assert max(per_team) - min(per_team) < 1.0
    # Each commission is sent teams by one part only; the others only know where it is.
    owners = Counter(
        c.tec_id for p in problems for c in p.commissions if c.tec_id not in p.foreign_commissions
    )
    assert set(owners.values()) == {1}
    assert set(owners) == {s.tec_id for s in city.stations}
    # Parts are picklable, self-contained inputs.
    assert pickle.loads(pickle.dumps(problems[2])) == problems[2]


@settings(max_examples=25, deadline=None)
@given(
    n_teams=st.integers(2, 40),
    n_stations=st.integers(0, 300),
    parts=st.integers(1, 8),
    seed=st.integers(0, 1000),
)
def test_bisection_is_a_partition_of_bounded_parts_whatever_the_order(
    n_teams: int, n_stations: int, parts: int, seed: int
) -> None:
    mission = synthetic_mission(max(n_stations, 1), n_teams, 1, seed=seed)
    teams, stations = list(mission.teams), list(mission.stations)
    cut = bisect(teams, stations, parts)
    most = -(-n_teams // parts)
    assert all(len(p.teams) <= most for p in cut)
    assert sorted(s.station_id for p in cut for s in p.stations) == sorted(
        s.station_id for s in stations
    )
    assert sorted(t.team_id for p in cut for t in p.teams) == sorted(t.team_id for t in teams)
    shuffled = random.Random(seed)
    shuffled.shuffle(teams)
    shuffled.shuffle(stations)
    assert bisect(teams, stations, parts) == cut
    owners = commission_owners(cut, mission.commission_by_id)
    reported = {s.tec_id for s in mission.stations}
    assert reported <= set(owners)


def _solve_parts(mission: Mission, options: PlanOptions, order: slice) -> Plan:
    travel = GreatCircleTravel.from_rules(mission.rules)
    problems = area_problems(mission, options)
    plans = {p.key: solve_area(replace(p, time_limit_s=60), travel) for p in problems[order]}
    return assemble(mission, 1, 60, problems, plans, {})


def test_parts_give_the_same_plan_in_any_order_and_pass_the_check(city: Mission) -> None:
    options = replace(LIGHT_SEARCH, seed=1, max_teams_per_part=8)
    forward = _solve_parts(city, options, slice(None))
    backward = _solve_parts(city, options, slice(None, None, -1))
    assert visits_csv(forward) == visits_csv(backward)
    (area,) = forward.areas
    assert area.area_id == "AOR-001" and set(area.stats["parts"]) == {"1", "2", "3"}
    assert area.stats["teams"] == len(city.teams)
    assert len({s.team_id for s in forward.stops}) == len(city.teams)
    report = check_visits(visit_rows(forward), city)
    assert report.ok, [str(v) for v in report.violations][:5]


def test_following_commissions_across_parts_keeps_their_limit(city: Mission) -> None:
    """With several teams per commission, no commission gets more across the parts."""
    shared = replace(city, rules=replace(city.rules, phases=Phases(teams_per_commission=2)))
    options = PlanOptions(seed=2, max_teams_per_part=6, solution_limit=5, max_rounds=2)
    travel = GreatCircleTravel.from_rules(city.rules)
    followed: Counter[str] = Counter()
    for problem in area_problems(shared, options):
        sample = sample_area(problem, travel)
        followed.update(a.tabulation_tec for a in sample.assignments if a.tabulation_tec)
        assert all(a.tabulation_tec not in problem.foreign_commissions for a in sample.assignments)
    assert max(followed.values()) <= 2


def test_the_sampler_assigns_greedily_when_its_work_limit_ends(city: Mission) -> None:
    """No work at all for CP-SAT: every team still gets distinct fixed stations and a
    commission of its own where one is free."""
    options = PlanOptions(seed=1, sampling_work_limit=1e-9, max_teams_per_part=24)
    (problem,) = area_problems(city, options)
    sample = sample_area(problem, GreatCircleTravel.from_rules(city.rules))
    assert any("greedily" in n for n in sample.notes)
    assert len(sample.assignments) == len(city.teams)
    fixed = [a.opening for a in sample.assignments] + [a.count for a in sample.assignments]
    assert len(fixed) == len(set(fixed))
    followed = [a.tabulation_tec for a in sample.assignments if a.tabulation_tec]
    assert len(followed) == len(set(followed)) > 0


@pytest.mark.slow
def test_a_dense_area_plans_every_team_and_passes_the_check() -> None:
    """One area of 8,500 stations and 126 teams: cut into parts, every team gets a day."""
    mission = synthetic_mission(8_500, 126, 1, dense=(8_500, 126))
    # A limit the parts' searches do not reach on two cores: they stop on their counts.
    plan = solve(mission, time_limit_s=600, seed=1, workers=2, options=LIGHT_SEARCH)
    assert not plan.stats["cut_areas"]
    assert len({s.team_id for s in plan.stops}) == 126
    (area,) = plan.areas
    assert len(area.stats["parts"]) >= 5
    assert plan.achieved["opening"] == plan.achieved["counting"] == 126
    report = check_visits(visit_rows(plan), mission)
    assert report.ok, [str(v) for v in report.violations][:5]
