"""Ids are checked at load (file, row and field named) and can never become a path."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from hostile.payloads import UNSAFE_IDS
from planner.cli import app
from planner.errors import MissionDataError
from planner.geodata import load_mission, load_stations
from planner.ids import MAX_ID_LENGTH, MAX_NAME_BYTES, check_ids, id_problem, safe_name
from planner.route import load_route_problem

ROUTE = Path(__file__).resolve().parents[1] / "fixtures" / "route"
VALID = ["STO-001", "PS-KZ62-0001", "KZ621000", "Team 1", "a.b_c-d", "Ақтөбе-1", "क्षेत्र-१",
         "東京3", "x" * MAX_ID_LENGTH]  # fmt: skip


@pytest.mark.parametrize("value", VALID)
def test_ids_of_any_script_are_valid(value: str) -> None:
    assert id_problem(value) is None
    assert safe_name(value) == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("../../../tmp/x", "starts with '.'"),
        ("/etc/passwd", "starts with '/'"),
        ("a\\b", "holds '\\'"),
        ("a/b", "holds '/'"),
        ("a..b", "holds '..'"),
        ("name.", "ends with '.'"),
        ("C:x", "holds ':'"),
        ("=HYPERLINK(1)", "starts with '='"),
        ("-2+3", "starts with '-'"),
        ("A,B", "holds ','"),
        ("tab\tid", "holds U+0009"),
        ("rtl\u202eid", "holds U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("x" * (MAX_ID_LENGTH + 1), f"is {MAX_ID_LENGTH + 1} characters long"),
    ],
)
def test_unsafe_ids_say_why(value: str, reason: str) -> None:
    problem = id_problem(value)
    assert problem is not None and problem.startswith(reason)


def test_check_ids_names_file_row_and_field() -> None:
    (problem,) = check_ids(["STO-1", "", "../x"], file="teams.csv", field="team_id", rows=[1, 2, 3])
    assert (problem.file, problem.row, problem.field) == ("teams.csv", 3, "team_id")
    assert str(problem).startswith("teams.csv, row 3, field 'team_id': unsafe team_id '../x'")


def test_the_unsafe_package_is_rejected_with_every_id_named(unsafe_package: Path) -> None:
    """Every layer's unsafe ids are reported together, each with its layer, row and field."""
    with pytest.raises(MissionDataError) as caught:
        load_mission(unsafe_package)
    unsafe = [p for p in caught.value.problems if p.message.startswith("unsafe ")]
    assert {p.file.rsplit(":", 1)[1] for p in unsafe} == {
        "regions", "districts", "commissions", "stations", "areas", "teams"
    }  # fmt: skip
    assert all(isinstance(p.row, int) and p.field and p.field.endswith("_id") for p in unsafe)
    named = " ".join(p.message for p in unsafe)
    for value in UNSAFE_IDS:
        assert f"'{value[:60]}" in named.replace("<U+0009>", "\t").replace("<U+202E>", "\u202e")


def test_validate_and_plan_refuse_the_unsafe_package(unsafe_package: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["validate", str(unsafe_package)], terminal_width=200)
    assert result.exit_code == 1
    assert "field 'team_id': unsafe team_id" in result.output
    out = tmp_path / "plan"
    result = runner.invoke(app, ["plan", str(unsafe_package), "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()


def test_standalone_and_route_files_check_ids(tmp_path: Path) -> None:
    """A stations file and route mode's tables check their ids the same way."""
    stations = tmp_path / "stations.csv"
    with stations.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["station_id", "tec_id", "voters", "lat", "lon"])
        writer.writerow(["PS-1", "TEC-1", 100, 43.25, 76.93])
        writer.writerow(["../../etc/cron.d/x", "TEC-1", 100, 43.26, 76.94])
    with pytest.raises(MissionDataError) as caught:
        load_stations(stations)
    assert [(p.row, p.field) for p in caught.value.problems] == [(2, "station_id")]

    route = tmp_path / "route.csv"
    text = (ROUTE / "stations.csv").read_text("utf-8").splitlines()
    header, first = text[0], text[1].split(",", 1)
    route.write_text(f"{header}\n/etc/passwd,{first[1]}\n", "utf-8")
    with pytest.raises(MissionDataError) as caught:
        load_route_problem(route, ROUTE / "teams.csv")
    (problem,) = [p for p in caught.value.problems if p.message.startswith("unsafe")]
    assert (problem.file, problem.row) == (str(route), 1)


@given(st.text(max_size=300))
def test_safe_name_is_never_a_path(value: str) -> None:
    """Whatever the id, its file name has no folder part, is not hidden, not '..', not
    absolute (POSIX or Windows) and fits a file-name limit with room for a suffix."""
    name = safe_name(value)
    assert name and "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".") and ".." not in name
    for pure in (PurePosixPath(name), PureWindowsPath(name)):
        assert not pure.is_absolute() and pure.name == name and not pure.drive
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES + 1
    assert safe_name(value) == name


@given(st.lists(st.text(max_size=40), min_size=2, max_size=2, unique=True))
def test_different_unsafe_ids_get_different_names(values: list[str]) -> None:
    a, b = values
    assume(id_problem(a) is not None and id_problem(b) is not None)
    assume(unicodedata.normalize("NFC", a) != unicodedata.normalize("NFC", b))
    assert safe_name(a) != safe_name(b)


def test_windows_device_names_are_not_used() -> None:
    assert safe_name("CON") == "_CON" and safe_name("nul.txt") == "_nul.txt"
    assert safe_name("COM1-team") == "COM1-team"
