"""Generic route mode: reading and checking the tables, solving, writing, and the CLI."""

from __future__ import annotations

import csv
import itertools
import json
import random
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import MissionDataError, Problem
from planner.generic import (
    VISIT_COLUMNS,
    RoutePlan,
    RouteProblem,
    RouteStation,
    RouteTeam,
    load_route_problem,
    parse_time,
    route_problem,
    route_summary,
    solve_route,
    unreachable_stations,
    write_route_plan,
)
from planner.travel import MatrixTravel

ROUTE = Path(__file__).resolve().parent / "fixtures" / "route"
ALMATY = ZoneInfo("Asia/Almaty")
REFERENCE = datetime(2022, 11, 20, tzinfo=ALMATY)
MIN = 60


def seconds(problem: RouteProblem, moment: datetime) -> int:
    """An output time as seconds from the problem's reference (true elapsed time)."""
    return round((moment.astimezone(UTC) - problem.reference.astimezone(UTC)).total_seconds())


def assert_valid(plan: RoutePlan) -> None:
    """Every invariant a route plan must keep, checked from its visit rows."""
    problem = plan.problem
    station = {s.id: s for s in problem.stations}
    index = {k: i for i, k in enumerate(problem.keys)}
    visited = [i for route in plan.routes for i in route]
    assert len(visited) == len(set(visited)), "a station is visited twice"
    for v, team in enumerate(problem.teams):
        rows = [r for r in plan.visits if r.team_id == team.id]
        route = plan.routes[v]
        if team.max_stops is not None:
            assert len(route) <= team.max_stops
        if not route:
            assert rows == []
            continue
        assert [r.seq for r in rows] == list(range(len(route) + 2))
        assert [r.site_id for r in rows[1:-1]] == [problem.stations[i].id for i in route]
        assert rows[0].site_id == team.id and rows[-1].site_id == team.end_key
        assert seconds(problem, rows[0].depart) >= team.earliest_departure
        assert seconds(problem, rows[-1].arrive) <= team.latest_return
        for prev, row in itertools.pairwise(rows):
            leg = int(problem.travel[index[prev.site_id], index[row.site_id]])
            assert seconds(problem, row.arrive) - seconds(problem, prev.depart) >= leg
            assert row.travel_min * MIN == leg
        for row in rows[1:-1]:
            s = station[row.site_id]
            start = seconds(problem, row.arrive)
            assert s.open <= start <= s.close, f"{s.id} starts outside its window"
            assert seconds(problem, row.depart) - start >= s.stay


def best_weight(problem: RouteProblem) -> float:
    """The most weight any plan can visit, by exhaustive search (tiny instances on whole
    minutes only)."""
    n = len(problem.stations)
    first = len(problem.keys) - n
    travel = problem.travel

    def feasible_sets(v: int) -> set[int]:
        team = problem.teams[v]
        cap = n if team.max_stops is None else team.max_stops
        found: set[int] = set()

        def extend(prev: int, t: int, mask: int, count: int) -> None:
            if t + travel[prev, problem.ends[v]] <= team.latest_return:
                found.add(mask)
            if count == cap:
                return
            for i, s in enumerate(problem.stations):
                if mask >> i & 1:
                    continue
                start = max(t + int(travel[prev, first + i]), s.open)
                if start <= s.close:
                    extend(first + i, start + s.stay, mask | 1 << i, count + 1)

        extend(v, team.earliest_departure, 0, 0)
        return found

    def weight(mask: int) -> float:
        return sum(s.weight for i, s in enumerate(problem.stations) if mask >> i & 1)

    best = {0: 0.0}  # union of visited stations -> weight, team by team
    for v in range(len(problem.teams)):
        sets = feasible_sets(v)
        best = {a | b: weight(a | b) for a in best for b in sets if a & b == 0}
    return max(best.values())


def team(tid: str, lat: float, lon: float, leave: str, back: str, **kw) -> RouteTeam:
    return RouteTeam(tid, clock(leave), clock(back), start_lat=lat, start_lon=lon, **kw)


def clock(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return (int(h) * 60 + int(m)) * MIN


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def problems_of(*args, **kwargs) -> list[Problem]:
    with pytest.raises(MissionDataError) as info:
        load_route_problem(*args, **kwargs)
    return info.value.problems


# --- the fixture mission ------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_plan() -> RoutePlan:
    problem = load_route_problem(ROUTE / "stations.csv", ROUTE / "teams.csv")
    return solve_route(problem, time_limit_s=1.0)


def test_fixture_plan_keeps_windows_travel_and_caps(fixture_plan: RoutePlan):
    """Twelve Almaty stations, two teams: every stay starts in its window, every leg takes
    at least the model's travel time, STO-02 stops at most 4 times and ends at its own end."""
    assert_valid(fixture_plan)
    assert len(fixture_plan.routes[1]) <= 4
    assert fixture_plan.visits[-1].site_id == "STO-02:end"
    assert fixture_plan.problem.reference == REFERENCE


def test_fixture_plan_collects_nearly_the_best_weight(fixture_plan: RoutePlan):
    """An exhaustive search of this fixture (two minutes, run once) finds 29 of 30 the
    most any plan can visit; the planner gets there or within one."""
    assert 28 <= fixture_plan.weight_visited <= 29
    assert fixture_plan.weight_available == 30


def test_brute_force_six_stations(tmp_path: Path):
    """Six stations, one team, windows that force a choice: the solver visits as much
    weight as exhaustive enumeration of every ordered subset says is possible."""
    stations = [
        RouteStation("A", 40 * MIN, clock("08:30"), clock("09:30"), 3, lat=43.25, lon=76.93),
        RouteStation("B", 40 * MIN, clock("08:30"), clock("10:00"), 2, lat=43.24, lon=76.89),
        RouteStation("C", 30 * MIN, clock("09:00"), clock("09:15"), 4, lat=43.22, lon=76.90),
        RouteStation("D", 60 * MIN, clock("10:00"), clock("11:00"), 5, lat=43.27, lon=76.96),
        RouteStation("E", 30 * MIN, clock("08:00"), clock("12:00"), 1, lat=43.21, lon=76.87),
        RouteStation("F", 45 * MIN, clock("10:30"), clock("11:30"), 2, lat=43.26, lon=76.91),
    ]
    problem = route_problem(
        stations, [team("T", 43.2436, 76.9456, "08:00", "12:30")], reference=REFERENCE
    )
    plan = solve_route(problem, time_limit_s=0.5)
    assert_valid(plan)
    optimum = best_weight(problem)
    assert optimum < plan.weight_available  # the instance really forces a choice
    assert plan.weight_visited == optimum


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_brute_force_random_instances(seed: int):
    """Random five-station, two-team instances: the solver matches exhaustive search."""
    rng = random.Random(seed)
    stations = []
    for k in range(5):
        open_min = rng.randrange(8 * 60, 11 * 60)
        stations.append(
            RouteStation(
                f"S{k}",
                rng.randrange(10, 60) * MIN,
                open_min * MIN,
                (open_min + rng.randrange(0, 120)) * MIN,
                rng.randrange(1, 6),
                lat=43.2 + rng.random() * 0.1,
                lon=76.85 + rng.random() * 0.15,
            )
        )
    teams = [
        team("T1", 43.24, 76.94, "08:00", "11:30", max_stops=2),
        team("T2", 43.22, 76.86, "08:30", "12:00", max_stops=2),
    ]
    problem = route_problem(stations, teams, reference=REFERENCE)
    plan = solve_route(problem, time_limit_s=0.3)
    assert_valid(plan)
    assert plan.weight_visited == best_weight(problem)


def test_different_caps_are_respected():
    """One team may stop once, the other is unlimited: the first never exceeds its cap and
    the stations it cannot take go to the other team."""
    stations = [
        RouteStation(f"S{k}", 10 * MIN, clock("08:00"), clock("18:00"), 1, lat=43.24, lon=lon)
        for k, lon in enumerate((76.90, 76.905, 76.91, 76.915))
    ]
    teams = [
        team("T1", 43.24, 76.90, "08:00", "18:00", max_stops=1),
        team("T2", 43.30, 77.20, "08:00", "18:00"),
    ]
    plan = solve_route(route_problem(stations, teams, reference=REFERENCE), time_limit_s=0.3)
    assert_valid(plan)
    assert len(plan.routes[0]) <= 1
    assert len(plan.visited) == 4


# --- matrix mode --------------------------------------------------------------------------


def test_matrix_mode_uses_the_matrix():
    """Without coordinates, travel comes from the CSV matrix: legs take exactly its
    durations, the best route (C, B, A in some order, weight 6) is found, D (open only
    after the team must be back) is warned about, and coordinates stay blank."""
    problem = load_route_problem(
        ROUTE / "matrix_stations.csv", ROUTE / "matrix_teams.csv", matrix_path=ROUTE / "matrix.csv"
    )
    assert [(w.row, w.field) for w in problem.warnings] == [(4, "close")]
    plan = solve_route(problem, time_limit_s=0.3)
    assert_valid(plan)
    assert plan.weight_visited == 6
    assert {problem.stations[i].id for i in plan.routes[0]} == {"A", "B", "C"}
    assert plan.travel_s == 3600
    text = (ROUTE / "matrix.csv").read_text()
    matrix = {row[0]: dict(zip(text.splitlines()[0].split(",")[1:], row[1:], strict=True))
              for row in csv.reader(text.splitlines()[1:])}  # fmt: skip
    rows = plan.visits
    for prev, row in itertools.pairwise(rows):
        assert row.travel_min * MIN == int(matrix[prev.site_id][row.site_id])
        assert row.lat is None and row.lon is None


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
    assert any("row 2, field 'end_lat'" in m and "'STO-02:end'" in m for m in messages)
    assert any("unknown key 'T1'" in m for m in messages)


# --- times, dates, formats ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:05", datetime(2022, 11, 20, 9, 5, tzinfo=ALMATY)),
        ("09:05:30", datetime(2022, 11, 20, 9, 5, 30, tzinfo=ALMATY)),
        ("2022-11-21T09:00", datetime(2022, 11, 21, 9, 0, tzinfo=ALMATY)),
        ("2022-11-21 09:00:00", datetime(2022, 11, 21, 9, 0, tzinfo=ALMATY)),
        ("2022-11-21T09:00+05:00", datetime(2022, 11, 21, 10, 0, tzinfo=ALMATY)),
    ],
)
def test_parse_time(text: str, expected: datetime):
    """HH:MM is on the given day; ISO times are local unless they carry an offset."""
    assert parse_time(text, day=date(2022, 11, 20), tz=ALMATY) == expected


@pytest.mark.parametrize("text", ["9am", "25:00", "2022-11-20", "12", "", "09:61"])
def test_parse_time_rejects(text: str):
    with pytest.raises(ValueError):
        parse_time(text, day=date(2022, 11, 20), tz=ALMATY)


def test_multiday_plan():
    """ISO windows over two days, one team row per team-day: the reference is midnight of
    the first day, and each day's visits fall on that day."""
    problem = load_route_problem(ROUTE / "multiday_stations.csv", ROUTE / "multiday_teams.csv")
    assert problem.reference == datetime(2022, 11, 14, tzinfo=ALMATY)
    plan = solve_route(problem, time_limit_s=0.3)
    assert_valid(plan)
    assert plan.weight_visited == plan.weight_available
    for row in plan.visits:
        day = 14 if row.team_id.endswith("d1") else 15
        assert row.arrive.date() == date(2022, 11, day)
        assert row.arrive.utcoffset().total_seconds() == 6 * 3600


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


# --- one malformed file per error path -------------------------------------------------------


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


def test_station_and_team_ids_name_one_place_each(tmp_path: Path):
    """A station may not share its id with a team or with a team's `:end` key."""
    write_csv(
        tmp_path / "s.csv",
        [["id", "lat", "lon", "stay_min", "open", "close"],
         ["STO-01", 43.25, 76.93, 30, "08:00", "17:00"],
         ["STO-02:end", 43.24, 76.89, 30, "08:00", "17:00"]],
    )  # fmt: skip
    problems = problems_of(tmp_path / "s.csv", ROUTE / "teams.csv")
    assert [(p.row, p.field) for p in problems] == [(1, "id"), (2, "id"), (2, "id")]
    assert "also a team id" in problems[0].message
    assert "unsafe id 'STO-02:end': holds ':'" in problems[1].message
    assert "end key of team 'STO-02'" in problems[2].message


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
    (problem,) = problems_of(tmp_path / "s.csv", ROUTE / "teams.csv")
    assert problem.field == "weight" and "too large" in problem.message


# --- output files ---------------------------------------------------------------------------


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


# --- command line -------------------------------------------------------------------------


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


# --- property: random small instances -----------------------------------------------------


@st.composite
def instances(draw) -> RouteProblem:
    n = draw(st.integers(1, 6))
    stations = []
    for k in range(n):
        open_s = draw(st.integers(7 * 3600, 13 * 3600))
        stations.append(
            RouteStation(
                f"S{k}",
                draw(st.integers(0, 60)) * MIN,
                open_s,
                open_s + draw(st.integers(0, 8 * 3600)),
                draw(st.sampled_from([0, 0.5, 1, 2, 5])),
                lat=43.20 + draw(st.integers(0, 10)) / 100,
                lon=76.85 + draw(st.integers(0, 15)) / 100,
            )
        )
    teams = []
    for v in range(draw(st.integers(1, 2))):
        leave = draw(st.integers(7 * 3600, 10 * 3600))
        teams.append(
            RouteTeam(
                f"T{v}",
                leave,
                leave + draw(st.integers(2 * 3600, 10 * 3600)),
                start_lat=43.20 + draw(st.integers(0, 10)) / 100,
                start_lon=76.85 + draw(st.integers(0, 15)) / 100,
                max_stops=draw(st.one_of(st.none(), st.integers(0, 3))),
            )
        )
    return route_problem(stations, teams, reference=REFERENCE)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_routes_keep_windows_and_never_repeat(problem: RouteProblem):
    """Any small instance (times to the second): every stay starts in its window, every
    leg takes at least the model's time, teams keep their hours and caps, and no station
    is visited twice; when some team can reach a station worth something, weight is
    collected."""
    plan = solve_route(problem, time_limit_s=0.05)
    assert_valid(plan)
    unreachable = set(unreachable_stations(problem))
    if any(s.weight >= 0.01 and i not in unreachable for i, s in enumerate(problem.stations)):
        assert plan.weight_visited > 0


def test_travel_is_rounded_up_to_minutes():
    """The model's travel is whole minutes, never shorter than the travel model's."""
    stations = [RouteStation("A", 0, 0, 86_400, lat=43.25, lon=76.93)]
    teams = [RouteTeam("T", 0, 86_400, start_lat=43.2436, start_lon=76.9456)]
    exact = np.array([[0, 61], [61, 0]])
    problem = route_problem(
        stations, teams, reference=REFERENCE, travel=MatrixTravel(("T", "A"), exact)
    )
    assert problem.travel.tolist() == [[0, 120], [120, 0]]
