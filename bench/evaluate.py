"""One independent scorer for every solver's routes.

It trusts no solver's times or totals: each route (a vehicle's visited nodes in order,
depots excluded) is replayed on the instance's travel matrix, windows and stays by
`planner.feasibility`, the one timing model the planner's schedules use too.

Rules checked per route (a route that breaks one scores 0 and is flagged):
- stays start inside their windows (waiting is allowed; the team leaves its base no
  earlier than `depart_earliest` and is back by `return_latest`);
- at most the vehicle's cap (`visit_caps[v]`) of optional stops; driving at most `max_drive`;
- the vehicle's mandatory nodes are all on its route and no other vehicle's are;
- the meal break, when the instance has one: a break of `duration` that starts inside
  [earliest, latest], outside every stay and every minute of driving. It is taken in one
  gap between two consecutive stops (the drive may be split around it).
Across routes: no node is visited twice (a node seen again makes the later route infeasible).

The score is the sum of prizes of the optional nodes on feasible routes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from planner.feasibility import replay_vehicle
from planner.routing_data import RoutingInput


@dataclass(frozen=True)
class RouteCheck:
    vehicle: int
    feasible: bool
    prize: int
    visits: int
    travel_s: int
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Score:
    prize: int
    travel_s: int
    visits: int
    feasible: bool
    routes: tuple[RouteCheck, ...] = field(default_factory=tuple)

    @property
    def problems(self) -> list[str]:
        return [f"vehicle {r.vehicle}: {p}" for r in self.routes for p in r.problems]

    @property
    def infeasible_routes(self) -> int:
        return sum(not r.feasible for r in self.routes)


def _lateness(inp: RoutingInput, v: int, route: Sequence[int]) -> str | None:
    """The first rule the route's timing breaks (`planner.feasibility`'s replay from the
    earliest departure, the meal break where it fits), or None."""
    timeline = replay_vehicle(inp, v, route)
    for stop in timeline.stops:
        if stop.late:
            return f"node {stop.node} starts {stop.late} s after its window"
    if timeline.return_late:
        return f"returns {timeline.return_late} s too late"
    if timeline.meal_missed:
        return "no gap between stops fits the meal break"
    return None


def check_route(
    inp: RoutingInput, v: int, route: Sequence[int], *, seen: set[int] | None = None
) -> RouteCheck:
    depots = set(inp.starts) | set(inp.ends)
    problems: list[str] = []
    route = [int(n) for n in route]
    seq = [int(inp.starts[v]), *route, int(inp.ends[v])]
    travel = sum(int(inp.travel[a, b]) for a, b in pairwise(seq))
    if not route:
        travel = 0
    optional = [n for n in route if inp.required_vehicle[n] < 0]
    prize = sum(int(inp.prize[n]) for n in optional)

    for n in route:
        if n in depots or not 0 <= n < inp.num_nodes:
            problems.append(f"node {n} is a depot or out of range")
        elif inp.required_vehicle[n] >= 0 and inp.required_vehicle[n] != v:
            problems.append(f"node {n} is mandatory for vehicle {inp.required_vehicle[n]}")
    if len(set(route)) != len(route):
        problems.append("a node is visited twice on the route")
    if seen is not None:
        again = sorted(set(route) & seen)
        if again:
            problems.append(f"nodes already visited by another vehicle: {again[:5]}")
        seen.update(route)
    mandatory = {int(n) for n in range(inp.num_nodes) if inp.required_vehicle[n] == v}
    missing = sorted(mandatory - set(route))
    if missing:
        problems.append(f"mandatory nodes missing: {missing}")
    cap = int(inp.visit_caps[v])
    if len(optional) > cap:
        problems.append(f"{len(optional)} optional visits > {cap}")
    if travel > inp.max_drive:
        problems.append(f"drives {travel} s > {inp.max_drive}")

    if route and not problems:
        why = _lateness(inp, v, route)
        if why is not None:
            problems.append(why)

    ok = not problems
    return RouteCheck(
        v, ok, prize if ok else 0, len(optional) if ok else 0, travel, tuple(problems)
    )


def evaluate(inp: RoutingInput, routes: Sequence[Sequence[int]]) -> Score:
    """Score one solution: a route (list of nodes, depots excluded) per vehicle."""
    if len(routes) != inp.num_vehicles:
        raise ValueError(f"{len(routes)} routes for {inp.num_vehicles} vehicles")
    seen: set[int] = set()
    checks = tuple(check_route(inp, v, r, seen=seen) for v, r in enumerate(routes))
    return Score(
        prize=sum(c.prize for c in checks),
        travel_s=sum(c.travel_s for c in checks),
        visits=sum(c.visits for c in checks),
        feasible=all(c.feasible for c in checks),
        routes=checks,
    )
