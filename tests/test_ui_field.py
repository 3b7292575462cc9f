"""Field reports, one-area re-planning and splicing an area into the plan."""

from __future__ import annotations

import dataclasses

import pytest

from planner.field_status import (
    KIND_LABELS,
    KIND_OF_STATUS,
    REPORT_KINDS,
    STATION_STATUSES,
    STATUS_HELP,
    STATUS_OF_KIND,
    is_never_planned,
)
from planner.plan import solve
from planner.ui.field import FieldUpdate, apply_updates, check_update, excluded_stations
from planner.ui.replan import planned_areas, restrict_to_area, splice
from tests.support.missions import small_mission, small_plan


def test_reports_are_checked() -> None:
    mission = small_mission()
    sid = mission.stations[0].station_id
    assert check_update(FieldUpdate(sid, "closed"), mission) == []
    assert "no station" in check_update(FieldUpdate("nope", "closed"), mission)[0]
    assert "status must be" in check_update(FieldUpdate(sid, "flooded"), mission)[0]
    assert "new latitude" in check_update(FieldUpdate(sid, "moved"), mission)[0]
    assert "outside" in check_update(FieldUpdate(sid, "moved", lat=67.7, lon=47.8), mission)[0]
    assert check_update(FieldUpdate(sid, "moved", lat=47.8, lon=67.7), mission) == []


def test_reports_exclude_and_move_stations() -> None:
    mission = small_mission()
    a, b, c = (s.station_id for s in mission.stations[:3])
    updates = {
        a: FieldUpdate(a, "closed"),
        b: FieldUpdate(b, "inaccessible"),
        c: FieldUpdate(c, "moved", lat=47.9, lon=67.6),
    }
    assert excluded_stations(updates) == {a, b}
    moved = apply_updates(mission, updates)
    assert (moved.station_by_id[c].lat, moved.station_by_id[c].lon) == (47.9, 67.6)
    assert moved.station_by_id[a] == mission.station_by_id[a]
    assert apply_updates(mission, {a: updates[a]}) is mission


def test_restrict_to_area_keeps_only_its_teams() -> None:
    mission = small_mission()
    restricted = restrict_to_area(mission, "AOR-01")
    assert {t.area_id for t in restricted.teams} == {"AOR-01"}
    assert restricted.stations == mission.stations
    assert planned_areas(restricted) == ["AOR-01"]
    with pytest.raises(ValueError, match="no area"):
        restrict_to_area(mission, "AOR-99")
    no_sto = dataclasses.replace(
        mission, teams=tuple(t for t in mission.teams if t.kind.value == "lto")
    )
    with pytest.raises(ValueError, match="no STO team"):
        restrict_to_area(no_sto, "AOR-01")


def test_area_replan_leaves_out_closed_stations_and_is_spliced_in() -> None:
    """Close a visited station, re-plan the area: the new plan never goes there and the
    spliced plan has exactly the new area's stops."""
    mission, plan = small_mission(), small_plan()
    closed = next(s.site_id for s in plan.stops if s.phase == "voting")
    area_plan = solve(
        restrict_to_area(mission, "AOR-01"),
        time_limit_s=3,
        seed=plan.seed,
        workers=1,
        excluded=frozenset({closed}),
    )
    spliced = splice(plan, area_plan, "AOR-01")
    assert closed not in {s.site_id for s in spliced.stops}
    assert spliced.stops == area_plan.stops
    assert spliced.stats["replanned_areas"] == ["AOR-01"]
    assert spliced.seed == plan.seed and spliced.targets == plan.targets
    with pytest.raises(ValueError, match="no routes for area AOR-02"):
        splice(plan, area_plan, "AOR-02")


def test_every_report_word_has_its_label_and_status() -> None:
    """Each report kind has a label; each station status its help text and its kind, and
    only closed and inaccessible stations are left out of plans."""
    assert set(KIND_LABELS) == set(REPORT_KINDS)
    assert set(STATUS_HELP) == set(STATION_STATUSES) == set(KIND_OF_STATUS)
    assert all(STATUS_OF_KIND[KIND_OF_STATUS[s]] == s for s in STATION_STATUSES)
    assert {s for s in STATION_STATUSES if is_never_planned(s)} == {"closed", "inaccessible"}
