"""`--out DIR` writes only the planner's own files: other files and siblings survive, a
directory that is not the planner's is refused, a crash leaves the previous plan readable."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

import planner.fileio as fileio
from planner.check import check_plan_dir
from planner.cli import app
from planner.datasets import SMALL_MISSION, get_path
from planner.fileio import MANIFEST, OutputDirError, read_manifest, write_directory
from planner.geodata import load_mission
from planner.model import Mission
from planner.outputs import write_plan
from planner.plan import solve
from planner.schedule import Plan
from tests.support.missions import LIGHT_SEARCH

ROUTE = Path(__file__).resolve().parent / "fixtures" / "route"
PLAN_FILES = {"visits.csv", "coverage.csv", "plan.json", "routes.geojson"}
runner = CliRunner()


def run(*args: object):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, [str(a) for a in args], terminal_width=200)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder` (relative) -> its bytes (None for a directory)."""
    return {
        str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def solved() -> tuple[Mission, Plan, Path]:
    """The shipped small mission (its package path) and a plan of it."""
    package = get_path(SMALL_MISSION)
    mission = load_mission(package)
    return (
        mission,
        solve(mission, time_limit_s=60, seed=1, workers=1, options=LIGHT_SEARCH),
        package,
    )


# --- write_directory ---------------------------------------------------------------------


def test_other_files_and_siblings_survive_a_rewrite(tmp_path: Path) -> None:
    """Writing twice into the planner's directory replaces its files, keeps a file someone
    added between the runs, and neither touches nor creates anything beside it."""
    out = tmp_path / "plan"
    write_directory(out, {"visits.csv": "one\n", "plan.json": "{}\n"})
    (out / "notes.txt").write_text("my notes")
    (tmp_path / "plan.old").mkdir()
    (tmp_path / "plan.old" / "keep.csv").write_text("older plan")
    (tmp_path / "plan.bak").write_text("backup")
    before = tree(tmp_path)

    write_directory(out, {"visits.csv": "two\n", "plan.json": "{}\n"})

    after = tree(tmp_path)
    assert after.pop("plan/visits.csv") == b"two\n"
    assert before.pop("plan/visits.csv") == b"one\n"
    assert after == before  # notes, manifest, plan.old/ and plan.bak as they were
    assert read_manifest(out) == {"visits.csv", "plan.json"}


def test_a_directory_the_planner_did_not_write_is_refused(tmp_path: Path) -> None:
    """A non-empty folder without the manifest is refused with a message saying what to
    do; nothing in it changes."""
    out = tmp_path / "results"
    out.mkdir()
    (out / "visits.csv").write_text("someone else's")
    (out / "report.docx").write_bytes(b"\x00report")
    before = tree(tmp_path)
    with pytest.raises(OutputDirError, match=r"not empty .* add --force") as caught:
        write_directory(out, {"visits.csv": "mine\n"})
    assert str(out) in str(caught.value)
    assert tree(tmp_path) == before


def test_force_replaces_only_the_planners_files(tmp_path: Path) -> None:
    """--force writes the planner's files into a foreign folder and leaves the rest."""
    out = tmp_path / "results"
    out.mkdir()
    (out / "visits.csv").write_text("old")
    (out / "report.docx").write_bytes(b"\x00report")
    write_directory(out, {"visits.csv": "new\n", "plan.json": "{}\n"}, force=True)
    assert (out / "visits.csv").read_text() == "new\n"
    assert (out / "report.docx").read_bytes() == b"\x00report"
    assert read_manifest(out) == {"visits.csv", "plan.json"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_an_existing_file_is_never_turned_into_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "plan"
    target.write_text("a file")
    for force in (False, True):
        with pytest.raises(OutputDirError, match="is not a directory"):
            write_directory(target, {"visits.csv": "x"}, force=force)
    assert target.read_text() == "a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_a_file_the_manifest_does_not_list_is_not_replaced(tmp_path: Path) -> None:
    """In the planner's own folder, a file it did not write is still not its to replace."""
    out = tmp_path / "exports"
    write_directory(out, {"plan.ics": "calendar"})
    (out / "plan.kml").write_text("hand-made map")
    with pytest.raises(OutputDirError, match=r"plan\.kml exists and was not written"):
        write_directory(out, {"plan.kml": "generated"})
    assert (out / "plan.kml").read_text() == "hand-made map"
    write_directory(out, {"plan.kml": "generated"}, force=True)
    assert (out / "plan.kml").read_text() == "generated"
    assert read_manifest(out) == {"plan.ics", "plan.kml"}


def test_a_forged_or_broken_manifest_does_not_make_a_folder_the_planners(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "data.csv").write_text("x")
    for text in ("not json", json.dumps({"files": ["data.csv"]}), "[]"):
        (out / MANIFEST).write_text(text)
        assert read_manifest(out) is None
        with pytest.raises(OutputDirError):
            write_directory(out, {"visits.csv": "x"})


def test_new_folders_are_private_and_empty_ones_are_used(tmp_path: Path) -> None:
    out = write_directory(tmp_path / "a" / "b", {"visits.csv": "x"})
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE((out / "visits.csv").stat().st_mode) == 0o600
    empty = tmp_path / "empty"
    empty.mkdir()
    write_directory(empty, {"visits.csv": "x"})
    assert sorted(p.name for p in empty.iterdir()) == [MANIFEST, "visits.csv"]


@pytest.mark.parametrize("name", ["../x.csv", "a/b.csv", "/etc/passwd", ".hidden", "", MANIFEST])
def test_file_names_must_be_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not a plain file name"):
        write_directory(tmp_path / "out", {name: "x"})
    assert not any(tmp_path.iterdir())


def test_a_crash_while_writing_leaves_the_previous_plan_readable(
    tmp_path: Path, solved: tuple[Mission, Plan, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while the new files are written (disk full, interrupt) changes nothing:
    the previous plan still checks and no temporary file is left."""
    mission, plan, _ = solved
    out = write_plan(plan, mission, tmp_path / "plan")
    before = tree(out)
    calls = 0
    real = fileio._write_temp

    def failing(folder: Path, content: str | bytes) -> Path:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        return real(folder, content)

    monkeypatch.setattr(fileio, "_write_temp", failing)
    with pytest.raises(OSError, match="No space"):
        write_plan(plan, mission, out)
    assert tree(out) == before
    assert check_plan_dir(out, mission).ok


def test_a_crash_between_renames_leaves_every_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between two renames, each file is wholly old or wholly new (never cut), the
    folder is still the planner's and the next write completes."""
    out = tmp_path / "plan"
    old = {"visits.csv": "old visits\n" * 1000, "plan.json": '{"v": "old"}\n'}
    new = {"visits.csv": "new visits\n" * 1000, "plan.json": '{"v": "new"}\n'}
    write_directory(out, old)
    replaced = 0
    real = os.replace

    def crash(src: str | Path, dst: str | Path) -> None:
        nonlocal replaced
        if replaced == 2:  # the manifest and one file are in place
            raise KeyboardInterrupt
        replaced += 1
        real(src, dst)

    monkeypatch.setattr(fileio.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_directory(out, new)
    monkeypatch.undo()
    for name in old:
        assert (out / name).read_text() in (old[name], new[name])
    assert not list(out.glob(".planner-tmp-*"))
    write_directory(out, new)
    assert {n: (out / n).read_text() for n in new} == new


# --- the command line --------------------------------------------------------------------


def test_plan_out_data_in_the_app_folder_keeps_the_store(
    tmp_path: Path, solved: tuple[Mission, Plan, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`planner plan --out data` next to the app's store is refused before any solving;
    with --force the plan files go in beside planner.db, which is untouched."""
    _, _, package = solved
    monkeypatch.chdir(tmp_path)
    Path("data").mkdir()
    with sqlite3.connect("data/planner.db") as db:
        db.execute("create table missions (name text)")
        db.execute("insert into missions values ('Kazakhstan 2022')")
    store = Path("data/planner.db").read_bytes()

    refused = run("plan", package, "--out", "data", "--time-limit", "2", "--workers", "1")
    assert refused.exit_code == 1
    assert "not empty" in refused.output and "--force" in refused.output
    assert sorted(p.name for p in Path("data").iterdir()) == ["planner.db"]

    forced = run("plan", package, "--out", "data", "--time-limit", "2", "--workers", "1", "--force")
    assert forced.exit_code == 0, forced.output
    assert Path("data/planner.db").read_bytes() == store
    assert {p.name for p in Path("data").iterdir()} == {"planner.db", MANIFEST, *PLAN_FILES}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_plan_out_keeps_other_files_and_siblings(
    tmp_path: Path, solved: tuple[Mission, Plan, Path]
) -> None:
    """A second `planner plan --out DIR` replaces the plan files only; a file added to DIR
    and a sibling DIR.old stay as they were."""
    _, _, package = solved
    out = tmp_path / "plan"
    sibling = tmp_path / "plan.old"
    sibling.mkdir()
    (sibling / "visits.csv").write_text("last week's plan")
    first = run("plan", package, "--out", out, "--time-limit", "2", "--workers", "1")
    assert first.exit_code == 0, first.output
    (out / "notes.txt").write_text("notes")
    second = run("plan", package, "--out", out, "--time-limit", "2", "--workers", "1")
    assert second.exit_code == 0, second.output
    assert (out / "notes.txt").read_text() == "notes"
    assert (sibling / "visits.csv").read_text() == "last week's plan"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan", "plan.old"]
    assert run("check", out).exit_code == 0


def test_plan_out_an_existing_file_is_an_error(
    tmp_path: Path, solved: tuple[Mission, Plan, Path]
) -> None:
    _, _, package = solved
    target = tmp_path / "plan.txt"
    target.write_text("not a folder")
    result = run("plan", package, "--out", target, "--time-limit", "2", "--workers", "1")
    assert result.exit_code == 1 and "is not a directory" in result.output
    assert target.read_text() == "not a folder"


def test_route_out_follows_the_same_rules(tmp_path: Path) -> None:
    """`planner route --out` refuses a foreign folder and a file; --force keeps others."""
    out = tmp_path / "routes"
    out.mkdir()
    (out / "budget.xlsx").write_bytes(b"PK\x03\x04")
    args = ["route", ROUTE / "stations.csv", ROUTE / "teams.csv", "--time-limit", "1"]
    refused = run(*args, "--out", out)
    assert refused.exit_code == 1 and "--force" in refused.output
    assert sorted(p.name for p in out.iterdir()) == ["budget.xlsx"]
    forced = run(*args, "--out", out, "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / "budget.xlsx").read_bytes() == b"PK\x03\x04"
    assert (out / "visits.csv").is_file()
    target = tmp_path / "file.csv"
    target.write_text("x")
    assert run(*args, "--out", target).exit_code == 1
    assert target.read_text() == "x"
