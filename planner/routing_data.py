"""The router's input and answer as plain data: what the solver, its improvement phase,
the schedules and the benchmark share.

Nothing here imports a solver. `planner.routing` builds the OR-Tools model from a
`RoutingInput` and answers with a `RoutingResult`; `SearchParameters` chooses how it
searches (the plan uses the defaults, the benchmark tries others).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# (first-solution strategy, prize scale; None = the real model's), tried in this order.
FIRST_SOLUTIONS: tuple[tuple[str, int | None], ...] = tuple(
    (strategy, scale)
    for scale in (100, 300, None)
    for strategy in ("PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION")
)


@dataclass(frozen=True)
class MealBreak:
    """A break of `duration` seconds that must start within [earliest, latest]."""

    earliest: int
    latest: int
    duration: int


@dataclass(frozen=True)
class RoutingInput:
    """Everything the router needs, as arrays indexed by node and by vehicle.

    Times are seconds from a common reference instant. `travel[i, j]` is the driving time
    from node i to node j; `service[i]` the stay at i; the stay at i starts inside
    `[window_open[i], window_close[i]]`. `prize[i]` is what visiting optional node i is
    worth; `required_vehicle[i]` is -1 for optional nodes and the vehicle that must visit
    a mandatory node. Depot nodes are listed in `starts`/`ends` and carry no prize.
    """

    travel: np.ndarray
    service: np.ndarray
    window_open: np.ndarray
    window_close: np.ndarray
    prize: np.ndarray
    required_vehicle: np.ndarray
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    depart_earliest: np.ndarray
    depart_latest: np.ndarray
    return_latest: np.ndarray
    max_visits: int = 10**6
    # Per-vehicle cap on optional visits; empty means `max_visits` for every vehicle.
    vehicle_max_visits: tuple[int, ...] = ()
    max_drive: int = 10**9
    # Longest time from a vehicle's departure to its return (its day's span).
    max_duty: int = 10**9
    breaks: tuple[MealBreak | None, ...] = ()
    # Optional mix control: +a per group-1 node, -b per group-0 node; soft band at the end,
    # each unit outside it costing `mix_penalty` prize units.
    mix_delta: np.ndarray | None = None
    mix_band: int = 0
    mix_penalty: int = 0
    balance_coefficient: int = 1

    @property
    def visit_caps(self) -> list[int]:
        return list(self.vehicle_max_visits) or [self.max_visits] * self.num_vehicles

    @property
    def num_nodes(self) -> int:
        return len(self.service)

    @property
    def num_vehicles(self) -> int:
        return len(self.starts)

    def meal(self, vehicle: int) -> MealBreak | None:
        """Vehicle `vehicle`'s meal break, if it has one."""
        return self.breaks[vehicle] if vehicle < len(self.breaks) else None


@dataclass(frozen=True)
class RoutingResult:
    """Per vehicle: the visited nodes in order (depots excluded) and when each stay starts."""

    routes: tuple[tuple[int, ...], ...]
    starts: tuple[tuple[int, ...], ...]
    depart_depot: tuple[int, ...]
    travel_total: int
    prize_total: int
    status: str
    stats: dict[str, float] = field(default_factory=dict)
    # A time limit stopped a phase before its work count: the result depends on the clock.
    cut_by_time: bool = False


@dataclass(frozen=True)
class SearchParameters:
    """How the router searches; the defaults are what every plan uses.

    Work limits (improving solutions, rounds, seed) are arguments of `solve_routing`
    itself; these choose the search. Names of strategies, metaheuristics and operators
    are OR-Tools' (`FirstSolutionStrategy`, `LocalSearchMetaheuristic`,
    `local_search_operators`).
    """

    # First solutions tried, each (strategy, prize scale; None = the real model's); the
    # best by prize seeds the search. Empty: the search builds its own with
    # `LOCAL_CHEAPEST_INSERTION`.
    first_solutions: tuple[tuple[str, int | None], ...] = FIRST_SOLUTIONS
    # Without a round count (route mode), the share of the time limit the first solutions
    # may use before the search starts; with counts, every first solution is tried.
    starts_share: float = 0.1
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    # Guided local search's penalty weight; None keeps OR-Tools' default.
    gls_lambda: float | None = None
    # Without a round count, the share of the time limit after which the search hands
    # over to ruin-and-recreate rounds.
    search_share: float = 0.15
    # Local-search operators switched on (True) or off (False).
    operators: tuple[tuple[str, bool], ...] = ()
    # Other scalar fields of OR-Tools' `RoutingSearchParameters`.
    extra: tuple[tuple[str, Any], ...] = ()
    # Each prize unit's weight in the objective; None: above every team's longest day of
    # driving, so coverage strictly comes first.
    prize_scale: int | None = None
    # Wall-clock cap of each of OR-Tools' large-neighbourhood moves; None: the whole time
    # limit, so that the result does not depend on machine load.
    lns_time_limit_s: float | None = None
    # Ruin-and-recreate rounds after the search (`planner.lns`), and the ejection-chain
    # sweeps within them (`planner.chains`).
    rounds: bool = True
    chains: bool = True


# What every plan uses.
DEFAULT_SEARCH = SearchParameters()
