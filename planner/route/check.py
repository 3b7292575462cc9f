"""An independent check of a route plan, from its files and the inputs it names.

It trusts nothing the solver computed: it reads the times in visits.csv, reads the
stations, teams and travel matrix again (summary.json names them, with the time grid)
and re-applies every rule: every leg takes at least the travel time, a stay starts no
earlier than the team arrives and inside its window and lasts its time, each team keeps
its hours and its stop limit, no station is visited twice, and unvisited.csv lists
exactly the stations nobody visits.

No tolerance is needed: route plans are made on their own time grid (exact seconds, or
whole minutes with stays and travel rounded up and windows and team hours rounded
inwards), and visits.csv writes times at that precision, so they are exact and are
compared with the inputs as given.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

from planner.check import CheckReport, Violation
from planner.outputs import read_visits
from planner.route.files import load_route_problem
from planner.route.outputs import SUMMARY, UNVISITED_COLUMNS, VISIT_COLUMNS
from planner.route.problem import RouteProblem


@dataclass(frozen=True, slots=True)
class _Row:
    team_id: str
    seq: int
    site_id: str
    arrive: int  # seconds from the problem's reference
    start: int
    depart: int


def is_route_plan_dir(plan_dir: Path) -> bool:
    """A directory written by `planner route` (it has a summary.json, not a plan.json)."""
    return (plan_dir / SUMMARY).is_file() and not (plan_dir / "plan.json").is_file()


def load_inputs(plan_dir: Path, *, roads: Path | None = None) -> RouteProblem:
    """The route problem a plan directory was made from, read again from the files its
    summary.json names, on the road data it was made on (`roads`: on that road data)."""
    summary = json.loads((plan_dir / SUMMARY).read_text("utf-8"))
    inputs = summary.get("inputs")
    if not inputs:
        raise ValueError(
            f"{plan_dir / SUMMARY} does not name its input files; run `planner route` again"
        )
    road_travel = None
    if roads is not None or inputs.get("roads"):
        from planner.model import Rules
        from planner.travel_source import travel_from_description

        road_travel = travel_from_description(inputs.get("roads"), Rules(), roads=roads)
    return load_route_problem(
        inputs["stations"],
        inputs["teams"],
        matrix_path=inputs.get("matrix"),
        day=date.fromisoformat(inputs["date"]),
        tz=inputs["tz"],
        whole_minutes=bool(inputs.get("whole_minutes", True)),
        road_travel=road_travel,
    )


def check_route_dir(
    plan_dir: Path, problem: RouteProblem | None = None, *, roads: Path | None = None
) -> CheckReport:
    """Check the route plan in `plan_dir` against `problem` (default: its own inputs, on
    the travel it was made on, or on the road data in `roads`)."""
    plan_dir = Path(plan_dir)
    visits = plan_dir / "visits.csv"
    if not visits.is_file():
        raise FileNotFoundError(f"{plan_dir}: no visits.csv (is this a route plan directory?)")
    problem = problem if problem is not None else load_inputs(plan_dir, roads=roads)
    unvisited_file = plan_dir / "unvisited.csv"
    unvisited = read_visits(unvisited_file) if unvisited_file.is_file() else None
    return check_route_visits(read_visits(visits), problem, unvisited=unvisited)


def check_route_visits(
    rows: list[dict[str, str]],
    problem: RouteProblem,
    *,
    unvisited: list[dict[str, str]] | None = None,
) -> CheckReport:
    """Every rule of route mode, on visits.csv's rows (and unvisited.csv's, if given)."""
    violations: list[Violation] = []

    def bad(team: str, seq: int | None, rule: str, message: str) -> None:
        violations.append(Violation(team, seq, rule, message))

    if rows and set(VISIT_COLUMNS) - set(rows[0]):
        missing = ", ".join(c for c in VISIT_COLUMNS if c not in rows[0])
        bad("visits.csv", None, "format", f"missing columns: {missing}")
        return CheckReport(tuple(violations), (), 0, 0)
    parsed: dict[str, list[_Row]] = defaultdict(list)
    for k, raw in enumerate(rows, start=2):
        try:
            parsed[raw["team_id"]].append(
                _Row(
                    raw["team_id"],
                    int(raw["seq"]),
                    raw["site_id"],
                    _seconds(problem, raw["arrive"]),
                    _seconds(problem, raw["start"]),
                    _seconds(problem, raw["depart"]),
                )
            )
        except ValueError as exc:
            bad(raw["team_id"], None, "format", f"visits.csv row {k}: {exc}")
    teams = {t.id: (v, t) for v, t in enumerate(problem.teams)}
    stations = {s.id: (i, s) for i, s in enumerate(problem.stations)}
    seen: Counter[str] = Counter()
    for team_id, stops in parsed.items():
        stops.sort(key=lambda r: r.seq)
        if team_id not in teams:
            bad(team_id, None, "team", "not a team of the input")
            continue
        v, team = teams[team_id]
        if [r.seq for r in stops] != list(range(len(stops))) or len(stops) < 3:
            bad(team_id, None, "structure", "rows must be seq 0 (the start), stops, the end")
            continue
        first, visits, last = stops[0], stops[1:-1], stops[-1]
        if first.site_id != team.start_key or last.site_id != team.end_key:
            bad(
                team_id,
                None,
                "structure",
                f"must leave {team.start_key} and end at {team.end_key}",
            )
        if first.depart < team.earliest_departure:
            bad(team_id, 0, "hours", "leaves before its earliest departure")
        if last.arrive > team.latest_return:
            bad(team_id, last.seq, "hours", "is back after its latest return")
        if team.max_stops is not None and len(visits) > team.max_stops:
            bad(team_id, None, "stops", f"{len(visits)} stops, more than {team.max_stops}")
        for r in visits:
            if r.site_id not in stations:
                bad(team_id, r.seq, "site", f"unknown station {r.site_id}")
                continue
            s = stations[r.site_id][1]
            seen[s.place_key] += 1
            if not s.open <= r.start <= s.close:
                bad(team_id, r.seq, "window", f"the stay at {s.id} starts outside its window")
            if r.depart - r.start < s.stay:
                bad(team_id, r.seq, "stay", f"the stay at {s.id} is shorter than planned")
        # Nodes by position: the start and end places, and each station by its id.
        nodes = [problem.starts[v]]
        nodes += [
            problem.station_node(stations[r.site_id][0]) if r.site_id in stations else -1
            for r in visits
        ]
        nodes.append(problem.ends[v])
        for r in stops:
            if r.start < r.arrive or r.depart < r.start:
                bad(team_id, r.seq, "time", "starts before it arrives, or departs before it starts")
        for (prev, a), (nxt, b) in pairwise(zip(stops, nodes, strict=True)):
            if a < 0 or b < 0:
                continue
            need = int(problem.travel[a, b])
            if nxt.arrive - prev.depart < need:
                bad(
                    team_id,
                    nxt.seq,
                    "travel",
                    f"{need / 60:g} min needed from {prev.site_id}, "
                    f"only {(nxt.arrive - prev.depart) / 60:g} planned",
                )
    for site, n in sorted(seen.items()):
        if n > 1:
            bad(site, None, "duplicate", f"station {site} visited {n} times")
    if unvisited is not None:
        listed = {r.get(UNVISITED_COLUMNS[0], "") for r in unvisited}
        expected = {s.place_key for s in problem.stations} - set(seen)
        for site in sorted(listed - expected):
            why = "is visited" if site in seen else "is not a station of the input"
            bad(site, None, "unvisited", f"unvisited.csv lists {site}, which {why}")
        for site in sorted(expected - listed):
            bad(site, None, "unvisited", f"unvisited.csv leaves out {site}, which nobody visits")
    return CheckReport(
        tuple(violations), (), len(parsed), sum(len(stops) for stops in parsed.values())
    )


def _seconds(problem: RouteProblem, text: str) -> int:
    """A time of visits.csv as seconds from the problem's reference."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    return round((moment.astimezone(UTC) - problem.reference.astimezone(UTC)).total_seconds())
