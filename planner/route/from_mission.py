"""An LTO's multi-day visits straight from a mission package: route mode's two tables made
from the mission, so no one writes stations.csv and teams.csv by hand.

For one area of responsibility (`visit_tables`):

- places: the area's commissions and polling stations (stations abroad never; stations
  without coordinates only when the mission's `rules.route_unlocated_stations` allows),
  each worth a weight and needing a stay (`LtoVisitSettings`);
- teams: the area's LTO team(s) (or the one `--team` names), one row per team and day
  (`LTO-01-d1`, `LTO-01-d2`, …) from its base, out no earlier than the working day's start
  and back by its end;
- days: `days` consecutive days, by default the days just before election day
  (`rules.election_date`), else from `start`;
- a place's window spans the whole period: the teams' working days keep every stay inside
  one day's hours, so a place is visited on whichever day suits the routes best;
- a place with opening hours (`--opening-hours`, `planner.route.opening_hours`) has a row
  per day and interval it is open instead (`TEC-07 2026-03-10`, its `place` the
  commission's id): the stay starts in that day's hours and ends by their close, a day it
  is closed has no row, and one row at most of the place is visited (its weight counts
  once).

All times are in the area's time zone (its stations' most common one). The tables are
written beside the plan (stations.csv, teams.csv) and summary.json names them, so
`planner check` re-verifies the plan from its directory as for any route plan.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from planner.errors import Problem
from planner.fileio import check_output_dir, write_directory
from planner.model import Mission, Team, TeamKind
from planner.route.files import load_route_problem
from planner.route.opening_hours import END_OF_DAY, OpeningHours, read_opening_hours
from planner.route.outputs import route_summary, write_route_plan
from planner.route.problem import RouteInputs, RouteProblem
from planner.route.schedule import RoutePlan
from planner.route.solve import solve_route

STATIONS_FILE = "stations.csv"
TEAMS_FILE = "teams.csv"
STATION_COLUMNS = ("id", "name", "lat", "lon", "stay_min", "open", "close", "weight", "place")
TEAM_COLUMNS = ("id", "start_lat", "start_lon", "earliest_departure", "latest_return")
MAX_DAYS = 60


@dataclass(frozen=True, slots=True)
class LtoVisitSettings:
    """How long an LTO stays, what each visit is worth, and the working day."""

    day_start: time = time(9, 0)
    day_end: time = time(18, 0)
    commission_stay_min: int = 60
    station_stay_min: int = 30
    # A commission knows about every station below it: worth more than one station.
    commission_weight: float = 3.0
    station_weight: float = 1.0


DEFAULT_VISIT_SETTINGS = LtoVisitSettings()


@dataclass(frozen=True)
class VisitTables:
    """Route mode's stations and teams tables for one area, as rows of text."""

    area_id: str
    stations: tuple[dict[str, str], ...]
    teams: tuple[dict[str, str], ...]
    first_day: date
    days: int
    tz: str
    left_out_unlocated: int
    # Places with opening hours that are closed on every day of the period.
    closed_all_period: tuple[str, ...] = ()


def _moment(day: date, clock: time) -> str:
    return datetime.combine(day, clock).isoformat(timespec="minutes")


def _coord(value: float) -> str:
    return f"{value:.6f}"


def _lto_teams(mission: Mission, area_id: str, team_id: str | None) -> list[Team]:
    if team_id is not None:
        team = next((t for t in mission.teams if t.team_id == team_id), None)
        if team is None:
            raise ValueError(f"--team: no team '{team_id}' in the mission")
        if team.area_id != area_id:
            raise ValueError(f"--team: team '{team_id}' does not work in area '{area_id}'")
        teams = [team]
    else:
        teams = [t for t in mission.teams if t.kind is TeamKind.LTO and t.area_id == area_id]
        if not teams:
            raise ValueError(
                f"area '{area_id}' has no LTO team in the mission; name one with --team"
            )
    for t in teams:
        if t.lat is None or t.lon is None:
            raise ValueError(f"team '{t.team_id}' has no base coordinates in the mission")
    return teams


def visit_tables(
    mission: Mission,
    area_id: str,
    *,
    days: int,
    start: date | None = None,
    team_id: str | None = None,
    settings: LtoVisitSettings = DEFAULT_VISIT_SETTINGS,
    hours: Mapping[str, OpeningHours] | None = None,
) -> VisitTables:
    """Route mode's tables for the LTO visits of `area_id` over `days` days (see the module
    docstring); `hours`: the opening hours of the places that have them, by id.
    `ValueError` names what is wrong: an unknown area or team, a team without a base, an
    area with nothing to visit, too many days."""
    if area_id not in mission.area_by_id:
        known = ", ".join(sorted(mission.area_by_id)) or "none"
        raise ValueError(f"--area: no area '{area_id}' in the mission (areas: {known})")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"--days must be 1..{MAX_DAYS}, found {days}")
    if settings.day_end <= settings.day_start:
        raise ValueError("the working day must end after it starts")
    teams = _lto_teams(mission, area_id, team_id)
    first = start if start is not None else mission.rules.election_date - timedelta(days=days)
    last = first + timedelta(days=days - 1)
    routed_unlocated = mission.rules.route_unlocated_stations
    stations = [s for s in mission.stations if mission.area_of_station(s) == area_id]
    left_out = sum(s.unlocated for s in stations) if not routed_unlocated else 0
    stations = [s for s in stations if routed_unlocated or not s.unlocated]
    commissions = [c for c in mission.commissions if mission.area_of_commission(c) == area_id]
    if not stations and not commissions:
        raise ValueError(f"area '{area_id}' has no commissions or stations to visit")
    zones = Counter(s.tz for s in stations) or Counter(c.tz for c in commissions)
    tz = sorted(zones.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    opens = _moment(first, settings.day_start)

    hours = hours or {}
    period = [first + timedelta(days=k) for k in range(days)]
    closed: list[str] = []

    def place(pid: str, name: str, lat: float, lon: float, stay: int, weight: float) -> list:
        row = {"name": name, "lat": _coord(lat), "lon": _coord(lon), "stay_min": str(stay),
               "weight": f"{weight:g}"}  # fmt: skip
        if pid not in hours:
            latest = datetime.combine(last, settings.day_end) - timedelta(minutes=stay)
            close = latest.isoformat(timespec="minutes")
            return [{"id": pid, **row, "open": opens, "close": close, "place": ""}]
        out = []
        for day in period:
            open_today = hours[pid].on(day)
            for j, (start_at, end_at) in enumerate(open_today, start=1):
                ends = _at(day, end_at) - timedelta(minutes=stay)
                if ends < _at(day, start_at):
                    continue  # too short for the stay
                suffix = f" {j}" if len(open_today) > 1 else ""
                out.append(
                    {"id": f"{pid} {day.isoformat()}{suffix}", **row,
                     "open": _at(day, start_at).isoformat(timespec="minutes"),
                     "close": ends.isoformat(timespec="minutes"), "place": pid}
                )  # fmt: skip
        if not out:
            closed.append(pid)
        return out

    rows = [
        row
        for c in commissions
        for row in place(c.tec_id, c.name, c.lat, c.lon, settings.commission_stay_min,
                         settings.commission_weight)
    ] + [
        row
        for s in stations
        for row in place(s.station_id, s.name, s.lat, s.lon, settings.station_stay_min,
                         settings.station_weight)
    ]  # fmt: skip
    if not rows:
        raise ValueError(f"area '{area_id}': every place is closed on every day of the visits")
    team_rows = []
    for team in teams:
        assert team.lat is not None and team.lon is not None
        for k in range(days):
            day = first + timedelta(days=k)
            team_rows.append(
                {
                    "id": f"{team.team_id}-d{k + 1}",
                    "start_lat": _coord(team.lat),
                    "start_lon": _coord(team.lon),
                    "earliest_departure": _moment(day, settings.day_start),
                    "latest_return": _moment(day, settings.day_end),
                }
            )
    return VisitTables(
        area_id, tuple(rows), tuple(team_rows), first, days, tz, left_out, tuple(closed)
    )


def _at(day: date, clock: time) -> datetime:
    """A clock time on `day`; the end of the day (24:00) is the next midnight."""
    if clock == END_OF_DAY:
        return datetime.combine(day + timedelta(days=1), time(0))
    return datetime.combine(day, clock)


def area_place_ids(mission: Mission, area_id: str) -> set[str]:
    """The ids of the commissions and stations of an area (what opening hours may name)."""
    ids = {c.tec_id for c in mission.commissions if mission.area_of_commission(c) == area_id}
    ids |= {s.station_id for s in mission.stations if mission.area_of_station(s) == area_id}
    return ids


def table_csv(rows: Sequence[dict[str, str]], columns: Sequence[str]) -> str:
    """Rows as CSV text with the given header."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def input_files(tables: VisitTables) -> dict[str, str]:
    """The two tables as the files written beside the plan."""
    return {
        STATIONS_FILE: table_csv(tables.stations, STATION_COLUMNS),
        TEAMS_FILE: table_csv(tables.teams, TEAM_COLUMNS),
    }


def mission_route_problem(
    tables: VisitTables, out_dir: Path, *, roads: Path | None = None
) -> RouteProblem:
    """The route problem of the tables, read and checked by route mode itself, naming the
    tables' places in `out_dir` as its inputs (where `write_mission_route_plan` puts them)."""
    files = input_files(tables)
    with tempfile.TemporaryDirectory(prefix="planner-lto-") as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        problem = load_route_problem(
            Path(tmp) / STATIONS_FILE,
            Path(tmp) / TEAMS_FILE,
            day=tables.first_day,
            tz=tables.tz,
            roads=roads,
        )
    stations, teams = str(out_dir / STATIONS_FILE), str(out_dir / TEAMS_FILE)
    if problem.inputs is None:
        inputs = RouteInputs(stations, teams, None, tables.first_day, tables.tz)
    else:  # as read, with the road data it was read on
        inputs = replace(problem.inputs, stations=stations, teams=teams)
    return replace(problem, inputs=inputs)


def check_mission_route_dir(out_dir: Path, *, force: bool = False) -> None:
    """Fail before solving when `out_dir` may not take the plan and its two tables."""
    names = [STATIONS_FILE, TEAMS_FILE, "visits.csv", "unvisited.csv", "summary.json"]
    check_output_dir(out_dir, names, force=force)


def write_mission_route_plan(
    plan: RoutePlan, tables: VisitTables, out_dir: Path, *, force: bool = False
) -> Path:
    """The two tables, then route mode's own files (visits.csv, unvisited.csv,
    summary.json), into `out_dir` (`planner.fileio.write_directory` rules)."""
    write_directory(out_dir, input_files(tables), force=force)
    return write_route_plan(plan, out_dir, force=force)


def plan_mission_route(
    mission_path: Path,
    area_id: str | None,
    days: int | None,
    *,
    out: Path,
    time_limit_s: float,
    team_id: str | None = None,
    start: str | None = None,
    force: bool = False,
    settings: LtoVisitSettings = DEFAULT_VISIT_SETTINGS,
    on_warnings: Callable[[list[Problem]], None] | None = None,
    roads: Path | None = None,
    seed: int = 0,
    opening_hours: Path | None = None,
) -> tuple[dict[str, Any], VisitTables]:
    """`planner route --mission DIR --area ID --days N`: read the mission, make the tables,
    solve with route mode (on the road data in `roads`, if given), write the plan and its
    tables; return route mode's summary and the tables."""
    from planner.geodata import load_mission

    if area_id is None or days is None:
        raise ValueError("--mission needs --area and --days")
    if time_limit_s <= 0:
        raise ValueError("--time-limit must be positive")
    first: date | None = None
    if start is not None:
        try:
            first = date.fromisoformat(start)
        except ValueError:
            raise ValueError(f"--start {start!r} is not a date such as 2022-11-15") from None
    check_mission_route_dir(out, force=force)  # refuse a directory that is not ours early
    mission = load_mission(mission_path)
    hours = None
    if opening_hours is not None and area_id in mission.area_by_id:
        hours = read_opening_hours(opening_hours, area_place_ids(mission, area_id))
    tables = visit_tables(
        mission, area_id, days=days, start=first, team_id=team_id, settings=settings,
        hours=hours,
    )  # fmt: skip
    problem = mission_route_problem(tables, out, roads=roads)
    if on_warnings is not None:
        on_warnings(list(problem.warnings))
    plan = solve_route(problem, time_limit_s=time_limit_s, seed=seed)
    write_mission_route_plan(plan, tables, out, force=force)
    return route_summary(plan), tables
