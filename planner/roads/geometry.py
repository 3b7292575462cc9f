"""Route lines on roads, for drawing a team's route on the map and in exports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from planner.roads import engine
from planner.travel import Place


@dataclass(frozen=True, slots=True)
class RouteLine:
    """The road polyline through places in order ((lon, lat) points), its length, and the
    free-flow driving time of each leg (uncalibrated: for drawing, not for scheduling)."""

    coordinates: tuple[tuple[float, float], ...]
    distance_m: float
    legs_m: tuple[float, ...]
    legs_free_flow_s: tuple[float, ...]


def route_line(roads_dir: Path, places: Sequence[Place], *, max_snap_m: float) -> RouteLine | None:
    """The road line through `places`, or None when a place is farther than `max_snap_m`
    from any road or no road joins them (draw a straight line then, labelled as such)."""
    if len(places) < 2:
        return None
    found = engine.route(roads_dir, [(p.lon, p.lat) for p in places])
    if found is None or any(w.distance_m > max_snap_m for w in found.waypoints):
        return None
    return RouteLine(
        coordinates=found.line,
        distance_m=found.distance_m,
        legs_m=tuple(m for m, _ in found.legs),
        legs_free_flow_s=tuple(s for _, s in found.legs),
    )
