"""LTO and team accounts belong to exactly one mission: a second mission stored later, even
with the same area and team ids, stays out of their reach; the store refuses an account
without its mission; an existing store is upgraded, or says how to fix it."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from planner.store import (
    AccessDenied,
    AccountsWithoutMission,
    FieldReport,
    Role,
    add_field_update,
    field_updates,
    get_user,
    import_mission,
    list_missions,
    load_mission,
    load_plan,
    open_store,
    plan_versions,
    publish,
    published_version,
    save_plan,
    set_mission,
    users_add,
)
from planner.store import models as m
from planner.store.command import app
from planner.store.db import current_revision, make_engine, migrate
from tests.support.store import PASSWORD


@pytest.fixture
def two_missions(store, mission, plan, admin):
    """The same mission stored twice (the same area and team ids in both), each with a
    published plan; accounts of mission 1."""
    first = import_mission(store, mission, user=admin)
    users_add(store, "lto-a1", role=Role.LTO, area_ids=["A1"], user=admin, password=PASSWORD)
    users_add(store, "team-a1", role=Role.TEAM, team_id="STO-A1-1", user=admin, password=PASSWORD)
    second = import_mission(store, mission, user=admin)
    for mission_id in (first, second):
        publish(store, save_plan(store, mission_id, plan, user=admin), user=admin)
    return first, second


def test_accounts_made_with_one_mission_stay_in_it(store, two_missions, admin):
    """The finding: an LTO added without `--mission` while one mission was stored saw its
    area in every mission stored later. Now the account is bound to that mission."""
    first, second = two_missions
    lto, team = get_user(store, "lto-a1"), get_user(store, "team-a1")
    assert lto.mission_id == first and team.mission_id == first
    assert [x.id for x in list_missions(store, user=lto)] == [first]
    assert {s.station_id for s in load_mission(store, first, user=lto).stations}
    for user in (lto, team):
        with pytest.raises(AccessDenied):
            load_mission(store, second, user=user)
        with pytest.raises(AccessDenied):
            plan_versions(store, second, user=user)
        with pytest.raises(AccessDenied):
            published_version(store, second, user=user)
    other_version = plan_versions(store, second, user=admin)[0].id
    with pytest.raises(AccessDenied):
        load_plan(store, other_version, user=lto)
    with pytest.raises(AccessDenied):
        load_plan(store, other_version, user=team)
    with pytest.raises(AccessDenied):
        add_field_update(store, second, FieldReport("note", note="x"), user=lto)
    with pytest.raises(AccessDenied):
        field_updates(store, second, user=lto)


def test_an_lto_needs_its_mission_once_there_are_several(store, two_missions, admin):
    second = two_missions[1]
    with pytest.raises(ValueError, match=r"say which with --mission \(stored: 1 .*; 2 "):
        users_add(store, "lto-new", role=Role.LTO, area_ids=["A2"], user=admin)
    users_add(store, "lto-new", role=Role.LTO, area_ids=["A2"], user=admin, mission_id=second)
    assert get_user(store, "lto-new").mission_id == second
    with pytest.raises(ValueError, match="unknown area"):
        users_add(store, "lto-x", role=Role.LTO, area_ids=["A7"], user=admin, mission_id=second)
    users_add(store, "coord-all", role=Role.COORDINATOR, user=admin, password=PASSWORD)
    assert get_user(store, "coord-all").mission_id is None  # a coordinator of every mission


def test_no_mission_no_lto(store, admin):
    with pytest.raises(ValueError, match="no mission is stored yet"):
        users_add(store, "lto-1", role=Role.LTO, area_ids=["A1"], user=admin)


def test_the_store_refuses_an_unbound_lto(store, two_missions):
    """The database itself: an LTO or team row without a mission is not accepted."""
    with pytest.raises(IntegrityError), store.write() as session:
        session.execute(
            insert(m.User).values(
                username="sneaky",
                role="lto",
                area_ids=["A1"],
                mission_id=None,
                must_change_password=False,
                created_at=store.now(),
            )
        )


def test_the_cli_infers_the_only_mission_and_says_so(tmp_path, mission, admin):
    url = f"sqlite:///{(tmp_path / 'planner.db').as_posix()}"
    with open_store(url) as store:
        import_mission(store, mission, user=admin)
    runner = CliRunner()
    added = runner.invoke(
        app, ["add", "aigerim", "--role", "lto", "--area", "A1", "--database", url]
    )
    assert added.exit_code == 0, added.output
    assert "bound to mission 1 ('Two-area test mission'), the only stored mission" in " ".join(
        added.output.split()
    )
    with open_store(url) as store:
        import_mission(store, mission, user=admin)
    again = runner.invoke(app, ["add", "sto", "--role", "team", "--team", "STO-A1-1",
                                "--database", url])  # fmt: skip
    assert again.exit_code == 1 and "--mission" in again.output
    chosen = runner.invoke(app, ["add", "sto", "--role", "team", "--team", "STO-A1-1",
                                 "--mission", "2", "--database", url])  # fmt: skip
    assert chosen.exit_code == 0 and "mission 2" in chosen.output


# --- upgrading a store made before accounts were bound -------------------------------------


def _old_store(database: str, missions: int, mission) -> None:  # type: ignore[no-untyped-def]
    """A store at the first schema with `missions` missions and an LTO and a team account
    bound to none."""
    engine = make_engine(database)
    try:
        migrate(engine, "0001")
        with engine.begin() as conn:
            for i in range(missions):
                conn.execute(
                    text(
                        "INSERT INTO missions (name, country, settings_toml, teams_version, "
                        "created_at, created_by) VALUES (:n, 'KZ', '', 1, :t, 'test')"
                    ),
                    {"n": f"{mission.name} {i + 1}", "t": "2022-11-01 00:00:00"},
                )
            for name, role, team in (("old-lto", "lto", None), ("old-team", "team", "T-1")):
                conn.execute(
                    text(
                        "INSERT INTO users (username, role, area_ids, team_id, mission_id, "
                        "must_change_password, failed_attempts, created_at) "
                        "VALUES (:u, :r, '[]', :team, NULL, false, 0, :t)"
                    ),
                    {"u": name, "r": role, "team": team, "t": "2022-11-01 00:00:00"},
                )
    finally:
        engine.dispose()


def test_upgrade_binds_accounts_to_the_only_mission(database, mission):
    _old_store(database, 1, mission)
    with open_store(database) as store:
        with store.read() as session:
            bound = dict(session.execute(select(m.User.username, m.User.mission_id)).all())
        assert bound == {"old-lto": 1, "old-team": 1}
        with pytest.raises(IntegrityError), store.write() as session:
            session.execute(text("UPDATE users SET role = 'boss' WHERE username = 'old-lto'"))


def test_upgrade_with_several_missions_says_how_to_fix_it(database, mission, admin):
    """Two missions: the upgrade stops, names the accounts and the command to bind them;
    after binding them the store opens."""
    _old_store(database, 2, mission)
    with pytest.raises(AccountsWithoutMission) as refused:
        open_store(database)
    message = str(refused.value)
    assert "old-lto, old-team" in message
    assert "planner users set-mission NAME --mission ID" in message
    engine = make_engine(database)
    assert current_revision(engine) == "0001"  # nothing half-done
    engine.dispose()

    runner = CliRunner()
    fixed = runner.invoke(app, ["set-mission", "old-lto", "--mission", "2", "--database", database])
    assert fixed.exit_code == 0, fixed.output
    removed = runner.invoke(app, ["remove", "old-team", "--database", database])
    assert removed.exit_code == 0, removed.output
    with open_store(database) as store:
        assert get_user(store, "old-lto").mission_id == 2
        with pytest.raises(AccessDenied):
            set_mission(store, "old-lto", 1, user=get_user(store, "old-lto"))


def test_upgrade_without_missions_says_to_remove_the_accounts(database, mission):
    _old_store(database, 0, mission)
    with pytest.raises(AccountsWithoutMission, match="holds no mission"):
        open_store(database)
