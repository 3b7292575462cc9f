"""Where each station is: its coordinates, or a stand-in position for the ones without.

Coordinates come from the geometry, latitude/longitude columns or one "lat, lon" column,
reprojected from `--crs` when given. Missing, unreadable, off-the-globe and (0, 0)
coordinates make a station *unlocated*: it stands at its commission's seat (else its
district's or region's), and the package flags it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import Transformer

from planner.errors import MissionDataError, Problem
from planner.init.columns import ColumnMapping, parse_numbers, split_coordinates
from planner.init.estimate import medoid
from planner.init.sources import StationTable


@dataclass(frozen=True)
class Located:
    lon: np.ndarray
    lat: np.ndarray
    located: np.ndarray  # bool per row
    reason: np.ndarray  # why a row is unlocated ("" when located)
    source: str  # where the coordinates came from, for the report


def _coordinates(
    table: StationTable, mapping: ColumnMapping, crs: str | None
) -> tuple[np.ndarray, np.ndarray, str]:
    """Longitudes and latitudes (NaN where unknown) and where they came from."""
    frame = table.frame
    n = len(frame)
    lon = table.geometry_lon.copy()
    lat = table.geometry_lat.copy()
    source = "geometry" if table.has_geometry else ""
    need = ~(np.isfinite(lon) & np.isfinite(lat))
    if "lat" in mapping.roles and "lon" in mapping.roles:
        col_lat = parse_numbers(frame[mapping.roles["lat"]])
        col_lon = parse_numbers(frame[mapping.roles["lon"]])
        lon = np.where(need, col_lon, lon)
        lat = np.where(need, col_lat, lat)
        source = (
            f"columns '{mapping.roles['lat']}' (latitude), '{mapping.roles['lon']}' (longitude)"
        )
    elif "coordinates" in mapping.roles:
        first, second = split_coordinates(frame[mapping.roles["coordinates"]])
        lon = np.where(need, second, lon)
        lat = np.where(need, first, lat)
        source = f"column '{mapping.roles['coordinates']}' (latitude, longitude)"
    if crs:
        transformer = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        ok = np.isfinite(lon) & np.isfinite(lat)
        x, y = transformer.transform(lon[ok], lat[ok])
        lon, lat = lon.copy(), lat.copy()
        lon[ok], lat[ok] = x, y
        source += f", reprojected from {crs}"
    if not source and n:
        source = "none"
    return lon.astype(float), lat.astype(float), source


def locate(table: StationTable, mapping: ColumnMapping, crs: str | None) -> Located:
    """Coordinates of every row; `MissionDataError` when there are none to use."""
    lon, lat, source = _coordinates(table, mapping, crs)
    file = table.files[0]
    if source == "none":
        found = ", ".join(table.frame.columns)
        message = (
            "no coordinates: no geometry and no latitude/longitude columns recognised; "
            f"name them with --columns lat=...,lon=...; columns found: {found}"
        )
        raise MissionDataError([Problem(file, None, "lat, lon", message)])
    known = np.isfinite(lon) & np.isfinite(lat)
    off_globe = known & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    if off_globe.mean() > 0.5:
        message = (
            f"{int(off_globe.sum()):,} rows have coordinates beyond ±90/±180: "
            "projected coordinates? give their CRS with --crs (e.g. EPSG:32646)"
        )
        raise MissionDataError([Problem(file, None, "lat, lon", message)])
    zero = (lon == 0) & (lat == 0)
    located = known & ~off_globe & ~zero
    if not located.any():
        raise MissionDataError([Problem(file, None, "lat, lon", "no row has usable coordinates")])
    reason = np.where(
        ~known,
        "no coordinates",
        np.where(off_globe, "coordinates off the globe", np.where(zero, "coordinates 0, 0", "")),
    )
    return Located(lon, lat, located, reason, source)


def group_centres(
    keys: np.ndarray, lon: np.ndarray, lat: np.ndarray, located: np.ndarray, sample: int
) -> dict[str, tuple[float, float]]:
    """Per group key: the position of its medoid station (located stations only)."""
    centres: dict[str, tuple[float, float]] = {}
    idx = np.flatnonzero(located)
    if len(idx) == 0:
        return centres
    order = idx[np.argsort(keys[idx], kind="stable")]
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    ends = np.r_[starts[1:], len(order)]
    for s, e in zip(starts, ends, strict=True):
        members = order[s:e]
        m = members[medoid(lon[members], lat[members], sample)]
        centres[str(sorted_keys[s])] = (float(lon[m]), float(lat[m]))
    return centres


def place_unlocated(
    where: Located,
    groups: list[tuple[str, np.ndarray, dict[str, tuple[float, float]]]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions for every row: its own, else the first group centre it has (commission,
    district, region), else the middle of the located stations. Also where each was put."""
    lon, lat = where.lon.copy(), where.lat.copy()
    placed_at = np.full(len(lon), "", dtype=object)
    middle = (float(np.median(lon[where.located])), float(np.median(lat[where.located])))
    for i in np.flatnonzero(~where.located):
        for label, keys, centres in groups:
            if keys[i] in centres:
                lon[i], lat[i] = centres[keys[i]]
                placed_at[i] = label
                break
        else:
            lon[i], lat[i] = middle
            placed_at[i] = "country centre"
    return lon, lat, placed_at
