"""Ruin and recreate on small sub-problems: the router's improvement phase.

Guided local search on a whole area stalls once every team's day is full: collecting one
more station usually needs several teams to hand stations over at once. Each round here
takes a few neighbouring teams, removes a handful of related visits from their routes and
lets OR-Tools rebuild those teams' days from the stations nobody else visits. A round
is kept when the teams' part of the objective does not get worse.

Every cost in the routing model is per team (travel, driving balance, visit caps, the
urban/rural band) except the prize of unvisited stations, so a sub-problem's objective
differs from the whole plan's by a constant: improving one improves the other. Rounds
compare plans by that objective computed directly (`planner.objective`); the rebuild's
own search leaves the driving balance out: its soft bound makes a rebuild up to half
again as slow.

Before the first round, and whenever rounds stop finding better plans, a sweep of
ejection chains (`planner.chains`) from the costliest visits looks for the hand-overs
between several teams that rounds rarely find. Rounds that stay stuck for long, a sweep
included, start again from the first plan when there is room for another path as long as
the one before; the best plan found is kept.

Every decision here counts rounds; the clock only stops the rounds early, as a safety
net, when the deadline passes (`Deadline.cut`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from planner.chains import chain_columns, recombine
from planner.objective import route_cost
from planner.routing_data import Deadline, RoutingInput

# Teams rebuilt together in one round, at most.
GROUP_SIZE = 3
# Visits removed from the group's routes before it is rebuilt: between these bounds.
RUIN_MIN, RUIN_MAX = 2, 12
# Unvisited stations offered to a group: the nearest ones to its routes, at most.
CANDIDATES = 60

Routes = list[list[int]]
# The objective of feasible routes on a sub-problem.
CostOf = Callable[[RoutingInput, Routes], int]
# A local search from routes on a sub-problem, within some seconds (a safety net; the
# search itself ends at a local optimum): (objective, routes).
Search = Callable[[RoutingInput, Routes, float], "tuple[int, Routes] | None"]
# Share of rounds built around an unvisited station: the teams passing closest to it lose
# the visits nearest to it. Stations are drawn with odds rising as the cube of their
# prize, so the search keeps asking whether the most valuable stations left out fit.
TARGET_SHARE = 0.3
TARGET_PRIZE_POWER = 3
# Share of rounds built around a costly visit (a long detour for its prize), drawn over
# all teams; the rest start from a random team.
COSTLY_SHARE = 0.25
# Share of rounds in which the first removed visit may not come back in the same round,
# so that the group has to find something else to do with the time it frees: often when
# that visit is a costly one (is its time better spent on two other stations?).
EXCLUDE_SHARE = 0.1
COSTLY_EXCLUDE_SHARE = 0.5
# Rounds in a row without a better plan (per team, and at least) after which the next
# round is preceded by a sweep of ejection chains, once per plan; the first round of a
# path always is.
STALL_ROUNDS_PER_TEAM, STALL_ROUNDS_MIN = 1, 8
# Rounds in a row without a better plan (per team), a sweep included, after which the
# rounds start again from the first plan; the best plan found is kept.
RESTART_ROUNDS_PER_TEAM = 8
RESTART_ROOM = 2
# Ejection chains start at this many of the costliest visits.
CHAIN_ROOTS = 8
# In a chain link that may take stations from other teams, each such station counts for
# this share of its prize: the team takes one only when it pays well, since its owner
# has to make up for it.
TAKEN_WORTH = 0.5


@dataclass(frozen=True)
class SubProblem:
    """A few vehicles of `inp` and the nodes they may visit, renumbered from 0."""

    inp: RoutingInput
    vehicles: tuple[int, ...]  # sub vehicle -> full vehicle
    nodes: np.ndarray  # sub node -> full node

    def to_sub(self, routes: Routes) -> Routes:
        """The sub-problem's vehicles' routes, out of every vehicle's routes."""
        return self.to_sub_routes([routes[v] for v in self.vehicles])

    def to_sub_routes(self, group_routes: Routes) -> Routes:
        """Routes of the sub-problem's vehicles, renumbered."""
        index = {int(n): i for i, n in enumerate(self.nodes)}
        return [[index[n] for n in r] for r in group_routes]

    def to_full(self, sub_routes: Routes) -> Routes:
        return [[int(self.nodes[n]) for n in r] for r in sub_routes]


def restrict(inp: RoutingInput, vehicles: Sequence[int], optional: Sequence[int]) -> SubProblem:
    """The sub-problem of `vehicles` with their depots, mandatory nodes and `optional` nodes."""
    vehicles = tuple(int(v) for v in vehicles)
    wanted: list[int] = []
    for v in vehicles:
        wanted += [int(inp.starts[v]), int(inp.ends[v])]
    wanted += [int(n) for n in np.flatnonzero(np.isin(inp.required_vehicle, vehicles))]
    wanted += [int(n) for n in optional]
    nodes = np.array(list(dict.fromkeys(wanted)), dtype=np.int64)
    index = {int(n): i for i, n in enumerate(nodes)}
    vehicle_index = {v: i for i, v in enumerate(vehicles)}
    required = np.array(
        [vehicle_index.get(int(inp.required_vehicle[n]), -1) for n in nodes], dtype=np.int64
    )
    caps = inp.visit_caps
    sub = replace(
        inp,
        travel=inp.travel[np.ix_(nodes, nodes)],
        service=inp.service[nodes],
        window_open=inp.window_open[nodes],
        window_close=inp.window_close[nodes],
        prize=inp.prize[nodes],
        required_vehicle=required,
        starts=tuple(index[int(inp.starts[v])] for v in vehicles),
        ends=tuple(index[int(inp.ends[v])] for v in vehicles),
        depart_earliest=inp.depart_earliest[list(vehicles)],
        depart_latest=inp.depart_latest[list(vehicles)],
        return_latest=inp.return_latest[list(vehicles)],
        vehicle_max_visits=tuple(caps[v] for v in vehicles),
        vehicle_max_drive=tuple(inp.drive_cap(v) for v in vehicles),
        breaks=tuple(inp.meal(v) for v in vehicles),
        mix_delta=None if inp.mix_delta is None else inp.mix_delta[nodes],
        mix_start=tuple(inp.mix_from(v) for v in vehicles),
    )
    return SubProblem(sub, vehicles, nodes)


def improve(
    inp: RoutingInput,
    routes: Routes,
    cost_of: CostOf,
    search: Search,
    *,
    prize_scale: int,
    rounds: int,
    deadline: Deadline,
    seed: int = 0,
    chains: bool = True,
) -> tuple[Routes, int]:
    """Run `rounds` ruin-and-recreate rounds, unless `deadline` passes first.

    `prize_scale` converts a prize into objective units (what leaving a station out
    costs); `chains`: whether sweeps of ejection chains run between rounds. Returns the
    improved routes and the number of rounds run: fewer than `rounds` only when the
    deadline passed first (it then says so), the one case in which the result depends on
    the machine's speed.
    """
    rng = np.random.default_rng(seed)
    routes = [list(r) for r in routes]
    depots = set(inp.starts) | set(inp.ends)
    pool = [int(n) for n in np.flatnonzero(inp.required_vehicle < 0) if n not in depots]
    stall_limit = max(STALL_ROUNDS_MIN, STALL_ROUNDS_PER_TEAM * inp.num_vehicles)
    restart_limit = RESTART_ROUNDS_PER_TEAM * inp.num_vehicles
    first = [list(r) for r in routes]
    best, best_cost = routes, cost_of(inp, routes)
    done, stalled, swept, sweep_due = 0, 0, False, True
    path_began = last_gain = 0  # rounds: when this path of rounds began, its last gain
    for _ in range(rounds):
        # Long stuck, even after a sweep, with rounds left for another path at least twice
        # as long as this one took to its plan: keep the plan, start again from the first.
        if (
            stalled >= restart_limit
            and (swept or not chains)
            and rounds - done >= RESTART_ROOM * (last_gain - path_began)
        ):
            cost = cost_of(inp, routes)
            if cost < best_cost:
                best, best_cost = routes, cost
            routes, stalled, swept, sweep_due = [list(r) for r in first], 0, False, True
            path_began = last_gain = done
        if chains and (sweep_due or stalled >= stall_limit) and not swept:
            swept, sweep_due = True, False
            better = chain_sweep(inp, routes, pool, cost_of, search, prize_scale, deadline)
            if better is not None:
                routes, stalled, swept, last_gain = better, 0, False, done
        left = deadline.left()
        if left <= 0:
            break
        done += 1
        visited = {n for r in routes for n in r}
        unvisited = np.array([n for n in pool if n not in visited], dtype=np.int64)
        focus, exclude_share = None, EXCLUDE_SHARE
        roll = rng.random()
        if unvisited.size and roll < TARGET_SHARE:
            odds = inp.prize[unvisited].astype(float) ** TARGET_PRIZE_POWER + 1
            focus = int(rng.choice(unvisited, p=odds / odds.sum()))
        elif roll < TARGET_SHARE + COSTLY_SHARE:
            focus = _costly_visit(inp, routes, rng)
            exclude_share = COSTLY_EXCLUDE_SHARE
        if focus is not None:
            group = _group_near(inp, routes, focus, rng)
        else:
            group = _pick_group(inp, routes, rng)
        own = [n for v in group for n in routes[v] if inp.required_vehicle[n] < 0]
        offered = _nearest(inp, unvisited, [n for v in group for n in _path(inp, v, routes)])
        if focus is not None and focus not in own and focus not in offered:
            offered.append(focus)
        # A random node order changes which insertions the local search tries first.
        nodes = [[*own, *offered][i] for i in rng.permutation(len(own) + len(offered))]
        ruined, removed = _ruin(inp, [routes[v] for v in group], rng, focus)
        excluded = set(removed[:1]) if rng.random() < exclude_share else set()

        now = restrict(inp, group, nodes)
        old_cost = cost_of(now.inp, now.to_sub(routes))
        after = restrict(inp, group, [n for n in nodes if n not in excluded]) if excluded else now
        found = search(after.inp, after.to_sub_routes(ruined), left)
        stalled += 1
        if found is None:
            continue
        new_cost = found[0] + prize_scale * sum(int(inp.prize[n]) for n in excluded)
        if new_cost <= old_cost:
            for v, r in zip(group, after.to_full(found[1]), strict=True):
                routes[v] = r
        if new_cost < old_cost:
            stalled, swept, last_gain = 0, False, done
    if cost_of(inp, routes) > best_cost:
        routes = best
    return routes, done


def chain_sweep(
    inp: RoutingInput,
    routes: Routes,
    pool: Sequence[int],
    cost_of: CostOf,
    search: Search,
    prize_scale: int,
    deadline: Deadline,
) -> Routes | None:
    """Routes better than `routes` by ejection chains from the costliest visits, or None.

    `pool` lists the optional stations. When `deadline` passes during the chains, the
    routes they found so far are still recombined.
    """
    optional = set(pool)
    visited = {n for r in routes for n in r if n in optional}

    def team_search(
        v: int, start: list[int], barred: set[int], takes: bool, given_up: set[int], left: float
    ) -> list[int] | None:
        mine = [n for n in start if n in optional]
        theirs = visited - given_up - set(mine)
        others = np.array(
            [n for n in pool if n not in barred and n not in mine and (takes or n not in theirs)],
            dtype=np.int64,
        )
        path = [int(inp.starts[v]), *start, int(inp.ends[v])]
        sub = restrict(inp, [v], [*mine, *_nearest(inp, others, path)])
        if takes:
            owned = np.isin(sub.nodes, list(theirs))
            worth = np.where(owned, np.round(sub.inp.prize * TAKEN_WORTH), sub.inp.prize)
            sub = replace(sub, inp=replace(sub.inp, prize=worth.astype(sub.inp.prize.dtype)))
        found = search(sub.inp, sub.to_sub_routes([start]), left)
        return None if found is None else sub.to_full(found[1])[0]

    roots = [(n, v) for _, n, v in _detours(inp, routes)[:CHAIN_ROOTS]]
    columns = chain_columns(routes, roots, optional, team_search, deadline)

    def cost(v: int, route: list[int]) -> int:
        return route_cost(inp, v, route, prize_scale)

    if not any(columns):
        return None
    better = recombine(routes, columns, inp.prize, optional, cost, prize_scale, deadline)
    return better if cost_of(inp, better) < cost_of(inp, routes) else None


def _path(inp: RoutingInput, v: int, routes: Routes) -> list[int]:
    return [int(inp.starts[v]), *routes[v], int(inp.ends[v])]


def _group_size(inp: RoutingInput, rng: np.random.Generator) -> int:
    return min(inp.num_vehicles, int(rng.integers(2, GROUP_SIZE + 1)))


def _group_near(
    inp: RoutingInput, routes: Routes, focus: int, rng: np.random.Generator
) -> list[int]:
    """The teams whose routes pass closest to node `focus` (there and back)."""
    distance = []
    for v in range(inp.num_vehicles):
        path = _path(inp, v, routes)
        legs = inp.travel[path, focus] + inp.travel[focus, path]
        distance.append((int(legs.min()), v))
    distance.sort()
    return [v for _, v in distance[: _group_size(inp, rng)]]


def _pick_group(inp: RoutingInput, routes: Routes, rng: np.random.Generator) -> list[int]:
    """A random team and the teams whose routes pass closest to its route."""
    count = inp.num_vehicles
    first = int(rng.integers(count))
    size = _group_size(inp, rng)
    if size == count:
        return list(range(count))
    mine = _path(inp, first, routes)
    distance = []
    for v in range(count):
        if v == first:
            continue
        theirs = _path(inp, v, routes)
        legs = inp.travel[np.ix_(mine, theirs)]
        distance.append((float(legs.min(axis=1).mean()), v))
    distance.sort()
    return [first, *(v for _, v in distance[: size - 1])]


def _nearest(inp: RoutingInput, candidates: np.ndarray, around: list[int]) -> list[int]:
    """The `CANDIDATES` nodes among `candidates` closest to any node of `around`."""
    if candidates.size <= CANDIDATES:
        return [int(n) for n in candidates]
    legs = inp.travel[np.ix_(around, candidates)] + inp.travel[np.ix_(candidates, around)].T
    closest = legs.min(axis=0)
    order = np.argsort(closest, kind="stable")[:CANDIDATES]
    return [int(n) for n in candidates[np.sort(order)]]


def _ruin(
    inp: RoutingInput, routes: Routes, rng: np.random.Generator, focus: int | None = None
) -> tuple[Routes, list[int]]:
    """Remove some optional visits: nearest to `focus` (itself first, if visited), near
    one another, in a row, or anywhere.

    Returns the routes without them and the removed visits, the first one drawn first.
    """
    visited = [n for r in routes for n in r if inp.required_vehicle[n] < 0]
    if not visited:
        return [list(r) for r in routes], []
    k = min(len(visited), int(rng.integers(RUIN_MIN, RUIN_MAX + 1)))
    how = rng.random()
    if focus is None and how < 0.4:  # near a random visit
        focus = visited[int(rng.integers(len(visited)))]
    if focus is not None:
        legs = inp.travel[focus, visited] + inp.travel[visited, focus]
        if focus in visited:
            legs[visited.index(focus)] = -1
        removed = [visited[i] for i in np.argsort(legs, kind="stable")[:k]]
    elif how < 0.7:  # a run of consecutive visits in each route
        removed = []
        for r in routes:
            mine = [n for n in r if inp.required_vehicle[n] < 0]
            if mine:
                length = min(len(mine), max(1, k // len(routes)))
                first = int(rng.integers(len(mine) - length + 1))
                removed += mine[first : first + length]
    else:  # anywhere
        removed = [visited[i] for i in rng.choice(len(visited), size=k, replace=False)]
    gone = set(removed)
    return [[n for n in r if n not in gone] for r in routes], removed


def _detours(inp: RoutingInput, routes: Routes) -> list[tuple[float, int, int]]:
    """Every optional visit as (detour per prize, node, vehicle), costliest first.

    The detour is the stay plus the driving the visit adds between its neighbours.
    """
    visits: list[tuple[float, int, int]] = []
    for v in range(inp.num_vehicles):
        path = _path(inp, v, routes)
        for prev, n, nxt in zip(path, path[1:], path[2:], strict=False):
            if inp.required_vehicle[n] >= 0:
                continue
            detour = int(inp.service[n])
            detour += int(inp.travel[prev, n] + inp.travel[n, nxt] - inp.travel[prev, nxt])
            visits.append((detour / max(1, int(inp.prize[n])), n, v))
    visits.sort(reverse=True)
    return visits


def _costly_visit(inp: RoutingInput, routes: Routes, rng: np.random.Generator) -> int | None:
    """An optional visit drawn with a bias to those whose detour costs most per prize."""
    visits = _detours(inp, routes)
    if not visits:
        return None
    # Ropke & Pisinger's randomised worst removal: rank y^3 of the list, y uniform.
    return visits[int(len(visits) * rng.random() ** 3)][1]
