"""When routing ends before its first plan, every team still gets a day that passes the
check: its fixed stops and voting visits by cheapest insertion."""

from __future__ import annotations

from dataclasses import replace

from planner.check import check_visits
from planner.election import build_routing_input, schedule_nodes, solve_area
from planner.greedy import greedy_routes
from planner.plan import assemble
from planner.problem import PlanOptions, area_problems
from planner.sampling import sample_area
from planner.travel import GreatCircleTravel
from tests.support.missions import multi_area_mission, visit_rows


def test_a_routing_without_time_gives_greedy_days_that_pass_the_check() -> None:
    mission = multi_area_mission(stations=(120,), teams=4, districts=3, seed=5)
    travel = GreatCircleTravel.from_rules(mission.rules)
    problems = [replace(p, time_limit_s=1e-4) for p in area_problems(mission, PlanOptions(seed=2))]
    plans = {p.key: solve_area(p, travel) for p in problems}
    plan = assemble(mission, 2, 1e-4, problems, plans, {})
    (area,) = plan.areas
    assert "GREEDY" in area.stats["status"]
    assert any("cheapest insertion" in n for n in plan.notes)
    assert len({s.team_id for s in plan.stops}) == 4
    assert plan.achieved["opening"] == plan.achieved["counting"] == 4
    assert plan.achieved["voting"] >= 4
    report = check_visits(visit_rows(plan), mission)
    assert report.ok, [str(v) for v in report.violations][:5]
    # The clock, not the work counts, ended this area: the plan says so.
    assert area.stats["cut_by_time"]


def test_greedy_routes_keep_caps_and_visit_each_station_once() -> None:
    mission = multi_area_mission(stations=(80,), teams=3, districts=2, seed=6)
    travel = GreatCircleTravel.from_rules(mission.rules)
    (problem,) = area_problems(mission, PlanOptions(seed=1, max_voting_per_team=3))
    sample = sample_area(problem, travel)
    inp, roles, _ = build_routing_input(problem, sample, travel)
    result = greedy_routes(inp, schedule_nodes(problem, inp, roles))
    assert greedy_routes(inp, schedule_nodes(problem, inp, roles)).routes == result.routes
    voting = [n for route in result.routes for n in route if roles[n][0] == "voting"]
    assert len(voting) == len(set(voting))
    assert all(sum(roles[n][0] == "voting" for n in r) <= 3 for r in result.routes)
    for v, route in enumerate(result.routes):
        assert [n for n in route if inp.required_vehicle[n] == v] == sorted(
            (n for n in range(inp.num_nodes) if inp.required_vehicle[n] == v),
            key=lambda n: (int(inp.window_open[n]), n),
        )
