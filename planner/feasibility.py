"""A route replayed on a travel matrix: when each stay starts, how late, and when back.

The one timing model of a route, shared by route mode's schedules and checker, the
election day's schedules, the benchmark's scorer and the tests. A team leaves its start
at `depart`, drives each leg, waits when it arrives before a stay's window opens, stays
`service` seconds (and, where `leave_not_before` says so, until a given instant), and
drives on; nothing is skipped, so a missed window shows as lateness, not as a gap.

An optional meal break (`MealBreak`: a start in [earliest, latest] and a duration) is
taken in one gap between two consecutive stops (the first gap leaves the start, the last
reaches the end). It may split the drive and use waiting time, as the router's break
does: in a gap left at `t` with a leg of `d`, it is possible when `t <= latest`, and the
team is ready for the next stay at `max(t + d, earliest) + duration`. Of the possible
gaps, the replay takes the one that keeps the stays earliest: on time first, then each
stay in turn as early as it can be, then the earliest return, then the earliest gap.

Rounding: there is none here. Every time is whole seconds from the caller's reference
instant, as the routers' are (OR-Tools and PyVRP work in integers): travel models round
each leg to the nearest second, and route mode puts its inputs on its time grid (exact
seconds, or whole minutes) before anything is solved (`planner.route.problem`). Only
election-day files round: they show times truncated to the minute (ISO 8601 `HH:MM`
with the zone's offset) and travel rounded to the nearest minute, so its checker allows
one minute; route mode writes times at its grid's precision and its checker allows none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner.routing_data import MealBreak, RoutingInput


@dataclass(frozen=True)
class Nodes:
    """Per node: travel to every node, the stay and the window its start must fall in.

    `leave_not_before[i]`, when given, is an instant before which the team does not leave
    node i whatever its stay (a TEC's tabulation lasts until a clock time); a value below
    0 means no such instant.
    """

    travel: np.ndarray
    service: np.ndarray
    window_open: np.ndarray
    window_close: np.ndarray
    leave_not_before: np.ndarray | None = None

    @classmethod
    def of(cls, inp: RoutingInput) -> Nodes:
        """The nodes of a router's input."""
        return cls(inp.travel, inp.service, inp.window_open, inp.window_close)


@dataclass(frozen=True, slots=True)
class StopTiming:
    """One stay of a replayed route, in seconds from the reference instant."""

    node: int
    arrive: int  # at the door, after the leg (and a break taken on the way)
    start: int  # the stay starts: `arrive`, or the window's opening if later
    depart: int  # the team drives on
    late: int  # how long after the window's close the stay starts (0 when on time)

    @property
    def wait(self) -> int:
        return self.start - self.arrive


@dataclass(frozen=True)
class Timeline:
    """A replayed route: departure, every stay, the return and what was missed."""

    depart: int
    stops: tuple[StopTiming, ...]
    back: int
    return_late: int  # how long after its latest return the team is back (0 when on time)
    travel: int
    # The break: the gap it is taken in (k: before stop k; len(stops): before the return)
    # and when it starts; None when none was asked for or none is possible.
    meal_gap: int | None = None
    meal_start: int | None = None
    meal_missed: bool = False

    @property
    def late(self) -> int:
        """Total lateness of the stays and the return."""
        return sum(s.late for s in self.stops) + self.return_late

    @property
    def on_time(self) -> bool:
        return self.late == 0 and not self.meal_missed

    @property
    def starts(self) -> tuple[int, ...]:
        return tuple(s.start for s in self.stops)


def replay(
    nodes: Nodes,
    route: Sequence[int],
    *,
    start: int,
    end: int,
    depart: int,
    return_latest: int,
    meal: MealBreak | None = None,
) -> Timeline:
    """Replay `route` (nodes, depots excluded) from depot `start` at `depart` to `end`.

    With a `meal`, the break goes in the gap that keeps the stays earliest (module
    docstring); `meal_missed` when no gap can hold it.
    """
    route = [int(n) for n in route]
    if meal is None:
        return _replay(nodes, route, start, end, depart, return_latest, None, None)
    best: tuple[tuple[int, tuple[int, ...], int, int], Timeline] | None = None
    for gap in range(len(route) + 1):
        timeline = _replay(nodes, route, start, end, depart, return_latest, meal, gap)
        if timeline.meal_missed:
            continue
        key = (timeline.late, timeline.starts, timeline.back, gap)
        if best is None or key < best[0]:
            best = (key, timeline)
    if best is not None:
        return best[1]
    plain = _replay(nodes, route, start, end, depart, return_latest, None, None)
    return Timeline(
        plain.depart, plain.stops, plain.back, plain.return_late, plain.travel, meal_missed=True
    )


def _replay(
    nodes: Nodes,
    route: list[int],
    start: int,
    end: int,
    depart: int,
    return_latest: int,
    meal: MealBreak | None,
    meal_gap: int | None,
) -> Timeline:
    travel = nodes.travel
    t, prev, total = int(depart), int(start), 0
    meal_start: int | None = None
    stops: list[StopTiming] = []
    for k, node in enumerate([*route, int(end)]):
        leg = int(travel[prev, node])
        total += leg
        if meal is not None and k == meal_gap:
            if t > meal.latest or meal.earliest > meal.latest:
                return Timeline(depart, (), t, 0, 0, meal_gap, None, meal_missed=True)
            # Drive as far as the break allows, break, drive the rest.
            meal_start = min(max(t + leg, meal.earliest), meal.latest)
            arrive = max(t + leg, meal.earliest) + meal.duration
        else:
            arrive = t + leg
        if k == len(route):
            back = arrive
            return Timeline(
                int(depart),
                tuple(stops),
                back,
                max(0, back - int(return_latest)),
                total,
                meal_gap if meal is not None else None,
                meal_start,
            )
        begin = max(arrive, int(nodes.window_open[node]))
        leave = begin + int(nodes.service[node])
        if nodes.leave_not_before is not None:
            leave = max(leave, int(nodes.leave_not_before[node]))
        late = max(0, begin - int(nodes.window_close[node]))
        stops.append(StopTiming(node, arrive, begin, leave, late))
        t, prev = leave, node
    raise AssertionError("unreachable: the loop returns at the end depot")


def replay_vehicle(
    inp: RoutingInput, vehicle: int, route: Sequence[int], *, depart: int | None = None
) -> Timeline:
    """Replay vehicle `vehicle`'s `route` on the router's input, leaving at `depart`
    (default: its earliest departure), with its meal break if it has one."""
    return replay(
        Nodes.of(inp),
        route,
        start=int(inp.starts[vehicle]),
        end=int(inp.ends[vehicle]),
        depart=int(inp.depart_earliest[vehicle]) if depart is None else depart,
        return_latest=int(inp.return_latest[vehicle]),
        meal=inp.meal(vehicle),
    )


def latest_departure(
    nodes: Nodes,
    route: Sequence[int],
    *,
    start: int,
    end: int,
    earliest: int,
    latest: int,
    return_latest: int,
    meal: MealBreak | None = None,
) -> int:
    """The latest departure in [earliest, latest] that is back as early as leaving at
    `earliest`, on time: no idle wait before the first stay, no later return.

    The route must be on time when leaving at `earliest`. Leaving later never makes a
    stay or the return earlier, so the departures that qualify form an interval: a
    binary search over whole seconds finds its end.
    """

    def timeline(depart: int) -> Timeline:
        return replay(
            nodes, route, start=start, end=end, depart=depart,
            return_latest=return_latest, meal=meal,
        )  # fmt: skip

    first = timeline(earliest)
    if not first.on_time:
        raise ValueError("the route is not on time even when leaving at the earliest departure")
    low, high = int(earliest), max(int(earliest), int(latest))
    while low < high:
        mid = (low + high + 1) // 2
        later = timeline(mid)
        if later.on_time and later.back <= first.back:
            low = mid
        else:
            high = mid - 1
    return low
