"""Roles are enforced in the data layer: each role reaches only its own scope, through
every read and write the store offers, and nobody signed out reaches anything."""

from __future__ import annotations

import pytest

from planner.store import (
    AccessDenied,
    Action,
    FieldReport,
    add_field_update,
    audit,
    audit_log,
    diff_versions,
    dismiss_field_update,
    field_updates,
    list_missions,
    load_mission,
    load_plan,
    mission_info,
    plan_version,
    plan_versions,
    planning_inputs,
    publish,
    published_version,
    save_plan,
    users_add,
    users_list,
    users_remove,
)
from planner.store.plans import as_plan
from tests.support.store import row_counts


@pytest.fixture
def saved(store, people, plan):
    """A whole plan saved by the coordinator (not yet published)."""
    return save_plan(store, people.mission_id, plan, user=people.coordinator)


def _area_of(mission, team_id):
    return next(t.area_id for t in mission.teams if t.team_id == team_id)


def test_lto_sees_only_its_area(store, people, mission):
    """An LTO of A1 gets A1's regions, districts, TECs, stations and teams, nothing of A2
    and no station abroad."""
    mine = load_mission(store, people.mission_id, user=people.lto_a1)
    a1 = [s for s in mission.stations if s.region == "R1" and s.kind.value != "abroad"]
    assert [s.station_id for s in mine.stations] == [s.station_id for s in a1]
    assert {t.team_id for t in mine.teams} == {"STO-A1-1", "STO-A1-2", "LTO-A1"}
    assert [a.area_id for a in mine.areas] == ["A1"]
    assert [r.region_id for r in mine.regions] == ["R1"]
    assert {d.region_id for d in mine.districts} == {"R1"}
    assert {c.region for c in mine.commissions} == {"R1"}
    assert "ABROAD-1" not in mine.station_by_id
    other = load_mission(store, people.mission_id, user=people.lto_a2)
    assert not set(mine.station_by_id) & set(other.station_by_id)


def test_lto_cannot_widen_its_scope(store, people):
    """Asking for another area's part of the mission returns nothing of it."""
    asked = load_mission(store, people.mission_id, user=people.lto_a1, areas=["A2"])
    assert asked.stations == () and asked.teams == () and asked.areas == ()


def test_lto_reads_only_its_areas_plan_rows(store, people, mission, saved):
    """Plan rows of A2's teams never reach the LTO of A1, and the version's statistics
    only describe A1."""
    rows = load_plan(store, saved, user=people.lto_a1)
    assert rows
    assert {_area_of(mission, s.team_id) for s in rows} == {"A1"}
    mine = load_mission(store, people.mission_id, user=people.lto_a1)
    sites = {s.site_id for s in rows if s.site_type == "station"}
    assert sites <= set(mine.station_by_id)
    info = plan_version(store, saved, user=people.lto_a1)
    assert set(info.stats) == {"areas", "scope", "solver"}
    assert set(info.stats["areas"]) == {"A1"}
    scope = info.stats["scope"]
    assert scope["areas"] == ["A1"] and scope["teams"] < scope["mission_teams"]
    assert all(scope["targets"][p] <= v for p, v in scope["mission_targets"].items())
    # Of the solver's statistics, only the travel source, without the road report.
    assert (
        set(info.stats["solver"]) == {"travel"} and "report" not in info.stats["solver"]["travel"]
    )
    assert info.stop_count == len(rows)
    assert info.digest == plan_version(store, saved, user=people.coordinator).digest
    assert set(diff_versions(store, saved, saved, user=people.lto_a1)) == set()


def test_team_sees_nothing_before_publication(store, people, saved):
    """A team account cannot read an unpublished plan, and its mission view holds only
    its own team."""
    with pytest.raises(AccessDenied, match="published"):
        load_plan(store, saved, user=people.team_a1)
    assert plan_versions(store, people.mission_id, user=people.team_a1) == []
    assert published_version(store, people.mission_id, user=people.team_a1) is None
    view = load_mission(store, people.mission_id, user=people.team_a1)
    assert [t.team_id for t in view.teams] == ["STO-A1-1"]
    assert view.stations == () and view.commissions == ()


def test_team_sees_only_its_own_published_schedule(store, people, plan, saved):
    """After publication a team reads its own stops, and the mission view holds just the
    stations and TECs on its schedule."""
    publish(store, saved, user=people.coordinator)
    rows = load_plan(store, saved, user=people.team_a1)
    assert rows and {s.team_id for s in rows} == {"STO-A1-1"}
    assert len(rows) == len(plan.stops_of("STO-A1-1"))
    view = load_mission(store, people.mission_id, user=people.team_a1)
    stations = {s.site_id for s in rows if s.site_type == "station"}
    tecs = {s.site_id for s in rows if s.site_type == "tec"}
    assert set(view.station_by_id) == stations
    assert set(view.commission_by_id) == tecs
    assert [t.team_id for t in view.teams] == ["STO-A1-1"]
    info = published_version(store, people.mission_id, user=people.team_a1)
    assert info is not None and info.id == saved and set(info.stats) == {"solver"}
    assert set(info.stats["solver"]) == {"travel"}
    assert info.stop_count == len(rows)
    assert as_plan(info, rows, view).stops_of("STO-A1-1") == rows


def test_team_cannot_read_a_superseded_version(store, people, plan, saved):
    """Once another version is published, the team reads only that one."""
    publish(store, saved, user=people.coordinator)
    newer = save_plan(store, people.mission_id, plan, user=people.coordinator, parent=saved)
    publish(store, newer, user=people.coordinator)
    with pytest.raises(AccessDenied):
        load_plan(store, saved, user=people.team_a1)
    assert [v.id for v in plan_versions(store, people.mission_id, user=people.team_a1)] == [newer]


def test_signed_out_reaches_nothing(store, people, plan, saved):
    """`user=None` is refused by every read and write."""
    mid = people.mission_id
    calls = [
        lambda: list_missions(store, user=None),
        lambda: mission_info(store, mid, user=None),
        lambda: load_mission(store, mid, user=None),
        lambda: load_plan(store, saved, user=None),
        lambda: plan_version(store, saved, user=None),
        lambda: plan_versions(store, mid, user=None),
        lambda: published_version(store, mid, user=None),
        lambda: save_plan(store, mid, plan, user=None),
        lambda: publish(store, saved, user=None),
        lambda: add_field_update(store, mid, FieldReport("note", note="x"), user=None),
        lambda: field_updates(store, mid, user=None),
        lambda: planning_inputs(store, mid, user=None),
        lambda: audit(store, Action.EXPORT_DOWNLOADED, user=None),
        lambda: audit_log(store, user=None),
        lambda: users_list(store, user=None),
        lambda: users_add(store, "eve", role="coordinator", user=None),
        lambda: users_remove(store, "coord", user=None),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()


def test_lto_cannot_publish_or_save_other_areas(store, people, plan, saved):
    """An LTO cannot publish, save a whole plan, or save a re-plan of another area."""
    lto, mid = people.lto_a1, people.mission_id
    before = row_counts(store)["plan_versions"]
    with pytest.raises(AccessDenied):
        publish(store, saved, user=lto)
    with pytest.raises(AccessDenied):
        save_plan(store, mid, plan, user=lto)
    with pytest.raises(AccessDenied):
        save_plan(store, mid, plan, user=lto, parent=saved, areas=["A2"])
    assert row_counts(store)["plan_versions"] == before
    assert not plan_version(store, saved, user=people.coordinator).published


def test_lto_replan_must_stay_in_its_area(store, people, plan, saved):
    """A re-plan of A1 that carries routes of A2's teams is refused whole."""
    with pytest.raises(ValueError, match="outside the re-planned"):
        save_plan(store, people.mission_id, plan, user=people.lto_a1, parent=saved, areas=["A1"])


def test_field_updates_are_scoped(store, people, mission):
    """An LTO files and reads reports for its own area only; teams do neither."""
    mid = people.mission_id
    a1_station = next(s.station_id for s in mission.stations if s.region == "R1")
    a2_station = next(s.station_id for s in mission.stations if s.region == "R2")
    mine = add_field_update(
        store, mid, FieldReport("station_closed", station_id=a1_station), user=people.lto_a1
    )
    theirs = add_field_update(
        store, mid, FieldReport("station_closed", station_id=a2_station), user=people.lto_a2
    )
    with pytest.raises(AccessDenied, match="in your area"):
        add_field_update(
            store, mid, FieldReport("station_closed", station_id=a2_station), user=people.lto_a1
        )
    with pytest.raises(AccessDenied):
        add_field_update(
            store, mid, FieldReport("note", note="x", area_id="A2"), user=people.lto_a1
        )
    with pytest.raises(AccessDenied):
        add_field_update(store, mid, FieldReport("note", note="hi"), user=people.team_a1)
    with pytest.raises(AccessDenied):
        field_updates(store, mid, user=people.team_a1)
    assert [u.id for u in field_updates(store, mid, user=people.lto_a1)] == [mine]
    assert [u.id for u in field_updates(store, mid, user=people.coordinator)] == [mine, theirs]
    with pytest.raises(AccessDenied):
        dismiss_field_update(store, theirs, user=people.lto_a1)


def test_planning_inputs_are_scoped(store, people):
    """An LTO gets planning inputs for its own areas only."""
    inputs = planning_inputs(store, people.mission_id, user=people.lto_a1)
    assert [a.area_id for a in inputs.mission.areas] == ["A1"]
    with pytest.raises(AccessDenied):
        planning_inputs(store, people.mission_id, user=people.lto_a1, areas=["A2"])
    with pytest.raises(AccessDenied):
        planning_inputs(store, people.mission_id, user=people.team_a1)


def test_only_coordinators_manage_accounts_and_read_the_audit_log(store, people):
    """LTOs and teams cannot list, add or remove accounts or read the audit log."""
    for user in (people.lto_a1, people.team_a1):
        with pytest.raises(AccessDenied):
            users_list(store, user=user)
        with pytest.raises(AccessDenied):
            users_add(store, "eve", role="coordinator", user=user)
        with pytest.raises(AccessDenied):
            users_remove(store, "coord", user=user)
        with pytest.raises(AccessDenied):
            audit_log(store, user=user)
    assert "eve" not in {u.username for u in users_list(store, user=people.coordinator)}


def test_account_bound_to_another_mission_is_refused(store, people, mission, admin):
    """An account bound to one mission cannot reach another stored mission."""
    from planner.store import get_user, import_mission

    other = import_mission(store, mission, user=admin)
    users_add(store, "bound", role="lto", area_ids=["A1"], mission_id=people.mission_id, user=admin)
    bound = get_user(store, "bound")
    assert [m.id for m in list_missions(store, user=bound)] == [people.mission_id]
    with pytest.raises(AccessDenied, match="not yours"):
        load_mission(store, other, user=bound)


def test_removed_account_loses_access_at_once(store, people):
    """A user object kept by a page stops working as soon as the account is removed."""
    users_remove(store, "lto-a1", user=people.coordinator)
    with pytest.raises(AccessDenied, match="no longer exists"):
        load_mission(store, people.mission_id, user=people.lto_a1)


def test_refusals_are_audited(store, people, saved):
    """Every refused attempt leaves an `access_denied` entry naming who tried what."""
    with pytest.raises(AccessDenied):
        publish(store, saved, user=people.lto_a1)
    with pytest.raises(AccessDenied):
        load_mission(store, people.mission_id, user=None)
    entries = audit_log(store, user=people.coordinator, action=Action.ACCESS_DENIED)
    attempts = {(e.username, e.detail["attempt"]) for e in entries}
    assert ("lto-a1", "plan_published") in attempts
    assert ("anonymous", "mission_viewed") in attempts
