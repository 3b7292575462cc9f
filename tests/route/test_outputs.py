"""Route mode's output files and the `planner route` command."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.route import (
    VISIT_COLUMNS,
    RoutePlan,
    route_summary,
    write_route_plan,
)
from tests.route.support import (
    ROUTE,
)


def test_written_files(tmp_path: Path, fixture_plan: RoutePlan):
    """visits.csv has the documented columns, unvisited.csv lists the rest, summary.json
    adds up; writing again replaces the planner's files, keeps the others and leaves no
    temporary files."""
    out = tmp_path / "out"
    write_route_plan(fixture_plan, out)
    (out / "notes.txt").write_text("mine")
    write_route_plan(fixture_plan, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == [
        ".planner-output.json", "notes.txt", "summary.json", "unvisited.csv", "visits.csv"
    ]  # fmt: skip
    with (out / "visits.csv").open(encoding="utf-8") as handle:
        visits = list(csv.DictReader(handle))
    assert tuple(visits[0]) == VISIT_COLUMNS
    assert visits[1]["arrive"].endswith("+06:00") and visits[1]["name"]
    with (out / "unvisited.csv").open(encoding="utf-8") as handle:
        unvisited = list(csv.DictReader(handle))
    station_ids = {r["site_id"] for r in visits if r["name"] not in ("start", "end")}
    assert len(station_ids) + len(unvisited) == 12
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary == route_summary(fixture_plan)
    assert summary["stations_visited"] == len(station_ids)
    assert summary["weight_visited"] + sum(float(r["weight"]) for r in unvisited) == 30
    assert sum(t["visits"] for t in summary["teams"]) == len(station_ids)
    assert summary["travel_min"] == sum(int(r["travel_min"]) for r in visits)
    assert summary["solver"]["status"]


runner = CliRunner()


def test_cli_route(tmp_path: Path):
    """`planner route` writes the three files, prints the team table, exits 0."""
    out = tmp_path / "plan"
    args = ["route", str(ROUTE / "matrix_stations.csv"), str(ROUTE / "matrix_teams.csv")]
    args += ["--matrix", str(ROUTE / "matrix.csv"), "--out", str(out), "--time-limit", "0.2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Team routes" in result.output and "weight 6 of 12" in result.output
    assert "warning" in result.output  # station D
    assert (out / "visits.csv").is_file() and (out / "summary.json").is_file()


@pytest.mark.parametrize(
    ("extra", "stations", "fragment"),
    [
        ([], "stations_bad_times.csv", "9am"),
        ([], "no_such_file.csv", "file not found"),
        (["--tz", "Mars/Olympus"], "stations.csv", "time zone"),
        (["--date", "20.11.2022"], "stations.csv", "not a date"),
    ],
)
def test_cli_route_bad_input(tmp_path: Path, extra: list[str], stations: str, fragment: str):
    """Bad input exits 1 with a plain message and no traceback, and writes nothing."""
    out = tmp_path / "plan"
    args = ["route", str(ROUTE / stations), str(ROUTE / "teams.csv"), "--out", str(out)]
    result = runner.invoke(app, [*args, "--time-limit", "0.2", *extra])
    assert result.exit_code == 1
    assert fragment in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
