"""An area's election day as a router input, and its schedules replayed from the routes."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from itertools import pairwise

import numpy as np
import pytest

from planner.capacity import visits_per_team
from planner.election import (
    build_routing_input,
    planned_teams,
    schedule_nodes,
    solve_area,
    team_timeline,
)
from planner.model import Mission, Rules
from planner.problem import AreaProblem, PlanOptions, area_problems
from planner.sampling import sample_area
from planner.schedule import AreaSample
from planner.travel import GreatCircleTravel
from tests.support.missions import random_mission

MIN = 60


def _area(mission: Mission, **options: object) -> tuple[AreaProblem, AreaSample]:
    # The lightest search: these tests read schedules, not how much they cover.
    light = {"solution_limit": 5, "max_rounds": 0, **options}
    (problem,) = area_problems(mission, PlanOptions(seed=2, **light))  # type: ignore[arg-type]
    problem = replace(problem, time_limit_s=20)
    return problem, sample_area(problem, GreatCircleTravel.from_rules(mission.rules))


@pytest.fixture(scope="module")
def mission() -> Mission:
    return random_mission(stations=50, teams=3, districts=3, seed=5)


@pytest.fixture(scope="module")
def area(mission: Mission) -> tuple[AreaProblem, AreaSample]:
    return _area(mission)


def test_nodes_are_bases_then_each_teams_fixed_stops_then_the_pool(
    area: tuple[AreaProblem, AreaSample],
) -> None:
    problem, sample = area
    inp, roles, places = build_routing_input(problem, sample, GreatCircleTravel())
    teams = planned_teams(problem, sample)
    assert len(teams) == 3 and inp.num_vehicles == 3
    assert [r[0] for r in roles[:3]] == ["base"] * 3
    assert inp.starts == inp.ends == (0, 1, 2)
    fixed = [r for r in roles[3:] if r[0] != "voting"]
    expected = []
    for a in sample.assignments:
        expected += [("opening", a.opening), ("counting", a.count)]
        expected += [("tabulation", a.tabulation_tec)] if a.tabulation_tec else []
    assert [(r[0], r[1]) for r in fixed] == expected
    assert [r[1] for r in roles if r[0] == "voting"] == list(sample.pool)
    assert len(places) == inp.num_nodes == len(roles)
    # fixed stops belong to their team, voting stations to nobody
    for i, (role, _site, _tz) in enumerate(roles):
        if role in ("opening", "counting", "tabulation"):
            assert inp.required_vehicle[i] >= 0
        else:
            assert inp.required_vehicle[i] == -1


def test_windows_stays_and_prizes_follow_the_rules(
    area: tuple[AreaProblem, AreaSample],
) -> None:
    problem, sample = area
    rules = problem.rules
    inp, roles, _ = build_routing_input(problem, sample, GreatCircleTravel())
    for i, (role, site, tz) in enumerate(roles):
        opens = problem.clock(rules.polls_open, tz)
        closes = problem.clock(rules.polls_close, tz)
        if role == "opening":
            assert inp.window_open[i] == inp.window_close[i] == opens - 45 * MIN
            assert inp.service[i] == (45 + 30) * MIN
        elif role == "voting":
            assert (inp.window_open[i], inp.window_close[i]) == (opens, closes - 30 * MIN)
            assert inp.service[i] == 30 * MIN
            assert inp.prize[i] == round(100 * sample.weights[site])
        elif role == "tabulation":
            assert inp.window_open[i] == closes
            assert inp.window_close[i] == problem.clock(time(23, 59), tz, next_day=True)
    tz = roles[inp.starts[0] + 3][2]
    assert inp.return_latest[0] == problem.clock(time(12, 0), tz, next_day=True)
    meal = inp.meal(0)
    assert meal is not None and meal.duration == 30 * MIN
    # The per-team cap is what fits the day, not a fixed number.
    assert inp.max_visits == visits_per_team(problem, GreatCircleTravel())[0] > 10


def test_a_tec_in_a_later_time_zone_opens_after_the_count(mission: Mission) -> None:
    """Stations on Hovd time (UTC+7) reporting to TECs on Ulaanbaatar time (UTC+8): polls
    close at the TEC an hour before they close at the count station, yet the TEC's window
    opens only then, so no team can reach its TEC before its count; the day plans and
    every team counts before it tabulates."""
    west = replace(
        mission,
        stations=tuple(replace(s, tz="Asia/Hovd") for s in mission.stations),
        commissions=tuple(replace(c, tz="Asia/Ulaanbaatar") for c in mission.commissions),
    )
    problem, sample = _area(west)
    inp, roles, _ = build_routing_input(problem, sample, GreatCircleTravel())
    closes_at_station = problem.clock(problem.rules.polls_close, "Asia/Hovd")
    tabulation = [i for i, r in enumerate(roles) if r[0] == "tabulation"]
    assert tabulation
    for i in tabulation:
        assert inp.window_open[i] == closes_at_station
        assert inp.window_open[i] > problem.clock(problem.rules.polls_close, roles[i][2])
    plan = solve_area(problem, GreatCircleTravel.from_rules(west.rules))
    for team in {s.team_id for s in plan.stops}:
        phases = [s.phase for s in plan.stops if s.team_id == team and s.phase != "base"]
        if "tabulation" in phases:
            assert phases.index("counting") < phases.index("tabulation")


def test_settings_reach_the_router_input(mission: Mission) -> None:
    """The prize scale, the per-team cap, the TEC arrival limit and the return time are
    settings, not literals."""
    rules = replace(mission.rules, tec_arrive_until=time(22, 0), return_to_base_by=time(9, 0))
    problem, sample = _area(
        replace(mission, rules=rules), prize_per_weight=7, max_voting_per_team=4
    )
    inp, roles, _ = build_routing_input(problem, sample, GreatCircleTravel())
    for i, (role, site, tz) in enumerate(roles):
        if role == "voting":
            assert inp.prize[i] == round(7 * sample.weights[site])
        if role == "tabulation":
            assert inp.window_close[i] == problem.clock(time(22, 0), tz, next_day=True)
    assert inp.max_visits == 4
    tz = roles[3][2]
    assert inp.return_latest[0] == problem.clock(time(9, 0), tz, next_day=True)


def test_the_tec_stay_lasts_until_the_tabulation_ends(area: tuple[AreaProblem, AreaSample]) -> None:
    problem, sample = area
    inp, roles, _ = build_routing_input(problem, sample, GreatCircleTravel())
    nodes = schedule_nodes(problem, inp, roles)
    assert nodes.leave_not_before is not None
    for i, (role, _site, tz) in enumerate(roles):
        if role == "tabulation":
            assert nodes.service[i] == problem.rules.tec_min_stay_min * MIN
            until = problem.clock(problem.rules.tabulation_until, tz, next_day=True)
            assert nodes.leave_not_before[i] == until
        else:
            assert nodes.leave_not_before[i] < 0
            assert nodes.service[i] == inp.service[i]


@pytest.mark.slow
def test_schedules_are_the_replayed_routes(mission: Mission) -> None:
    """Each team leaves just in time for its opening, every voting stay starts as early as
    the route allows, the meal break fits, and the TEC stay lasts until 02:00."""
    problem, _ = _area(mission)
    plan = solve_area(
        replace(problem, time_limit_s=30), GreatCircleTravel.from_rules(mission.rules)
    )
    assert plan.stops
    by_team: dict[str, list] = {}
    for stop in plan.stops:
        by_team.setdefault(stop.team_id, []).append(stop)
    for stops in by_team.values():
        base, opening = stops[0], stops[1]
        assert opening.phase == "opening"
        travel = opening.arrive - base.depart
        assert travel.total_seconds() / 60 == pytest.approx(opening.travel_min, abs=1)
        tec = [s for s in stops if s.phase == "tabulation"]
        for s in tec:
            assert s.depart.hour == 2 and s.depart.minute == 0
        voting = [s for s in stops if s.phase == "voting"]
        for prev, nxt in pairwise(stops):
            assert nxt.arrive >= prev.depart
        assert all(s.depart - s.arrive >= timedelta(minutes=30) for s in voting)


def test_team_timeline_leaves_as_late_as_the_opening_allows(
    area: tuple[AreaProblem, AreaSample],
) -> None:
    problem, sample = area
    inp, roles, _ = build_routing_input(problem, sample, GreatCircleTravel())
    nodes = schedule_nodes(problem, inp, roles)
    for v in range(inp.num_vehicles):
        route = [int(n) for n in np.flatnonzero(inp.required_vehicle == v)]
        timeline = team_timeline(inp, nodes, v, route)
        assert timeline.on_time
        first = timeline.stops[0]
        assert first.wait == 0  # no idle time before the opening
        assert timeline.depart == first.start - int(inp.travel[v, first.node])


def test_rules_refuse_a_non_positive_reach() -> None:
    with pytest.raises(ValueError, match="max_base_to_count_min"):
        Rules(max_base_to_count_min=0)
    with pytest.raises(ValueError, match="tec_min_stay_min"):
        Rules(tec_min_stay_min=-1)
    with pytest.raises(ValueError, match="prize_per_weight"):
        PlanOptions(prize_per_weight=0)
