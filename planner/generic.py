"""Generic route mode: visit plans from a stations table, a teams table and a travel matrix.

Used for LTO multi-day visit plans and any custom problem that is not an election day.
Read and check the inputs (`load_route_problem`), solve (`solve_route`), then write
`visits.csv`, `unvisited.csv` and `summary.json` (`write_route_plan`).

Model:

- every station is optional and worth its `weight`; the solver collects as much weight as
  it can first and drives as little as it can second. Weights become integer prizes as
  `round(weight * PRIZE_PER_WEIGHT)`, so weights are compared to two decimals;
- each team is one vehicle that leaves its start no earlier than `earliest_departure`,
  visits stations and is back at its end no later than `latest_return`, with at most
  `max_stops` visits;
- a stay at a station must start inside `[open, close]` and lasts `stay_min`; a team that
  arrives early waits;
- times are seconds from the reference instant: midnight (in the plan's time zone) of the
  earliest date in the inputs. Schedules are planned on a whole-minute grid: travel times
  and stays are rounded up to whole minutes, `open`/`earliest_departure` up and
  `close`/`latest_return` down to the minute.

Travel times come from a matrix in seconds (keys: station ids; `<team id>` for a team's
start, and for its end when the team ends where it starts; `<team id>:end` for an end
elsewhere), or, without a matrix, from the great-circle estimate of `planner.travel`.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from planner import schema
from planner.errors import MissionDataError, Problem
from planner.fileio import write_directory
from planner.ids import check_ids
from planner.routing import RoutingInput, solve_routing
from planner.tabular import TABULAR_SUFFIXES, TableError, read_table
from planner.travel import GreatCircleTravel, MatrixTravel, Place, TravelModel, read_matrix

DEFAULT_DATE = date(2022, 11, 20)
DEFAULT_TZ = "Asia/Almaty"
PRIZE_PER_WEIGHT = 100
MINUTE = 60
END_SUFFIX = ":end"

STATION_ID_NAMES = ("id", "station_id", "site_id")
TEAM_ID_NAMES = ("id", "team_id")
STATION_REQUIRED = ("stay_min", "open", "close")
TEAM_REQUIRED = ("earliest_departure", "latest_return")
VISIT_COLUMNS = (
    "team_id",
    "seq",
    "site_id",
    "name",
    "arrive",
    "depart",
    "travel_min",
    "lat",
    "lon",
)
UNVISITED_COLUMNS = ("id", "weight")
TIME_HINT = "use HH:MM or a date and time such as 2022-11-20T09:00"
# Objectives above this risk overflowing the solver's 64-bit arithmetic.
_OBJECTIVE_LIMIT = 2**60


# ---------------------------------------------------------------------------------------
# The problem: plain frozen data
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RouteStation:
    """A place worth `weight` whose stay of `stay` seconds must start in `[open, close]`.

    Times are seconds from the problem's reference instant; coordinates are optional when
    travel times come from a matrix.
    """

    id: str
    stay: int
    open: int
    close: int
    weight: float = 1.0
    name: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class RouteTeam:
    """One vehicle: out of its start no earlier than `earliest_departure`, back at its end
    no later than `latest_return` (seconds from the reference), at most `max_stops` visits.

    The end is the start unless `distinct_end`; then it is at `end_lat, end_lon` and its
    matrix key is `<id>:end`.
    """

    id: str
    earliest_departure: int
    latest_return: int
    start_lat: float | None = None
    start_lon: float | None = None
    end_lat: float | None = None
    end_lon: float | None = None
    max_stops: int | None = None
    distinct_end: bool = False

    @property
    def end_key(self) -> str:
        return f"{self.id}{END_SUFFIX}" if self.distinct_end else self.id

    @property
    def end_point(self) -> tuple[float | None, float | None]:
        if self.distinct_end:
            return self.end_lat, self.end_lon
        return self.start_lat, self.start_lon


@dataclass(frozen=True)
class RouteProblem:
    """Stations, teams and the travel matrix between their places, ready to solve.

    Nodes of `travel` (whole seconds, rounded up to minutes): every team's start (node v
    for team v), then the distinct ends, then the stations; `keys` names each node.
    """

    stations: tuple[RouteStation, ...]
    teams: tuple[RouteTeam, ...]
    travel: np.ndarray
    keys: tuple[str, ...]
    ends: tuple[int, ...]
    reference: datetime
    warnings: tuple[Problem, ...] = ()

    @property
    def first_station(self) -> int:
        return len(self.keys) - len(self.stations)

    @property
    def tz(self) -> tzinfo:
        assert self.reference.tzinfo is not None
        return self.reference.tzinfo

    def station_node(self, i: int) -> int:
        return self.first_station + i

    def to_datetime(self, seconds: int) -> datetime:
        """Seconds from the reference as an aware datetime in the plan's time zone."""
        return (self.reference.astimezone(UTC) + timedelta(seconds=int(seconds))).astimezone(
            self.tz
        )


def route_problem(
    stations: Sequence[RouteStation],
    teams: Sequence[RouteTeam],
    *,
    reference: datetime,
    travel: TravelModel | None = None,
) -> RouteProblem:
    """Freeze stations and teams with the travel matrix between their places.

    `travel` defaults to `GreatCircleTravel()`, which needs every coordinate; a
    `MatrixTravel` needs every key (see the module docstring). `ValueError` for input
    that breaks the model's assumptions (files are checked in `load_route_problem`).
    """
    if reference.tzinfo is None:
        raise ValueError("reference must be an aware datetime")
    if not teams:
        raise ValueError("at least one team is needed")
    for s in stations:
        if s.stay < 0 or s.weight < 0 or s.open > s.close or s.open < 0:
            raise ValueError(f"station {s.id}: need stay, weight >= 0 and 0 <= open <= close")
    for t in teams:
        if not 0 <= t.earliest_departure <= t.latest_return:
            raise ValueError(f"team {t.id}: need 0 <= earliest_departure <= latest_return")
        if t.max_stops is not None and t.max_stops < 0:
            raise ValueError(f"team {t.id}: max_stops must be >= 0")
    ids = [s.id for s in stations]
    team_ids = [t.id for t in teams]
    if len(set(ids)) != len(ids) or len(set(team_ids)) != len(team_ids):
        raise ValueError("station ids and team ids must be unique")
    nan = float("nan")

    def place(key: str, lat: float | None, lon: float | None) -> Place:
        return Place(key, nan if lon is None else lon, nan if lat is None else lat)

    places = [place(t.id, t.start_lat, t.start_lon) for t in teams]
    ends: list[int] = []
    for v, t in enumerate(teams):
        if t.distinct_end:
            ends.append(len(places))
            places.append(place(t.end_key, *t.end_point))
        else:
            ends.append(v)
    places += [place(s.id, s.lat, s.lon) for s in stations]
    keys = tuple(p.key for p in places)
    if len(set(keys)) != len(keys):
        raise ValueError("station ids must differ from team ids and '<team id>:end' keys")
    if travel is None:
        if any(math.isnan(p.lat) or math.isnan(p.lon) for p in places):
            raise ValueError("great-circle travel needs coordinates for every station and team")
        travel = GreatCircleTravel()
    seconds = np.asarray(travel.durations(places, places), dtype=np.int64)
    seconds = -(-seconds // MINUTE) * MINUTE  # up to whole minutes
    np.fill_diagonal(seconds, 0)
    seconds.setflags(write=False)
    return RouteProblem(tuple(stations), tuple(teams), seconds, keys, tuple(ends), reference)


# ---------------------------------------------------------------------------------------
# Minute grid and schedules
# ---------------------------------------------------------------------------------------


def _up(seconds: int) -> int:
    return -(-int(seconds) // MINUTE) * MINUTE


def _down(seconds: int) -> int:
    return int(seconds) // MINUTE * MINUTE


@dataclass(frozen=True)
class _Grid:
    """The problem's times on the whole-minute grid the solver works on."""

    stay: np.ndarray
    open: np.ndarray
    close: np.ndarray
    depart: np.ndarray
    back: np.ndarray

    @classmethod
    def of(cls, problem: RouteProblem) -> _Grid:
        s, t = problem.stations, problem.teams
        return cls(
            np.array([_up(x.stay) for x in s], dtype=np.int64),
            np.array([_up(x.open) for x in s], dtype=np.int64),
            np.array([_down(x.close) for x in s], dtype=np.int64),
            np.array([_up(x.earliest_departure) for x in t], dtype=np.int64),
            np.array([_down(x.latest_return) for x in t], dtype=np.int64),
        )


def _timeline(
    problem: RouteProblem, grid: _Grid, v: int, route: Sequence[int], depart: int
) -> tuple[list[int], int] | None:
    """Earliest stay starts along `route` (station indices) leaving at `depart`, and the
    return time; None when a window or the team's hours are missed."""
    travel = problem.travel
    t, prev, starts = int(depart), v, []
    for i in route:
        node = problem.station_node(i)
        t = max(t + int(travel[prev, node]), int(grid.open[i]))
        if t > grid.close[i]:
            return None
        starts.append(t)
        t += int(grid.stay[i])
        prev = node
    t += int(travel[prev, problem.ends[v]])
    if t > grid.back[v]:
        return None
    return starts, t


def unreachable_stations(problem: RouteProblem) -> list[int]:
    """Stations no team can visit on its own, even going there and straight back."""
    grid = _Grid.of(problem)
    out = []
    for i in range(len(problem.stations)):
        if not any(
            problem.teams[v].max_stops != 0
            and grid.depart[v] <= grid.back[v]
            and _timeline(problem, grid, v, [i], int(grid.depart[v])) is not None
            for v in range(len(problem.teams))
        ):
            out.append(i)
    return out


# ---------------------------------------------------------------------------------------
# Solving
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RouteVisit:
    """One row of visits.csv: a stop, or the team leaving its start (seq 0) / reaching its
    end (last seq); `site_id` is then the start or end key."""

    team_id: str
    seq: int
    site_id: str
    name: str
    arrive: datetime
    depart: datetime
    travel_min: int
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class RoutePlan:
    """The answer: per team the visited station indices in order, with the schedule."""

    problem: RouteProblem
    routes: tuple[tuple[int, ...], ...]
    visits: tuple[RouteVisit, ...]
    travel_s: int
    status: str
    time_limit_s: float
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def visited(self) -> frozenset[int]:
        return frozenset(i for route in self.routes for i in route)

    @property
    def unvisited(self) -> tuple[int, ...]:
        seen = self.visited
        return tuple(i for i in range(len(self.problem.stations)) if i not in seen)

    @property
    def weight_visited(self) -> float:
        return float(sum(self.problem.stations[i].weight for i in self.visited))

    @property
    def weight_available(self) -> float:
        return float(sum(s.weight for s in self.problem.stations))


def _prizes(problem: RouteProblem) -> np.ndarray:
    return np.array([round(s.weight * PRIZE_PER_WEIGHT) for s in problem.stations], dtype=np.int64)


def solve_route(problem: RouteProblem, *, time_limit_s: float) -> RoutePlan:
    """Collect the most weight, then drive the least, within every window, team's hours and
    stop limit. Each team leaves as late as it can without coming back later."""
    grid = _Grid.of(problem)
    n_teams, n_depots = len(problem.teams), problem.first_station
    candidates = [
        i for i in range(len(problem.stations)) if grid.open[i] <= grid.close[i]
    ]  # a window shorter than the grid's minute cannot be met
    nodes = np.r_[np.arange(n_depots), [problem.station_node(i) for i in candidates]].astype(
        np.int64
    )
    travel = problem.travel[np.ix_(nodes, nodes)]
    n = len(nodes)
    service = np.zeros(n, dtype=np.int64)
    window_open = np.zeros(n, dtype=np.int64)
    window_close = np.zeros(n, dtype=np.int64)
    prize = np.zeros(n, dtype=np.int64)
    idx = np.asarray(candidates, dtype=np.int64)
    service[n_depots:] = grid.stay[idx]
    window_open[n_depots:] = grid.open[idx]
    window_close[n_depots:] = grid.close[idx]
    prize[n_depots:] = _prizes(problem)[idx]
    caps = tuple(
        len(candidates) if t.max_stops is None else min(t.max_stops, len(candidates))
        for t in problem.teams
    )
    inp = RoutingInput(
        travel=travel,
        service=service,
        window_open=window_open,
        window_close=window_close,
        prize=prize,
        required_vehicle=np.full(n, -1, dtype=np.int64),
        starts=tuple(range(n_teams)),
        ends=problem.ends,
        depart_earliest=grid.depart,
        depart_latest=np.maximum(grid.back, grid.depart),
        return_latest=grid.back,
        max_visits=max(caps, default=0),
        vehicle_max_visits=caps,
        balance_coefficient=0,
    )
    if candidates:
        result = solve_routing(inp, time_limit_s=time_limit_s)
        routes = [[candidates[node - n_depots] for node in r] for r in result.routes]
        status, stats = result.status, dict(result.stats)
    else:
        routes = [[] for _ in problem.teams]
        status, stats = "NOTHING_TO_VISIT", {}
    for v, route in enumerate(routes):
        if _timeline(problem, grid, v, route, int(grid.depart[v])) is None:
            raise RuntimeError(f"the solver returned an infeasible route for team {v}")
    timelines = []
    for v, route in enumerate(routes):
        depart = _latest_departure(problem, grid, v, route)
        timeline = _timeline(problem, grid, v, route, depart)
        assert timeline is not None  # feasible at the earliest departure, checked above
        timelines.append((depart, *timeline))
    final = tuple(tuple(route) for route in routes)
    visits, travel_s = _visits(problem, grid, final, timelines)
    return RoutePlan(problem, final, visits, travel_s, status, time_limit_s, stats)


def _latest_departure(problem: RouteProblem, grid: _Grid, v: int, route: list[int]) -> int:
    """The latest whole minute the team can leave and still be back as early as when
    leaving at its earliest departure: no idle wait before the first stop, no later return.

    `route` must be feasible from the earliest departure; leaving later never makes any
    stop or the return earlier, so the feasible departures form an interval.
    """
    earliest = int(grid.depart[v])
    timeline = _timeline(problem, grid, v, route, earliest)
    assert timeline is not None
    back = timeline[1]

    def keeps(depart: int) -> bool:
        later = _timeline(problem, grid, v, route, depart)
        return later is not None and later[1] <= back

    low, high = earliest // MINUTE, int(grid.back[v]) // MINUTE
    while low < high:
        mid = (low + high + 1) // 2
        if keeps(mid * MINUTE):
            low = mid
        else:
            high = mid - 1
    return max(low * MINUTE, earliest)


def _route_travel(problem: RouteProblem, v: int, route: list[int]) -> int:
    nodes = [v, *(problem.station_node(i) for i in route), problem.ends[v]]
    return int(sum(problem.travel[a, b] for a, b in itertools.pairwise(nodes)))


def _visits(
    problem: RouteProblem,
    grid: _Grid,
    routes: tuple[tuple[int, ...], ...],
    timelines: list[tuple[int, list[int], int]],
) -> tuple[tuple[RouteVisit, ...], int]:
    rows: list[RouteVisit] = []
    total = 0
    at = problem.to_datetime
    for v, team in enumerate(problem.teams):
        route = routes[v]
        if not route:
            continue
        depart, starts, back = timelines[v]
        rows.append(
            RouteVisit(
                team.id, 0, team.id, "start", at(depart), at(depart), 0,
                team.start_lat, team.start_lon,
            )
        )  # fmt: skip
        prev = v
        for seq, (i, start) in enumerate(zip(route, starts, strict=True), start=1):
            s, node = problem.stations[i], problem.station_node(i)
            leg = int(problem.travel[prev, node])
            total += leg
            rows.append(
                RouteVisit(
                    team.id, seq, s.id, s.name, at(start), at(start + int(grid.stay[i])),
                    leg // MINUTE, s.lat, s.lon,
                )
            )  # fmt: skip
            prev = node
        leg = int(problem.travel[prev, problem.ends[v]])
        total += leg
        end_lat, end_lon = team.end_point
        rows.append(
            RouteVisit(
                team.id, len(route) + 1, team.end_key, "end", at(back), at(back),
                leg // MINUTE, end_lat, end_lon,
            )
        )  # fmt: skip
    return tuple(rows), total


# ---------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="minutes")


def _coord(value: float | None) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.5f}"


def _weight(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 6)


def visits_csv(plan: RoutePlan) -> str:
    """One row per stop plus each team's departure (seq 0) and return (last seq)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(VISIT_COLUMNS)
    for r in plan.visits:
        writer.writerow(
            [
                r.team_id, r.seq, r.site_id, r.name, _iso(r.arrive), _iso(r.depart),
                r.travel_min, _coord(r.lat), _coord(r.lon),
            ]
        )  # fmt: skip
    return out.getvalue()


def unvisited_csv(plan: RoutePlan) -> str:
    """The stations no team visits, heaviest first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(UNVISITED_COLUMNS)
    stations = plan.problem.stations
    for i in sorted(plan.unvisited, key=lambda i: (-stations[i].weight, i)):
        writer.writerow([stations[i].id, _weight(stations[i].weight)])
    return out.getvalue()


def route_summary(plan: RoutePlan) -> dict[str, Any]:
    """Totals, one entry per team, and how the solver did."""
    problem = plan.problem
    teams = []
    for v, team in enumerate(problem.teams):
        rows = [r for r in plan.visits if r.team_id == team.id]
        route = plan.routes[v]
        teams.append(
            {
                "team_id": team.id,
                "visits": len(route),
                "weight": _weight(sum(problem.stations[i].weight for i in route)),
                "travel_min": sum(r.travel_min for r in rows),
                "depart": _iso(rows[0].depart) if rows else None,
                "return": _iso(rows[-1].arrive) if rows else None,
            }
        )
    available = plan.weight_available
    return {
        "stations": len(problem.stations),
        "stations_visited": len(plan.visited),
        "weight_visited": _weight(plan.weight_visited),
        "weight_available": _weight(available),
        "weight_share": round(plan.weight_visited / available, 4) if available else None,
        "travel_min": plan.travel_s // MINUTE,
        "teams": teams,
        "solver": {
            "status": plan.status,
            "time_limit_s": plan.time_limit_s,
            "wall_s": round(plan.stats.get("wall_s", 0.0), 3),
        },
        "reference": _iso(problem.reference),
        "tz": str(problem.tz),
        "prize_per_weight": PRIZE_PER_WEIGHT,
        "warnings": [str(w) for w in problem.warnings],
    }


def write_route_plan(plan: RoutePlan, out_dir: Path, *, force: bool = False) -> Path:
    """Write visits.csv, unvisited.csv and summary.json into `out_dir`, leaving its other
    files (`write_directory`)."""
    summary = json.dumps(route_summary(plan), ensure_ascii=False, indent=2) + "\n"
    return write_directory(
        Path(out_dir),
        {
            "visits.csv": visits_csv(plan),
            "unvisited.csv": unvisited_csv(plan),
            "summary.json": summary,
        },
        force=force,
    )


# ---------------------------------------------------------------------------------------
# Reading and checking the input files
# ---------------------------------------------------------------------------------------

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_time(text: str, *, day: date, tz: ZoneInfo) -> datetime:
    """`HH:MM[:SS]` on `day`, or an ISO date and time (local to `tz` unless it carries an
    offset), as an aware datetime in `tz`; `ValueError` otherwise."""
    text = text.strip()
    match = _CLOCK.match(text)
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        return datetime.combine(day, time(hour, minute, second), tzinfo=tz)
    if ":" not in text:  # a bare date, or a number: no time of day given
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
    ) -> float | None:
        """A number >= 0 (blank: `default`, reported missing when there is none)."""
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
    ids = _ids(sheet, id_col)
    rows = []
    for (row, record), sid in zip(sheet.frame.iterrows(), ids, strict=True):
        row = int(row)
        rec = record.to_dict()
        lat, lon = _point(sheet, row, rec, coords, required=coords_required)
        stay = sheet.number(row, stay_col, rec.get(stay_col or "", ""))
        weight = sheet.number(row, weight_col, rec.get(weight_col or "", ""), default=1.0)
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
    ids = _ids(sheet, id_col)
    rows = []
    for (row, record), tid in zip(sheet.frame.iterrows(), ids, strict=True):
        row = int(row)
        rec = record.to_dict()
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
        cap = sheet.number(row, cap_col, rec.get(cap_col or "", ""), default=-1, integer=True)
        rows.append(
            _Row(
                row,
                {
                    "id": tid, "start_lat": s_lat, "start_lon": s_lon,
                    "end_lat": e_lat, "end_lon": e_lon, "leaves": leaves, "back": back,
                    "max_stops": None if cap is None or cap < 0 else int(cap),
                    "end_column": end[0] or end[1],
                },
            )
        )  # fmt: skip
    return sheet, rows


def _check_matrix(
    matrix: MatrixTravel,
    file: str,
    stations: tuple[_Sheet, list[_Row]],
    teams: tuple[_Sheet, list[_Row]],
    problems: list[Problem],
) -> set[str]:
    """Every station and team in the matrix, every matrix key known; returns the team ids
    that end elsewhere because the matrix has a `<team id>:end` key."""
    keys = set(matrix.keys)
    (s_sheet, s_rows), (t_sheet, t_rows) = stations, teams
    s_col = s_sheet.pick(STATION_ID_NAMES) or "id"
    t_col = t_sheet.pick(TEAM_ID_NAMES) or "id"
    team_ids = {r.values["id"] for r in t_rows if r.values["id"]}
    for r in s_rows:
        sid = r.values["id"]
        if sid and sid not in keys:
            s_sheet.error(r.row, s_col, f"station '{sid}' is not in the travel matrix {file}")
    ends_elsewhere = set()
    for r in t_rows:
        tid = r.values["id"]
        if not tid:
            continue
        if tid not in keys:
            t_sheet.error(r.row, t_col, f"team '{tid}' (its start) is not in the travel matrix")
        if f"{tid}{END_SUFFIX}" in keys:
            ends_elsewhere.add(tid)
        elif _moves(r.values):
            t_sheet.error(
                r.row,
                r.values["end_column"] or "end_lat",
                f"team '{tid}' ends away from its start, so the travel matrix needs a key "
                f"'{tid}{END_SUFFIX}'",
            )
    station_ids = {r.values["id"] for r in s_rows}
    for j, key in enumerate(matrix.keys, start=1):
        base = key[: -len(END_SUFFIX)] if key.endswith(END_SUFFIX) else None
        if key not in station_ids and key not in team_ids and base not in team_ids:
            problems.append(
                Problem(
                    file,
                    j,
                    "id",
                    f"unknown key '{key}': not a station id, a team id or '<team id>{END_SUFFIX}'",
                )
            )
    return ends_elsewhere


def _check_key_clashes(
    stations: tuple[_Sheet, list[_Row]], teams: tuple[_Sheet, list[_Row]]
) -> None:
    """Station ids, team ids and `<team id>:end` keys each name one place."""
    (s_sheet, s_rows), (t_sheet, t_rows) = stations, teams
    team_ids = {r.values["id"] for r in t_rows if r.values["id"]}

    def owner(key: str) -> str | None:
        if key.endswith(END_SUFFIX) and key[: -len(END_SUFFIX)] in team_ids:
            return key[: -len(END_SUFFIX)]
        return None

    s_col = s_sheet.pick(STATION_ID_NAMES) or "id"
    t_col = t_sheet.pick(TEAM_ID_NAMES) or "id"
    for r in s_rows:
        sid = r.values["id"]
        if sid in team_ids:
            s_sheet.error(r.row, s_col, f"station id '{sid}' is also a team id")
        elif owner(sid):
            s_sheet.error(r.row, s_col, f"station id '{sid}' is the end key of team '{owner(sid)}'")
    for r in t_rows:
        tid = r.values["id"]
        if owner(tid):
            t_sheet.error(r.row, t_col, f"team id '{tid}' is the end key of team '{owner(tid)}'")


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
) -> RouteProblem:
    """Read and check the stations and teams tables (and the travel matrix, if any).

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
    s_sheet, s_rows = _read_stations(
        stations_path, problems, day=day, tz=zone, coords_required=not with_matrix
    )
    t_sheet, t_rows = _read_teams(
        teams_path, problems, day=day, tz=zone, coords_required=not with_matrix
    )
    if s_sheet is not None and t_sheet is not None:
        _check_key_clashes((s_sheet, s_rows), (t_sheet, t_rows))
    matrix: MatrixTravel | None = None
    ends_elsewhere: set[str] = set()
    if matrix_path is not None:
        matrix_file = str(matrix_path)
        try:
            matrix = read_matrix(Path(matrix_path))
        except MissionDataError as exc:
            problems.extend(exc.problems)
        except (OSError, ValueError) as exc:
            problems.append(Problem(matrix_file, None, None, f"cannot read matrix: {exc}"))
        if matrix is not None and s_sheet is not None and t_sheet is not None:
            ends_elsewhere = _check_matrix(
                matrix, matrix_file, (s_sheet, s_rows), (t_sheet, t_rows), problems
            )
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
        )
        for r in s_rows
    ]
    teams = []
    for r in t_rows:
        t = r.values
        distinct = t["id"] in ends_elsewhere or (matrix is None and _moves(t))
        teams.append(
            RouteTeam(
                id=t["id"],
                earliest_departure=secs(t["leaves"]),
                latest_return=secs(t["back"]),
                start_lat=t["start_lat"],
                start_lon=t["start_lon"],
                end_lat=t["end_lat"] if distinct and _moves(t) else None,
                end_lon=t["end_lon"] if distinct and _moves(t) else None,
                max_stops=t["max_stops"],
                distinct_end=distinct,
            )
        )
    problem = route_problem(stations, teams, reference=reference, travel=matrix)
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
    return replace(problem, warnings=tuple(warnings))


def _check_solvable(
    problem: RouteProblem,
    s_rows: list[_Row],
    t_rows: list[_Row],
    stations_file: str,
    teams_file: str,
) -> None:
    """Each team can at least drive from start to end; the objective fits the solver."""
    grid = _Grid.of(problem)
    problems = []
    for v, team in enumerate(problem.teams):
        drive = int(problem.travel[v, problem.ends[v]])
        if grid.depart[v] + drive > grid.back[v]:
            problems.append(
                Problem(
                    teams_file,
                    t_rows[v].row,
                    "latest_return",
                    f"team '{team.id}' cannot even drive from start to end ({drive // MINUTE} "
                    "min) between earliest_departure and latest_return",
                )
            )
    scale = int(problem.travel.max(initial=0)) * (len(problem.stations) + 4) * len(problem.teams)
    prizes = sum(round(s.weight * PRIZE_PER_WEIGHT) for s in problem.stations)
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
