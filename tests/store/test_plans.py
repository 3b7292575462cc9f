"""Plan versions: saved whole or not at all, read back unchanged, published, re-planned
per area on top of a parent that stays readable, and compared."""

from __future__ import annotations

from dataclasses import replace

import pytest

from planner.outputs import VISIT_COLUMNS, visits_csv
from planner.plan import solve
from planner.schedule import Stop
from planner.store import (
    FieldReport,
    NotFound,
    add_field_update,
    diff_versions,
    field_updates,
    load_plan,
    plan_diff,
    plan_version,
    plan_versions,
    planning_inputs,
    publish,
    save_plan,
)
from planner.store import plans as store_plans
from planner.store.plans import as_plan
from tests.support.store import row_counts


def _key(stop: Stop) -> tuple[str, int]:
    return (stop.team_id, stop.seq)


def test_plan_round_trip(store, people, plan):
    """Every stop comes back equal (times as the same instants, with their offsets)."""
    version = save_plan(store, people.mission_id, plan, user=people.coordinator)
    rows = load_plan(store, version, user=people.coordinator)
    assert sorted(rows, key=_key) == sorted(plan.stops, key=_key)
    assert all(r.arrive.utcoffset() == s.arrive.utcoffset() for r, s in
               zip(sorted(rows, key=_key), sorted(plan.stops, key=_key), strict=True))  # fmt: skip
    info = plan_version(store, version, user=people.coordinator)
    assert (info.seed, info.time_limit_s, info.stop_count) == (
        5,
        plan.time_limit_s,
        len(plan.stops),
    )
    assert info.author == "coord" and not info.published and info.parent_id is None
    assert info.stats["achieved"] == plan.achieved
    assert info.parameters["targets"]["voting"] == plan.targets.voting


def test_stored_plan_exports_like_the_original(store, people, plan, mission):
    """`as_plan` gives the exporters the same visits.csv as the solved plan."""
    version = save_plan(store, people.mission_id, plan, user=people.coordinator)
    info = plan_version(store, version, user=people.coordinator)
    stored = as_plan(info, load_plan(store, version, user=people.coordinator), mission)
    ordered = replace(plan, stops=tuple(sorted(plan.stops, key=_key)))
    assert visits_csv(stored) == visits_csv(ordered)
    assert visits_csv(stored).splitlines()[0] == ",".join(VISIT_COLUMNS)


def test_failed_save_changes_nothing(store, people, plan, monkeypatch):
    """A failure after the stops were written rolls the whole version back."""
    before = row_counts(store)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(store_plans, "_resolve_updates", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        save_plan(store, people.mission_id, plan, user=people.coordinator)
    assert row_counts(store) == before


def test_unknown_parent_is_refused(store, people, plan):
    """A re-plan on top of a version that does not exist saves nothing."""
    with pytest.raises(NotFound):
        save_plan(store, people.mission_id, plan, user=people.coordinator, parent=999)
    assert plan_versions(store, people.mission_id, user=people.coordinator) == []


def test_publish_marks_the_current_version(store, people, plan):
    """Publishing records who and when; the last published version is the current one."""
    first = save_plan(store, people.mission_id, plan, user=people.coordinator)
    second = save_plan(store, people.mission_id, plan, user=people.coordinator, parent=first)
    publish(store, first, user=people.coordinator)
    info = plan_version(store, first, user=people.coordinator)
    assert info.published and info.published_by == "coord" and info.published_at is not None
    assert not plan_version(store, second, user=people.coordinator).published
    assert [v.id for v in plan_versions(store, people.mission_id, user=people.coordinator)] == [
        second,
        first,
    ]


def test_field_updates_feed_an_area_replan(store, people, mission, plan):
    """The LTO of A1 closes a station on a route and moves another, re-plans A1 from the
    planning inputs, and saves: the new version keeps A2's routes as they were, drops the
    closed station, marks the reports applied; the old version reads as before and the
    diff names what changed."""
    mid, lto = people.mission_id, people.lto_a1
    v1 = save_plan(store, mid, plan, user=people.coordinator)
    old_rows = load_plan(store, v1, user=people.coordinator)
    a1_team = "STO-A1-1"
    visited = [s.site_id for s in plan.stops_of(a1_team) if s.phase == "voting"]
    closed, moved = visited[0], visited[1]
    station = mission.station_by_id[moved]
    add_field_update(store, mid, FieldReport("station_closed", station_id=closed), user=lto)
    add_field_update(
        store, mid,
        FieldReport("station_moved", station_id=moved, lat=station.lat + 0.01, lon=station.lon),
        user=lto,
    )  # fmt: skip
    add_field_update(store, mid, FieldReport("note", note="fog on the Astana road"), user=lto)

    inputs = planning_inputs(store, mid, user=lto, areas=["A1"])
    assert inputs.excluded == {closed}
    assert inputs.mission.station_by_id[moved].lat == pytest.approx(station.lat + 0.01)
    assert len(inputs.open_update_ids) == 3
    replanned = solve(inputs.mission, time_limit_s=3, seed=6, workers=1, excluded=inputs.excluded)
    v2 = save_plan(
        store, mid, replanned, user=lto, parent=v1, areas=["A1"],
        applied_updates=inputs.open_update_ids,
    )  # fmt: skip

    assert load_plan(store, v1, user=people.coordinator) == old_rows
    new_rows = load_plan(store, v2, user=people.coordinator)
    assert [r for r in new_rows if r.team_id.startswith("STO-A2")] == [
        r for r in old_rows if r.team_id.startswith("STO-A2")
    ]
    assert closed not in {r.site_id for r in new_rows}
    info = plan_version(store, v2, user=people.coordinator)
    assert (info.parent_id, info.areas, info.author) == (v1, ("A1",), "lto-a1")
    assert info.stop_count == len(new_rows)
    assert set(info.stats["areas"]) == {"A1", "A2"}
    whole = replace(plan, stops=tuple(new_rows))
    assert info.stats["achieved"] == whole.achieved
    statuses = {u.status for u in field_updates(store, mid, user=lto)}
    assert statuses == {"applied"}
    diff = diff_versions(store, v1, v2, user=lto)
    assert closed in diff[a1_team].dropped
    assert not any(team.startswith("STO-A2") for team in diff)


def test_plan_diff_per_team():
    """Sites added and dropped per team; base rows and unchanged teams are left out; rows
    may be dicts as read from visits.csv."""
    old = [
        {"team_id": "T1", "site_id": "T1", "site_type": "base"},
        {"team_id": "T1", "site_id": "S1", "site_type": "station"},
        {"team_id": "T1", "site_id": "S2", "site_type": "station"},
        {"team_id": "T2", "site_id": "S5", "site_type": "station"},
    ]
    new = [
        {"team_id": "T1", "site_id": "S2", "site_type": "station"},
        {"team_id": "T1", "site_id": "S3", "site_type": "station"},
        {"team_id": "T1", "site_id": "TEC-1", "site_type": "tec"},
        {"team_id": "T2", "site_id": "S5", "site_type": "station"},
        {"team_id": "T3", "site_id": "S9", "site_type": "station"},
    ]
    diff = plan_diff(old, new)
    assert set(diff) == {"T1", "T3"}
    assert diff["T1"].added == ("S3", "TEC-1") and diff["T1"].dropped == ("S1",)
    assert diff["T3"].added == ("S9",) and diff["T3"].dropped == ()
