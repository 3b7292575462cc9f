"""`planner users ...`: first-run setup prints a one-time password once; accounts are
added, listed and removed; mistakes are plain messages."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from planner.datasets import SMALL_MISSION, get_path
from planner.store import AuthError, authenticate, open_store
from planner.store.command import app

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_init_add_list_remove(tmp_path):
    url = f"sqlite:///{(tmp_path / 'planner.db').as_posix()}"
    first = _run("init", "--database", url, "--mission", str(get_path(SMALL_MISSION)))
    assert first.exit_code == 0, first.output
    password = re.search(r"shown only now\):\s+(\S+)", first.output).group(1)
    assert "imported" in first.output

    again = _run("init", "--database", url, "--mission", str(get_path(SMALL_MISSION)))
    assert again.exit_code == 0 and "exist already" in again.output
    assert password not in again.output and "stored already" in again.output

    added = _run("add", "Aigerim", "--role", "lto", "--area", "AOR-01", "--database", url)
    assert added.exit_code == 0, added.output
    lto_password = re.search(r"shown only now\):\s+(\S+)", added.output).group(1)

    listed = _run("list", "--database", url)
    assert "aigerim" in listed.output and "AOR-01" in listed.output
    assert password not in listed.output and lto_password not in listed.output

    with open_store(url) as store:
        assert authenticate(store, "coordinator", password).must_change_password
        assert authenticate(store, "aigerim", lto_password).user.area_ids == {"AOR-01"}

    reset = _run("reset-password", "aigerim", "--database", url)
    assert reset.exit_code == 0 and "shown only now" in reset.output

    removed = _run("remove", "aigerim", "--database", url)
    assert removed.exit_code == 0
    assert "aigerim" not in _run("list", "--database", url).output


def test_mistakes_are_messages(tmp_path):
    url = f"sqlite:///{(tmp_path / 'planner.db').as_posix()}"
    _run("init", "--database", url)
    bad_role = _run("add", "x", "--role", "admin", "--database", url)
    assert bad_role.exit_code == 1 and "unknown role" in bad_role.output
    no_area = _run("add", "x", "--role", "lto", "--database", url)
    assert no_area.exit_code == 1 and "at least one area" in no_area.output
    missing = _run("remove", "ghost", "--database", url)
    assert missing.exit_code == 1 and "no user ghost" in missing.output
    last = _run("remove", "coordinator", "--database", url)
    assert last.exit_code == 1 and "last coordinator" in last.output


def test_unlock_lifts_the_waits_and_list_shows_them(tmp_path):
    """`users list` shows recent wrong passwords and the addresses that must wait;
    `users unlock NAME` and `users unlock --client ADDRESS` lift them."""
    url = f"sqlite:///{(tmp_path / 'planner.db').as_posix()}"
    first = _run("init", "--database", url)
    password = re.search(r"shown only now\):\s+(\S+)", first.output).group(1)
    with open_store(url) as store:
        for _ in range(5):
            with pytest.raises(AuthError):
                authenticate(store, "coordinator", "a wrong guess", client="198.51.100.7")
    listed = _run("list", "--database", url)
    assert "coordinator must wait after wrong passwords from: 198.51.100.7" in " ".join(
        listed.output.split()
    )
    unlocked = _run("unlock", "coordinator", "--database", url)
    assert unlocked.exit_code == 0 and "2 count(s)" in unlocked.output
    with open_store(url) as store:
        assert authenticate(store, "coordinator", password, client="198.51.100.7")
    again = _run("unlock", "--client", "198.51.100.7", "--database", url)
    assert again.exit_code == 0 and "client 198.51.100.7" in again.output
    neither = _run("unlock", "--database", url)
    assert neither.exit_code == 1 and "one of them" in neither.output
