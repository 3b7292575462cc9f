"""Day plans built by cheapest insertion, for an area whose routing ends without a plan.

The router can stop before its first solution (its time limit, on a much slower or busy
machine); then every team of the area would go without a day. Instead each team keeps
its fixed stops (already known to fit its day: `planner.election._unfit_days`), and
voting visits are inserted one at a time, team after team in turn, each where it adds
the least driving per unit of prize, as long as the replayed day stays on time, within
the driving cap, the visits cap and the duty day, and the team's urban/rural mix stays
in the router's band (or moves back towards it). Plain arithmetic on the router's
input: the same input gives the same plan on any machine.
"""

from __future__ import annotations

import numpy as np

from planner.feasibility import Nodes, Timeline, latest_departure, replay
from planner.routing_data import RoutingInput, RoutingResult

# Insertions tried per team and turn, cheapest first, before the team passes its turn.
CANDIDATES = 8


def greedy_routes(inp: RoutingInput, nodes: Nodes) -> RoutingResult:
    """Every team's fixed stops in the order of their windows, and voting visits inserted
    (module docstring). Teams whose fixed stops alone are not on time get no route."""
    routes: list[list[int]] = []
    for v in range(inp.num_vehicles):
        fixed = sorted(
            (i for i in range(inp.num_nodes) if inp.required_vehicle[i] == v),
            key=lambda i: (int(inp.window_open[i]), i),
        )
        routes.append(fixed if _fits(inp, nodes, v, fixed) else [])
    free = np.array(
        [
            inp.required_vehicle[i] < 0 and i not in inp.starts and i not in inp.ends
            for i in range(inp.num_nodes)
        ]
    )
    caps = inp.visit_caps
    visits = [0] * inp.num_vehicles
    active = [bool(route) and caps[v] > 0 for v, route in enumerate(routes)]
    while any(active):
        for v in range(inp.num_vehicles):
            if not active[v]:
                continue
            inserted = _insert_one(inp, nodes, v, routes[v], free)
            if inserted is None:
                active[v] = False
                continue
            routes[v], node = inserted
            free[node] = False
            visits[v] += 1
            active[v] = visits[v] < caps[v]
    return _result(inp, nodes, routes)


def _insert_one(
    inp: RoutingInput, nodes: Nodes, v: int, route: list[int], free: np.ndarray
) -> tuple[list[int], int] | None:
    """The cheapest feasible insertion of one free node into `route`, if any."""
    pool = np.flatnonzero(free)
    if inp.mix_delta is not None:
        # The urban/rural mix: within the band, or back towards it.
        mix = inp.mix_from(v) + int(inp.mix_delta[route].sum())
        after = np.abs(mix + inp.mix_delta[pool])
        pool = pool[(after <= inp.mix_band) | (after < abs(mix))]
    if not pool.size:
        return None
    path = [int(inp.starts[v]), *route, int(inp.ends[v])]
    prize = np.maximum(inp.prize[pool], 1)
    options: list[tuple[float, int, int]] = []
    depots = {int(inp.starts[v]), int(inp.ends[v])}
    for position in range(len(path) - 1):
        a, b = path[position], path[position + 1]
        # Only where the windows allow: after the previous stay can end, before the next
        # must start.
        timed = np.ones(pool.size, dtype=bool)
        if a not in depots:
            timed &= inp.window_open[a] + nodes.service[a] <= inp.window_close[pool]
        if b not in depots:
            timed &= inp.window_open[pool] + nodes.service[pool] <= inp.window_close[b]
        detour = inp.travel[a, pool] + inp.travel[pool, b] - inp.travel[a, b]
        ratio = np.where(timed, detour / prize, np.inf)
        best = [k for k in np.argsort(ratio, kind="stable")[:CANDIDATES] if timed[k]]
        options.extend((float(ratio[k]), position, int(pool[k])) for k in best)
    options.sort()
    for _ratio, position, node in options[:CANDIDATES]:
        candidate = [*route[:position], node, *route[position:]]
        if _fits(inp, nodes, v, candidate, insert=True):
            return candidate, node
    return None


def _fits(
    inp: RoutingInput, nodes: Nodes, v: int, route: list[int], *, insert: bool = False
) -> bool:
    """On time, within the driving cap and the duty day. An insertion between two fixed
    stops changes neither the departure nor the return, so the duty day is replayed only
    when the route starts or ends with a voting visit."""
    if not route:
        return True
    timeline = _timeline(inp, nodes, v, route, int(inp.depart_earliest[v]))
    if not timeline.on_time or timeline.travel > inp.drive_cap(v):
        return False
    fixed_ends = inp.required_vehicle[route[0]] >= 0 and inp.required_vehicle[route[-1]] >= 0
    if insert and fixed_ends:
        return True
    return timeline.back - _depart(inp, nodes, v, route) <= inp.max_duty


def _depart(inp: RoutingInput, nodes: Nodes, v: int, route: list[int]) -> int:
    return latest_departure(
        nodes,
        route,
        start=int(inp.starts[v]),
        end=int(inp.ends[v]),
        earliest=int(inp.depart_earliest[v]),
        latest=int(inp.depart_latest[v]),
        return_latest=int(inp.return_latest[v]),
        meal=inp.meal(v),
    )


def _timeline(inp: RoutingInput, nodes: Nodes, v: int, route: list[int], depart: int) -> Timeline:
    return replay(
        nodes,
        route,
        start=int(inp.starts[v]),
        end=int(inp.ends[v]),
        depart=depart,
        return_latest=int(inp.return_latest[v]),
        meal=inp.meal(v),
    )


def _result(inp: RoutingInput, nodes: Nodes, routes: list[list[int]]) -> RoutingResult:
    starts: list[tuple[int, ...]] = []
    departs: list[int] = []
    travel, prize = 0, 0
    for v, route in enumerate(routes):
        if not route:
            starts.append(())
            departs.append(int(inp.depart_earliest[v]))
            continue
        depart = _depart(inp, nodes, v, route)
        timeline = _timeline(inp, nodes, v, route, depart)
        starts.append(tuple(s.start for s in timeline.stops))
        departs.append(depart)
        travel += timeline.travel
        prize += int(inp.prize[route].sum())
    return RoutingResult(
        routes=tuple(tuple(r) for r in routes),
        starts=tuple(starts),
        depart_depot=tuple(departs),
        travel_total=travel,
        prize_total=prize,
        status="GREEDY",
    )
