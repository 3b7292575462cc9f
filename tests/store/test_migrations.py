"""Migrations from an empty database, and the connection settings of the embedded default."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from planner.store import (
    database_url,
    import_mission,
    list_missions,
    open_store,
    system_user,
)
from planner.store.db import alembic_config, current_revision, make_engine, migrate
from planner.store.models import Base


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_upgrade_from_empty_creates_every_table(database):
    """An empty database migrated to head has every table of the models."""
    engine = make_engine(database)
    try:
        assert current_revision(engine) is None
        migrate(engine)
        assert current_revision(engine) == _head()
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(database):
    """The hand-kept migrations produce exactly the schema the models describe."""
    engine = make_engine(database)
    try:
        migrate(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_empty_and_upgrade_again(database):
    """The initial revision can be undone completely and redone."""
    engine = make_engine(database)
    try:
        migrate(engine)
        with engine.execution_options(planner_write=True).begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
        migrate(engine)
        assert current_revision(engine) == _head()
    finally:
        engine.dispose()


def test_opening_twice_keeps_data(database, mission):
    """Opening an up-to-date store migrates nothing and loses nothing."""
    with open_store(database) as first:
        mission_id = import_mission(first, mission, user=system_user())
    with open_store(database) as second:
        assert current_revision(second.engine) == _head()
        assert [m.id for m in list_missions(second, user=system_user())] == [mission_id]


def test_sqlite_default_is_a_file_under_the_data_dir(tmp_path, monkeypatch):
    """Without a URL the store is `$PLANNER_DATA_DIR/planner.db`, in WAL mode with foreign
    keys enforced and a busy timeout."""
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path / "state"))
    assert database_url() == f"sqlite:///{(tmp_path / 'state' / 'planner.db').as_posix()}"
    with open_store() as store:
        assert (tmp_path / "state" / "planner.db").is_file()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_postgres_urls_get_the_psycopg_driver(monkeypatch):
    """`PLANNER_DATABASE_URL=postgresql://...` selects PostgreSQL through psycopg 3."""
    monkeypatch.setenv("PLANNER_DATABASE_URL", "postgresql://u:p@localhost:5432/planner")
    assert database_url() == "postgresql+psycopg://u:p@localhost:5432/planner"
    assert database_url("postgres://h/db") == "postgresql+psycopg://h/db"


def test_foreign_keys_are_enforced(store):
    """A station whose TEC does not exist is refused by the database itself."""
    from sqlalchemy.exc import IntegrityError

    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO missions (name, country, settings_toml, teams_version, created_at,"
                " created_by) VALUES ('x', '', '', 1, '2022-01-01 00:00:00', 't')"
            )
        )
    try:
        with store.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO stations (mission_id, station_id, position, number, name,"
                    " address, region, district, tec_id, voters, kind, setting, tz, lon, lat)"
                    " VALUES (1, 'S1', 0, '', '', '', 'R', '', 'NO-TEC', 1, 'regular',"
                    " 'urban', 'UTC', 0, 0)"
                )
            )
    except IntegrityError:
        return
    raise AssertionError("a station with an unknown TEC was accepted")
