"""Starting routes for the election-day router from PyVRP's search on a relaxation.

PyVRP's iterated local search (with the set partitioning of `planner.pyvrp_router`)
collects more prize than OR-Tools' insertion heuristics and guided local search in the
same time, but it cannot model the meal break, the urban/rural band or the driving
balance. So it solves the relaxation without them, each team's meal folded into its
opening stay (`relaxation`); a route that still has no room for its meal gives up voting
visits, least prize first (`fit_meals`); and the OR-Tools model, which holds every rule,
takes the routes as one of its first solutions and searches on from the best
(`planner.routing.solve_routing`).
"""

from __future__ import annotations

from dataclasses import replace

from planner.feasibility import replay_vehicle
from planner.pyvrp_router import solve_pyvrp
from planner.routing_data import Deadline, RoutingInput


def relaxation(inp: RoutingInput) -> RoutingInput:
    """`inp` without what PyVRP cannot model: the urban/rural band, the driving balance
    and meal breaks (every other rule stays, mandatory stops included). A team's meal
    becomes a longer stay at its first own stop when that stop ends before the meal may
    start (the opening): the day then holds as many visits as with the meal, and the
    routes need few changes to fit it."""
    service = inp.service.copy()
    for v in range(inp.num_vehicles):
        meal = inp.meal(v)
        own = [int(n) for n in (inp.required_vehicle == v).nonzero()[0]]
        if meal is None or not own:
            continue
        first = min(own, key=lambda n: (int(inp.window_open[n]), n))
        if int(inp.window_close[first]) + int(service[first]) <= meal.earliest:
            service[first] += meal.duration
    return replace(
        inp,
        service=service,
        breaks=(),
        mix_delta=None,
        mix_band=0,
        mix_penalty=0,
        balance_coefficient=0,
    )


def fit_meals(inp: RoutingInput, routes: list[list[int]]) -> list[list[int]]:
    """Each route with the fewest voting visits given up, least prize first (the last
    such when prizes tie), for its meal break to fit and every stay to be on time. A
    route whose own mandatory stops cannot fit stays as it is (the router rejects it)."""
    fitted = []
    for v, route in enumerate(routes):
        route = list(route)
        while not replay_vehicle(inp, v, route).on_time:
            optional = [i for i, n in enumerate(route) if inp.required_vehicle[n] < 0]
            if not optional:
                break
            # The single removal that fits, cheapest first; else drop the cheapest and go on.
            order = sorted(optional, key=lambda i: (int(inp.prize[route[i]]), -i))
            for i in order:
                trial = route[:i] + route[i + 1 :]
                if replay_vehicle(inp, v, trial).on_time:
                    route = trial
                    break
            else:
                del route[order[0]]
        fitted.append(route)
    return fitted


def pyvrp_start(
    inp: RoutingInput, iterations: int, *, seed: int, deadline: Deadline
) -> list[list[int]] | None:
    """Routes for `inp` from `iterations` of PyVRP's search on its relaxation (a count:
    the same routes on any machine), each fitted to its meal break; None when the search
    found no feasible plan."""
    try:
        found = solve_pyvrp(relaxation(inp), iterations=iterations, seed=seed, deadline=deadline)
    except RuntimeError:  # a route PyVRP found late on replay: no start, the others remain
        return None
    if not any(found.routes) and (inp.required_vehicle >= 0).any():
        return None
    return fit_meals(inp, [list(r) for r in found.routes])
