"""One independent scorer for every solver's routes.

It trusts no solver's times or totals: each route (a vehicle's visited nodes in order,
depots excluded) is re-simulated on the instance's travel matrix, windows and stays.

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

from planner.routing_data import MealBreak, RoutingInput


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


def _schedule(
    inp: RoutingInput, v: int, seq: Sequence[int], meal_gap: int | None, meal: MealBreak | None
) -> str | None:
    """Earliest-start simulation; the meal (if any) is taken in gap `meal_gap`.

    Returns None if feasible, else the first problem found.
    """
    t = int(inp.depart_earliest[v])  # leave the base as early as allowed; wait on site
    for k in range(len(seq) - 1):
        a, b = seq[k], seq[k + 1]
        leg = int(inp.travel[a, b])
        if meal is not None and k == meal_gap:
            if t > meal.latest:
                return "meal break cannot start in its window"
            ready = max(t + leg, meal.earliest) + meal.duration
        else:
            ready = t + leg
        if k + 1 == len(seq) - 1:  # back at the end depot
            if ready > int(inp.return_latest[v]):
                return f"returns {ready - int(inp.return_latest[v])} s too late"
            return None
        start = max(ready, int(inp.window_open[b]))
        if start > int(inp.window_close[b]):
            return f"node {b} starts {start - int(inp.window_close[b])} s after its window"
        t = start + int(inp.service[b])
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
        why = _schedule(inp, v, seq, None, None)
        meal = inp.breaks[v] if v < len(inp.breaks) else None
        if why is None and meal is not None:
            fits = any(_schedule(inp, v, seq, gap, meal) is None for gap in range(len(seq) - 1))
            why = None if fits else "no gap between stops fits the meal break"
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
