"""Closed roads: a variant of a roads directory in which some road stretches cannot be
driven.

A closure is given as coordinates along the closed stretch (at least its two ends, plus
points on any bend that the fastest route between them would not follow). The stretch is
matched to the road network with OSRM's Route service on the open network; every OSM
segment (pair of consecutive OSM nodes) it runs over is closed in both directions by
setting its speed to 0 in an OSRM segment-speed file, and `osrm-customize` re-weights
the copy. That takes seconds on the multi-level Dijkstra data, so an area can be
re-planned right after a closure is reported.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from planner.roads import engine
from planner.roads.build import BUILD_LOG
from planner.roads.dataset import (
    OSRM_BASE,
    ClosureRecord,
    RoadsError,
    RoadsInfo,
    read_roads,
    staged_directory,
    write_info,
)
from planner.roads.tools import run_tool

SPEEDS_FILE = "closures.csv"
CLOSURES_LOG = "closures.log"
# How far a closure's point may be from a road and still be taken as on it.
MATCH_RADIUS_M = 150.0


@dataclass(frozen=True, slots=True)
class ClosedRoad:
    """A closed stretch of road: (lon, lat) points along it, first to last."""

    points: tuple[tuple[float, float], ...]
    note: str = ""
    ref: str = ""

    def __post_init__(self) -> None:
        if len(self.points) < 2:
            raise ValueError("a closed road needs at least two points along it")
        for lon, lat in self.points:
            if not (math.isfinite(lon) and math.isfinite(lat)):
                raise ValueError(f"closed road point ({lon}, {lat}) is not a number")
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError(
                    f"closed road point ({lon}, {lat}) is not a position (lon, lat order)"
                )


@dataclass(frozen=True)
class ClosureResult:
    info: RoadsInfo
    segments: tuple[int, ...]  # OSM segments closed, per closure
    seconds: float


def closures_digest(closures: Sequence[ClosedRoad]) -> str:
    """A short stable name for a set of closures (order does not matter), for caching
    closed variants next to the roads directory they come from."""
    points = sorted(json.dumps([list(p) for p in c.points]) for c in closures)
    return hashlib.sha256("\n".join(points).encode()).hexdigest()[:16]


def match_closure(roads_dir: Path, closure: ClosedRoad) -> list[tuple[int, int]]:
    """The OSM segments (node id pairs, in driving order) the closed stretch runs over."""
    found = engine.route(roads_dir, closure.points, nodes=True)
    where = closure.ref or f"from {closure.points[0]} to {closure.points[-1]}"
    if found is None:
        raise RoadsError(f"closed road {where}: no road connects its points")
    for point, waypoint in zip(closure.points, found.waypoints, strict=True):
        if waypoint.distance_m > MATCH_RADIUS_M:
            raise RoadsError(
                f"closed road {where}: point {point} is {waypoint.distance_m:.0f} m from the "
                f"nearest road (at most {MATCH_RADIUS_M:.0f} m)"
            )
    segments = {(a, b): None for leg in found.nodes for a, b in pairwise(leg) if a != b}
    return list(segments)


def close_roads(roads_dir: Path, closures: Sequence[ClosedRoad], out: Path) -> ClosureResult:
    """Write to `out` a copy of the roads directory with the closed roads undrivable."""
    started = time.perf_counter()
    base = read_roads(roads_dir)
    if base.closures:
        raise RoadsError(
            f"{roads_dir}: already has closed roads; close roads on the directory it was made "
            f"from ({base.closed_from}), all closures at once"
        )
    if not closures:
        raise ValueError("no closed roads given")
    matched = [match_closure(base.directory, c) for c in closures]
    with staged_directory(Path(out)) as stage:
        for name in base.files:
            if name != BUILD_LOG:
                shutil.copy2(base.directory / name, stage / name)
        lines = []
        for segments in matched:
            for a, b in segments:
                lines += [f"{a},{b},0", f"{b},{a},0"]
        (stage / SPEEDS_FILE).write_text("\n".join(dict.fromkeys(lines)) + "\n", "utf-8")
        log = stage / CLOSURES_LOG
        run_tool(
            "customize",
            [OSRM_BASE, "--segment-speed-file", SPEEDS_FILE],
            cwd=stage,
            log=log,
        )
        used = re.findall(
            r"Used (\d+) speeds from .*" + re.escape(SPEEDS_FILE), log.read_text("utf-8")
        )
        if not used or int(used[-1]) == 0:
            raise RoadsError(f"osrm-customize closed no road segment (see {CLOSURES_LOG})")
        info = replace(
            base,
            directory=Path(out).absolute(),
            files=tuple(sorted(p.name for p in stage.iterdir())),
            closures=tuple(
                ClosureRecord(c.points, c.note, c.ref, len(s))
                for c, s in zip(closures, matched, strict=True)
            ),
            closed_from=str(base.directory),
            built_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            build_seconds=round(time.perf_counter() - started, 2),
        )
        write_info(replace(info, directory=stage))
    return ClosureResult(info, tuple(len(s) for s in matched), time.perf_counter() - started)
