"""Helpers of the route-mode tests: tiny problems, and every invariant a plan keeps."""

from __future__ import annotations

import csv
import itertools
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from planner.errors import MissionDataError, Problem
from planner.feasibility import Nodes, replay
from planner.outputs import parse_visits
from planner.route import (
    RoutePlan,
    RouteProblem,
    RouteTeam,
    TimeGrid,
    check_route_visits,
    load_route_problem,
    visits_csv,
)

ROUTE = Path(__file__).resolve().parent.parent / "fixtures" / "route"
ALMATY = ZoneInfo("Asia/Almaty")
REFERENCE = datetime(2022, 11, 20, tzinfo=ALMATY)
MIN = 60


def seconds(problem: RouteProblem, moment: datetime) -> int:
    """An output time as seconds from the problem's reference (true elapsed time)."""
    return round((moment.astimezone(UTC) - problem.reference.astimezone(UTC)).total_seconds())


def assert_valid(plan: RoutePlan) -> None:
    """Every invariant a route plan must keep, checked from its visit rows; the route
    checker agrees, and a replay from each written departure gives the written stays."""
    problem = plan.problem
    assert_replayed(plan)
    report = check_route_visits(parse_visits(visits_csv(plan)), problem)
    assert report.ok, [str(v) for v in report.violations]
    station = {s.id: s for s in problem.stations}
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
        assert rows[0].site_id == team.start_key and rows[-1].site_id == team.end_key
        assert seconds(problem, rows[0].depart) >= team.earliest_departure
        assert seconds(problem, rows[-1].arrive) <= team.latest_return
        nodes = [problem.starts[v], *(problem.station_node(i) for i in route), problem.ends[v]]
        for (prev, a), (row, b) in itertools.pairwise(zip(rows, nodes, strict=True)):
            leg = int(problem.travel[a, b])
            assert seconds(problem, row.arrive) - seconds(problem, prev.depart) == leg
            assert row.travel_s == leg
        for row in rows[1:-1]:
            s = station[row.site_id]
            start = seconds(problem, row.start)
            assert start >= seconds(problem, row.arrive)
            assert row.wait_s == start - seconds(problem, row.arrive)
            assert s.open <= start <= s.close, f"{s.id} starts outside its window"
            assert seconds(problem, row.depart) - start >= s.stay


def assert_replayed(plan: RoutePlan) -> None:
    """Each team's stays start as early as they can after its written departure."""
    problem = plan.problem
    grid = TimeGrid.of(problem)
    first = problem.first_station
    n = len(problem.keys)
    service = np.zeros(n, dtype=np.int64)
    opens = np.zeros(n, dtype=np.int64)
    closes = np.full(n, 10**12, dtype=np.int64)
    service[first:], opens[first:], closes[first:] = grid.stay, grid.open, grid.close
    nodes = Nodes(problem.travel, service, opens, closes)
    for v, team in enumerate(problem.teams):
        rows = [r for r in plan.visits if r.team_id == team.id]
        if not rows:
            continue
        timeline = replay(
            nodes,
            [problem.station_node(i) for i in plan.routes[v]],
            start=problem.starts[v],
            end=problem.ends[v],
            depart=seconds(problem, rows[0].depart),
            return_latest=int(grid.back[v]),
        )
        assert timeline.on_time
        assert [seconds(problem, r.start) for r in rows[1:-1]] == list(timeline.starts)
        assert seconds(problem, rows[-1].arrive) == timeline.back


def best_weight(problem: RouteProblem) -> float:
    """The most weight any plan can visit, by exhaustive search (tiny instances only)."""
    n = len(problem.stations)
    first = len(problem.keys) - n
    travel = problem.travel
    grid = TimeGrid.of(problem)

    def feasible_sets(v: int) -> set[int]:
        team = problem.teams[v]
        cap = n if team.max_stops is None else team.max_stops
        found: set[int] = set()

        def extend(prev: int, t: int, mask: int, count: int) -> None:
            if t + travel[prev, problem.ends[v]] <= grid.back[v]:
                found.add(mask)
            if count == cap:
                return
            for i in range(n):
                if mask >> i & 1:
                    continue
                start = max(t + int(travel[prev, first + i]), int(grid.open[i]))
                if start <= grid.close[i]:
                    extend(first + i, start + int(grid.stay[i]), mask | 1 << i, count + 1)

        extend(problem.starts[v], int(grid.depart[v]), 0, 0)
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
