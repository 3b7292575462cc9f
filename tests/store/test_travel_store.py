"""The travel side of the store: a mission's travel settings, road closures with the
closed stretch's coordinates, and route lines kept per plan version within each
reader's scope."""

from __future__ import annotations

import pytest

from planner.route_lines import plan_route_lines
from planner.store import (
    ConflictError,
    FieldReport,
    add_field_update,
    planning_inputs,
    route_lines,
    save_plan,
    save_route_lines,
    teams_version,
    travel_settings,
    update_settings,
)
from planner.travel_source import TravelSettings
from tests.support.store import row_counts

STRETCH = ((71.40, 51.10), (71.41, 51.105))


def test_travel_settings_are_saved_with_the_rules(store, people, mission):
    """The travel source is one more mission setting: saved under the same optimistic
    lock as teams, rules and targets, and read back as it was given."""
    mid, coord = people.mission_id, people.coordinator
    assert travel_settings(store, mid, user=coord) == TravelSettings()
    chosen = TravelSettings("almaty", (("urban_factor", 1.4), ("winter_factor", 1.0)))
    version = teams_version(store, mid, user=coord)
    new = update_settings(store, mid, user=coord, expected_version=version, travel=chosen)
    assert new == version + 1
    assert travel_settings(store, mid, user=people.lto_a1) == chosen
    with pytest.raises(ConflictError):
        update_settings(store, mid, user=coord, expected_version=version, travel=TravelSettings())
    # Rules saved later keep the travel settings.
    update_settings(store, mid, user=coord, expected_version=new, rules=mission.rules)
    assert travel_settings(store, mid, user=coord) == chosen


def test_a_closed_road_carries_its_stretch(store, people, mission):
    """A road report may give the closed stretch's ends instead of the places it runs
    between; they come back in (lon, lat) order, and reach the re-plan's inputs."""
    mid, lto = people.mission_id, people.lto_a1
    first = add_field_update(
        store, mid, FieldReport("road_closed", road_points=STRETCH, note="bridge"), user=lto
    )
    station = next(s.station_id for s in mission.stations if s.region == "R1")
    second = add_field_update(
        store,
        mid,
        FieldReport("road_closed", place_a=station, place_b="TEC-R1", road_points=STRETCH),
        user=lto,
    )
    inputs = planning_inputs(store, mid, user=lto, areas=["A1"])
    closures = {r.id: r for r in inputs.road_closures}
    assert set(closures) == {first, second}
    assert closures[first].road_points == STRETCH and closures[first].area_id == "A1"
    assert closures[second].place_a == station and closures[second].road_points == STRETCH


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (((71.4, 51.1),), "2 to 50 points"),
        (((71.4, 51.1), (71.4, 51.1)), "same point"),
        (((71.4, 95.0), (71.41, 51.1)), "not a position"),
        (((float("nan"), 51.1), (71.41, 51.1)), "not a number"),
        (tuple((71.4 + i / 1000, 51.1) for i in range(51)), "2 to 50 points"),
    ],
)
def test_bad_stretches_are_refused(store, people, points, message):
    before = row_counts(store)
    with pytest.raises(ValueError, match=message):
        add_field_update(
            store,
            people.mission_id,
            FieldReport("road_closed", road_points=points),
            user=people.lto_a1,
        )
    assert row_counts(store) == before


def test_a_coordinator_names_the_area_of_a_stretch(store, people):
    """Without places, the report's area is the one named (a coordinator's may be none)."""
    mid = people.mission_id
    add_field_update(
        store,
        mid,
        FieldReport("road_closed", road_points=STRETCH, area_id="A2"),
        user=people.coordinator,
    )
    inputs = planning_inputs(store, mid, user=people.lto_a2, areas=["A2"])
    assert [r.area_id for r in inputs.road_closures] == ["A2"]


def test_route_lines_are_kept_per_version_within_scope(store, people, plan):
    """Lines are stored once per version and read back only for the teams the reader
    may see; an LTO cannot store lines of another area's teams."""
    mid = people.mission_id
    version = save_plan(store, mid, plan, user=people.coordinator)
    lines = {t: line.to_json() for t, line in plan_route_lines(plan).items()}
    assert all(line["geometry"] == "straight_line" for line in lines.values())
    stored = save_route_lines(store, version, lines, user=people.lto_a1)
    a1_teams = {s.team_id for s in plan.stops if s.team_id.startswith("STO-A1")}
    assert stored == len(a1_teams)
    assert set(route_lines(store, version, user=people.coordinator)) == a1_teams
    assert save_route_lines(store, version, lines, user=people.coordinator) == len(lines)
    assert set(route_lines(store, version, user=people.lto_a2)) == {
        s.team_id for s in plan.stops if s.team_id.startswith("STO-A2")
    }
    back = route_lines(store, version, user=people.coordinator)
    assert back == lines
