"""A road closure reported in the field, then a re-plan of the area: the route that used
the closed road changes, and no route that did not use it changes."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest

from planner.check import check_visits
from planner.model import Mission
from planner.outputs import parse_visits, visits_csv
from planner.plan import solve
from planner.repair import kept_stops, merge_saved, repair_mission, with_kept_routes
from planner.road_closures import teams_crossing
from planner.roads import ClosedRoad, RoadsInfo, engine, read_roads
from planner.route_lines import plan_route_lines
from planner.travel_source import closed_roads_dir, closed_travel, describe_travel
from tests.roads.conftest import RoadPlan

pytestmark = pytest.mark.roads


def closure_on_a_leg(plan_stops: list, roads_dir: Path) -> ClosedRoad:
    """Two consecutive road points in the middle of the fastest road between two stops."""
    a, b = plan_stops
    found = engine.route(roads_dir, [(a.lon, a.lat), (b.lon, b.lat)])
    assert found is not None
    middle = len(found.line) // 2
    return ClosedRoad((found.line[middle], found.line[middle + 1]), note="burst main")


def find_closure(road_plan: RoadPlan, city: Mission, cache: Path):
    """A closure on a leg of some team that is not on the way of every team."""
    plan, travel = road_plan.plan, road_plan.travel
    teams = sorted({s.team_id for s in plan.stops})
    for team in teams:
        stops = sorted(plan.stops_of(team), key=lambda s: s.seq)
        for leg in pairwise(stops[1:-1]):  # station to station: city streets
            closure = closure_on_a_leg(list(leg), travel.roads_dir)
            closed = closed_travel(travel, [closure], cache)
            crossing = teams_crossing(plan, city, travel, closed)
            if team in crossing and len(crossing) < len(teams):
                return team, closure, closed, crossing
    pytest.fail("no leg of any team can be closed without closing every team's way")


def test_closing_a_road_replans_only_the_routes_that_used_it(
    road_plan: RoadPlan, city: Mission, tmp_path: Path
) -> None:
    cache = tmp_path / "closed"
    team, closure, closed, crossing = find_closure(road_plan, city, cache)
    plan = road_plan.plan
    assert read_roads(closed.roads_dir).closures[0].points == closure.points

    # The re-plan: the teams crossing the closed road, on the closed roads, from the
    # stations and TECs the other teams leave free; the others keep their routes.
    restricted, visited = repair_mission(city, plan, "ALMATY", crossing)
    assert {t.team_id for t in restricted.sto_teams} == crossing
    kept = kept_stops(plan, city, "ALMATY", crossing)
    assert {s.team_id for s in kept} == {s.team_id for s in plan.stops} - crossing
    assert visited == {s.site_id for s in kept if s.site_type == "station"}
    replanned = solve(
        restricted,
        time_limit_s=10,
        seed=plan.seed,
        workers=1,
        travel=closed,
        excluded=visited,
    )
    merged = with_kept_routes(replanned, kept, "ALMATY")
    assert merge_saved(replanned, {"kept_stops": kept, "area_id": "ALMATY"}) == merged

    for t in {s.team_id for s in plan.stops}:
        before = sorted(plan.stops_of(t), key=lambda s: s.seq)
        after = sorted(merged.stops_of(t), key=lambda s: s.seq)
        if t in crossing:
            assert after and after != before, t
        else:
            assert after == before, t
    # The new route of the team no longer drives over the closed stretch.
    line = plan_route_lines(merged, [team], travel=closed)[team]
    old = plan_route_lines(plan, [team], travel=road_plan.travel)[team]
    assert line.coordinates != old.coordinates
    assert teams_crossing(merged, city, road_plan.travel, closed) <= crossing
    assert not teams_crossing(merged, city, closed, closed)

    # The whole area, kept routes included, passes the check on the closed roads.
    report = check_visits(parse_visits(visits_csv(merged)), city, closed)
    assert report.ok, report.violations
    assert describe_travel(closed)["closures"][0]["note"] == "burst main"


def test_closed_roads_are_made_once_per_set_of_closures(
    road_plan: RoadPlan, almaty_roads: RoadsInfo, tmp_path: Path
) -> None:
    stops = sorted(road_plan.plan.stops_of(road_plan.plan.stops[0].team_id), key=lambda s: s.seq)
    closure = closure_on_a_leg(stops[1:3], almaty_roads.directory)
    first = closed_roads_dir(almaty_roads, [closure], tmp_path)
    stamp = (first / "roads.json").stat().st_mtime_ns
    again = closed_roads_dir(almaty_roads, [replace(closure, note="other words")], tmp_path)
    assert again == first and (first / "roads.json").stat().st_mtime_ns == stamp
    info = read_roads(first)
    assert info.closed_from == str(almaty_roads.directory) and len(info.closures) == 1
    assert first.parent == tmp_path and first.name.startswith("almaty-")
