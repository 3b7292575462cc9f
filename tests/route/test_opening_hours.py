"""Opening hours per place and weekday in an LTO's visits: the hours as written, the days
of the visits as real dates, a row per day a place is open, one visit per place at most."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import MissionDataError
from planner.geodata import write_mission
from planner.route import check_route_dir, solve_route
from planner.route.check import check_route_visits
from planner.route.from_mission import (
    area_place_ids,
    mission_route_problem,
    visit_tables,
    write_mission_route_plan,
)
from planner.route.opening_hours import END_OF_DAY, parse_opening_hours, read_opening_hours
from tests.support.missions import lto_mission

MONDAY = date(2026, 3, 9)


def test_hours_as_written() -> None:
    hours = parse_opening_hours("Mo-Fr 09:00-18:00; Sa 10:00-14:00")
    assert hours.by_weekday[0] == hours.by_weekday[4] == ((time(9), time(18)),)
    assert hours.by_weekday[5] == ((time(10), time(14)),)
    assert hours.by_weekday[6] == ()
    assert hours.on(MONDAY) == ((time(9), time(18)),)
    # Later rules replace earlier ones; lists, wrapping ranges, split days, every day.
    split = parse_opening_hours("Mo-Sa 09:00-18:00; We off; Fr-Mo 08:00-12:00,13:00-24:00")
    assert split.by_weekday[2] == ()
    assert split.by_weekday[1] == ((time(9), time(18)),)
    assert (
        split.by_weekday[0]
        == split.by_weekday[6]
        == (
            (time(8), time(12)),
            (time(13), END_OF_DAY),
        )
    )
    assert parse_opening_hours("09:00-17:00").by_weekday == ((((time(9), time(17))),),) * 7
    assert parse_opening_hours("Mo,We 10:00-11:00").by_weekday[2] == ((time(10), time(11)),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no opening hours given"),
        ("Mo-Fr", "give hours after the weekdays"),
        ("Xy 09:00-10:00", "'xy' is not a weekday"),
        ("Mo 9-18", "'9-18' is not hours such as 09:00-18:00"),
        ("Mo 18:00-09:00", "closes before it opens"),
        ("Mo 25:00-26:00", "not a time of day"),
    ],
)
def test_bad_hours_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_opening_hours(text)


def test_a_place_has_a_row_per_day_it_is_open_on_real_dates() -> None:
    mission = lto_mission()
    tec = next(c.tec_id for c in mission.commissions if mission.area_of_commission(c) == "A1")
    hours = {tec: parse_opening_hours("Mo-Fr 09:00-18:00; Sa 10:00-14:00")}
    # Friday to Tuesday: Sunday closed, Saturday short.
    tables = visit_tables(mission, "A1", days=5, start=date(2026, 3, 6), hours=hours)
    rows = [r for r in tables.stations if r["place"] == tec]
    assert [r["id"] for r in rows] == [
        f"{tec} 2026-03-06", f"{tec} 2026-03-07", f"{tec} 2026-03-09", f"{tec} 2026-03-10",
    ]  # fmt: skip
    saturday = rows[1]
    assert (saturday["open"], saturday["close"]) == ("2026-03-07T10:00", "2026-03-07T13:00")
    assert rows[0]["close"] == "2026-03-06T17:00"  # a 60-minute stay ends by 18:00
    # Places without hours keep one row over the whole period.
    others = [r for r in tables.stations if r["place"] == ""]
    assert len(others) == len(tables.stations) - 4
    assert {(r["open"], r["close"][:10]) for r in others} == {("2026-03-06T09:00", "2026-03-10")}


def test_closed_places_and_too_short_hours_have_no_rows() -> None:
    mission = lto_mission()
    tec = next(c.tec_id for c in mission.commissions if mission.area_of_commission(c) == "A1")
    hours = {tec: parse_opening_hours("Sa-Su 10:00-10:30")}  # shorter than the stay
    tables = visit_tables(mission, "A1", days=3, start=MONDAY, hours=hours)
    assert tables.closed_all_period == (tec,)
    assert all(r["place"] != tec and r["id"] != tec for r in tables.stations)


def test_each_place_is_visited_once_on_a_day_it_is_open(tmp_path: Path) -> None:
    """Every place of the area is open every day, so it has a row per day: the LTO could
    collect each place's weight on every day, but visits it once. A place open on
    Wednesday morning only is visited then, by Wednesday's team."""
    mission = lto_mission()
    ids = sorted(area_place_ids(mission, "A1"))
    hours = {pid: parse_opening_hours("Mo-Su 09:00-18:00") for pid in ids}
    wednesday_only = ids[0]
    hours[wednesday_only] = parse_opening_hours("We 10:00-12:00")
    tables = visit_tables(mission, "A1", days=3, start=MONDAY, hours=hours)
    out = tmp_path / "lto"
    problem = mission_route_problem(tables, out)
    plan = solve_route(problem, time_limit_s=5)
    write_mission_route_plan(plan, tables, out)
    places = Counter(problem.stations[i].place_key for route in plan.routes for i in route)
    assert places and max(places.values()) == 1
    assert len(places) == len(ids), "a small town's places all fit in three days"
    visit = next(v for v in plan.visits if v.site_id.startswith(wednesday_only + " "))
    local = visit.start.astimezone(problem.tz)
    assert local.date() == date(2026, 3, 11) and time(10) <= local.time() <= time(11)
    assert visit.team_id == "LTO-01-d3"
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["stations"] == len(ids)
    assert summary["weight_visited"] == summary["weight_available"]
    assert check_route_dir(out).ok
    # The checker counts a place visited on two days as a place visited twice.
    rows = list(csv.DictReader(io.StringIO((out / "visits.csv").read_text("utf-8"))))
    out_days = sorted({r["team_id"] for r in rows if r["seq"] == "1"})
    assert len(out_days) >= 2, "three days of places take more than one day"
    first_day = next(r for r in rows if r["team_id"] == out_days[0] and r["seq"] == "1")
    place = first_day["site_id"].rsplit(" ", 1)[0]
    other = next(r for r in rows if r["team_id"] == out_days[1] and r["seq"] == "1")
    other["site_id"] = other["site_id"].replace(other["site_id"].rsplit(" ", 1)[0], place)
    report = check_route_visits(rows, problem)
    assert f"station {place} visited 2 times" in [v.message for v in report.violations]


def test_the_hours_file_is_checked_row_by_row(tmp_path: Path) -> None:
    mission = lto_mission()
    known = area_place_ids(mission, "A1")
    first = sorted(known)[0]
    path = tmp_path / "hours.csv"
    path.write_text(
        "id,opening_hours\n"
        f"{first},Mo-Fr 09:00-18:00\n"
        "NOWHERE,Mo 09:00-10:00\n"
        f"{first},Sa 10:00-12:00\n"
        f"{sorted(known)[1]},Mo 9-5\n",
        encoding="utf-8",
    )
    with pytest.raises(MissionDataError) as info:
        read_opening_hours(path, known)
    found = {(p.row, p.field): p.message for p in info.value.problems}
    assert found == {
        (2, "id"): "'NOWHERE' is not a commission or station of the area",
        (3, "id"): f"'{first}' again: also row 1",
        (4, "opening_hours"): "'9-5' is not hours such as 09:00-18:00 (or 'off')",
    }
    good = tmp_path / "good.csv"
    good.write_text(f"id,opening_hours\n{first},We 10:00-12:00\n", encoding="utf-8")
    assert read_opening_hours(good, known)[first].on(date(2026, 3, 11)) == ((time(10), time(12)),)


def test_cli_plans_with_opening_hours(tmp_path: Path) -> None:
    mission = lto_mission()
    package = tmp_path / "mission"
    write_mission(mission, package)
    first = sorted(area_place_ids(mission, "A1"))[0]
    hours = tmp_path / "hours.csv"
    hours.write_text(f"id,opening_hours\n{first},Tu 10:00-12:00\n", encoding="utf-8")
    out = tmp_path / "lto"
    args = ["route", "--mission", str(package), "--area", "A1", "--days", "2"]
    args += ["--start", MONDAY.isoformat(), "--opening-hours", str(hours)]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    visits = list(csv.DictReader(io.StringIO((out / "visits.csv").read_text("utf-8"))))
    mine = [v for v in visits if v["site_id"].startswith(first + " ")]
    assert [v["site_id"] for v in mine] == [f"{first} 2026-03-10"]
    assert datetime.fromisoformat(mine[0]["start"]).time() >= time(10)
    check = CliRunner().invoke(app, ["check", str(out)])
    assert check.exit_code == 0, check.output


def test_rows_of_one_place_share_its_matrix_row_and_are_visited_once(tmp_path: Path) -> None:
    """Route mode's `place` column on its own: B open in two windows is two rows keyed to
    the matrix's B; one of them at most is visited, and B's weight counts once."""
    from planner.route import load_route_problem
    from planner.route.outputs import route_summary

    stations = tmp_path / "stations.csv"
    stations.write_text(
        "id,stay_min,open,close,weight,place\n"
        "A,20,09:00,12:00,1,\n"
        "B morning,20,09:00,10:00,2,B\n"
        "B noon,20,11:00,12:00,2,B\n",
        encoding="utf-8",
    )
    teams = tmp_path / "teams.csv"
    teams.write_text("id,earliest_departure,latest_return\nT1,08:30,12:30\n", encoding="utf-8")
    matrix = tmp_path / "matrix.csv"
    matrix.write_text("id,T1,A,B\nT1,0,600,1200\nA,600,0,600\nB,1200,600,0\n", encoding="utf-8")
    problem = load_route_problem(stations, teams, matrix_path=matrix)
    b_morning, b_noon = problem.station_node(1), problem.station_node(2)
    assert problem.travel[0, b_morning] == problem.travel[0, b_noon] == 1200
    assert problem.alternatives() == [[1, 2]]
    plan = solve_route(problem, time_limit_s=2)
    visited = [problem.stations[i].place_key for route in plan.routes for i in route]
    assert sorted(visited) == ["A", "B"]
    summary = route_summary(plan)
    assert (summary["stations"], summary["weight_available"]) == (2, 3)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,stay_min,open,close,place\nA,20,09:00,12:00,X\n", encoding="utf-8")
    with pytest.raises(MissionDataError, match="'X' is not in the travel matrix"):
        load_route_problem(bad, teams, matrix_path=matrix)
