"""Prize-collecting routing on PyVRP, for router inputs it models exactly.

Route mode's problem — optional stations with prizes and windows, each team out of its
start within a departure window and back at its end by a time, a cap on its stops,
groups of alternatives of which one at most is visited (a place on one of its days) — is a
prize-collecting VRP with time windows as PyVRP states it: stations are optional clients
(`prize`), teams are vehicle types (start and end depots, `tw_early`/`start_late`/
`tw_late`, the cap as a capacity with one unit per stop, the driving cap as
`max_distance`, the duty cap as `shift_duration`). A stop mandatory for one team is a
required client that only that team's routing profile reaches: in every other team's,
the legs into and out of it are longer than any day. One prize unit is worth more than
every team's whole day, so the most prize comes first and travel only breaks ties, as in
`planner.routing`. Meal breaks, the urban/rural band and the driving balance stay with
OR-Tools (`supports`); on election day PyVRP may only give the OR-Tools router a start
(`planner.pyvrp_start`).

The search: PyVRP's iterated local search for a count of iterations, every route of
every feasible solution it looks at kept in a pool; then a set-partitioning model
(CP-SAT, one worker) picks the best combination of pooled routes, no station twice. Routes
the search held at different times recombine into a plan it never held: on TOPTW
instances that collects more than the search's own best (bench/README.md). Every limit is
a count (iterations, CP-SAT's deterministic time), so the same input and seed give the
same routes on any machine; the deadline is a safety net that ends the search early and
says so (`RoutingResult.cut_by_time`).

The iterations a time limit stands for (`iterations_for`) come from a reference pace
measured on the benchmark machine (bench/README.md), scaled by the input's size.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from ortools.sat.python import cp_model

from planner.feasibility import Nodes, replay
from planner.routing_data import (
    STATUS_CUT,
    STATUS_DONE,
    Deadline,
    RoutingInput,
    RoutingResult,
)

if TYPE_CHECKING:
    import pyvrp

# The fewest iterations any time limit stands for.
MIN_RUN = 1_000
# The iterations are run in up to `SEGMENTS` segments of at least `MIN_SEGMENT`; after
# each, the set partitioning picks the best plan of the routes seen so far and the search
# goes on from it.
SEGMENTS = 5
MIN_SEGMENT = 500
# Reference pace: iterations per second on one core of the benchmark machine (set
# partitionings included) for one vehicle, and how it falls with more vehicles: the pace
# is `REFERENCE_RATE / (1 - VEHICLE_COST + VEHICLE_COST x vehicles)`. Measured on TOPTW
# instances (48-288 stations, 1-4 vehicles) and on election-day areas in route mode
# (400-600 stations, 6-12 vehicles), where it is slower than the areas' real pace: a
# machine as fast finishes before the time limit (bench/README.md).
REFERENCE_RATE = 2_200.0
VEHICLE_COST = 0.45
# Share of the time limit the iterations stand for: the rest is for building the model,
# the set partitioning and the schedules.
SEARCH_SHARE = 0.9
# CP-SAT's work limit for a set partitioning, in its deterministic seconds per iteration
# of the segment before it (within the bounds): small next to the search on any input.
PARTITION_WORK_PER_ITERATION = 2.5e-4
PARTITION_WORK_BOUNDS = (0.05, 5.0)
# Upper bound of PyVRP's penalty per unit of violation (its native code works in 64 bits).
MAX_PENALTY = 1e12


def supports(inp: RoutingInput) -> bool:
    """Whether PyVRP models `inp` exactly: no meal breaks, no urban/rural band and no
    driving balance. (A stop mandatory for one team is exact: that team's own routing
    profile, in which no other team can reach it.)"""
    return (
        not any(b is not None for b in inp.breaks)
        and inp.mix_delta is None
        and inp.balance_coefficient == 0
    )


def _reference_rate(inp: RoutingInput) -> float:
    """Iterations per second on `inp` at the reference pace (module docstring)."""
    return REFERENCE_RATE / (1 - VEHICLE_COST + VEHICLE_COST * max(1, inp.num_vehicles))


def iterations_for(inp: RoutingInput, time_limit_s: float) -> int:
    """The iterations `time_limit_s` stands for at the reference pace: a count from the
    time limit and the input alone, the same on every machine."""
    return max(MIN_RUN, int(SEARCH_SHARE * time_limit_s * _reference_rate(inp)))


def reference_seconds(inp: RoutingInput, iterations: int) -> float:
    """How long `iterations` take at the reference pace: a search given less time than
    this would be cut by its deadline, not ended by its count."""
    return iterations / _reference_rate(inp)


@dataclass(frozen=True)
class _Encoding:
    """The PyVRP model of an input: which node each client is, which vehicles each type."""

    data: pyvrp.ProblemData
    clients: tuple[int, ...]  # client index -> node
    vehicles: tuple[tuple[int, ...], ...]  # vehicle type -> vehicles, in order
    worth: int  # objective units per prize unit
    groups: tuple[tuple[int, ...], ...] = ()  # client indices of which one at most is visited
    # When stops are mandatory for one team, per vehicle type: the client indices of its
    # only vehicle's own stops, in window order (every mandatory stop is in one of them).
    own: tuple[tuple[int, ...], ...] = ()


def time_unit(inp: RoutingInput) -> int:
    """The largest number of seconds every time of `inp` is a whole multiple of: the
    search works in that unit, so the same instance in another time unit is the same
    search, step for step."""
    values = [
        inp.travel.ravel(),
        inp.service,
        inp.window_open,
        inp.window_close,
        inp.depart_earliest,
        inp.depart_latest,
        inp.return_latest,
        np.array(
            [d for d in (inp.max_drive, *inp.vehicle_max_drive, inp.max_duty) if d < 10**9],
            dtype=np.int64,
        ),
    ]
    unit = int(np.gcd.reduce(np.concatenate([np.asarray(v, dtype=np.int64) for v in values])))
    return max(1, unit)


def _in_unit(inp: RoutingInput) -> RoutingInput:
    unit = time_unit(inp)
    if unit == 1:
        return inp
    return replace(
        inp,
        travel=inp.travel // unit,
        service=inp.service // unit,
        window_open=inp.window_open // unit,
        window_close=inp.window_close // unit,
        depart_earliest=inp.depart_earliest // unit,
        depart_latest=inp.depart_latest // unit,
        return_latest=inp.return_latest // unit,
        max_drive=inp.max_drive // unit if inp.max_drive < 10**9 else inp.max_drive,
        vehicle_max_drive=tuple(d // unit if d < 10**9 else d for d in inp.vehicle_max_drive),
        max_duty=inp.max_duty // unit if inp.max_duty < 10**9 else inp.max_duty,
    )


def _encode(inp: RoutingInput) -> _Encoding:
    from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, VehicleType

    inp = _in_unit(inp)
    depots = sorted(set(inp.starts) | set(inp.ends))
    is_depot = set(depots)
    clients = [n for n in range(inp.num_nodes) if n not in is_depot]
    order = depots + clients
    matrix = np.ascontiguousarray(inp.travel[np.ix_(order, order)], dtype=np.int64)
    caps = inp.visit_caps
    capped = any(c < len(clients) for c in caps)
    # One prize unit outweighs every team's whole day, hence all its travel.
    span = sum(
        max(0, int(inp.return_latest[v]) - int(inp.depart_earliest[v]))
        for v in range(inp.num_vehicles)
    )
    worth = span + 1
    owner = [int(inp.required_vehicle[n]) for n in clients]
    mandatory = any(o >= 0 for o in owner)
    types: dict[tuple[int, ...], list[int]] = {}
    for v in range(inp.num_vehicles):
        key = (
            depots.index(inp.starts[v]),
            depots.index(inp.ends[v]),
            int(inp.depart_earliest[v]),
            int(inp.depart_latest[v]),
            int(inp.return_latest[v]),
            int(min(caps[v], len(clients))),
            min(inp.drive_cap(v), span + 1),
            min(int(inp.max_duty), span + 1),
            v if v in owner else -1,  # a team with stops of its own is a type of its own
        )
        types.setdefault(key, []).append(v)
    vehicle_types = []
    matrices: list[Any] = [matrix]  # profile 0 (no vehicle's when stops are mandatory)
    for k, ((start, end, early, late, back, cap, drive, duty, own), vs) in enumerate(types.items()):
        limits: dict[str, Any] = {}
        if drive <= span:
            limits["max_distance"] = drive
        if duty <= span:
            limits["shift_duration"] = duty
        if mandatory:
            # Legs into and out of other teams' mandatory stops are longer than any day.
            others = [len(depots) + c for c, o in enumerate(owner) if o >= 0 and o != own]
            profile = matrix.copy()
            profile[others, :] = span + 1
            profile[:, others] = span + 1
            np.fill_diagonal(profile, 0)
            matrices.append(profile)
            limits["profile"] = k + 1
        vehicle_types.append(
            VehicleType(
                len(vs),
                capacity=[cap] if capped else [],
                start_depot=start,
                end_depot=end,
                tw_early=early,
                start_late=late,
                tw_late=back,
                **limits,
            )
        )
    client_of = {n: k for k, n in enumerate(clients)}
    groups = [tuple(client_of[n] for n in group) for group in inp.groups if len(group) > 1]
    group_of = {k: g for g, members in enumerate(groups) for k in members}
    data = ProblemData(
        [Location(0, 0) for _ in order],
        [
            Client(
                location=len(depots) + k,
                delivery=[1 if owner[k] < 0 else 0] if capped else [],
                service_duration=int(inp.service[n]),
                tw_early=int(inp.window_open[n]),
                tw_late=int(inp.window_close[n]),
                prize=int(inp.prize[n]) * worth if owner[k] < 0 else 0,
                required=owner[k] >= 0,
                group=group_of.get(k),
            )
            for k, n in enumerate(clients)
        ],
        [Depot(location=k) for k in range(len(depots))],
        vehicle_types,
        matrices,
        matrices,
        groups=[ClientGroup(list(members), required=False) for members in groups],
    )
    own_stops = []
    for vtype in types:
        mine = [c for c, o in enumerate(owner) if o >= 0 and o == vtype[-1]]
        mine.sort(
            key=lambda c: (int(inp.window_open[clients[c]]), int(inp.window_close[clients[c]]))
        )
        own_stops.append(tuple(mine))
    return _Encoding(
        data,
        tuple(clients),
        tuple(tuple(vs) for vs in types.values()),
        worth,
        tuple(groups),
        tuple(own_stops) if mandatory else (),
    )


# A pooled route: (vehicle type, client indices in order) -> (prize units, travel).
_Pool = dict[tuple[int, tuple[int, ...]], tuple[int, int]]


class _RoutePool:
    """Every route of the feasible solutions PyVRP looks at, each once.

    A route is first recognised by numbers PyVRP keeps (type, clients, travel, prize,
    duration, start), which is cheap; only a new one is read stop by stop (two routes
    alike in all those numbers are rare: the second is not pooled, unless `exact`)."""

    def __init__(self, worth: int) -> None:
        self.worth = worth
        self.routes: _Pool = {}
        self.seen: set[tuple[int, ...]] = set()

    def add(self, solution: pyvrp.Solution, *, exact: bool = False) -> None:
        if not solution.is_feasible():
            return
        for route in solution.routes():
            key = (
                route.vehicle_type(),
                route.num_clients(),
                route.distance(),
                route.prizes(),
                route.duration(),
                route.start_time(),
            )
            if key in self.seen and not exact:
                continue
            self.seen.add(key)
            visits = tuple(a.idx for a in route if a.is_client())
            self.routes.setdefault(
                (route.vehicle_type(), visits), (route.prizes() // self.worth, route.distance())
            )


def _routes_of(solution: pyvrp.Solution) -> list[tuple[int, tuple[int, ...]]]:
    return sorted(
        (route.vehicle_type(), tuple(a.idx for a in route if a.is_client()))
        for route in solution.routes()
    )


def solve_pyvrp(
    inp: RoutingInput, *, iterations: int, seed: int, deadline: Deadline
) -> RoutingResult:
    """Collect the most prize, then drive the least, in `iterations` of PyVRP's search and
    set partitionings over its routes (module docstring); `deadline` only stops them
    early. `inp` must be `supports`-ed."""
    import pyvrp
    from pyvrp.IteratedLocalSearch import (
        IteratedLocalSearch,
        IteratedLocalSearchCallbacks,
        IteratedLocalSearchParams,
    )
    from pyvrp.PenaltyManager import PenaltyManager
    from pyvrp.search import LocalSearch, PerturbationManager, compute_neighbours
    from pyvrp.stop import MaxIterations, MultipleCriteria

    if not supports(inp):
        raise ValueError("PyVRP cannot model meal breaks, the mix band or the driving balance")
    began = time.perf_counter()
    enc = _encode(inp)
    data = enc.data
    pool = _RoutePool(enc.worth)

    class Pooling(IteratedLocalSearchCallbacks):
        """Pools the current solution each time the search moves to another."""

        def __init__(self) -> None:
            self.last = None

        def on_iteration(self, current, candidate, best, cost_evaluator):
            if current is not self.last:
                self.last = current
                pool.add(current)

    max_prize = int(inp.prize.max(initial=0))
    params = pyvrp.SolveParams(
        penalty=pyvrp.PenaltyParams(max_penalty=min(MAX_PENALTY, max(1e5, enc.worth * max_prize))),
    )
    # pyvrp.solve's set-up, kept across the segments of the search.
    rng = pyvrp.RandomNumberGenerator(seed=seed % 2**32)
    search = LocalSearch(
        data,
        rng,
        compute_neighbours(data, params.neighbourhood),
        PerturbationManager(params.perturbation),
    )
    for operator in params.operators:
        if operator.supports(data):
            search.add_operator(operator(data))
    penalties = PenaltyManager(params.penalty.midpoint_penalties(data), params.penalty)
    if enc.own:  # each team with only its own mandatory stops: a start in the right place
        start = pyvrp.Solution(
            data,
            [pyvrp.Route(data, list(stops), vtype) for vtype, stops in enumerate(enc.own) if stops],
        )
    else:
        start = pyvrp.Solution.make_random(data, rng)
    current = search(start, penalties.max_cost_evaluator(), exhaustive=True)
    # With one vehicle, a plan is one route and the search's best is the best it saw.
    recombine = inp.num_vehicles > 1
    callbacks = Pooling() if recombine else IteratedLocalSearchCallbacks()
    ils = IteratedLocalSearchParams(callbacks=callbacks)
    done = partitions = 0
    best = current if current.is_feasible() else None
    segments = max(1, min(SEGMENTS, iterations // MIN_SEGMENT)) if recombine else 1
    for k in range(segments):
        if deadline.passed():
            break
        share = iterations // segments + (1 if k < iterations % segments else 0)
        result = IteratedLocalSearch(data, penalties, search, current, ils).run(
            MultipleCriteria([MaxIterations(share), _DeadlineStop(deadline)]),
            collect_stats=False,
        )
        done += result.num_iterations
        current = result.best
        pool.add(current, exact=True)  # the set partitioning starts from it
        if not current.is_feasible():
            continue
        best = current
        if not recombine:
            continue
        # The best plan of the routes seen so far; the search goes on from it.
        held = _routes_of(current)
        low, high = PARTITION_WORK_BOUNDS
        work = min(high, max(low, share * PARTITION_WORK_PER_ITERATION))
        chosen = _partition(pool.routes, held, enc, work, deadline)
        partitions += 1
        if chosen != held:
            current = pyvrp.Solution(
                data,
                [pyvrp.Route(data, list(visits), vtype) for vtype, visits in chosen],
            )
        best = current
    chosen = _routes_of(best) if best is not None else []
    routes: list[list[int]] = [[] for _ in range(inp.num_vehicles)]
    free = [list(vs) for vs in enc.vehicles]
    for vtype, visits in sorted(chosen):
        routes[free[vtype].pop(0)] = [enc.clients[c] for c in visits]
    return _result(
        inp,
        routes,
        deadline,
        {
            "iterations": float(iterations),
            "iterations_done": float(done),
            "pool_routes": float(len(pool.routes)),
            "partitions": float(partitions),
            "wall_s": time.perf_counter() - began,
        },
    )


class _DeadlineStop:
    """PyVRP's stopping criterion for the safety net: true once the deadline passed."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline

    def __call__(self, best_cost: float) -> bool:
        return self.deadline.passed()


def _partition(
    pool: _Pool,
    current: Sequence[tuple[int, tuple[int, ...]]],
    enc: _Encoding,
    work: float,
    deadline: Deadline,
) -> list[tuple[int, tuple[int, ...]]]:
    """The best plan made of pooled routes: each station at most once (and one station of
    a group of alternatives at most), each vehicle type at most its vehicles; never worse
    than `current`, which is one such plan. CP-SAT stops
    at `work` deterministic seconds (or at the deadline)."""
    if not pool:  # no feasible route seen (nothing worth visiting): nothing to recombine
        return list(current)
    columns = sorted(pool)
    longest = max(travel for _, travel in pool.values())
    vehicles = sum(len(vs) for vs in enc.vehicles)
    worth = vehicles * longest + 1  # a prize unit outweighs any plan's travel
    model = cp_model.CpModel()
    chosen = [model.new_bool_var(f"r{k}") for k in range(len(columns))]
    covering: dict[int, list[cp_model.IntVar]] = {}
    by_type: dict[int, list[cp_model.IntVar]] = {}
    # A group of alternatives counts as one station: its clients share a key.
    key_of = {c: -1 - g for g, members in enumerate(enc.groups) for c in members}
    for var, (vtype, visits) in zip(chosen, columns, strict=True):
        by_type.setdefault(vtype, []).append(var)
        for c in dict.fromkeys(key_of.get(c, c) for c in visits):
            covering.setdefault(c, []).append(var)
    required = {c for stops in enc.own for c in stops}
    for c, sharing in covering.items():
        if c in required:  # a mandatory stop: on exactly one chosen route, its team's
            model.add_exactly_one(sharing)
        elif len(sharing) > 1:
            model.add_at_most_one(sharing)
    for vtype, vars_ in by_type.items():
        model.add(sum(vars_) <= len(enc.vehicles[vtype]))
    now = set(current)
    for var, key in zip(chosen, columns, strict=True):
        model.add_hint(var, key in now)
    model.maximize(
        sum(
            (pool[key][0] * worth - pool[key][1]) * var
            for var, key in zip(chosen, columns, strict=True)
        )
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    # CP-SAT's presolve spends the whole work limit on a pool of thousands of routes
    # without a solution; its search alone proves the optimum in a fraction of it.
    solver.parameters.cp_model_presolve = False
    solver.parameters.max_deterministic_time = work
    solver.parameters.max_time_in_seconds = max(0.05, deadline.left())
    status = solver.solve(model)
    if status != cp_model.OPTIMAL and solver.deterministic_time < work:
        deadline.cut = True
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return list(current)
    found = [key for var, key in zip(chosen, columns, strict=True) if solver.boolean_value(var)]

    def value(keys: Sequence[tuple[int, tuple[int, ...]]]) -> tuple[int, int]:
        return sum(pool[k][0] for k in keys), -sum(pool[k][1] for k in keys)

    return found if value(found) > value(current) else list(current)


def _result(
    inp: RoutingInput, routes: list[list[int]], deadline: Deadline, stats: dict[str, float]
) -> RoutingResult:
    """The answer for feasible routes: each team out at its earliest departure, every stay
    as early as it can start."""
    nodes = Nodes.of(inp)
    starts, departs = [], []
    travel = prize = 0
    for v, route in enumerate(routes):
        depart = int(inp.depart_earliest[v])
        timeline = replay(
            nodes,
            route,
            start=inp.starts[v],
            end=inp.ends[v],
            depart=depart,
            return_latest=int(inp.return_latest[v]),
        )
        if not timeline.on_time:
            raise RuntimeError(f"PyVRP returned a late route for vehicle {v}")
        starts.append(timeline.starts)
        departs.append(depart)
        travel += timeline.travel
        prize += int(inp.prize[route].sum()) if route else 0
    return RoutingResult(
        tuple(tuple(r) for r in routes),
        tuple(starts),
        tuple(departs),
        travel,
        prize,
        STATUS_CUT if deadline.cut else STATUS_DONE,
        stats,
        cut_by_time=deadline.cut,
    )
