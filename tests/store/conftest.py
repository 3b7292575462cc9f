"""Store fixtures: a fresh store per test on SQLite, and on PostgreSQL too when
`PLANNER_TEST_POSTGRES_URL` points at a server where its user may create databases
(`scripts/ci-postgres.sh` starts one and prints the variable).

The mission is small and built in code (`helpers.two_area_mission`): two areas (A1, A2),
two STO teams and one LTO team in each, one station abroad; it is solved once per run.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from planner.model import Mission
from planner.plan import solve
from planner.schedule import Plan
from planner.store import (
    CurrentUser,
    Role,
    Store,
    get_user,
    import_mission,
    open_store,
    system_user,
    users_add,
)
from planner.store.db import database_url
from tests.support.store import FAST_HASHER, PASSWORD, Clock, two_area_mission

POSTGRES_ENV = "PLANNER_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def mission() -> Mission:
    return two_area_mission()


@pytest.fixture(scope="session")
def plan(mission: Mission) -> Plan:
    solved = solve(mission, time_limit_s=60, seed=5, workers=1)
    assert {s.team_id for s in solved.stops} >= {"STO-A1-1", "STO-A2-1"}
    return solved


# --- databases -------------------------------------------------------------------------------


def _postgres_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV, "").strip()
    return database_url(url) if url else None


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} is not set"
            ),
        ),
    ]
)
def database(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A URL of an empty database of its own, removed after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'data' / 'planner.db').as_posix()}"
        return
    admin_url = _postgres_url()
    assert admin_url is not None
    name = f"planner_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(admin, name)
        admin.dispose()


def _drop_database(admin, name: str) -> None:  # type: ignore[no-untyped-def]
    """Remove a test database; an autovacuum worker still attached to it is waited out."""
    for attempt in range(20):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except OperationalError:
            time.sleep(0.25 * (attempt + 1))
        except ProgrammingError:
            # FORCE may not terminate a server process of another role (e.g. autovacuum).
            time.sleep(0.25 * (attempt + 1))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database: str, clock: Clock) -> Iterator[Store]:
    opened = open_store(database, clock=clock, hasher=FAST_HASHER)
    try:
        yield opened
    finally:
        opened.close()


# --- people ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    mission_id: int
    coordinator: CurrentUser
    lto_a1: CurrentUser
    lto_a2: CurrentUser
    team_a1: CurrentUser
    team_a2: CurrentUser


@pytest.fixture
def admin() -> CurrentUser:
    return system_user("test-admin")


@pytest.fixture
def people(store: Store, mission: Mission, admin: CurrentUser) -> People:
    """The mission stored, and one account per role (all with password `PASSWORD`)."""
    mission_id = import_mission(store, mission, user=admin)
    accounts = {
        "coord": {"role": Role.COORDINATOR},
        "lto-a1": {"role": Role.LTO, "area_ids": ["A1"]},
        "lto-a2": {"role": Role.LTO, "area_ids": ["A2"]},
        "team-a1": {"role": Role.TEAM, "team_id": "STO-A1-1"},
        "team-a2": {"role": Role.TEAM, "team_id": "STO-A2-1"},
    }
    for name, kw in accounts.items():
        users_add(store, name, user=admin, password=PASSWORD, **kw)  # type: ignore[arg-type]
    return People(
        mission_id,
        get_user(store, "coord"),
        get_user(store, "lto-a1"),
        get_user(store, "lto-a2"),
        get_user(store, "team-a1"),
        get_user(store, "team-a2"),
    )
