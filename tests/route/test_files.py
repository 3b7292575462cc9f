"""Route mode's input files: every problem reported with file, row and field."""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from planner.route import (
    load_route_problem,
    parse_time,
    solve_route,
)
from tests.support.route import (
    ALMATY,
    ROUTE,
    assert_valid,
    clock,
    problems_of,
    write_csv,
)


def test_matrix_end_key(tmp_path: Path):
    """A `<team id>:end` key in the matrix makes the team end at that place."""
    stations = write_csv(
        tmp_path / "s.csv", [["id", "stay_min", "open", "close"], ["A", 10, "09:00", "17:00"]]
    )
    teams = write_csv(
        tmp_path / "t.csv", [["id", "earliest_departure", "latest_return"], ["T", "08:00", "18:00"]]
    )
    matrix = write_csv(
        tmp_path / "m.csv",
        [["id", "T", "T:end", "A"], ["T", 0, 600, 300], ["T:end", 600, 0, 900], ["A", 300, 900, 0]],
    )
    problem = load_route_problem(stations, teams, matrix_path=matrix)
    plan = solve_route(problem, time_limit_s=0.2)
    assert_valid(plan)
    assert [r.site_id for r in plan.visits] == ["T", "A", "T:end"]
    assert plan.travel_s == 300 + 900


def test_npy_matrix(tmp_path: Path):
    """A .npy matrix with its .keys.txt beside it works like the CSV one."""
    keys = ["T1", "A", "B", "C", "D", "E"]
    rows = list(csv.reader((ROUTE / "matrix.csv").read_text().splitlines()))
    np.save(tmp_path / "m.npy", np.array([[float(x) for x in r[1:]] for r in rows[1:]]))
    (tmp_path / "m.keys.txt").write_text("\n".join(keys))
    problem = load_route_problem(
        ROUTE / "matrix_stations.csv", ROUTE / "matrix_teams.csv", matrix_path=tmp_path / "m.npy"
    )
    assert solve_route(problem, time_limit_s=0.2).weight_visited == 6


def test_matrix_keys_checked_both_ways():
    """A station missing from the matrix and a matrix key that names nothing are both
    reported, each with its file, row and field."""
    problems = problems_of(
        ROUTE / "matrix_stations.csv",
        ROUTE / "matrix_teams.csv",
        matrix_path=ROUTE / "matrix_unknown_key.csv",
    )
    found = {(Path(p.file).name, p.row, p.field): p.message for p in problems}
    assert "not in the travel matrix" in found["matrix_stations.csv", 5, "id"]
    assert "unknown key 'Z'" in found["matrix_unknown_key.csv", 6, "id"]
    assert len(problems) == 2


def test_matrix_needs_end_key_for_a_team_ending_elsewhere():
    """A team whose end coordinates differ from its start needs a `<id>:end` key."""
    problems = problems_of(
        ROUTE / "stations.csv", ROUTE / "teams.csv", matrix_path=ROUTE / "matrix.csv"
    )
    messages = [str(p) for p in problems]
    assert any("row 2, field 'end_lat'" in m and "'end' column" in m for m in messages)
    assert any("unknown key 'T1'" in m for m in messages)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:05", datetime(2022, 11, 20, 9, 5, tzinfo=ALMATY)),
        ("09:05:30", datetime(2022, 11, 20, 9, 5, 30, tzinfo=ALMATY)),
        ("2022-11-21T09:00", datetime(2022, 11, 21, 9, 0, tzinfo=ALMATY)),
        ("2022-11-21 09:00:00", datetime(2022, 11, 21, 9, 0, tzinfo=ALMATY)),
        ("2022-11-21T09:00+05:00", datetime(2022, 11, 21, 10, 0, tzinfo=ALMATY)),
        ("420", datetime(2022, 11, 20, 7, 0, tzinfo=ALMATY)),
        ("12", datetime(2022, 11, 20, 0, 12, tzinfo=ALMATY)),
        ("1500", datetime(2022, 11, 21, 1, 0, tzinfo=ALMATY)),
        ("24:00", datetime(2022, 11, 21, 0, 0, tzinfo=ALMATY)),
    ],
)
def test_parse_time(text: str, expected: datetime):
    """HH:MM is on the given day (24:00 ends it); a plain number is minutes after its
    midnight; ISO times are local unless they carry an offset."""
    assert parse_time(text, day=date(2022, 11, 20), tz=ALMATY) == expected


@pytest.mark.parametrize("text", ["9am", "25:00", "24:01", "2022-11-20", "", "09:61", "-5"])
def test_parse_time_rejects(text: str):
    with pytest.raises(ValueError):
        parse_time(text, day=date(2022, 11, 20), tz=ALMATY)


def test_date_and_time_zone_options(tmp_path: Path):
    """HH:MM times land on `day` in `tz` (Aktobe was UTC+5 in 2022)."""
    problem = load_route_problem(
        ROUTE / "stations.csv", ROUTE / "teams.csv", day=date(2024, 3, 17), tz="Asia/Aqtobe"
    )
    assert problem.reference == datetime(2024, 3, 17, tzinfo=ZoneInfo("Asia/Aqtobe"))
    assert problem.stations[0].open == clock("08:00")
    with pytest.raises(ValueError, match="time zone"):
        load_route_problem(ROUTE / "stations.csv", ROUTE / "teams.csv", tz="Mars/Olympus")


def test_xlsx_with_excel_times_and_decimal_comma_csv(tmp_path: Path):
    """Excel time and date-time cells are read as times; a semicolon CSV may use decimal
    commas; x, y columns are longitude and latitude."""
    frame = pd.DataFrame(
        {
            "id": ["A", "B"],
            "lat": [43.25, 43.24],
            "lon": [76.93, 76.89],
            "stay_min": [30, 45],
            "open": [time(8, 0), datetime(2022, 11, 20, 9, 30)],
            "close": [time(17, 0), datetime(2022, 11, 20, 12, 0)],
            "weight": [1, 2.5],
        }
    )
    frame.to_excel(tmp_path / "s.xlsx", index=False)
    (tmp_path / "t.csv").write_text(
        "id;start_lat;start_lon;earliest_departure;latest_return\nT;43,2436;76,9456;08:00;13:00\n"
    )
    problem = load_route_problem(tmp_path / "s.xlsx", tmp_path / "t.csv")
    assert [(s.open, s.close, s.weight) for s in problem.stations] == [
        (clock("08:00"), clock("17:00"), 1.0),
        (clock("09:30"), clock("12:00"), 2.5),
    ]
    assert problem.teams[0].start_lat == pytest.approx(43.2436)
    write_csv(
        tmp_path / "xy.csv",
        [["id", "x", "y", "stay_min", "open", "close"], ["A", 76.93, 43.25, 30, "08:00", "17:00"]],
    )
    xy = load_route_problem(tmp_path / "xy.csv", tmp_path / "t.csv")
    assert (xy.stations[0].lat, xy.stations[0].lon) == (43.25, 76.93)


@pytest.mark.parametrize(
    ("stations", "teams", "expected"),
    [
        (
            "stations_missing_columns.csv",
            "teams.csv",
            [(None, "stay_min", "columns found: id, lat, lon, stay"), (None, "open", ""),
             (None, "close", "")],
        ),
        (
            "stations_bad_numbers.csv",
            "teams.csv",
            [(1, "stay_min", "'half an hour' is not a number"),
             (2, "weight", "'heavy' is not a number")],
        ),
        (
            "stations_bad_coordinates.csv",
            "teams.csv",
            [(1, "lat", "'north' is not a number"), (2, "lon", "outside -180..180"),
             (3, "lat", "missing latitude")],
        ),
        (
            "stations_bad_times.csv",
            "teams.csv",
            [(1, "open", "'9am' is not a time"), (2, "close", "'25:00' is not a time"),
             (3, "close", "missing close")],
        ),
        (
            "stations_open_after_close.csv",
            "teams.csv",
            [(2, "open", "22:00 is after close 01:00; for a window past midnight"),
             (3, "open", "is after close")],
        ),
        (
            "stations_negative.csv",
            "teams.csv",
            [(1, "stay_min", "must be 0 or more, found -10"),
             (2, "weight", "must be 0 or more, found -2")],
        ),
        (
            "stations_duplicate_ids.csv",
            "teams.csv",
            [(3, "id", "duplicate id 'PS-1': also in row 1"), (4, "id", "missing id")],
        ),
        (
            "stations.csv",
            "teams_bad.csv",
            [(1, "earliest_departure", "14:00 is after latest_return 08:00"),
             (2, "max_stops", "'2.5' is not a whole number"),
             (3, "start_lon", "missing longitude")],
        ),
        (
            "stations.csv",
            "teams_missing_columns.csv",
            [(None, "earliest_departure", "columns found: id, lat, lon, departure"),
             (None, "latest_return", "missing required column")],
        ),
        (
            "stations.csv",
            "teams_cannot_return.csv",
            [(1, "latest_return", "cannot even drive from start to end")],
        ),
    ],
)  # fmt: skip
def test_malformed_file(stations: str, teams: str, expected: list[tuple]):
    """Each malformed file gives exactly its problems, each naming its row and field."""
    problems = problems_of(ROUTE / stations, ROUTE / teams)
    assert [(p.row, p.field) for p in problems] == [(row, f) for row, f, _ in expected]
    for problem, (row, field, fragment) in zip(problems, expected, strict=True):
        assert fragment in problem.message
        bad = stations if "stations" in problem.file else teams
        assert problem.file == str(ROUTE / bad)
        assert (f"row {row}, " if row else "") + f"field '{field}'" in str(problem)


def test_every_problem_in_every_file_at_once():
    """Problems in the stations file, the teams file and a missing matrix come together."""
    problems = problems_of(
        ROUTE / "stations_bad_numbers.csv",
        ROUTE / "teams_bad.csv",
        matrix_path=ROUTE / "no_such_matrix.csv",
    )
    files = [Path(p.file).name for p in problems]
    assert files == ["stations_bad_numbers.csv"] * 2 + ["teams_bad.csv"] * 3 + [
        "no_such_matrix.csv"
    ]


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("missing.csv", "file not found"), ("stations.xls", "unsupported file type '.xls'")],
)
def test_unreadable_stations_file(tmp_path: Path, name: str, fragment: str):
    (problem,) = problems_of(tmp_path / name, ROUTE / "teams.csv")
    assert problem.row is None and fragment in problem.message


def test_header_only_file(tmp_path: Path):
    (tmp_path / "s.csv").write_text("id,lat,lon,stay_min,open,close\n")
    (problem,) = problems_of(tmp_path / "s.csv", ROUTE / "teams.csv")
    assert "no data rows" in problem.message


def test_a_station_may_share_its_id_with_a_team(tmp_path: Path):
    """Station ids and team ids are separate: numeric ids need no renaming. The team
    starts at its own coordinates, and the plan passes the checker."""
    stations = write_csv(
        tmp_path / "s.csv",
        [["id", "lat", "lon", "stay_min", "open", "close"],
         ["1", 43.25, 76.93, 30, "08:00", "17:00"],
         ["2", 43.24, 76.89, 30, "08:00", "17:00"]],
    )  # fmt: skip
    teams = write_csv(
        tmp_path / "t.csv",
        [["id", "lat", "lon", "earliest_departure", "latest_return"],
         ["1", 43.2436, 76.9456, "08:00", "18:00"]],
    )  # fmt: skip
    problem = load_route_problem(stations, teams)
    plan = solve_route(problem, time_limit_s=1)
    assert_valid(plan)
    assert plan.weight_visited == 2
    assert plan.visits[0].site_id == "1" and plan.visits[0].lat == 43.2436


def test_teams_share_a_base_named_once_in_the_matrix(tmp_path: Path):
    """Teams name their start and end places: a base shared by two teams is one row and
    one column of the matrix, and a team may end at another named place."""
    stations = write_csv(
        tmp_path / "s.csv",
        [["id", "stay_min", "open", "close"], ["A", 10, "09:00", "17:00"],
         ["B", 10, "09:00", "17:00"]],
    )  # fmt: skip
    teams = write_csv(
        tmp_path / "t.csv",
        [["id", "start", "end", "earliest_departure", "latest_return"],
         ["T1", "BASE", "", "08:00", "18:00"], ["T2", "BASE", "HOTEL", "08:00", "18:00"]],
    )  # fmt: skip
    matrix = write_csv(
        tmp_path / "m.csv",
        [["id", "BASE", "HOTEL", "A", "B"], ["BASE", 0, 600, 300, 400],
         ["HOTEL", 600, 0, 900, 100], ["A", 300, 900, 0, 500], ["B", 400, 100, 500, 0]],
    )  # fmt: skip
    problem = load_route_problem(stations, teams, matrix_path=matrix)
    assert problem.keys[:2] == ("BASE", "HOTEL") and problem.starts == (0, 0)
    assert problem.ends == (0, 1)
    plan = solve_route(problem, time_limit_s=1)
    assert_valid(plan)
    assert plan.weight_visited == 2
    # T2 takes both on its way to the hotel: 300 + 500 + 100 s, less than splitting them.
    assert [r.site_id for r in plan.visits] == ["BASE", "A", "B", "HOTEL"]
    assert plan.travel_s == 900


def test_a_team_place_missing_from_the_matrix_is_named(tmp_path: Path):
    stations = write_csv(
        tmp_path / "s.csv", [["id", "stay_min", "open", "close"], ["A", 10, "09:00", "17:00"]]
    )
    teams = write_csv(
        tmp_path / "t.csv",
        [["id", "start", "earliest_departure", "latest_return"], ["T1", "DEPOT", "08:00", "18:00"]],
    )
    matrix = write_csv(tmp_path / "m.csv", [["id", "BASE", "A"], ["BASE", 0, 300], ["A", 300, 0]])
    problems = problems_of(stations, teams, matrix_path=matrix)
    found = {(Path(p.file).name, p.row, p.field): p.message for p in problems}
    assert "starts at 'DEPOT', not in the travel matrix" in found["t.csv", 1, "start"]
    assert "unknown key 'BASE'" in found["m.csv", 1, "id"]


def test_unreachable_station_is_a_warning():
    """A window that closes before any team leaves is a warning, not an error."""
    problem = load_route_problem(ROUTE / "stations_unreachable.csv", ROUTE / "teams.csv")
    (warning,) = problem.warnings
    assert (warning.row, warning.field) == (2, "close") and "PS-2" in warning.message
    plan = solve_route(problem, time_limit_s=0.2)
    assert 1 in plan.unvisited


def test_huge_weights_are_refused(tmp_path: Path):
    write_csv(
        tmp_path / "s.csv",
        [["id", "lat", "lon", "stay_min", "open", "close", "weight"],
         ["A", 43.25, 76.93, 30, "08:00", "17:00", 1e15],
         ["B", 43.25, 76.93, 30, "08:00", "17:00", 1e300]],
    )  # fmt: skip
    problems = problems_of(tmp_path / "s.csv", ROUTE / "teams.csv")
    assert [(p.row, p.field) for p in problems] == [(1, "weight"), (2, "weight")]
    assert all("too large: at most 1,000,000,000" in p.message for p in problems)
