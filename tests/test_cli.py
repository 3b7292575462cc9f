"""`planner validate / plan / check` as a user runs them: messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.datasets import SMALL_MISSION, get_path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, [str(a) for a in args], terminal_width=200)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_validate_default_mission_prints_headline_figures() -> None:
    """The default mission validates with the published 2022 figures."""
    result = run("validate", get_path())
    assert result.exit_code == 0, result.output
    out = result.output
    assert "20 regions" in out
    assert "239 TECs" in out
    assert "10,101 stations" in out
    assert "11,950,485 voters" in out
    assert "regular 9,556 / special 477 / abroad 68" in out


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("bad_coordinates.csv", "look swapped"),
        ("missing_columns.csv", "found"),
        ("missing_coordinates.csv", "coordinate"),
        ("duplicate_ids.csv", "duplicate"),
        ("bad_voters.csv", "voters"),
        ("bad_values.csv", "kind"),
        ("bad_tz.csv", "time zone"),
        ("empty.csv", "no rows"),
        ("header_only.csv", "no rows"),
        ("corrupt.xlsx", "not a readable excel workbook"),
        ("corrupt.gpkg", "cannot read"),
        ("stations.xls", ".xlsx"),
    ],
)
def test_each_bad_input_class_gives_clear_message_and_nonzero_exit(
    fixture: str, expected: str
) -> None:
    """Bad files exit 1 with the row/field table, never a traceback."""
    result = run("validate", FIXTURES / fixture)
    assert result.exit_code == 1, result.output
    assert expected.lower() in result.output.lower()


def test_unknown_tec_is_reported_against_a_commissions_file_given_alongside() -> None:
    """Stations are checked against the TECs of a commissions file in the same call."""
    result = run("validate", FIXTURES / "unknown_tec.csv", FIXTURES / "commissions.csv")
    assert result.exit_code == 1, result.output
    assert "tec_id" in result.output


def test_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    """A path that does not exist is reported plainly."""
    result = run("validate", tmp_path / "nope.csv")
    assert result.exit_code == 1


def test_plan_and_check_on_demo_mission(tmp_path: Path) -> None:
    """`planner plan` writes the four plan files and `planner check` accepts them."""
    out = tmp_path / "plan"
    result = run(
        "plan", get_path(SMALL_MISSION), "--out", out, "--time-limit", "8", "--workers", "1"
    )
    assert result.exit_code == 0, result.output
    assert "met" in result.output
    assert (out / "visits.csv").is_file()
    checked = run("check", out)
    assert checked.exit_code == 0, checked.output
    assert "no violations" in checked.output


def test_check_rejects_a_tampered_plan(tmp_path: Path) -> None:
    """A plan whose opening arrival was moved past the window fails the check."""
    out = tmp_path / "plan"
    run("plan", get_path(SMALL_MISSION), "--out", out, "--time-limit", "5", "--workers", "1")
    visits = (out / "visits.csv").read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(visits) if ",opening," in line)
    visits[row] = visits[row].replace("T06:15", "T06:55", 1)
    (out / "visits.csv").write_text("\n".join(visits) + "\n", encoding="utf-8")
    result = run("check", out)
    assert result.exit_code == 1
    assert "opening" in result.output


def test_route_from_the_small_mission_plans_the_ltos_days_and_checks(tmp_path: Path) -> None:
    """`planner route --mission --area --days`: no hand-made tables, route mode's outputs
    plus the two tables it made, and `planner check` re-verifies them."""
    out = tmp_path / "lto"
    args = ("route", "--mission", get_path(SMALL_MISSION), "--area", "AOR-01", "--days", "2")
    result = run(*args, "--out", out, "--time-limit", "5")
    assert result.exit_code == 0, result.output
    assert "LTO-01-d1" in result.output and "LTO-01-d2" in result.output
    assert {p.name for p in out.iterdir()} >= {
        "stations.csv", "teams.csv", "visits.csv", "unvisited.csv", "summary.json",
    }  # fmt: skip
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["stations_visited"] > 0
    assert summary["inputs"]["stations"] == str(out / "stations.csv")
    assert summary["inputs"]["date"] == "2022-11-18"  # two days before election day
    checked = run("check", out)
    assert checked.exit_code == 0, checked.output
    assert "OK: 2 teams" in checked.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--area", "AOR-99", "--days", "2"), "no area 'AOR-99'"),
        (("--area", "AOR-01"), "--mission needs --area and --days"),
        (("--area", "AOR-01", "--days", "2", "--start", "soon"), "--start 'soon'"),
    ],
)
def test_route_from_a_mission_refuses_bad_options(
    tmp_path: Path, extra: tuple[str, ...], message: str
) -> None:
    result = run(
        "route",
        "--mission",
        get_path(SMALL_MISSION),
        *extra,
        "--out",
        tmp_path / "o",
        "--time-limit",
        "5",
    )
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "o").exists()


def test_route_from_a_mission_takes_no_tables(tmp_path: Path) -> None:
    stations = FIXTURES / "route" / "stations.csv"
    result = run(
        "route", stations, "--mission", get_path(SMALL_MISSION), "--area", "AOR-01",
        "--days", "2", "--out", tmp_path / "o", "--time-limit", "5",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "--mission makes its own tables" in result.output


def test_route_needs_tables_or_a_mission(tmp_path: Path) -> None:
    result = run("route", "--out", tmp_path / "o", "--time-limit", "5")
    assert result.exit_code == 1
    assert "give a stations table and a teams table" in result.output
