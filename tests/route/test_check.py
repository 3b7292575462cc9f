"""The route-plan checker: a written plan passes from its own directory, and each kind
of tampering is caught."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.outputs import read_visits
from planner.route import (
    RoutePlan,
    RouteStation,
    RouteTeam,
    check_route_dir,
    check_route_visits,
    is_route_plan_dir,
    route_problem,
    solve_route,
    write_route_plan,
)
from tests.support.route import REFERENCE

Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def plan_dir(fixture_plan: RoutePlan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("route") / "plan"
    write_route_plan(fixture_plan, out)
    return out


@pytest.fixture
def rows(plan_dir: Path) -> Rows:
    return read_visits(plan_dir / "visits.csv")


def _shift(row: dict[str, str], field: str, minutes: int) -> None:
    moment = datetime.fromisoformat(row[field]) + timedelta(minutes=minutes)
    row[field] = moment.isoformat(timespec="seconds")


def _rules(rows: Rows, plan: RoutePlan) -> set[str]:
    return {v.rule for v in check_route_visits(rows, plan.problem).violations}


def _stop(rows: Rows, team: str, seq: int) -> dict[str, str]:
    return next(r for r in rows if r["team_id"] == team and int(r["seq"]) == seq)


def test_a_written_plan_passes_from_its_directory(plan_dir: Path) -> None:
    assert is_route_plan_dir(plan_dir)
    summary = json.loads((plan_dir / "summary.json").read_text())
    assert summary["inputs"]["stations"].endswith("stations.csv")
    report = check_route_dir(plan_dir)
    assert report.ok, [str(v) for v in report.violations]
    assert report.teams == 2


def test_a_stay_moved_before_its_window_is_caught(rows: Rows, fixture_plan: RoutePlan) -> None:
    row = _stop(rows, "STO-01", 1)
    _shift(row, "arrive", -24 * 60)
    _shift(row, "start", -24 * 60)
    assert {"window", "travel"} <= _rules(rows, fixture_plan)


def test_a_stay_that_starts_before_the_team_arrives_is_caught(
    rows: Rows, fixture_plan: RoutePlan
) -> None:
    row = _stop(rows, "STO-01", 2)
    row["start"] = _stop(rows, "STO-01", 1)["depart"]
    assert "time" in _rules(rows, fixture_plan)


def test_a_shortened_stay_and_a_shortened_leg_are_caught(
    rows: Rows, fixture_plan: RoutePlan
) -> None:
    row = _stop(rows, "STO-01", 1)
    _shift(row, "depart", -1)
    assert "stay" in _rules(rows, fixture_plan)
    nxt = _stop(rows, "STO-01", 2)
    nxt["arrive"] = row["depart"]
    assert "travel" in _rules(rows, fixture_plan)


def test_hours_stop_limit_and_repeats_are_caught(rows: Rows, fixture_plan: RoutePlan) -> None:
    team_rows = [r for r in rows if r["team_id"] == "STO-01"]
    _shift(team_rows[0], "depart", -600)
    _shift(team_rows[-1], "arrive", 600)
    assert "hours" in _rules(rows, fixture_plan)
    others = [r for r in rows if r["team_id"] == "STO-02"]
    capped = [r for r in rows if r["team_id"] != "STO-02"]
    extra = [dict(others[1], seq=str(k)) for k in range(1, 6)]
    end = dict(others[-1], seq="6")
    assert {"stops", "duplicate"} <= _rules([*capped, others[0], *extra, end], fixture_plan)


def test_unknown_sites_and_a_wrong_unvisited_list_are_caught(
    rows: Rows, fixture_plan: RoutePlan, plan_dir: Path, tmp_path: Path
) -> None:
    _stop(rows, "STO-02", 1)["site_id"] = "NOPE"
    assert "site" in _rules(rows, fixture_plan)
    copy = tmp_path / "plan"
    shutil.copytree(plan_dir, copy)
    with (copy / "unvisited.csv").open(newline="", encoding="utf-8") as handle:
        listed = list(csv.reader(handle))
    (copy / "unvisited.csv").write_text("\n".join(",".join(r) for r in listed[:-1]) + "\n")
    report = check_route_dir(copy, fixture_plan.problem)
    assert {v.rule for v in report.violations} == {"unvisited"}


def test_a_summary_without_inputs_is_refused(plan_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "plan"
    shutil.copytree(plan_dir, copy)
    summary = json.loads((copy / "summary.json").read_text())
    summary["inputs"] = None
    (copy / "summary.json").write_text(json.dumps(summary))
    with pytest.raises(ValueError, match="does not name its input files"):
        check_route_dir(copy)


def test_planner_check_on_a_route_plan(plan_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["check", str(plan_dir)])
    assert result.exit_code == 0, result.output
    assert "OK: 2 teams" in result.output
    copy = tmp_path / "plan"
    shutil.copytree(plan_dir, copy)
    rows = read_visits(copy / "visits.csv")
    _shift(rows[1], "depart", -1)
    with (copy / "visits.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["check", str(copy)])
    assert result.exit_code == 1
    assert "[stay]" in result.output


def test_malformed_rows_are_reported_not_raised(rows: Rows, fixture_plan: RoutePlan) -> None:
    """Missing columns, a time without an offset, an unknown team, a gap in the sequence
    and a start that is not the team's own: each a violation, never an exception."""
    no_lat = [{k: v for k, v in r.items() if k != "lat"} for r in rows]
    assert _rules(no_lat, fixture_plan) == {"format"}
    bad_time = [dict(r) for r in rows]
    bad_time[0]["arrive"] = "2022-11-20T08:00"
    assert "format" in _rules(bad_time, fixture_plan)
    stranger = [*rows, dict(rows[0], team_id="NOBODY")]
    assert "team" in _rules(stranger, fixture_plan)
    gap = [r for r in rows if not (r["team_id"] == "STO-01" and r["seq"] == "1")]
    assert "structure" in _rules(gap, fixture_plan)
    elsewhere = [dict(r) for r in rows]
    elsewhere[0]["site_id"] = "STO-02"
    assert "structure" in _rules(elsewhere, fixture_plan)


def test_a_problem_with_no_station_any_window_fits_is_solved_empty() -> None:
    """Windows shorter than the grid's minute leave nothing to visit: an empty plan."""
    stations = [RouteStation("A", 0, 9 * 3600 + 10, 9 * 3600 + 50, lat=43.25, lon=76.93)]
    teams = [RouteTeam("T", 8 * 3600, 18 * 3600, start_lat=43.24, start_lon=76.94)]
    problem = route_problem(stations, teams, reference=REFERENCE, step=60)
    plan = solve_route(problem, time_limit_s=1)
    assert plan.status == "nothing to visit" and plan.routes == ((),) and plan.visits == ()
    exact = solve_route(route_problem(stations, teams, reference=REFERENCE), time_limit_s=1)
    assert exact.routes == ((0,),)
