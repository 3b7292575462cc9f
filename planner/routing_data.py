"""The router's input and answer as plain data: what the solver, its improvement phase,
the schedules and the benchmark share.

Nothing here imports a solver. `planner.routing` builds the OR-Tools model from a
`RoutingInput` and answers with a `RoutingResult`; `SearchParameters` chooses how it
searches (the plan uses the defaults, the benchmark tries others).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# First solutions, tried in this order: (first-solution strategy, drop factor). A start
# model's drop penalty for a node is `factor x mean leg x prize / mean prize` (rounded per
# node): leaving out an average station costs `factor` average legs, whatever the time
# unit, so parallel cheapest insertion weighs travel while inserting. None: the real
# model's penalty, above any team's day of driving. (Local cheapest insertion gives the
# same routes at every penalty: it runs once.) When time allows fewer, the first ones.
FIRST_SOLUTIONS: tuple[tuple[str, float | None], ...] = (
    *(("PARALLEL_CHEAPEST_INSERTION", factor) for factor in (3.0, 1.0, 5.0, 10.0, None)),
    ("LOCAL_CHEAPEST_INSERTION", None),
)

# How a search ended, in words (`RoutingResult.status`).
STATUS_DONE = "searched to its work limit"
STATUS_CUT = "stopped by the time limit"
STATUS_NONE = "no plan found"


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
    # Per-vehicle cap on driving; empty means `max_drive` for every vehicle (a re-plan
    # from a time of day leaves each team what its kept stops have not driven).
    vehicle_max_drive: tuple[int, ...] = ()
    # Longest time from a vehicle's departure to its return (its day's span).
    max_duty: int = 10**9
    breaks: tuple[MealBreak | None, ...] = ()
    # Optional mix control: +a per group-1 node, -b per group-0 node; soft band at the end,
    # each unit outside it costing `mix_penalty` prize units.
    mix_delta: np.ndarray | None = None
    mix_band: int = 0
    mix_penalty: int = 0
    # Per vehicle, where its mix starts: the visits that stay in a re-plan (its own made
    # before the re-plan's time, its share of the kept teams'); empty means 0.
    mix_start: tuple[int, ...] = ()
    balance_coefficient: int = 1
    # Alternatives: nodes of which at most one is visited (route mode: one place open on
    # several days, a node per day). Modelled by `planner.pyvrp_router` only.
    groups: tuple[tuple[int, ...], ...] = ()

    @property
    def visit_caps(self) -> list[int]:
        return list(self.vehicle_max_visits) or [self.max_visits] * self.num_vehicles

    @property
    def num_nodes(self) -> int:
        return len(self.service)

    @property
    def num_vehicles(self) -> int:
        return len(self.starts)

    def drive_cap(self, vehicle: int) -> int:
        """Vehicle `vehicle`'s cap on driving."""
        if vehicle < len(self.vehicle_max_drive):
            return int(self.vehicle_max_drive[vehicle])
        return int(self.max_drive)

    def mix_from(self, vehicle: int) -> int:
        """Where vehicle `vehicle`'s urban/rural mix starts (`mix_start`)."""
        return int(self.mix_start[vehicle]) if vehicle < len(self.mix_start) else 0

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
    # Whether the time limit, not a count of work, ended some phase of the search: then
    # the same input and seed may give another plan on another machine or under load.
    cut_by_time: bool = False


class Deadline:
    """The time limit behind every count of work: an instant on `time.perf_counter`'s
    clock. Searches stop early only when it passes, and record that it did (`cut`)."""

    def __init__(self, seconds: float, *, at: float | None = None) -> None:
        self.at = (time.perf_counter() if at is None else at) + seconds
        self.cut = False

    def left(self) -> float:
        """Seconds left; marks the deadline as having cut when none are."""
        left = self.at - time.perf_counter()
        if left <= 0:
            self.cut = True
        return left

    def passed(self) -> bool:
        return self.left() <= 0


@dataclass(frozen=True)
class SearchParameters:
    """How the router searches; the defaults are what every plan uses.

    Work limits (improving solutions, rounds, seed) are arguments of `solve_routing`
    itself; these choose the search. Names of strategies, metaheuristics and operators
    are OR-Tools' (`FirstSolutionStrategy`, `LocalSearchMetaheuristic`,
    `local_search_operators`). Nothing here is a wall-clock limit: every search stops on
    counts, so the same input and seed give the same plan on any machine.
    """

    # First solutions tried, each (strategy, drop factor; None = the real model's, see
    # `FIRST_SOLUTIONS`); the best by prize seeds the search. Empty: the search builds
    # its own with `LOCAL_CHEAPEST_INSERTION`.
    first_solutions: tuple[tuple[str, float | None], ...] = FIRST_SOLUTIONS
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    # Guided local search's penalty weight; None keeps OR-Tools' default.
    gls_lambda: float | None = None
    # Local-search operators switched on (True) or off (False).
    operators: tuple[tuple[str, bool], ...] = ()
    # Other scalar fields of OR-Tools' `RoutingSearchParameters`.
    extra: tuple[tuple[str, Any], ...] = ()
    # Each prize unit's weight in the objective; None: above every team's longest day of
    # driving, so coverage strictly comes first.
    prize_scale: int | None = None
    # Ruin-and-recreate rounds after the search (`planner.lns`), and the ejection-chain
    # sweeps within them (`planner.chains`).
    rounds: bool = True
    chains: bool = True
    # Share of a time limit given to PyVRP's search on the relaxation of the input, whose
    # routes, fitted to their meal breaks, are one more first solution
    # (`planner.pyvrp_start`); 0: none. Used when the counts come from the time limit
    # (a plan's come from `planner.search_work`). 0.6: the best of 0.3, 0.6 and 0.8 on
    # the benchmark's election-day areas at 5 s and 30 s (bench/README.md).
    pyvrp_share: float = 0.6


# What every plan uses.
DEFAULT_SEARCH = SearchParameters()
