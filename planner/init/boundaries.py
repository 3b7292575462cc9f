"""Given boundary polygons (`planner init --boundaries`), matched to the inferred units.

A partner's file of polygons (GeoJSON, GeoPackage, zipped Shapefile; any CRS) outlines
the regions or the districts of the station list, usually with a name or code column
spelled a little differently from the list, sometimes with none. Each polygon is matched
to one unit: by the column whose values equal the most unit names or ids (case, accents,
spacing and punctuation aside), else by the stations inside it. The level, region or
district, is the one the file matches best. Several polygons of one unit (islands,
exclaves) are joined. Matched units take the given shape; a region whose districts all
have one takes their union; district cells derived inside a given region are clipped to
it. Located stations outside their unit's given shape are counted and listed: swapped
coordinates or a mislabelled row, for the coordinator to look at.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from planner.errors import MissionDataError, Problem
from planner.init.columns import fold
from planner.init.sources import gdal_message, has_shapes, read_layer
from planner.init.units import Units

# A polygon matched by name must hold this share of the file's polygons (else: by stations).
MIN_NAME_SHARE = 0.5
# How far outside its unit's given shape a station may lie before it is listed (degrees,
# about 1 km): border stations and simplified outlines are not mistakes.
OUTSIDE_TOLERANCE_DEG = 0.01


@dataclass
class BoundaryMatch:
    """Which units the file gave shapes for, how they were matched, and what did not fit."""

    file: str
    level: str  # "region" or "district"
    matched_by: str  # "names in column 'x'" or "stations inside"
    polygons: int
    regions: dict[str, BaseGeometry] = field(default_factory=dict)
    districts: dict[str, BaseGeometry] = field(default_factory=dict)
    unmatched_polygons: list[int] = field(default_factory=list)  # 1-based feature numbers
    outside: list[int] = field(default_factory=list)  # station rows outside their shape

    def describe(self) -> str:
        regions = f"{len(self.regions)} region(s)"
        districts = f"{len(self.districts)} district(s)"
        text = (
            f"from {self.file}: {self.polygons} polygon(s) matched to {self.level}s by "
            f"{self.matched_by}; given shapes for {regions} and {districts}, the rest "
            "derived for display only"
        )
        if self.unmatched_polygons:
            text += f"; {len(self.unmatched_polygons)} polygon(s) matched no unit"
        if self.outside:
            text += f"; {len(self.outside)} located station(s) outside their given shape"
        return text


def read_boundaries(path: Path) -> gpd.GeoDataFrame:
    """The file's polygons in WGS84 (first layer), made valid; other geometries dropped."""
    file = str(path)
    if not path.is_file():
        raise MissionDataError([Problem(file, None, None, "boundaries: file not found")])
    try:
        frame = read_layer(path)
    except Exception as exc:  # GDAL reports corrupt input through many error types
        raise MissionDataError(
            [Problem(file, None, None, f"boundaries: cannot read this file: {gdal_message(exc)}")]
        ) from exc
    if not has_shapes(frame):
        raise MissionDataError([Problem(file, None, None, "boundaries: the file has no shapes")])
    assert isinstance(frame, gpd.GeoDataFrame)
    geoms = frame.geometry.to_numpy()
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6)) & ~shapely.is_empty(geoms)
    if not polygonal.any():
        raise MissionDataError([Problem(file, None, None, "boundaries: the file has no polygons")])
    frame = frame[polygonal].copy()
    frame["feature"] = np.flatnonzero(polygonal) + 1
    frame = frame.set_geometry(shapely.make_valid(frame.geometry.to_numpy()))
    return frame.reset_index(drop=True)


def _by_name(
    frame: gpd.GeoDataFrame, names: dict[str, dict[str, str]]
) -> tuple[str, str, list[set[str]]] | None:
    """The (level, column, candidate units per polygon) naming the most polygons, if enough
    do. A name two units share (a "Central" district in two regions) gives both."""
    best: tuple[int, str, str, list[set[str]]] | None = None
    for level, units in names.items():
        lookup: dict[str, set[str]] = {}
        for unit_id, name in units.items():
            for key in (fold(name), fold(unit_id)):
                if key:
                    lookup.setdefault(key, set()).add(unit_id)
        for column in frame.columns:
            if column in (frame.geometry.name, "feature"):
                continue
            found = [
                lookup.get(fold(v), set()) if v is not None else set()
                for v in frame[column].tolist()
            ]
            hits = sum(bool(f) for f in found)
            if best is None or hits > best[0]:
                best = (hits, level, str(column), found)
    if best is None or best[0] < max(1, MIN_NAME_SHARE * len(frame)):
        return None
    return best[1], best[2], best[3]


def _counts(polygons: np.ndarray, points: np.ndarray, unit_of: np.ndarray) -> Counter:
    """(polygon, unit) -> located stations of the unit inside the polygon."""
    tree = shapely.STRtree(polygons)
    point_index, polygon_index = tree.query(points, predicate="within")
    return Counter(zip(polygon_index.tolist(), unit_of[point_index].tolist(), strict=True))


def _pick(polygon: int, candidates: set[str], counts: Counter) -> str | None:
    """The named unit; of several with the name, the one with most stations inside."""
    if len(candidates) <= 1:
        return next(iter(candidates), None)
    inside = {unit: counts.get((polygon, unit), 0) for unit in sorted(candidates)}
    unit = max(inside, key=lambda u: inside[u])
    return unit if inside[unit] > 0 else None


def _by_stations(
    counts: Counter, n_polygons: int, units_with_stations: int
) -> tuple[list[str | None], float]:
    """Each polygon's unit (the one with most stations in it), and how one-to-one it is:
    pairs where the polygon is also its unit's best polygon, over the larger of the two
    counts (region shapes score low at district level, and the reverse)."""
    best_unit: dict[int, tuple[int, str]] = {}
    best_polygon: dict[str, tuple[int, int]] = {}
    for (polygon, unit), n in sorted(counts.items()):
        if n > best_unit.get(polygon, (0, ""))[0]:
            best_unit[polygon] = (n, unit)
        if n > best_polygon.get(unit, (0, -1))[0]:
            best_polygon[unit] = (n, polygon)
    mutual = sum(best_polygon[u][1] == p for p, (_, u) in best_unit.items())
    found = [best_unit[p][1] if p in best_unit else None for p in range(n_polygons)]
    return found, mutual / max(n_polygons, units_with_stations, 1)


def match_boundaries(
    frame: gpd.GeoDataFrame,
    file: str,
    units: Units,
    lon: np.ndarray,
    lat: np.ndarray,
    located: np.ndarray,
) -> BoundaryMatch:
    """Match the file's polygons to regions or districts (see the module docstring)."""
    polygons = frame.geometry.to_numpy()
    rows = np.flatnonzero(located)
    points = np.asarray(shapely.points(lon[rows], lat[rows]), dtype=object)
    named = _by_name(frame, {"district": units.district_name, "region": units.region_name})
    found: list[str | None]
    if named is not None:
        level, column, candidates = named
        unit_rows = np.asarray(units.district_of if level == "district" else units.region_of)
        counts = (
            _counts(polygons, points, unit_rows[rows])
            if any(len(c) > 1 for c in candidates)
            else Counter()
        )
        found = [_pick(i, c, counts) for i, c in enumerate(candidates)]
        matched_by = f"names in column '{column}'"
    else:
        best: tuple[float, str, list[str | None]] | None = None
        for level_name, unit_of in (
            ("district", units.district_of),
            ("region", units.region_of),
        ):
            located_units = np.asarray(unit_of)[rows]
            counts = _counts(polygons, points, located_units)
            found_here, score = _by_stations(
                counts, len(polygons), len(set(located_units.tolist()))
            )
            if best is None or score > best[0]:
                best = (score, level_name, found_here)
        assert best is not None
        _, level, found = best
        matched_by = "stations inside"
    parts: dict[str, list[BaseGeometry]] = {}
    unmatched: list[int] = []
    for polygon, unit, feature in zip(polygons, found, frame["feature"], strict=True):
        if unit is None:
            unmatched.append(int(feature))
        else:
            parts.setdefault(unit, []).append(polygon)
    shapes = {unit: shapely.union_all(p) for unit, p in parts.items()}
    match = BoundaryMatch(file, level, matched_by, len(polygons), unmatched_polygons=unmatched)
    if level == "district":
        match.districts = shapes
        members: dict[str, list[str]] = {}
        for district, region in units.district_region.items():
            members.setdefault(region, []).append(district)
        match.regions = {
            region: shapely.union_all([shapes[d] for d in ds])
            for region, ds in members.items()
            if all(d in shapes for d in ds)
        }
        unit_of = np.asarray(units.district_of)
    else:
        match.regions = shapes
        unit_of = np.asarray(units.region_of)
    match.outside = _outside(shapes, unit_of, lon, lat, located)
    return match


def _outside(
    shapes: dict[str, BaseGeometry],
    unit_of: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    located: np.ndarray,
) -> list[int]:
    """Rows of located stations farther than the tolerance outside their unit's shape."""
    out: list[int] = []
    for unit, shape in shapes.items():
        rows = np.flatnonzero(located & (unit_of == unit))
        if rows.size == 0:
            continue
        shapely.prepare(shape)
        inside = shapely.dwithin(shape, shapely.points(lon[rows], lat[rows]), OUTSIDE_TOLERANCE_DEG)
        out.extend(rows[~inside].tolist())
    return sorted(out)


def with_given_shapes(
    match: BoundaryMatch,
    derived_regions: dict[str, BaseGeometry],
    derived_districts: dict[str, BaseGeometry],
    district_region: dict[str, str],
) -> tuple[dict[str, BaseGeometry], dict[str, BaseGeometry]]:
    """Region and district shapes: given where matched; derived district cells inside a
    given region clipped to it (empty leftovers dropped)."""
    regions = {**derived_regions, **match.regions}
    districts = dict(derived_districts)
    for district, shape in derived_districts.items():
        region = district_region.get(district)
        if district not in match.districts and region in match.regions:
            clipped = shapely.intersection(shape, match.regions[region])
            if not shapely.is_empty(clipped):
                districts[district] = clipped
    districts.update(match.districts)
    return regions, districts
