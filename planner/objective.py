"""The router's objective for given routes, computed without a solver.

The same sums OR-Tools minimises (`planner.routing` builds the model): per team, its
travel, the driving balance's soft bound and the urban/rural band; over the whole plan,
the prize of every optional station left out. Everything but that last term is a cost
of one route on its own, which is what lets ruin-and-recreate rounds and set
partitioning compare plans team by team.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from planner.routing_data import RoutingInput

# Share of the hard driving cap above which each second of driving costs extra.
BALANCE_SHARE = 0.6


def route_cost(inp: RoutingInput, vehicle: int, route: Sequence[int], prize_scale: int) -> int:
    """What vehicle `vehicle` driving `route` (depots excluded) adds to the objective,
    prizes aside."""
    path = [int(inp.starts[vehicle]), *route, int(inp.ends[vehicle])]
    drive = int(inp.travel[path[:-1], path[1:]].sum())
    cost = drive
    if inp.balance_coefficient > 0:
        cost += inp.balance_coefficient * max(0, drive - int(inp.max_drive * BALANCE_SHARE))
    if inp.mix_delta is not None:
        mix = inp.mix_from(vehicle) + (int(inp.mix_delta[list(route)].sum()) if route else 0)
        cost += inp.mix_penalty * prize_scale * max(0, abs(mix) - inp.mix_band)
    return cost


def objective(inp: RoutingInput, routes: Sequence[Sequence[int]], prize_scale: int) -> int:
    """The model's objective for feasible routes: every route's cost plus, for each
    optional node left out, its prize in objective units."""
    total = sum(route_cost(inp, v, route, prize_scale) for v, route in enumerate(routes))
    visited = {int(n) for route in routes for n in route}
    depots = set(inp.starts) | set(inp.ends)
    for node in np.flatnonzero(inp.required_vehicle < 0):
        if int(node) not in visited and int(node) not in depots:
            total += int(inp.prize[node]) * prize_scale
    return total
