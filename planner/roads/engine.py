"""The OSRM engine, opened lazily once per process, and plain-data wrappers of its
Table and Route services.

Travel models are pickled into worker processes, so they hold only a directory path; the
engine (memory-mapped graph files) is opened on first use in each process and kept for
the life of that process. A forked child never reuses its parent's engine.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from planner.roads.dataset import META_FILE, OSRM_BASE, RoadsError, read_roads

Coordinate = tuple[float, float]  # (lon, lat)

_ENGINES: dict[tuple[int, str, int], Any] = {}
_ANCHORS: dict[tuple[int, str, int], Coordinate] = {}
# Raw tables are reused: a plan asks for the same places by day and by night.
_TABLES: OrderedDict[tuple[Any, ...], RawTable] = OrderedDict()
_TABLE_CACHE_SIZE = 4


def _key(directory: Path) -> tuple[int, str, int]:
    """This process, the directory, and when its metadata was written: a directory
    rebuilt or re-closed in place is opened afresh."""
    try:
        stamp = (directory / META_FILE).stat().st_mtime_ns
    except OSError:
        stamp = -1
    return (os.getpid(), str(directory), stamp)


def engine(directory: Path) -> Any:
    """The `osrm.OSRM` engine of a roads directory in this process."""
    import osrm

    directory = Path(directory).absolute()
    key = _key(directory)
    found = _ENGINES.get(key)
    if found is None:
        info = read_roads(directory)
        try:
            found = osrm.OSRM(
                algorithm=info.algorithm,
                storage_config=str(directory / OSRM_BASE),
                use_shared_memory=False,
            )
        except RuntimeError as exc:
            raise RoadsError(f"{directory}: OSRM cannot open the road data: {exc}") from exc
        # A stale engine of this directory in this process goes; a parent's stays untouched.
        for old in [k for k in _ENGINES if k[:2] == key[:2]]:
            del _ENGINES[old]
        _ENGINES[key] = found
    return found


def anchor(directory: Path) -> Coordinate:
    """A point on the main road network of a roads directory, found once per process.

    OSRM snaps a coordinate to a small disconnected piece of road (a "tiny component":
    a car park, a badly joined way) only when every coordinate of the request lies on
    that same piece; otherwise it snaps all of them to the main network. So one place's
    snapping, and its times, would depend on which other places are asked about with
    it: a pair on a car park would be 0 s apart alone and far apart in an area's table.
    Every table request carries this anchor (not as a source or destination), so each
    place is always snapped to the main network, whatever else is asked."""
    import osrm

    directory = Path(directory).absolute()
    key = _key(directory)
    if key not in _ANCHORS:
        lon0, lat0, lon1, lat1 = read_roads(directory).bbox
        # Probes spread over the extract snap to different pieces, hence to the main one.
        probes = [
            (lon0 + (lon1 - lon0) * i / 4, lat0 + (lat1 - lat0) * j / 4)
            for i in range(1, 4)
            for j in range(1, 4)
        ]
        params = osrm.TableParameters(
            coordinates=probes, sources=[0], destinations=[0], generate_hints=False
        )
        try:
            result = engine(directory).Table(params)
        except RuntimeError as exc:
            raise RoadsError(f"{directory}: OSRM cannot find its road network: {exc}") from exc
        location = result["sources"][0]["location"]
        _ANCHORS[key] = (float(location[0]), float(location[1]))
    return _ANCHORS[key]


@dataclass(frozen=True)
class Waypoint:
    """Where OSRM put a coordinate on the road network."""

    lon: float
    lat: float
    distance_m: float
    road: str


@dataclass(frozen=True)
class RawTable:
    """Free-flow seconds (NaN where no road path), and each end's snapping."""

    seconds: np.ndarray
    origins: tuple[Waypoint, ...]
    destinations: tuple[Waypoint, ...]


def _waypoint(obj: Any) -> Waypoint:
    location = obj["location"]
    return Waypoint(
        lon=float(location[0]),
        lat=float(location[1]),
        distance_m=float(obj["distance"]),
        road=str(obj["name"]),
    )


def _blocks(n: int, size: int) -> list[range]:
    return [range(start, min(start + size, n)) for start in range(0, n, size)]


def table(
    directory: Path,
    origins: Sequence[Coordinate],
    destinations: Sequence[Coordinate],
    *,
    chunk_size: int = 1000,
) -> RawTable:
    """Free-flow durations origins x destinations, in blocks of at most `chunk_size`
    origins by `chunk_size` destinations per engine call; each place snapped the same way
    whatever else is asked (`anchor`)."""
    import osrm

    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    origins = [(float(lon), float(lat)) for lon, lat in origins]
    destinations = [(float(lon), float(lat)) for lon, lat in destinations]
    key = (*_key(Path(directory).absolute()), tuple(origins), tuple(destinations), chunk_size)
    if key in _TABLES:
        _TABLES.move_to_end(key)
        return _TABLES[key]
    osrm_engine = engine(directory)
    main_network = anchor(directory)
    seconds = np.full((len(origins), len(destinations)), np.nan)
    origin_points: list[Waypoint | None] = [None] * len(origins)
    destination_points: list[Waypoint | None] = [None] * len(destinations)
    for rows in _blocks(len(origins), chunk_size):
        for cols in _blocks(len(destinations), chunk_size):
            coordinates = [origins[i] for i in rows] + [destinations[j] for j in cols]
            coordinates.append(main_network)  # snapping as on the main network, always
            params = osrm.TableParameters(
                coordinates=coordinates,
                sources=list(range(len(rows))),
                destinations=list(range(len(rows), len(rows) + len(cols))),
                annotations=["duration"],
                generate_hints=False,
            )
            try:
                result = osrm_engine.Table(params)
            except RuntimeError as exc:
                raise RoadsError(f"{directory}: OSRM table failed: {exc}") from exc
            # Rows are osrm.Array: list() each (None, for no path, becomes NaN).
            block = np.array([list(row) for row in result["durations"]], dtype=float)
            seconds[rows.start : rows.stop, cols.start : cols.stop] = block
            for n, i in enumerate(rows):
                if origin_points[i] is None:
                    origin_points[i] = _waypoint(result["sources"][n])
            for n, j in enumerate(cols):
                if destination_points[j] is None:
                    destination_points[j] = _waypoint(result["destinations"][n])
    raw = RawTable(
        seconds=seconds,
        origins=tuple(p for p in origin_points if p is not None),
        destinations=tuple(p for p in destination_points if p is not None),
    )
    raw.seconds.setflags(write=False)
    _TABLES[key] = raw
    while len(_TABLES) > _TABLE_CACHE_SIZE:
        _TABLES.popitem(last=False)
    return raw


@dataclass(frozen=True)
class RawRoute:
    """The road line through coordinates, as OSRM drives it (free flow)."""

    line: tuple[Coordinate, ...]
    distance_m: float
    seconds: float
    legs: tuple[tuple[float, float], ...]  # (metres, seconds) per leg
    waypoints: tuple[Waypoint, ...]
    nodes: tuple[tuple[int, ...], ...]  # OSM node ids along each leg


def route(
    directory: Path, coordinates: Sequence[Coordinate], *, nodes: bool = False
) -> RawRoute | None:
    """The fastest road route through the coordinates in order, or None if there is none."""
    import osrm

    if len(coordinates) < 2:
        raise ValueError("a route needs at least two coordinates")
    params = osrm.RouteParameters(
        coordinates=[(float(lon), float(lat)) for lon, lat in coordinates],
        overview="full",
        geometries="geojson",
        annotations=["nodes"] if nodes else [],
        generate_hints=False,
    )
    try:
        result = engine(directory).Route(params)
    except RuntimeError as exc:
        if "NoRoute" in str(exc):
            return None
        raise RoadsError(f"{directory}: OSRM route failed: {exc}") from exc
    if str(result["code"]) != "Ok" or len(result["routes"]) == 0:
        return None
    best = result["routes"][0]
    line = tuple((float(c[0]), float(c[1])) for c in best["geometry"]["coordinates"])
    legs = tuple((float(leg["distance"]), float(leg["duration"])) for leg in best["legs"])
    leg_nodes = (
        tuple(tuple(int(n) for n in leg["annotation"]["nodes"]) for leg in best["legs"])
        if nodes
        else ()
    )
    return RawRoute(
        line=line,
        distance_m=float(best["distance"]),
        seconds=float(best["duration"]),
        legs=legs,
        waypoints=tuple(_waypoint(w) for w in result["waypoints"]),
        nodes=leg_nodes,
    )
