"""Missions: import in one transaction, read back unchanged, teams edits that conflict
cleanly, and everything still there after a restart."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
import shapely

from planner.store import (
    AccessDenied,
    ConflictError,
    StoreError,
    authenticate,
    import_mission,
    list_missions,
    load_mission,
    load_plan,
    mission_info,
    open_store,
    plan_versions,
    save_plan,
    update_teams,
)
from planner.store import missions as store_missions
from tests.support.store import FAST_HASHER, PASSWORD, row_counts


def test_mission_round_trip(store, mission, admin):
    """A stored mission reads back equal to the one imported, geometries included."""
    mission_id = import_mission(store, mission, user=admin)
    back = load_mission(store, mission_id, user=admin)
    assert back == mission
    assert back.stations == mission.stations
    assert back.teams == mission.teams
    assert back.areas == mission.areas
    assert back.rules == mission.rules and back.targets == mission.targets
    for old, new in zip(mission.regions, back.regions, strict=True):
        assert (old.geometry is None and new.geometry is None) or shapely.equals(
            old.geometry, new.geometry
        )


def test_shipped_mission_round_trip(store, admin):
    """The shipped small mission keeps its polygons and outline through the store."""
    from planner.datasets import SMALL_MISSION, get_path
    from planner.geodata import load_mission as load_package

    shipped = load_package(get_path(SMALL_MISSION))
    back = load_mission(store, import_mission(store, shipped, user=admin), user=admin)
    assert back == shipped
    assert shapely.equals(back.outline, shipped.outline)
    assert all(
        shapely.equals(a.geometry, b.geometry)
        for a, b in zip(shipped.districts, back.districts, strict=True)
    )


def test_crash_mid_import_leaves_store_unchanged(store, mission, admin, monkeypatch):
    """An exception after part of the stations were inserted rolls the whole import back."""
    before = row_counts(store)
    original = store_missions._insert_stations

    def half_then_crash(session, mission_id, whole):
        original(session, mission_id, replace(whole, stations=whole.stations[:20]))
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store_missions, "_insert_stations", half_then_crash)
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_mission(store, mission, user=admin)
    assert row_counts(store) == before
    monkeypatch.undo()
    mission_id = import_mission(store, mission, user=admin)
    assert load_mission(store, mission_id, user=admin) == mission


def test_rejected_import_changes_nothing(store, mission, admin):
    """A mission the database refuses (two stations with one id) is not stored at all."""
    twice = replace(mission, stations=(*mission.stations, mission.stations[0]))
    before = row_counts(store)
    with pytest.raises(StoreError, match="could not be stored"):
        import_mission(store, twice, user=admin)
    assert row_counts(store) == before


def test_only_coordinators_import(store, people, mission):
    """LTOs, teams and nobody cannot import a mission."""
    for user in (people.lto_a1, people.team_a1, None):
        with pytest.raises(AccessDenied):
            import_mission(store, mission, user=user)
    assert len(list_missions(store, user=people.coordinator)) == 1


def test_teams_edit_bumps_the_version(store, people, mission):
    """An accepted edit replaces the table and bumps its version by one."""
    coord, mid = people.coordinator, people.mission_id
    start = mission_info(store, mid, user=coord).teams_version
    teams = (replace(mission.teams[0], base_name="Hotel Astana"), *mission.teams[1:])
    assert update_teams(store, mid, teams, user=coord, expected_version=start) == start + 1
    assert load_mission(store, mid, user=coord).teams == teams
    assert mission_info(store, mid, user=coord).teams_version == start + 1


def test_second_of_two_editors_gets_a_conflict(store, people, mission):
    """Two coordinators start from the same version: the second save is refused with a
    ConflictError and the first one's edit stays (no silent overwrite)."""
    coord, mid = people.coordinator, people.mission_id
    start = mission_info(store, mid, user=coord).teams_version
    first = (replace(mission.teams[0], base_name="first"), *mission.teams[1:])
    second = (replace(mission.teams[0], base_name="second"), *mission.teams[1:])
    update_teams(store, mid, first, user=coord, expected_version=start)
    with pytest.raises(ConflictError, match="changed by someone else") as caught:
        update_teams(store, mid, second, user=coord, expected_version=start)
    assert (caught.value.expected, caught.value.current) == (start, start + 1)
    assert load_mission(store, mid, user=coord).teams[0].base_name == "first"


def test_concurrent_writers_conflict_cleanly(store, people, mission):
    """Two threads save the teams table at the same moment from the same version:
    exactly one wins, the other gets ConflictError, and the table is the winner's."""
    coord, mid = people.coordinator, people.mission_id
    start = mission_info(store, mid, user=coord).teams_version
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def editor(name: str) -> None:
        teams = (replace(mission.teams[0], base_name=name), *mission.teams[1:])
        barrier.wait()
        try:
            outcome[name] = update_teams(store, mid, teams, user=coord, expected_version=start)
        except ConflictError as exc:
            outcome[name] = exc

    threads = [threading.Thread(target=editor, args=(n,)) for n in ("left", "right")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for n, r in outcome.items() if r == start + 1]
    losers = [n for n, r in outcome.items() if isinstance(r, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1
    assert load_mission(store, mid, user=coord).teams[0].base_name == winners[0]
    assert mission_info(store, mid, user=coord).teams_version == start + 1


def test_bad_teams_table_is_refused(store, people, mission):
    """Duplicate ids or unknown areas are refused and the version does not move."""
    coord, mid = people.coordinator, people.mission_id
    start = mission_info(store, mid, user=coord).teams_version
    with pytest.raises(ValueError, match="appears twice"):
        update_teams(
            store, mid, (*mission.teams, mission.teams[0]), user=coord, expected_version=start
        )
    with pytest.raises(ValueError, match="no area"):
        bad = (replace(mission.teams[0], area_id="A9"), *mission.teams[1:])
        update_teams(store, mid, bad, user=coord, expected_version=start)
    assert mission_info(store, mid, user=coord).teams_version == start


def test_only_coordinators_edit_teams(store, people, mission):
    """An LTO (even of the team's own area), a team and nobody cannot edit the teams."""
    mid = people.mission_id
    start = mission_info(store, mid, user=people.coordinator).teams_version
    for user in (people.lto_a1, people.team_a1, None):
        with pytest.raises(AccessDenied):
            update_teams(store, mid, mission.teams, user=user, expected_version=start)
    assert mission_info(store, mid, user=people.coordinator).teams_version == start


def test_everything_survives_a_restart(database, clock, mission, plan, admin):
    """Close the engine, open the store again: mission, plan, accounts are all there."""
    from planner.store import users_add

    first = open_store(database, clock=clock, hasher=FAST_HASHER)
    mission_id = import_mission(first, mission, user=admin)
    version = save_plan(first, mission_id, plan, user=admin)
    users_add(first, "coord", role="coordinator", user=admin, password=PASSWORD)
    first.close()

    again = open_store(database, clock=clock, hasher=FAST_HASHER)
    try:
        user = authenticate(again, "coord", PASSWORD).user
        assert load_mission(again, mission_id, user=user) == mission
        assert [v.id for v in plan_versions(again, mission_id, user=user)] == [version]
        stored = load_plan(again, version, user=user)
        assert sorted(stored, key=lambda s: (s.team_id, s.seq)) == sorted(
            plan.stops, key=lambda s: (s.team_id, s.seq)
        )
    finally:
        again.close()


def test_rules_and_targets_are_saved_under_the_same_version(store, people, mission):
    """Rules and targets are stored with the mission; an edit of teams, rules or targets
    that started from an older version conflicts and changes nothing."""
    from datetime import time

    from planner.model import Targets
    from planner.store import update_settings

    coord, mid = people.coordinator, people.mission_id
    start = mission_info(store, mid, user=coord).teams_version
    rules = replace(mission.rules, polls_close=time(21, 0))
    assert update_settings(store, mid, rules=rules, user=coord, expected_version=start) == start + 1
    targets = Targets(opening=1, voting=2, counting=3, tabulation=4)
    update_settings(store, mid, targets=targets, user=coord, expected_version=start + 1)
    back = load_mission(store, mid, user=coord)
    assert back.rules == rules and back.targets == targets

    with pytest.raises(ConflictError):
        update_settings(store, mid, targets=mission.targets, user=coord, expected_version=start)
    with pytest.raises(ConflictError):
        update_teams(store, mid, mission.teams, user=coord, expected_version=start + 1)
    assert load_mission(store, mid, user=coord).targets == targets
    for user in (people.lto_a1, people.team_a1, None):
        with pytest.raises(AccessDenied):
            update_settings(
                store, mid, targets=mission.targets, user=user, expected_version=start + 2
            )
    assert mission_info(store, mid, user=coord).teams_version == start + 2
