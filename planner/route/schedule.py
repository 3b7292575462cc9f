"""Route mode's schedules: each team's timeline through `planner.feasibility`, and the
plan as rows of visits.csv.

A team leaves its start as late as it can without coming back later (no idle wait
before its first stay), and every stay starts as early as it can. All times are on the
problem's grid (`TimeGrid`: exact seconds, or whole minutes), so the written times are
exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from planner.feasibility import Nodes, Timeline, latest_departure, replay
from planner.route.problem import RouteProblem, TimeGrid

# A window close no replay reaches: depots have no window.
_OPEN_END = np.iinfo(np.int64).max // 4


@dataclass(frozen=True, slots=True)
class RouteVisit:
    """One row of visits.csv: a stop, or the team leaving its start (seq 0) / reaching its
    end (last seq); `site_id` is then the start or end place.

    The team arrives at `arrive`, waits until `start` when the window is not open yet,
    stays until `depart`; `travel_s` is the leg that brought it there."""

    team_id: str
    seq: int
    site_id: str
    name: str
    arrive: datetime
    start: datetime
    depart: datetime
    travel_s: int
    lat: float | None
    lon: float | None

    @property
    def wait_s(self) -> int:
        return int((self.start - self.arrive).total_seconds())


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
    seed: int = 0
    # Whether the time limit, not the work limit, ended the search: the same inputs and
    # seed may then give another plan elsewhere.
    cut_by_time: bool = False

    @property
    def visited(self) -> frozenset[int]:
        return frozenset(i for route in self.routes for i in route)

    @property
    def places(self) -> tuple[int, ...]:
        """The first row of each place (a place open on several days has a row per day)."""
        first: dict[str, int] = {}
        for i, s in enumerate(self.problem.stations):
            first.setdefault(s.place_key, i)
        return tuple(first.values())

    @property
    def unvisited(self) -> tuple[int, ...]:
        """The first row of each place no team visits."""
        stations = self.problem.stations
        seen = {stations[i].place_key for i in self.visited}
        return tuple(i for i in self.places if stations[i].place_key not in seen)

    @property
    def weight_visited(self) -> float:
        return float(sum(self.problem.stations[i].weight for i in self.visited))

    @property
    def weight_available(self) -> float:
        return float(sum(self.problem.stations[i].weight for i in self.places))


def nodes(problem: RouteProblem, grid: TimeGrid) -> Nodes:
    """The problem's nodes (team starts, ends, then stations) with the grid's stays and
    windows; depots have no stay and no window."""
    first = problem.first_station
    count = len(problem.keys)
    service = np.zeros(count, dtype=np.int64)
    window_open = np.zeros(count, dtype=np.int64)
    window_close = np.full(count, _OPEN_END, dtype=np.int64)
    service[first:] = grid.stay
    window_open[first:] = grid.open
    window_close[first:] = grid.close
    return Nodes(problem.travel, service, window_open, window_close)


def team_timeline(
    problem: RouteProblem, grid: TimeGrid, v: int, route: Sequence[int], depart: int
) -> Timeline:
    """Team `v`'s `route` (station indices) replayed from `depart`."""
    return replay(
        nodes(problem, grid),
        [problem.station_node(i) for i in route],
        start=problem.starts[v],
        end=problem.ends[v],
        depart=depart,
        return_latest=int(grid.back[v]),
    )


def unreachable_stations(problem: RouteProblem) -> list[int]:
    """Stations no team can visit on its own, even going there and straight back."""
    grid = TimeGrid.of(problem)
    out = []
    for i in range(len(problem.stations)):
        if not any(
            problem.teams[v].max_stops != 0
            and grid.depart[v] <= grid.back[v]
            and team_timeline(problem, grid, v, [i], int(grid.depart[v])).on_time
            for v in range(len(problem.teams))
        ):
            out.append(i)
    return out


def team_departure(problem: RouteProblem, grid: TimeGrid, v: int, route: Sequence[int]) -> int:
    """The latest departure that keeps team `v`'s return as early as leaving at its
    earliest departure (`route` must be on time from there)."""
    return latest_departure(
        nodes(problem, grid),
        [problem.station_node(i) for i in route],
        start=problem.starts[v],
        end=problem.ends[v],
        earliest=int(grid.depart[v]),
        latest=int(grid.back[v]),
        return_latest=int(grid.back[v]),
    )


def schedule(
    problem: RouteProblem, routes: Sequence[Sequence[int]]
) -> tuple[tuple[RouteVisit, ...], int]:
    """The rows of visits.csv for `routes` and their total travel in seconds; each team
    leaves as late as it can and then starts every stay as early as it can.

    `ValueError` when a route breaks a window, the team's hours or its stop limit.
    """
    grid = TimeGrid.of(problem)
    rows: list[RouteVisit] = []
    total = 0
    at = problem.to_datetime
    for v, team in enumerate(problem.teams):
        route = list(routes[v])
        earliest = team_timeline(problem, grid, v, route, int(grid.depart[v]))
        cap = team.max_stops
        if not earliest.on_time or (cap is not None and len(route) > cap):
            raise ValueError(f"the route of team {team.id} breaks a window, its hours or its cap")
        if not route:
            continue
        timeline = team_timeline(problem, grid, v, route, team_departure(problem, grid, v, route))
        leave = at(timeline.depart)
        rows.append(
            RouteVisit(
                team.id, 0, team.start_key, "start", leave, leave, leave, 0,
                team.start_lat, team.start_lon,
            )
        )  # fmt: skip
        prev = problem.starts[v]
        for seq, (i, stop) in enumerate(zip(route, timeline.stops, strict=True), start=1):
            s, node = problem.stations[i], problem.station_node(i)
            rows.append(
                RouteVisit(
                    team.id, seq, s.id, s.name, at(stop.arrive), at(stop.start),
                    at(stop.depart), int(problem.travel[prev, node]), s.lat, s.lon,
                )
            )  # fmt: skip
            prev = node
        leg = int(problem.travel[prev, problem.ends[v]])
        total += timeline.travel
        end_lat, end_lon = team.end_point
        back = at(timeline.back)
        rows.append(
            RouteVisit(
                team.id, len(route) + 1, team.end_key, "end", back, back, back, leg,
                end_lat, end_lon,
            )
        )  # fmt: skip
    return tuple(rows), total
