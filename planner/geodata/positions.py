"""Where things are: point coordinates, on Earth, inside the country, near their TEC.

Coordinates come from a point geometry or from latitude/longitude columns (names in
English, Russian or Kazakh, decimal commas where the table allows them). A point outside
the country outline whose swapped coordinates fall inside it is reported as swapped, the
most common slip in hand-made station lists.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner import schema
from planner.errors import Problem
from planner.geodata.sources import Source
from planner.model import Commission, StationKind
from planner.travel import great_circle_km

FAR_FROM_TEC_KM = 100.0
NEAR_BOUNDARY_DEG = 0.01  # about 1 km: a station on the line is inside

_POINT = 0  # shapely type id of a Point


def points(
    src: Source, errors: list[Problem], *, required: bool = True
) -> tuple[np.ndarray, np.ndarray, str]:
    """Longitudes, latitudes (NaN where unusable) and the field name used in messages.

    A missing point is an error only when `required`; a value that is not a point or not
    a number always is.
    """
    n, rows = len(src), src.rows
    if src.geometry is not None:
        geoms = src.geometry
        types = shapely.get_type_id(geoms)
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        point = (types == _POINT) & ~empty
        lon = np.where(point, shapely.get_x(geoms), np.nan)
        lat = np.where(point, shapely.get_y(geoms), np.nan)
        for i in np.flatnonzero(~point):
            if empty[i]:
                if required:
                    errors.append(Problem(src.file, int(rows[i]), "geometry", "missing point"))
            else:
                message = f"expected a point, found {geoms[i].geom_type}"
                errors.append(Problem(src.file, int(rows[i]), "geometry", message))
        return lon, lat, "geometry"

    columns = src.frame.columns
    lat_col = next((c for c in schema.LAT_NAMES if c in columns), None)
    lon_col = next((c for c in schema.LON_NAMES if c in columns), None)
    found = src.found()
    for col, axis, names in (
        (lat_col, "lat", schema.LAT_NAMES),
        (lon_col, "lon", schema.LON_NAMES),
    ):
        if col is None:
            errors.append(
                Problem(
                    src.file,
                    None,
                    axis,
                    f"missing coordinate column (one of: {', '.join(names)}); "
                    f"columns found: {found}",
                )
            )
    if lat_col is None or lon_col is None:
        return np.full(n, np.nan), np.full(n, np.nan), "lat, lon"

    def parse(col: str, label: str) -> np.ndarray:
        raw: pd.Series = src.frame[col]
        text = raw.str.replace(",", ".", regex=False) if src.decimal_comma else raw
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(values)
        for i in np.flatnonzero(bad).tolist():
            shown = str(raw.iat[i])
            if shown == "":
                if required:
                    errors.append(Problem(src.file, int(rows[i]), col, f"missing {label}"))
            else:
                message = f"{label} '{shown}' is not a number"
                errors.append(Problem(src.file, int(rows[i]), col, message))
        return np.where(bad, np.nan, values)

    lat = parse(lat_col, "latitude")
    lon = parse(lon_col, "longitude")
    return lon, lat, f"{lat_col}, {lon_col}"


def check_positions(
    src: Source,
    lon: np.ndarray,
    lat: np.ndarray,
    field: str,
    outline: BaseGeometry | None,
    errors: list[Problem],
    *,
    exempt: np.ndarray | None = None,
) -> None:
    """Coordinates on Earth, and inside the country outline unless `exempt` (abroad)."""
    known = np.isfinite(lon) & np.isfinite(lat)
    off_earth = known & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    in_country = known & ~off_earth
    if exempt is not None:
        in_country &= ~exempt
    outside = np.zeros(len(lon), dtype=bool)
    swapped = np.zeros(len(lon), dtype=bool)
    if outline is not None and in_country.any():
        shapely.prepare(outline)
        idx = np.flatnonzero(in_country)
        inside = shapely.intersects_xy(outline, lon[idx], lat[idx])
        outside[idx[~inside]] = True
        out_idx = idx[~inside]
        swapped[out_idx] = shapely.intersects_xy(outline, lat[out_idx], lon[out_idx])
    if off_earth.any():
        swappable = off_earth & (np.abs(lat) <= 180) & (np.abs(lon) <= 90)
        if outline is not None:
            swappable &= shapely.intersects_xy(outline, np.nan_to_num(lat), np.nan_to_num(lon))
        swapped |= swappable
    rows = src.rows
    for i in np.flatnonzero(off_earth | outside):
        where = f"latitude {lat[i]:g}, longitude {lon[i]:g}"
        if swapped[i]:
            message = f"latitude and longitude look swapped ({where})"
        elif off_earth[i]:
            message = f"{where} is not on Earth (latitude -90..90, longitude -180..180)"
        else:
            message = f"{where} is outside the mission country"
        errors.append(Problem(src.file, int(rows[i]), field, message))


def far_from_tec(
    file: str,
    rows: Sequence[int | str],
    lon: np.ndarray,
    lat: np.ndarray,
    kinds: np.ndarray,
    tec_ids: np.ndarray,
    commissions: dict[str, Commission],
    boundaries: Sequence[BaseGeometry | None] | None = None,
) -> list[tuple[int, Problem]]:
    """In-country stations more than `FAR_FROM_TEC_KM` from their TEC, by station index.

    A station's protocol travels to its TEC after the count, so a long way there is worth
    a look; stations abroad report to a TEC at home and are never counted as far.
    `boundaries` holds each station's own district boundary where known: a station inside
    it (or within ~1 km) is where the election administration put it (a large rural
    district is far across), so distance alone is no reason to look again.
    """
    tec_lon = np.array([c.lon if (c := commissions.get(t)) else np.nan for t in tec_ids])
    tec_lat = np.array([c.lat if (c := commissions.get(t)) else np.nan for t in tec_ids])
    with np.errstate(invalid="ignore"):
        km = great_circle_km(lon, lat, tec_lon, tec_lat)
        far = (km > FAR_FROM_TEC_KM) & (kinds != StationKind.ABROAD.value)
    outside = np.zeros(len(lon), dtype=bool)  # of a known boundary
    if boundaries is not None:
        known = np.flatnonzero([b is not None for b in boundaries])
        shapes = np.array([boundaries[i] for i in known.tolist()], dtype=object)
        inside = shapely.dwithin(shapes, shapely.points(lon[known], lat[known]), NEAR_BOUNDARY_DEG)
        far[known[inside]] = False
        outside[known[~inside]] = True
    found = []
    for i in np.flatnonzero(far).tolist():
        beyond = f"more than {FAR_FROM_TEC_KM:g} km"
        if outside[i]:
            beyond += ", outside its district's boundary"
        message = f"{km[i]:.0f} km from its TEC '{tec_ids[i]}' ({beyond})"
        found.append((i, Problem(file, rows[i], "tec_id", message)))
    return found
