"""Router inputs small enough to reason about: points on a plane, travel the Euclidean
distance in seconds, and the checks every routing result must pass."""

from __future__ import annotations

import numpy as np

from planner.routing import solve_routing
from planner.routing_data import RoutingInput, RoutingResult

HOUR = 3600
BIG = 10**7


def make_input(
    points: list[tuple[float, float]],
    *,
    vehicles: int = 1,
    service: list[int] | None = None,
    windows: list[tuple[int, int]] | None = None,
    prize: list[int] | None = None,
    required: list[int] | None = None,
    depart: tuple[int, int] = (0, 0),
    return_latest: int = BIG,
    **kw,
) -> RoutingInput:
    """Nodes 0..vehicles-1 are depots; travel is Euclidean distance in seconds, rounded."""
    pts = np.array(points, dtype=float)
    travel = np.rint(np.linalg.norm(pts[:, None, :] - pts[None, :, :], axis=2)).astype(np.int64)
    n = len(points)
    windows = windows or [(0, BIG)] * n
    return RoutingInput(
        travel=travel,
        service=np.array(service or [0] * n, dtype=np.int64),
        window_open=np.array([w[0] for w in windows], dtype=np.int64),
        window_close=np.array([w[1] for w in windows], dtype=np.int64),
        prize=np.array(prize or [0] * vehicles + [10] * (n - vehicles), dtype=np.int64),
        required_vehicle=np.array(required or [-1] * n, dtype=np.int64),
        starts=tuple(range(vehicles)),
        ends=tuple(range(vehicles)),
        depart_earliest=np.full(vehicles, depart[0], dtype=np.int64),
        depart_latest=np.full(vehicles, depart[1], dtype=np.int64),
        return_latest=np.full(vehicles, return_latest, dtype=np.int64),
        **kw,
    )


def solve(inp: RoutingInput, limit: float = 0.3) -> RoutingResult:
    return solve_routing(inp, time_limit_s=limit)


def assert_schedule_feasible(inp: RoutingInput, res: RoutingResult) -> None:
    """Every visit starts inside its window, after the previous stay and the drive."""
    for v, (route, starts) in enumerate(zip(res.routes, res.starts, strict=True)):
        prev, ready = inp.starts[v], res.depart_depot[v]
        assert inp.depart_earliest[v] <= ready <= inp.depart_latest[v]
        for node, start in zip(route, starts, strict=True):
            assert inp.window_open[node] <= start <= inp.window_close[node]
            assert start >= ready + inp.travel[prev, node]
            prev, ready = node, start + inp.service[node]
        assert ready + inp.travel[prev, inp.ends[v]] <= inp.return_latest[v]
