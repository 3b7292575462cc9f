"""Route mode's problem: weighted stations with time windows, teams, and the travel
between them, as plain frozen data.

- every station is optional and worth its `weight`; the solver collects as much weight as
  it can first and drives as little as it can second. Weights become integer prizes as
  `round(weight * prize_per_weight)` (default 100), so weights are compared to two
  decimals;
- each team is one vehicle that leaves its start no earlier than `earliest_departure`,
  visits stations and is back at its end no later than `latest_return`, with at most
  `max_stops` visits;
- a stay at a station must start inside `[open, close]` and lasts `stay`; a team that
  arrives early waits;
- times are seconds from the reference instant: midnight (in the plan's time zone) of the
  earliest date in the inputs. Schedules are planned on a grid of `step` seconds
  (`TimeGrid`): 1 by default, so times are exact to the second; 60 to plan in whole
  minutes. Travel times and stays are rounded up to the step, `open`/`earliest_departure`
  up and `close`/`latest_return` down, so that no rounding can make a plan look late.

Places: every station is a place named by its id; a team starts at the place named by
its `start` (default: its id) and ends at its `end` (default: its start). Teams may share
places (a base's row and column appear once in a matrix). Travel times come from a matrix
in seconds keyed by those names, or, without a matrix, from the great-circle estimate of
`planner.travel` between the coordinates given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

import numpy as np

from planner.errors import Problem
from planner.travel import GreatCircleTravel, MatrixTravel, Place, TravelModel

PRIZE_PER_WEIGHT = 100
MINUTE = 60
# The end key of a team whose end is elsewhere, when no `end` place is named (the form
# matrices had before teams named their places).
END_SUFFIX = ":end"


@dataclass(frozen=True, slots=True)
class RouteInputs:
    """Where a route problem was read from, and how its times were read."""

    stations: str
    teams: str
    matrix: str | None
    day: date
    tz: str
    # The grid the times were put on: 1 (exact seconds) or 60 (whole minutes).
    step: int = 1
    # Road travel the plan was made on (`planner.travel_source.describe_travel`), if any.
    roads: dict | None = None


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
    # The place this row is one window of (default: its id). Rows of one place are
    # alternatives — the place on each day it is open — of which one at most is visited,
    # and the place's weight counts once; a travel matrix is keyed by the place.
    place: str = ""

    @property
    def place_key(self) -> str:
        return self.place or self.id


@dataclass(frozen=True, slots=True)
class RouteTeam:
    """One vehicle: out of its start no earlier than `earliest_departure`, back at its end
    no later than `latest_return` (seconds from the reference), at most `max_stops` visits.

    `start` names the place it leaves from (default: the team id) and `end` the place it
    ends at (default: its start); a named end elsewhere is at `end_lat, end_lon`.
    """

    id: str
    earliest_departure: int
    latest_return: int
    start_lat: float | None = None
    start_lon: float | None = None
    end_lat: float | None = None
    end_lon: float | None = None
    max_stops: int | None = None
    start: str = ""
    end: str = ""

    @property
    def start_key(self) -> str:
        return self.start or self.id

    @property
    def end_key(self) -> str:
        return self.end or self.start_key

    @property
    def end_point(self) -> tuple[float | None, float | None]:
        if self.end_key != self.start_key and self.end_lat is not None:
            return self.end_lat, self.end_lon
        return self.start_lat, self.start_lon


@dataclass(frozen=True)
class RouteProblem:
    """Stations, teams and the travel matrix between their places, ready to solve.

    Nodes of `travel` (whole seconds, rounded up to the grid's `step`): the teams' start
    and end places, each once, then the stations; `keys` names each node; team v leaves
    node `starts[v]` and ends at node `ends[v]`.
    """

    stations: tuple[RouteStation, ...]
    teams: tuple[RouteTeam, ...]
    travel: np.ndarray
    keys: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    reference: datetime
    warnings: tuple[Problem, ...] = ()
    # Integer prize per unit of weight: weights count to two decimals.
    prize_per_weight: int = PRIZE_PER_WEIGHT
    # The files it was read from, when it was (a route plan's checker reads them again).
    inputs: RouteInputs | None = None
    # The time grid in seconds: 1 (exact) or 60 (whole minutes).
    step: int = 1

    @property
    def first_station(self) -> int:
        return len(self.keys) - len(self.stations)

    @property
    def tz(self) -> tzinfo:
        assert self.reference.tzinfo is not None
        return self.reference.tzinfo

    def station_node(self, i: int) -> int:
        return self.first_station + i

    def alternatives(self) -> list[list[int]]:
        """Station indices of each place given as several rows (in order of first row)."""
        rows: dict[str, list[int]] = {}
        for i, s in enumerate(self.stations):
            rows.setdefault(s.place_key, []).append(i)
        return [group for group in rows.values() if len(group) > 1]

    def prizes(self) -> np.ndarray:
        """Each station's integer prize: its weight times `prize_per_weight`, rounded."""
        return np.array(
            [round(s.weight * self.prize_per_weight) for s in self.stations], dtype=np.int64
        )

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
    step: int = 1,
) -> RouteProblem:
    """Freeze stations and teams with the travel matrix between their places.

    `travel` defaults to `GreatCircleTravel()`, which needs every coordinate; a
    `MatrixTravel` needs every place name (see the module docstring). Legs are rounded up
    to `step` seconds. `ValueError` for input that breaks the model's assumptions (files
    are checked in `load_route_problem`).
    """
    if reference.tzinfo is None:
        raise ValueError("reference must be an aware datetime")
    if step not in (1, MINUTE):
        raise ValueError("step must be 1 (seconds) or 60 (whole minutes)")
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

    depots: dict[str, Place] = {}

    def depot(team: RouteTeam, key: str, lat: float | None, lon: float | None) -> int:
        here = place(key, lat, lon)
        known = depots.setdefault(key, here)
        if (known.lat, known.lon) != (here.lat, here.lon) and not (
            math.isnan(here.lat) or math.isnan(known.lat)
        ):
            raise ValueError(f"team {team.id}: place {key} is given other coordinates before")
        return list(depots).index(key)

    starts = [depot(t, t.start_key, t.start_lat, t.start_lon) for t in teams]
    ends = [depot(t, t.end_key, *t.end_point) for t in teams]
    places = [*depots.values(), *(place(s.id, s.lat, s.lon) for s in stations)]
    keys = tuple(p.key for p in places)
    travel_keys = [*depots, *(s.place_key for s in stations)]
    if travel is None:
        if any(math.isnan(p.lat) or math.isnan(p.lon) for p in places):
            raise ValueError("great-circle travel needs coordinates for every station and team")
        travel = GreatCircleTravel()
    if isinstance(travel, MatrixTravel):  # fractions of a second round up, not down
        index = {k: i for i, k in enumerate(travel.keys)}
        rows = [index[k] for k in travel_keys]
        seconds = np.ceil(travel.seconds[np.ix_(rows, rows)]).astype(np.int64)
    else:
        seconds = np.asarray(travel.durations(places, places), dtype=np.int64)
    seconds = -(-seconds // step) * step
    np.fill_diagonal(seconds, 0)
    seconds.setflags(write=False)
    return RouteProblem(
        tuple(stations),
        tuple(teams),
        seconds,
        keys,
        tuple(starts),
        tuple(ends),
        reference,
        step=step,
    )


def _up(seconds: int, step: int) -> int:
    return -(-int(seconds) // step) * step


def _down(seconds: int, step: int) -> int:
    return int(seconds) // step * step


@dataclass(frozen=True)
class TimeGrid:
    """The problem's times on the grid the solver works on (`RouteProblem.step`)."""

    stay: np.ndarray
    open: np.ndarray
    close: np.ndarray
    depart: np.ndarray
    back: np.ndarray

    @classmethod
    def of(cls, problem: RouteProblem) -> TimeGrid:
        s, t, step = problem.stations, problem.teams, problem.step
        return cls(
            np.array([_up(x.stay, step) for x in s], dtype=np.int64),
            np.array([_up(x.open, step) for x in s], dtype=np.int64),
            np.array([_down(x.close, step) for x in s], dtype=np.int64),
            np.array([_up(x.earliest_departure, step) for x in t], dtype=np.int64),
            np.array([_down(x.latest_return, step) for x in t], dtype=np.int64),
        )
