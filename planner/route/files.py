"""Route mode's input files: the stations and teams tables and the travel matrix, read
and checked, every problem in every file reported at once with file, row and field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from planner import schema
from planner.errors import MissionDataError, Problem
from planner.ids import check_ids
from planner.route.problem import (
    END_SUFFIX,
    MINUTE,
    RouteInputs,
    RouteProblem,
    RouteStation,
    RouteTeam,
    TimeGrid,
    route_problem,
)
from planner.route.schedule import unreachable_stations
from planner.tabular import TABULAR_SUFFIXES, TableError, read_table
from planner.travel import MatrixTravel, TravelModel, read_matrix
from planner.travel_source import describe_travel

DEFAULT_DATE = date(2022, 11, 20)
DEFAULT_TZ = "Asia/Almaty"
STATION_ID_NAMES = ("id", "station_id", "site_id")
TEAM_ID_NAMES = ("id", "team_id")
STATION_REQUIRED = ("stay_min", "open", "close")
TEAM_REQUIRED = ("earliest_departure", "latest_return")
# Optional names of a team's start and end places (matrix keys, shared by teams).
START_NAMES = ("start", "start_place")
END_NAMES = ("end", "end_place")
TIME_HINT = (
    "use HH:MM, minutes after midnight such as 420, or a date and time such as 2022-11-20T09:00"
)
# Objectives above this risk overflowing the solver's 64-bit arithmetic.
_OBJECTIVE_LIMIT = 2**60
# The largest numbers a row may hold, far beyond any real one, so that every number read
# fits the solver's whole seconds and prizes: a stay of a week (a stay given in seconds
# instead of minutes, say, is refused rather than planned), a weight of a billion (only
# the ratios of weights matter), a billion stops.
MAX_STAY_MIN = 7 * 24 * 60
MAX_WEIGHT = 1e9
MAX_STOPS = 1_000_000_000


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="minutes")


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_MINUTES = re.compile(r"^\d+(?:\.\d+)?$")


def parse_time(text: str, *, day: date, tz: ZoneInfo) -> datetime:
    """A time as an aware datetime in `tz`; `ValueError` for anything else.

    `HH:MM[:SS]` is a clock time on `day` (`24:00` the midnight that ends it); a plain
    number is minutes after midnight of `day` (`420` is 07:00, `1500` is 01:00 the day
    after); otherwise an ISO date and time, local to `tz` unless it carries an offset.
    """
    text = text.strip()
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    match = _CLOCK.match(text)
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if minute > 59 or second > 59 or hour > 24 or (hour == 24 and minute + second > 0):
            raise ValueError(text)
        return midnight + timedelta(hours=hour, minutes=minute, seconds=second)
    if _MINUTES.match(text):
        return midnight + timedelta(seconds=round(float(text) * MINUTE))
    if ":" not in text:  # a bare date: no time of day given
        raise ValueError(text)
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


@dataclass
class _Sheet:
    """One input table with the column names resolved and the problems found so far."""

    file: str
    frame: pd.DataFrame
    decimal_comma: bool
    problems: list[Problem]

    def found(self) -> str:
        return ", ".join(self.frame.columns) or "none"

    def pick(self, names: Sequence[str]) -> str | None:
        return next((c for c in names if c in self.frame.columns), None)

    def require(self, names: Sequence[str], label: str | None = None) -> str | None:
        column = self.pick(names)
        if column is None:
            shown = label or names[0]
            also = f" (or {', '.join(names[1:])})" if len(names) > 1 and label is None else ""
            message = f"missing required column{also}; columns found: {self.found()}"
            self.problems.append(Problem(self.file, None, shown, message))
        return column

    def error(self, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(self.file, row, column, message))

    def number(
        self,
        row: int,
        column: str | None,
        raw: str,
        *,
        default: float | None = None,
        integer: bool = False,
        maximum: float,
    ) -> float | None:
        """A number from 0 to `maximum` (blank: `default`, reported missing when there is
        none)."""
        if column is None:
            return default
        if raw == "":
            if default is None:
                self.error(row, column, f"missing {column}")
            return default
        text = raw.replace(",", ".") if self.decimal_comma else raw
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not math.isfinite(value) or (integer and not value.is_integer()):
            kind = "a whole number" if integer else "a number"
            self.error(row, column, f"{column} '{raw}' is not {kind}")
            return None
        if value < 0:
            self.error(row, column, f"{column} must be 0 or more, found {raw}")
            return None
        if value > maximum:
            self.error(row, column, f"{column} {raw} is too large: at most {maximum:,.0f}")
            return None
        return value

    def moment(
        self, row: int, column: str | None, raw: str, *, day: date, tz: ZoneInfo
    ) -> datetime | None:
        if column is None:
            return None
        if raw == "":
            self.error(row, column, f"missing {column}; {TIME_HINT}")
            return None
        try:
            return parse_time(raw, day=day, tz=tz)
        except ValueError:
            self.error(row, column, f"{column} '{raw}' is not a time; {TIME_HINT}")
            return None


def _sheet(path: Path, problems: list[Problem]) -> _Sheet | None:
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in TABULAR_SUFFIXES:
        shown = suffix or path.name
        problems.append(
            Problem(file, None, None, f"unsupported file type '{shown}'; use .csv or .xlsx")
        )
        return None
    if not path.is_file():
        problems.append(Problem(file, None, None, "file not found"))
        return None
    try:
        table = read_table(path)
    except TableError as exc:
        problems.append(Problem(file, None, None, str(exc)))
        return None
    if table.frame.empty:
        problems.append(Problem(file, None, None, "the file has no data rows"))
        return None
    return _Sheet(file, table.frame, table.decimal_comma, problems)


def _ids(sheet: _Sheet, column: str | None) -> list[str]:
    """Identifier column: every value present, safe (`planner.ids`) and unique (a duplicate
    names both rows)."""
    if column is None:
        return ["" for _ in range(len(sheet.frame))]
    ids = sheet.frame[column].tolist()
    sheet.problems.extend(check_ids(ids, file=sheet.file, field=column, rows=sheet.frame.index))
    first: dict[str, int] = {}
    for row, value in zip(sheet.frame.index, ids, strict=True):
        if value == "":
            sheet.error(int(row), column, f"missing {column}")
        elif value in first:
            sheet.error(
                int(row), column, f"duplicate {column} '{value}': also in row {first[value]}"
            )
        else:
            first[value] = int(row)
    return ids


def _coordinate_columns(
    sheet: _Sheet, prefix: str, *, required: bool
) -> tuple[str | None, str | None]:
    lat = sheet.pick([prefix + name for name in schema.LAT_NAMES])
    lon = sheet.pick([prefix + name for name in schema.LON_NAMES])
    if required:
        for column, axis, names in ((lat, "lat", schema.LAT_NAMES), (lon, "lon", schema.LON_NAMES)):
            if column is None:
                options = ", ".join(prefix + name for name in names)
                sheet.problems.append(
                    Problem(
                        sheet.file,
                        None,
                        prefix + axis,
                        f"missing coordinate column (one of: {options}); "
                        f"columns found: {sheet.found()}",
                    )
                )
    return lat, lon


def _point(
    sheet: _Sheet, row: int, record: dict[str, str], columns: tuple[str | None, str | None],
    *, required: bool,
) -> tuple[float | None, float | None]:  # fmt: skip
    """Latitude and longitude of one row (None when absent and allowed to be)."""
    out: list[float | None] = []
    blank: list[bool] = []
    for column, label, limit in zip(columns, ("latitude", "longitude"), (90, 180), strict=True):
        raw = record[column] if column is not None else ""
        blank.append(raw == "")
        if raw == "":
            if required and column is not None:
                sheet.error(row, column, f"missing {label}")
            out.append(None)
            continue
        text = raw.replace(",", ".") if sheet.decimal_comma else raw
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not math.isfinite(value):
            sheet.error(row, str(column), f"{label} '{raw}' is not a number")
            out.append(None)
        elif abs(value) > limit:
            sheet.error(row, str(column), f"{label} {raw} is outside -{limit}..{limit}")
            out.append(None)
        else:
            out.append(value)
    if not required and blank[0] != blank[1]:
        missing = (columns[0] or "lat") if blank[0] else (columns[1] or "lon")
        sheet.error(row, missing, "give both latitude and longitude, or neither")
    return out[0], out[1]


@dataclass
class _Row:
    """One parsed row, its times still as datetimes."""

    row: int
    values: dict[str, Any]


def _read_stations(
    path: Path, problems: list[Problem], *, day: date, tz: ZoneInfo, coords_required: bool
) -> tuple[_Sheet | None, list[_Row]]:
    sheet = _sheet(path, problems)
    if sheet is None:
        return None, []
    id_col = sheet.require(STATION_ID_NAMES)
    coords = _coordinate_columns(sheet, "", required=coords_required)
    stay_col, open_col, close_col = (sheet.require([c]) for c in STATION_REQUIRED)
    weight_col, name_col = sheet.pick(["weight"]), sheet.pick(["name"])
    place_col = sheet.pick(["place"])
    ids = _ids(sheet, id_col)
    if place_col is not None:
        sheet.problems.extend(
            check_ids(
                sheet.frame[place_col].tolist(),
                file=sheet.file,
                field=place_col,
                rows=sheet.frame.index,
            )
        )
    rows = []
    for (row, record), sid in zip(sheet.frame.iterrows(), ids, strict=True):
        row = int(cast(int, row))
        rec = cast(dict[str, str], record.to_dict())
        lat, lon = _point(sheet, row, rec, coords, required=coords_required)
        stay = sheet.number(row, stay_col, rec.get(stay_col or "", ""), maximum=MAX_STAY_MIN)
        weight = sheet.number(
            row, weight_col, rec.get(weight_col or "", ""), default=1.0, maximum=MAX_WEIGHT
        )
        opens = sheet.moment(row, open_col, rec.get(open_col or "", ""), day=day, tz=tz)
        closes = sheet.moment(row, close_col, rec.get(close_col or "", ""), day=day, tz=tz)
        if opens is not None and closes is not None and opens > closes:
            raw_open, raw_close = rec[open_col or ""], rec[close_col or ""]
            hint = ""
            if _CLOCK.match(raw_open) and _CLOCK.match(raw_close):
                hint = "; for a window past midnight give dates, e.g. 2022-11-20T22:00"
            sheet.error(row, "open", f"open {raw_open} is after close {raw_close}{hint}")
        rows.append(
            _Row(
                row,
                {
                    "id": sid, "name": rec.get(name_col, "") if name_col else "",
                    "place": rec.get(place_col, "") if place_col else "",
                    "lat": lat, "lon": lon, "stay": stay, "weight": weight,
                    "open": opens, "close": closes,
                },
            )
        )  # fmt: skip
    return sheet, rows


def _read_teams(
    path: Path, problems: list[Problem], *, day: date, tz: ZoneInfo, coords_required: bool
) -> tuple[_Sheet | None, list[_Row]]:
    sheet = _sheet(path, problems)
    if sheet is None:
        return None, []
    id_col = sheet.require(TEAM_ID_NAMES)
    start = _coordinate_columns(sheet, "start_", required=False)
    if start == (None, None):  # plain lat, lon (or x, y) are the start as well
        start = _coordinate_columns(sheet, "", required=False)
    if coords_required and None in start:
        _coordinate_columns(sheet, "start_", required=True)
    end = _coordinate_columns(sheet, "end_", required=False)
    dep_col, ret_col = (sheet.require([c]) for c in TEAM_REQUIRED)
    cap_col = sheet.pick(["max_stops"])
    start_col, end_col = sheet.pick(START_NAMES), sheet.pick(END_NAMES)
    ids = _ids(sheet, id_col)
    for column in (start_col, end_col):
        if column is not None:
            values = sheet.frame[column].tolist()
            sheet.problems.extend(
                check_ids(values, file=sheet.file, field=column, rows=sheet.frame.index)
            )
    rows = []
    for (row, record), tid in zip(sheet.frame.iterrows(), ids, strict=True):
        row = int(cast(int, row))
        rec = cast(dict[str, str], record.to_dict())
        s_lat, s_lon = _point(sheet, row, rec, start, required=coords_required)
        e_lat, e_lon = _point(sheet, row, rec, end, required=False)
        leaves = sheet.moment(row, dep_col, rec.get(dep_col or "", ""), day=day, tz=tz)
        back = sheet.moment(row, ret_col, rec.get(ret_col or "", ""), day=day, tz=tz)
        if leaves is not None and back is not None and leaves > back:
            message = (
                f"earliest_departure {rec[dep_col or '']} is after latest_return "
                f"{rec[ret_col or '']}"
            )
            sheet.error(row, "earliest_departure", message)
        cap = sheet.number(
            row, cap_col, rec.get(cap_col or "", ""), default=-1, integer=True, maximum=MAX_STOPS
        )
        rows.append(
            _Row(
                row,
                {
                    "id": tid, "start_lat": s_lat, "start_lon": s_lon,
                    "end_lat": e_lat, "end_lon": e_lon, "leaves": leaves, "back": back,
                    "max_stops": None if cap is None or cap < 0 else int(cap),
                    "end_column": end[0] or end[1],
                    "start": rec.get(start_col, "") if start_col else "",
                    "end": rec.get(end_col, "") if end_col else "",
                    "start_column": start_col or id_col or "id",
                    "end_place_column": end_col or "end",
                },
            )
        )  # fmt: skip
    return sheet, rows


def _team_places(
    teams: tuple[_Sheet, list[_Row]], matrix: MatrixTravel | None
) -> dict[str, tuple[str, str]]:
    """Each team's start and end place names, checked against the matrix when there is
    one; coordinates for one place name agree between teams."""
    sheet, rows = teams
    keys = set(matrix.keys) if matrix is not None else None
    places: dict[str, tuple[str, str]] = {}
    where: dict[str, tuple[int, tuple[float | None, float | None]]] = {}
    for r in rows:
        t = r.values
        tid = t["id"]
        if not tid:
            continue
        start = t["start"] or tid
        end = t["end"]
        if not end:
            legacy = f"{tid}{END_SUFFIX}"
            if keys is not None and legacy in keys:
                end = legacy
            elif _moves(t):
                if keys is not None:
                    sheet.error(
                        r.row,
                        t["end_column"] or "end_lat",
                        f"team '{tid}' ends away from its start: name its end place in an "
                        "'end' column (a key of the travel matrix)",
                    )
                end = legacy
            else:
                end = start
        if keys is not None:
            for key, column, what in (
                (start, t["start_column"], "starts"),
                (end, t["end_place_column"], "ends"),
            ):
                if key not in keys:
                    sheet.error(
                        r.row, column, f"team '{tid}' {what} at '{key}', not in the travel matrix"
                    )
        else:
            end_point = (t["end_lat"], t["end_lon"]) if _moves(t) else None
            for key, point in (
                (start, (t["start_lat"], t["start_lon"])),
                (end, end_point or (t["start_lat"], t["start_lon"])),
            ):
                first = where.setdefault(key, (r.row, point))
                if first[1] != point and None not in point and None not in first[1]:
                    sheet.error(
                        r.row,
                        t["start_column"] if key == start else t["end_place_column"],
                        f"place '{key}' has other coordinates in row {first[0]}",
                    )
        places[tid] = (start, end)
    return places


def _check_matrix_keys(
    matrix: MatrixTravel,
    file: str,
    stations: tuple[_Sheet, list[_Row]],
    places: dict[str, tuple[str, str]],
    problems: list[Problem],
) -> None:
    """Every station in the matrix, and every matrix key a station or a team's place."""
    keys = set(matrix.keys)
    s_sheet, s_rows = stations
    s_col = s_sheet.pick(STATION_ID_NAMES) or "id"
    for r in s_rows:
        sid = r.values["place"] or r.values["id"]
        if sid and sid not in keys:
            s_sheet.error(r.row, s_col, f"station '{sid}' is not in the travel matrix {file}")
    known = {r.values["place"] or r.values["id"] for r in s_rows}
    known |= {k for pair in places.values() for k in pair}
    known |= set(places) | {f"{tid}{END_SUFFIX}" for tid in places}
    for j, key in enumerate(matrix.keys, start=1):
        if key not in known:
            problems.append(
                Problem(
                    file,
                    j,
                    "id",
                    f"unknown key '{key}': not a station id nor a team's start or end place",
                )
            )


def _moves(team: dict[str, Any]) -> bool:
    """Whether the team's end coordinates are given and differ from its start."""
    end = (team["end_lat"], team["end_lon"])
    return None not in end and end != (team["start_lat"], team["start_lon"])


def load_route_problem(
    stations_path: str | Path,
    teams_path: str | Path,
    *,
    matrix_path: str | Path | None = None,
    day: date = DEFAULT_DATE,
    tz: str = DEFAULT_TZ,
    whole_minutes: bool = False,
    roads: str | Path | None = None,
    road_travel: TravelModel | None = None,
) -> RouteProblem:
    """Read and check the stations and teams tables (and the travel matrix, if any).

    Times are kept to the second, or put on whole minutes with `whole_minutes` (stays and
    travel rounded up, windows inwards). `roads`: a roads directory (`planner roads
    build`) whose road times replace the straight line (`road_travel`: that model as a
    plan recorded it, for the checker).

    Every problem in every file is reported at once through `MissionDataError`; stations
    no team can reach are returned as `warnings` on the problem.
    """
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc
    problems: list[Problem] = []
    stations_path, teams_path = Path(stations_path), Path(teams_path)
    with_matrix = matrix_path is not None
    if with_matrix and (roads is not None or road_travel is not None):
        raise ValueError("give either a travel matrix or road data, not both")
    if roads is not None and road_travel is None:
        from planner.roads import RoadTravel

        road_travel = RoadTravel(Path(roads))
    s_sheet, s_rows = _read_stations(
        stations_path, problems, day=day, tz=zone, coords_required=not with_matrix
    )
    t_sheet, t_rows = _read_teams(
        teams_path, problems, day=day, tz=zone, coords_required=not with_matrix
    )
    matrix: MatrixTravel | None = None
    places: dict[str, tuple[str, str]] = {}
    matrix_read = True
    if matrix_path is not None:
        matrix_file = str(matrix_path)
        try:
            matrix = read_matrix(Path(matrix_path))
        except MissionDataError as exc:
            problems.extend(exc.problems)
            matrix_read = False
        except (OSError, ValueError) as exc:
            problems.append(Problem(matrix_file, None, None, f"cannot read matrix: {exc}"))
            matrix_read = False
    if t_sheet is not None and matrix_read:
        places = _team_places((t_sheet, t_rows), matrix)
        if matrix is not None and s_sheet is not None:
            _check_matrix_keys(matrix, str(matrix_path), (s_sheet, s_rows), places, problems)
    if problems:
        raise MissionDataError(_ordered(problems, stations_path, teams_path))

    moments = [
        m
        for r in s_rows + t_rows
        for m in (r.values.get(k) for k in ("open", "close", "leaves", "back"))
        if m is not None
    ]
    first_day = min(m.astimezone(zone).date() for m in moments)
    reference = datetime.combine(first_day, time(0), tzinfo=zone)
    ref_utc = reference.astimezone(UTC)

    def secs(moment: datetime) -> int:
        return round((moment.astimezone(UTC) - ref_utc).total_seconds())

    stations = [
        RouteStation(
            id=r.values["id"],
            stay=round(r.values["stay"] * MINUTE),
            open=secs(r.values["open"]),
            close=secs(r.values["close"]),
            weight=float(r.values["weight"]),
            name=r.values["name"],
            lat=r.values["lat"],
            lon=r.values["lon"],
            place=r.values["place"],
        )
        for r in s_rows
    ]
    teams = []
    for r in t_rows:
        t = r.values
        start, end = places[t["id"]]
        elsewhere = end != start and _moves(t)
        teams.append(
            RouteTeam(
                id=t["id"],
                earliest_departure=secs(t["leaves"]),
                latest_return=secs(t["back"]),
                start_lat=t["start_lat"],
                start_lon=t["start_lon"],
                end_lat=t["end_lat"] if elsewhere else None,
                end_lon=t["end_lon"] if elsewhere else None,
                max_stops=t["max_stops"],
                start=start,
                end=end,
            )
        )
    step = MINUTE if whole_minutes else 1
    problem = route_problem(
        stations,
        teams,
        reference=reference,
        travel=matrix if matrix is not None else road_travel,
        step=step,
    )
    _check_solvable(problem, s_rows, t_rows, str(stations_path), str(teams_path))
    warnings = [
        Problem(
            str(stations_path),
            s_rows[i].row,
            "close",
            f"out of every team's reach: no team can start the stay at "
            f"'{problem.stations[i].id}' by {_iso(problem.to_datetime(problem.stations[i].close))} "
            "and be back in time, so it will not be visited",
        )
        for i in unreachable_stations(problem)
    ]
    inputs = RouteInputs(
        str(stations_path.resolve()),
        str(teams_path.resolve()),
        str(Path(matrix_path).resolve()) if matrix_path is not None else None,
        day,
        tz,
        step,
        describe_travel(road_travel) if road_travel is not None else None,
    )
    return replace(problem, warnings=tuple(warnings), inputs=inputs)


def _check_solvable(
    problem: RouteProblem,
    s_rows: list[_Row],
    t_rows: list[_Row],
    stations_file: str,
    teams_file: str,
) -> None:
    """Each team can at least drive from start to end; the objective fits the solver."""
    grid = TimeGrid.of(problem)
    problems = []
    for v, team in enumerate(problem.teams):
        drive = int(problem.travel[problem.starts[v], problem.ends[v]])
        if grid.depart[v] + drive > grid.back[v]:
            problems.append(
                Problem(
                    teams_file,
                    t_rows[v].row,
                    "latest_return",
                    f"team '{team.id}' cannot even drive from start to end "
                    f"({drive / MINUTE:g} min) between earliest_departure and latest_return",
                )
            )
    scale = int(problem.travel.max(initial=0)) * (len(problem.stations) + 4) * len(problem.teams)
    prizes = sum(round(s.weight * problem.prize_per_weight) for s in problem.stations)
    if prizes * (scale + 1) > _OBJECTIVE_LIMIT:
        problems.append(
            Problem(
                stations_file,
                None,
                "weight",
                "weights are too large for the solver; scale them down (only their ratios matter)",
            )
        )
    if problems:
        raise MissionDataError(problems)


def _ordered(problems: list[Problem], *files: Path) -> list[Problem]:
    """Stations file first, then teams, then the matrix; each in row order (stable)."""
    rank = {str(f): k for k, f in enumerate(files)}

    def key(p: Problem) -> tuple[int, int]:
        row = p.row if isinstance(p.row, int) else 0
        return rank.get(p.file, len(rank)), row

    return sorted(problems, key=key)
