"""Random points for stations: around a town's centre, or inside a city district.

Coordinates are rounded (`rnd`) before the containment test, so a stored point is inside
the polygon it was drawn for.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


def rnd(values: object) -> np.ndarray:
    """Coordinates rounded to 5 decimals, the `PRECISION` of every stored point."""
    return np.round(np.asarray(values, dtype=float), 5)


def km_to_deg(lat: float) -> tuple[float, float]:
    """Degrees of longitude and latitude per kilometre at `lat`."""
    return 1 / (111.32 * math.cos(math.radians(lat))), 1 / 110.57


def scatter_around(
    rng: np.random.Generator,
    lon: float,
    lat: float,
    radius_km: float,
    n: int,
    area: BaseGeometry,
) -> list[tuple[float, float]]:
    """`n` points uniform in a disc around (lon, lat), kept only where inside `area`.

    The centre must lie inside `area`; the disc shrinks if too few points land inside.
    Coordinates are rounded before the test, so the stored points are inside too.
    """
    dlon, dlat = km_to_deg(lat)
    out: list[tuple[float, float]] = []
    r = radius_km
    tries = 0
    while len(out) < n:
        m = max(32, 4 * (n - len(out)))
        rho = r * np.sqrt(rng.random(m))
        phi = 2 * np.pi * rng.random(m)
        x = rnd(lon + rho * np.cos(phi) * dlon)
        y = rnd(lat + rho * np.sin(phi) * dlat)
        ok = shapely.contains_xy(area, x, y)
        out.extend(zip(x[ok].tolist(), y[ok].tolist(), strict=True))
        tries += 1
        if tries % 20 == 0:
            r /= 2
    return out[:n]


def scatter_in_polygon(
    rng: np.random.Generator,
    polygon: BaseGeometry,
    n: int,
    centre: tuple[float, float],
    decay_km: float,
) -> list[tuple[float, float]]:
    """`n` random points inside `polygon`, thinned with distance from the city centre.

    A candidate is kept with probability exp(-(d - d0) / decay_km), where d is its
    distance to `centre` and d0 the polygon's own distance to it, so each city district
    fills from its built-up side rather than evenly over its open land.
    """
    minx, miny, maxx, maxy = polygon.bounds
    cx, cy = centre
    dlon, dlat = km_to_deg(cy)
    d0 = shapely.distance(polygon, shapely.Point(cx, cy))
    d0_km = d0 / max(dlon, dlat)
    out: list[tuple[float, float]] = []
    while len(out) < n:
        m = 256
        x = rnd(minx + (maxx - minx) * rng.random(m))
        y = rnd(miny + (maxy - miny) * rng.random(m))
        ok = shapely.contains_xy(polygon, x, y)
        d_km = np.hypot((x - cx) / dlon, (y - cy) / dlat)
        keep = ok & (rng.random(m) < np.exp(-(d_km - d0_km) / decay_km))
        out.extend(zip(x[keep].tolist(), y[keep].tolist(), strict=True))
    return out[:n]
