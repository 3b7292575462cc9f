"""Ejection chains, recombined by set partitioning: the move random rounds rarely make.

Once every team's day is full, collecting more often takes a chain of hand-overs: a team
drops a visit that costs it a long detour, takes over two stations of a neighbour in the
time it frees, and the neighbour spends the time it gets back on a station nobody visits,
or takes one of a third team's. Each link loses prize on its own; only the whole chain
gains. A ruin-and-recreate round would have to rebuild several teams at once and still
get past its local search, which first puts the handed-over stations back where they were.

Here each link is a one-team search: the team may visit any station near its route except
those the chain has taken from it or given to another team. Its new route steals some
stations; each team robbed is the next link, barred from what it lost. A set-partitioning
model (CP-SAT) then picks one route per team among the current ones and every route the
chains produced, no station twice, for the best objective: links that do not pay are left
out, and the result is never worse than the routes it started from.

Both parts end on counts: each link is a local search run to its local optimum, and the
set partitioning stops at a deterministic-time budget on one worker. The deadline only
stops them early.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from ortools.sat.python import cp_model

from planner.routing_data import Deadline

Routes = list[list[int]]
# One team's best route on its own from a start route, barred from some stations, taking
# stations from other teams or only stations nobody visits (or that teams earlier in the
# chain gave up): (vehicle, start route, barred stations, may take from others, given-up
# stations, seconds) -> the route found, or None.
TeamSearch = Callable[[int, list[int], set[int], bool, set[int], float], "list[int] | None"]
# The objective of one team's route on its own (travel and per-team costs, no prizes).
RouteCost = Callable[[int, list[int]], int]

# Links in one chain, at most: the root team and teams robbed in turn.
CHAIN_DEPTH = 3
# CP-SAT's work limit for one recombination, in its deterministic time units (about
# seconds of a reference machine); recombinations usually prove optimality much sooner.
RECOMBINE_WORK = 2.0
# Wall-clock grace for a recombination after the deadline: the chains' routes found so
# far are still worth picking from.
RECOMBINE_GRACE_S = 0.05


def chain_columns(
    routes: Routes,
    roots: Sequence[tuple[int, int]],
    optional: set[int],
    team_search: TeamSearch,
    deadline: Deadline,
) -> list[set[tuple[int, ...]]]:
    """Per team, the routes ejection chains produce, starting at each (visit, team) root.

    The root team is barred from its visit; every later team from the stations it lost
    to the chain. No team may take a station a link of the same chain already took.
    """
    columns: list[set[tuple[int, ...]]] = [set() for _ in routes]
    owner = {n: v for v, r in enumerate(routes) for n in r if n in optional}
    for visit, team in roots:
        frontier = [(team, {visit})]
        taken: set[int] = set()
        given_up: set[int] = set()
        for depth in range(CHAIN_DEPTH):
            robbed: dict[int, set[int]] = {}
            for v, lost in frontier:
                start = [n for n in routes[v] if n not in lost]
                # The chain can end here (the team fills its day with stations nobody
                # visits) or go on (the team takes some of its neighbours' stations).
                for takes in (False, True) if depth + 1 < CHAIN_DEPTH else (False,):
                    left = deadline.left()
                    if left <= 0:
                        return columns
                    route = team_search(v, start, lost | taken, takes, given_up - taken, left)
                    if route is None:
                        continue
                    columns[v].add(tuple(route))
                    if takes:
                        for n in route:
                            if n in optional and owner.get(n, v) != v and n not in given_up:
                                robbed.setdefault(owner[n], set()).add(n)
                        taken |= {n for n in route if n in optional}
                        given_up |= set(start) - set(route)
            frontier = sorted(robbed.items())
            if not frontier:
                break
    return columns


def recombine(
    routes: Routes,
    columns: list[set[tuple[int, ...]]],
    prize: np.ndarray,
    optional: set[int],
    route_cost: RouteCost,
    prize_scale: int,
    deadline: Deadline,
) -> Routes:
    """One route per team, among `routes` and `columns`, no optional station twice, that
    collects the most prize at the least cost: never worse than `routes`.

    Stops at `RECOMBINE_WORK` deterministic seconds, or shortly after `deadline`."""
    model = cp_model.CpModel()
    choices: list[list[tuple[cp_model.IntVar, tuple[int, ...]]]] = []
    covering: dict[int, list[cp_model.IntVar]] = {}
    gains = []
    for v, current in enumerate(routes):
        mine: list[tuple[cp_model.IntVar, tuple[int, ...]]] = []
        for route in dict.fromkeys([tuple(current), *sorted(columns[v])]):
            chosen = model.new_bool_var(f"team{v}_{len(mine)}")
            mine.append((chosen, route))
            collected = sum(int(prize[n]) for n in route if n in optional)
            gains.append((collected * prize_scale - route_cost(v, list(route))) * chosen)
            for n in route:
                if n in optional:
                    covering.setdefault(n, []).append(chosen)
        model.add_exactly_one(var for var, _ in mine)
        # The current routes are a solution: start the search there.
        model.add_hint(mine[0][0], True)
        choices.append(mine)
    for sharing in covering.values():
        model.add_at_most_one(sharing)
    model.maximize(sum(gains))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = RECOMBINE_WORK
    solver.parameters.max_time_in_seconds = max(RECOMBINE_GRACE_S, deadline.left())
    status = solver.solve(model)
    if status != cp_model.OPTIMAL and solver.deterministic_time < RECOMBINE_WORK:
        deadline.cut = True  # the clock, not the work limit, ended the search
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [list(r) for r in routes]
    return [
        next(list(route) for chosen, route in mine if solver.boolean_value(chosen))
        for mine in choices
    ]
