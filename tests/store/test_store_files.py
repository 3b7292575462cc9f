"""The store's files are private to their owner, and a store that cannot be used is one
line from `planner users`, never a traceback."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.store import Role, open_store, system_user, users_add


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def world_readable_umask():
    """The usual umask (022), under which files are created readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_store_is_private(tmp_path: Path, world_readable_umask) -> None:
    data = tmp_path / "data"
    with open_store(data_dir=data) as store:
        users_add(
            store,
            "coord",
            role=Role.COORDINATOR,
            user=system_user("t"),
            password="correct horse battery staple",
        )
        files = sorted(p.name for p in data.iterdir())
        assert files == ["planner.db", "planner.db-shm", "planner.db-wal"]
        assert {p.name: _mode(p) for p in data.iterdir()} == dict.fromkeys(files, 0o600)
    assert _mode(data) == 0o700


def test_a_world_readable_store_is_made_private(tmp_path: Path, world_readable_umask) -> None:
    data = tmp_path / "data"
    data.mkdir()
    sqlite3.connect(data / "planner.db").close()
    (data / "planner.db").chmod(0o644)
    with open_store(data_dir=data):
        assert _mode(data / "planner.db") == 0o600


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda d: (d / "planner.db").write_bytes(b"not a database " * 100), "not a database"),
        (lambda d: (d / "planner.db").mkdir(), "unable to open"),
    ],
)
def test_an_unusable_store_is_one_line(tmp_path: Path, monkeypatch, setup, expected) -> None:
    data = tmp_path / "data"
    data.mkdir()
    setup(data)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(data))
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["users", "list"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: the mission store (sqlite:///") and expected in lines[0]


def test_a_store_from_a_newer_version_is_one_line(tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "data"
    open_store(data_dir=data).close()
    with sqlite3.connect(data / "planner.db") as db:
        db.execute("UPDATE alembic_version SET version_num = 'ffff0000'")
    monkeypatch.setenv("PLANNER_DATA_DIR", str(data))
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["users", "list"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "ffff0000" in result.output


def test_an_unreachable_database_is_one_line_without_its_password() -> None:
    url = "postgresql://planner:s3cret@127.0.0.1:1/planner"
    result = CliRunner().invoke(app, ["users", "list", "--database", url])
    assert result.exit_code == 1
    assert result.output.startswith("error: the mission store (postgresql+psycopg://planner:***@")
    assert "s3cret" not in result.output and "Traceback" not in result.output
