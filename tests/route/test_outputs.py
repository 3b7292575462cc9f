"""Route mode's output files and the `planner route` command."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.route import (
    VISIT_COLUMNS,
    RoutePlan,
    RouteStation,
    route_problem,
    route_summary,
    solve_route,
    visits_csv,
    write_route_plan,
)
from tests.support.route import MIN, REFERENCE, ROUTE, clock, team


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
    shown = sum(float(r["travel_min"]) for r in visits)
    assert abs(summary["travel_min"] - shown) <= 0.01 * len(visits)
    solver = summary["solver"]
    assert solver["seed"] == 0 and solver["work"]["iterations"] > 0
    assert solver["reproducible"] is not solver["cut_by_time"]
    assert solver["status"] == (
        "stopped by the time limit" if solver["cut_by_time"] else "searched to its work limit"
    )
    assert summary["time_step_s"] == 1 and summary["inputs"]["whole_minutes"] is False


def test_visits_show_arrival_wait_and_start_apart():
    """A team that arrives before a window opens waits: `arrive` + `wait_min` = `start`;
    the stay ends at `depart`. A must start by 08:30, B not before 10:00."""
    stations = [
        RouteStation("A", 10 * MIN, clock("08:00"), clock("08:30"), lat=43.25, lon=76.93),
        RouteStation("B", 10 * MIN, clock("10:00"), clock("10:30"), lat=43.24, lon=76.92),
    ]
    teams = [team("T", 43.2436, 76.9456, "08:00", "12:00")]
    plan = solve_route(route_problem(stations, teams, reference=REFERENCE), time_limit_s=1)
    rows = list(csv.DictReader(io.StringIO(visits_csv(plan))))
    assert [r["site_id"] for r in rows] == ["T", "A", "B", "T"]
    for r in rows:
        arrive, start = datetime.fromisoformat(r["arrive"]), datetime.fromisoformat(r["start"])
        wait = (start - arrive).total_seconds()
        assert abs(wait - 60 * float(r["wait_min"])) <= 0.3  # minutes to two decimals
    b = rows[2]
    assert b["start"].startswith("2022-11-20T10:00") and float(b["wait_min"]) > 60
    assert datetime.fromisoformat(b["depart"]) - datetime.fromisoformat(b["start"]) == timedelta(
        minutes=10
    )


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
    assert "seed 0" in result.output
    assert (out / "visits.csv").is_file() and (out / "summary.json").is_file()


def test_cli_route_seed_and_whole_minutes(tmp_path: Path):
    """`--seed` and `--whole-minutes` reach the plan: summary.json records both, and a
    whole-minute plan writes times to the minute."""
    out = tmp_path / "plan"
    args = ["route", str(ROUTE / "stations.csv"), str(ROUTE / "teams.csv"), "--out", str(out)]
    args += ["--time-limit", "5", "--seed", "7", "--whole-minutes"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["solver"]["seed"] == 7 and summary["time_step_s"] == 60
    with (out / "visits.csv").open(encoding="utf-8") as handle:
        first = next(csv.DictReader(handle))
    assert len(first["depart"]) == len("2022-11-20T08:00+06:00")
    check = runner.invoke(app, ["check", str(out)])
    assert check.exit_code == 0, check.output


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
