"""Shapes for display: the country outline and region/district boundaries.

Given polygons are not required; without them the boundaries are derived for display only
(flagged `estimated = geometry`): the Voronoi cell of each commission seat, clipped to the
outline and dissolved by district and region. The outline is the named country's (coarse
Natural Earth) or the stations' convex hull widened by a margin.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from planner.countries import find_country, outline_of


def outline(
    country: str | None, lon: np.ndarray, lat: np.ndarray, margin_km: float
) -> tuple[BaseGeometry | None, str]:
    if country:
        found = find_country(country)
        if found is None:
            raise ValueError(f"--country: unknown country '{country}' (a name or ISO code)")
        return outline_of(found), f"{found.name} (Natural Earth 1:110m, widened 25 km)"
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.sum() < 3:
        return None, "none"
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([lon[ok], lat[ok]])))
    shape = cast(BaseGeometry, shapely.buffer(hull, margin_km / 111.32))
    return shape, "derived: the stations' convex hull + 10 km"


def voronoi_cells(
    points: dict[str, tuple[float, float]], clip: BaseGeometry | None
) -> dict[str, BaseGeometry]:
    """A Voronoi cell per point (display only), clipped to the outline."""
    if len(points) == 0:
        return {}
    keys = list(points)
    coords = np.array([points[k] for k in keys])
    if len(keys) == 1 or clip is None:
        base = clip if clip is not None else shapely.box(*coords.min(0), *coords.max(0))
        return dict.fromkeys(keys, base) if len(keys) == 1 else {}
    jitter = np.arange(len(keys))[:, None] * 1e-9  # identical seats would share one cell
    cells = shapely.voronoi_polygons(shapely.multipoints(coords + jitter), extend_to=clip)
    cell_list = list(shapely.get_parts(cells))
    tree = shapely.STRtree(cell_list)
    pts = shapely.points(coords + jitter)
    found = tree.query(pts, predicate="intersects")
    shapes: dict[str, BaseGeometry] = {}
    for p, c in zip(found[0], found[1], strict=True):
        if keys[p] not in shapes:
            shapes[keys[p]] = shapely.intersection(cell_list[c], clip)
    return shapes


def union_by(cells: dict[str, BaseGeometry], group_of: dict[str, str]) -> dict[str, BaseGeometry]:
    grouped: dict[str, list[BaseGeometry]] = {}
    for key, shape in cells.items():
        grouped.setdefault(group_of[key], []).append(shape)
    return {g: shapely.union_all(parts) for g, parts in grouped.items()}
