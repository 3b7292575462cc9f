"""Mission geodata in and out: read, check and write stations, TECs and mission packages.

This is the one module that touches geodata files. It reads GeoPackage, GeoJSON, (zipped)
Shapefile, CSV and XLSX; reprojects everything to EPSG:4326; checks every row and reports
every problem found in one `MissionDataError`; and hands back the frozen dataclasses of
`planner.model`. Checks run on whole columns (numpy/pandas), so a 10,000-station package
loads in well under a second; Python loops only touch the rows that have a problem.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from planner import schema
from planner.errors import MissionDataError, Problem
from planner.model import (
    Area,
    Commission,
    CommissionLevel,
    District,
    Mission,
    Region,
    Setting,
    Station,
    StationKind,
    Team,
    TeamKind,
)
from planner.settings import MissionSettings, dump_settings, read_settings
from planner.tabular import TABULAR_SUFFIXES, TableError, read_table
from planner.travel import great_circle_km

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp")
SUPPORTED_FORMATS = (
    "GeoPackage (.gpkg), GeoJSON (.geojson, .json), zipped Shapefile (.zip), "
    "Shapefile (.shp), CSV (.csv) or Excel (.xlsx)"
)
ABROAD_REGION = "ABROAD"
FAR_FROM_TEC_KM = 100.0
WGS84 = "EPSG:4326"

_USE_ARROW = importlib.util.find_spec("pyarrow") is not None
_POINT = 0  # shapely type id of a Point


# ---------------------------------------------------------------------------------------
# Reading: every source becomes text columns + (optional) geometries, rows numbered 1..n
# ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Source:
    """One table or layer: text cells under canonical column names, rows numbered for people.

    `frame.index` holds the row number a person would look for: the 1-based data row of a
    CSV/XLSX (header = row 0), or feature index + 1 of a vector layer.
    """

    file: str
    frame: pd.DataFrame
    geometry: np.ndarray | None = None
    decimal_comma: bool = False

    @property
    def rows(self) -> np.ndarray:
        return self.frame.index.to_numpy()

    def __len__(self) -> int:
        return len(self.frame)

    def found(self) -> str:
        names = list(self.frame.columns)
        if self.geometry is not None:
            names.append("geometry")
        return ", ".join(names) if names else "none"


def _as_text(series: pd.Series) -> pd.Series:
    """A column as trimmed strings ("" when missing); whole floats lose their ".0"."""
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        finite = values[np.isfinite(values)]
        if np.array_equal(finite, np.round(finite)) and np.all(np.abs(finite) < 2**53):
            series = series.astype("Int64")
    return series.astype("str").fillna("").str.strip()


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    rows = pd.RangeIndex(1, len(frame) + 1)
    out = pd.DataFrame(
        {str(c).strip().lower(): _as_text(frame[c]).set_axis(rows) for c in frame.columns},
        index=rows,
    )
    return out.loc[:, ~out.columns.duplicated()]


def _geometries(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Geometries in EPSG:4326 (a layer without a CRS is taken to be EPSG:4326 already)."""
    if gdf.crs is not None and not gdf.crs.equals(WGS84):
        gdf = gdf.to_crs(WGS84)
    return gdf.geometry.to_numpy()


def _gdal_message(exc: Exception) -> str:
    """GDAL's first sentence, without its advice on driver prefixes."""
    return str(exc).split("; It might help")[0].rstrip(". ")


def _unreadable(file: str, detail: str) -> Problem:
    return Problem(file, None, None, f"{detail}; supported formats: {SUPPORTED_FORMATS}")


def _read_file(path: Path, file: str, layer: str, errors: list[Problem]) -> _Source | None:
    """Read a standalone stations/commissions file; on failure add a problem, return None."""
    suffix = path.suffix.lower()
    if suffix not in VECTOR_SUFFIXES + TABULAR_SUFFIXES:
        hint = " (save it as .xlsx)" if suffix == ".xls" else ""
        errors.append(_unreadable(file, f"unsupported file type '{suffix or path.name}'{hint}"))
        return None
    if not path.exists():
        errors.append(_unreadable(file, "file not found"))
        return None
    if not path.is_file():
        errors.append(_unreadable(file, "not a file"))
        return None
    if suffix in TABULAR_SUFFIXES:
        try:
            table = read_table(path)
        except TableError as exc:
            errors.append(_unreadable(file, str(exc)))
            return None
        return _Source(file, table.frame, None, table.decimal_comma)
    try:
        names = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
        if not names:
            errors.append(Problem(file, None, None, "the file has no rows"))
            return None
        chosen = layer if layer in names else names[0]
        gdf = pyogrio.read_dataframe(path, layer=chosen, use_arrow=_USE_ARROW)
    except Exception as exc:  # GDAL reports corrupt input through many error types
        errors.append(_unreadable(file, f"cannot read this file: {_gdal_message(exc)}"))
        return None
    return _vector_source(file, gdf)


def _vector_source(file: str, gdf: pd.DataFrame) -> _Source:
    """Attribute columns as text plus geometries in EPSG:4326 (None: no geometry column)."""
    if isinstance(gdf, gpd.GeoDataFrame) and gdf.geometry.name in gdf.columns:
        return _Source(file, _text_frame(gdf.drop(columns=gdf.geometry.name)), _geometries(gdf))
    return _Source(file, _text_frame(gdf), None)


# ---------------------------------------------------------------------------------------
# Column checks: each works on whole columns and reports only the rows that fail
# ---------------------------------------------------------------------------------------


def _require(src: _Source, columns: Sequence[str], errors: list[Problem]) -> set[str]:
    """Report missing columns (listing those found); add them empty so checks can go on."""
    missing = [c for c in columns if c not in src.frame.columns]
    found = src.found()
    for column in missing:
        errors.append(
            Problem(src.file, None, column, f"missing required column; columns found: {found}")
        )
    for column in missing:
        src.frame[column] = ""
    return set(missing)


def _isin(values: np.ndarray, known: Iterable[str]) -> np.ndarray:
    """Element-wise membership by hashing (np.isin sorts, which is slow on strings)."""
    return pd.Series(values, dtype=object).isin(set(known)).to_numpy()


def _text(src: _Source, column: str, default: str = "") -> np.ndarray:
    if column not in src.frame.columns:
        return np.full(len(src), default, dtype=object)
    values = src.frame[column].to_numpy(dtype=object)
    if default:
        values = np.where(values == "", default, values)
    return values


def _ids(src: _Source, column: str, errors: list[Problem], *, check: bool = True) -> np.ndarray:
    """Identifier column: every value present and unique (a duplicate names both rows)."""
    ids = _text(src, column)
    if not check:
        return ids
    rows = src.rows
    for i in np.flatnonzero(ids == ""):
        errors.append(Problem(src.file, int(rows[i]), column, f"missing {column}"))
    repeated = pd.Series(ids).duplicated(keep=False).to_numpy() & (ids != "")
    first: dict[str, int] = {}
    for i in np.flatnonzero(repeated):
        value, row = ids[i], int(rows[i])
        if value in first:
            message = f"duplicate {column} '{value}': also in row {first[value]}"
            errors.append(Problem(src.file, row, column, message))
        else:
            first[value] = row
    return ids


def _required_values(src: _Source, column: str, errors: list[Problem], *, check: bool) -> None:
    if not check:
        return
    values = _text(src, column)
    rows = src.rows
    for i in np.flatnonzero(values == ""):
        errors.append(Problem(src.file, int(rows[i]), column, f"missing {column}"))


def _choice(
    src: _Source,
    column: str,
    allowed: Sequence[str],
    default: str | None,
    errors: list[Problem],
    *,
    check: bool = True,
) -> np.ndarray:
    """A column with a fixed set of values (case-insensitive); empty means `default`."""
    if column not in src.frame.columns:
        return np.full(len(src), default or "", dtype=object)
    raw = src.frame[column]
    values = raw.str.lower().to_numpy(dtype=object)
    if default is not None:
        values = np.where(values == "", default, values)
    if check:
        bad = ~_isin(values, allowed)
        rows = src.rows
        listed = ", ".join(allowed)
        for i in np.flatnonzero(bad):
            shown = raw.iat[i]
            message = (
                f"unknown {column} '{shown}'; allowed: {listed}"
                if shown
                else (f"missing {column}; allowed: {listed}")
            )
            errors.append(Problem(src.file, int(rows[i]), column, message))
    return values


def _voters(src: _Source, errors: list[Problem], *, check: bool = True) -> np.ndarray:
    """Registered voters: a whole, non-negative number (spaces as thousands separators ok)."""
    if "voters" not in src.frame.columns or not check:
        return np.zeros(len(src), dtype=np.int64)
    raw = src.frame["voters"]
    cleaned = raw.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    number = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    finite = np.isfinite(number)
    whole = finite & (np.floor(number) == number)
    ok = whole & (number >= 0)
    rows = src.rows
    for i in np.flatnonzero(~ok):
        text = raw.iat[i]
        if text == "":
            message = "missing voters"
        elif not finite[i]:
            message = f"voters '{text}' is not a number"
        elif not whole[i]:
            message = f"voters '{text}' is not a whole number"
        else:
            message = f"voters must not be negative, got {text}"
        errors.append(Problem(src.file, int(rows[i]), "voters", message))
    return np.where(ok, number, 0).astype(np.int64)


@cache
def is_valid_tz(name: str) -> bool:
    """Whether `name` is an IANA time zone known to this system (e.g. Asia/Almaty)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _tz(src: _Source, column: str, errors: list[Problem], *, required: bool = False) -> np.ndarray:
    """Time zone column: empty is allowed (filled in later) unless `required`."""
    values = _text(src, column)
    rows = src.rows
    for value in pd.unique(values):
        if value == "" and not required:
            continue
        if value and is_valid_tz(value):
            continue
        message = (
            f"unknown time zone '{value}'; use an IANA name such as Asia/Almaty"
            if value
            else "missing tz; use an IANA name such as Asia/Almaty"
        )
        for i in np.flatnonzero(values == value):
            errors.append(Problem(src.file, int(rows[i]), column, message))
    return values


def _refs(
    src: _Source,
    column: str,
    values: np.ndarray,
    known: Iterable[str],
    what: str,
    errors: list[Problem],
    *,
    skip: np.ndarray | None = None,
) -> None:
    """Report non-empty references to things that do not exist."""
    bad = (values != "") & ~_isin(values, known)
    if skip is not None:
        bad &= ~skip
    rows = src.rows
    for i in np.flatnonzero(bad):
        errors.append(
            Problem(src.file, int(rows[i]), column, f"{what} '{values[i]}' does not exist")
        )


# ---------------------------------------------------------------------------------------
# Coordinates
# ---------------------------------------------------------------------------------------


def _points(
    src: _Source, errors: list[Problem], *, required: bool = True
) -> tuple[np.ndarray, np.ndarray, str]:
    """Longitudes, latitudes (NaN where unusable) and the field name used in messages."""
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
        raw = src.frame[col]
        text = raw.str.replace(",", ".", regex=False) if src.decimal_comma else raw
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(values)
        for i in np.flatnonzero(bad):
            shown = raw.iat[i]
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


def _check_position(
    src: _Source,
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


def _station_warnings(
    file: str,
    rows: Sequence[int | str],
    lon: np.ndarray,
    lat: np.ndarray,
    voters: np.ndarray,
    kinds: np.ndarray,
    tec_ids: np.ndarray,
    commissions: dict[str, Commission] | None,
) -> list[Problem]:
    """Stations with no voters, and in-country stations more than 100 km from their TEC."""
    found = [
        (i, Problem(file, rows[i], "voters", "0 registered voters"))
        for i in np.flatnonzero(voters == 0)
    ]
    if commissions:
        tec_lon = np.array([c.lon if (c := commissions.get(t)) else np.nan for t in tec_ids])
        tec_lat = np.array([c.lat if (c := commissions.get(t)) else np.nan for t in tec_ids])
        with np.errstate(invalid="ignore"):
            km = great_circle_km(lon, lat, tec_lon, tec_lat)
            far = (km > FAR_FROM_TEC_KM) & (kinds != StationKind.ABROAD.value)
        for i in np.flatnonzero(far):
            message = (
                f"{km[i]:.0f} km from its TEC '{tec_ids[i]}' (more than {FAR_FROM_TEC_KM:g} km)"
            )
            found.append((i, Problem(file, rows[i], "tec_id", message)))
    return [problem for _, problem in sorted(found, key=lambda pair: pair[0])]


def _problem_order(problem: Problem) -> tuple[int, int | str]:
    row = problem.row
    if row is None:
        return (0, 0)
    return (1, row) if isinstance(row, int) else (2, str(row))


# ---------------------------------------------------------------------------------------
# Building the model objects
# ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Context:
    """What other layers say, for cross-checks (None: that layer is unknown or broken)."""

    outline: BaseGeometry | None = None
    tec_ids: set[str] | None = None
    commissions: dict[str, Commission] | None = None
    region_tz: dict[str, str] | None = None
    district_region: dict[str, str] | None = None


def _build_stations(
    src: _Source, ctx: _Context, *, package: bool
) -> tuple[list[Station], list[Problem], list[Problem]]:
    errors: list[Problem] = []
    required = schema.LAYERS["stations"] if package else schema.STATION_REQUIRED
    missing = _require(src, required, errors)
    ids = _ids(src, "station_id", errors, check="station_id" not in missing)
    tec_ids = _text(src, "tec_id")
    _required_values(src, "tec_id", errors, check="tec_id" not in missing)
    if ctx.tec_ids is not None and "tec_id" not in missing:
        _refs(src, "tec_id", tec_ids, ctx.tec_ids, "TEC", errors)
    voters = _voters(src, errors, check="voters" not in missing)
    defaults = schema.STATION_OPTIONAL
    kinds = _choice(src, "kind", schema.STATION_KINDS, defaults["kind"], errors)
    settings = _choice(src, "setting", schema.SETTINGS, defaults["setting"], errors)
    tzs = _tz(src, "tz", errors)
    abroad = kinds == StationKind.ABROAD.value
    regions = _text(src, "region")
    regions = np.where(abroad & (regions == ""), ABROAD_REGION, regions)
    districts = _text(src, "district")
    if package and ctx.region_tz is not None:
        known = _isin(regions, ctx.region_tz) | (abroad & (regions == ABROAD_REGION))
        for i in np.flatnonzero(~known):
            message = f"region '{regions[i]}' does not exist" if regions[i] else "missing region"
            errors.append(Problem(src.file, int(src.rows[i]), "region", message))
    if package and ctx.district_region is not None:
        _check_districts(src, regions, districts, ctx.district_region, errors, skip=abroad)
    lon, lat, field = _points(src, errors)
    _check_position(src, lon, lat, field, ctx.outline, errors, exempt=abroad)

    if ctx.commissions:
        tec_tz = np.array([c.tz if (c := ctx.commissions.get(t)) else "" for t in tec_ids])
        tzs = np.where(tzs == "", tec_tz, tzs)
    warnings = _station_warnings(
        src.file, [int(r) for r in src.rows], lon, lat, voters, kinds, tec_ids, ctx.commissions
    )
    if errors:
        return [], sorted(errors, key=_problem_order), warnings
    kind_of = {k.value: k for k in StationKind}
    setting_of = {s.value: s for s in Setting}
    columns = zip(
        ids,
        _text(src, "number"),
        _text(src, "name"),
        _text(src, "address"),
        regions,
        districts,
        tec_ids,
        voters.tolist(),
        kinds,
        settings,
        tzs,
        lon.tolist(),
        lat.tolist(),
        strict=True,
    )
    stations = [
        Station(sid, num, name, addr, reg, dist, tec, v, kind_of[k], setting_of[s], tz, x, y)
        for sid, num, name, addr, reg, dist, tec, v, k, s, tz, x, y in columns
    ]
    return stations, [], warnings


def _check_districts(
    src: _Source,
    regions: np.ndarray,
    districts: np.ndarray,
    district_region: dict[str, str],
    errors: list[Problem],
    *,
    skip: np.ndarray | None = None,
    allow_empty: bool = False,
) -> None:
    rows = src.rows
    empty = districts == ""
    unknown = ~empty & ~_isin(districts, district_region)
    if skip is not None:
        empty &= ~skip
        unknown &= ~skip
    if not allow_empty:
        for i in np.flatnonzero(empty):
            errors.append(Problem(src.file, int(rows[i]), "district", "missing district"))
    for i in np.flatnonzero(unknown):
        message = f"district '{districts[i]}' does not exist"
        errors.append(Problem(src.file, int(rows[i]), "district", message))
    # A district in another (existing) region; an unknown region is reported on its own.
    expected = np.array([district_region.get(d, "") for d in districts], dtype=object)
    wrong = (expected != "") & (expected != regions) & _isin(regions, district_region.values())
    if skip is not None:
        wrong &= ~skip
    for i in np.flatnonzero(wrong):
        message = f"district '{districts[i]}' belongs to region '{expected[i]}', not '{regions[i]}'"
        errors.append(Problem(src.file, int(rows[i]), "district", message))


def _build_commissions(
    src: _Source, ctx: _Context, *, package: bool
) -> tuple[list[Commission], list[Problem]]:
    errors: list[Problem] = []
    required = schema.LAYERS["commissions"] if package else schema.COMMISSION_REQUIRED
    missing = _require(src, required, errors)
    ids = _ids(src, "tec_id", errors, check="tec_id" not in missing)
    _required_values(src, "name", errors, check="name" not in missing)
    defaults = schema.COMMISSION_OPTIONAL
    levels = _choice(src, "level", schema.COMMISSION_LEVELS, defaults["level"], errors)
    parents = _text(src, "parent_id")
    _refs(src, "parent_id", parents, ids, "parent commission", errors)
    regions = _text(src, "region")
    districts = _text(src, "district")
    tzs = _tz(src, "tz", errors)
    if package and ctx.region_tz is not None:
        known = _isin(regions, ctx.region_tz) | (regions == ABROAD_REGION)
        for i in np.flatnonzero(~known):
            message = f"region '{regions[i]}' does not exist" if regions[i] else "missing region"
            errors.append(Problem(src.file, int(src.rows[i]), "region", message))
    if package and ctx.district_region is not None:
        _check_districts(src, regions, districts, ctx.district_region, errors, allow_empty=True)
    if ctx.region_tz:
        region_tz = np.array([ctx.region_tz.get(r, "") for r in regions], dtype=object)
        tzs = np.where(tzs == "", region_tz, tzs)
    lon, lat, field = _points(src, errors)
    _check_position(src, lon, lat, field, ctx.outline, errors)
    if errors:
        return [], sorted(errors, key=_problem_order)
    level_of = {c.value: c for c in CommissionLevel}
    columns = zip(
        ids,
        _text(src, "name"),
        levels,
        parents,
        regions,
        tzs,
        lon.tolist(),
        lat.tolist(),
        districts,
        strict=True,
    )
    commissions = [
        Commission(tec, name, level_of[lv], parent or None, reg, tz, x, y, dist or None)
        for tec, name, lv, parent, reg, tz, x, y, dist in columns
    ]
    return commissions, []


def _build_regions(src: _Source) -> tuple[list[Region], list[Problem]]:
    errors: list[Problem] = []
    missing = _require(src, schema.LAYERS["regions"], errors)
    ids = _ids(src, "region_id", errors, check="region_id" not in missing)
    tzs = _tz(src, "tz", errors, required="tz" not in missing)
    if errors:
        return [], sorted(errors, key=_problem_order)
    columns = zip(
        ids,
        _text(src, "name_en"),
        _text(src, "name_kk"),
        _text(src, "name_ru"),
        tzs,
        _shapes(src),
        strict=True,
    )
    return [Region(*values) for values in columns], []


def _build_districts(src: _Source, ctx: _Context) -> tuple[list[District], list[Problem]]:
    errors: list[Problem] = []
    missing = _require(src, schema.LAYERS["districts"], errors)
    ids = _ids(src, "district_id", errors, check="district_id" not in missing)
    regions = _text(src, "region_id")
    if ctx.region_tz is not None and "region_id" not in missing:
        _required_values(src, "region_id", errors, check=True)
        _refs(src, "region_id", regions, ctx.region_tz, "region", errors)
    if errors:
        return [], sorted(errors, key=_problem_order)
    columns = zip(
        ids,
        regions,
        _text(src, "name_en"),
        _text(src, "name_kk"),
        _text(src, "name_ru"),
        _shapes(src),
        strict=True,
    )
    return [District(*values) for values in columns], []


def _build_areas(src: _Source, ctx: _Context) -> tuple[list[Area], list[Problem]]:
    errors: list[Problem] = []
    missing = _require(src, schema.LAYERS["areas"], errors)
    ids = _ids(src, "area_id", errors, check="area_id" not in missing)
    region_ids = [
        tuple(part.strip() for part in text.split(",") if part.strip())
        for text in _text(src, "region_ids")
    ]
    if ctx.region_tz is not None:
        for row, regions in zip(src.rows, region_ids, strict=True):
            for region in regions:
                if region not in ctx.region_tz:
                    message = f"region '{region}' does not exist"
                    errors.append(Problem(src.file, int(row), "region_ids", message))
    # Optional: areas made of whole districts (`district_ids`, comma-separated).
    district_ids = [
        tuple(part.strip() for part in text.split(",") if part.strip())
        for text in _text(src, "district_ids")
    ]
    if ctx.district_region is not None:
        for row, districts in zip(src.rows, district_ids, strict=True):
            for district in districts:
                if district not in ctx.district_region:
                    message = f"district '{district}' does not exist"
                    errors.append(Problem(src.file, int(row), "district_ids", message))
    if errors:
        return [], sorted(errors, key=_problem_order)
    columns = zip(ids, _text(src, "name"), region_ids, _shapes(src), district_ids, strict=True)
    return [Area(*values) for values in columns], []


def _build_teams(
    src: _Source, ctx: _Context, area_ids: set[str] | None
) -> tuple[list[Team], list[Problem]]:
    errors: list[Problem] = []
    missing = _require(src, schema.LAYERS["teams"], errors)
    ids = _ids(src, "team_id", errors, check="team_id" not in missing)
    kinds = _choice(src, "kind", schema.TEAM_KINDS, None, errors, check="kind" not in missing)
    areas = _text(src, "area_id")
    if area_ids is not None:
        _refs(src, "area_id", areas, area_ids, "area", errors)
    lon, lat, field = _points(src, errors, required=False)
    _check_position(src, lon, lat, field, ctx.outline, errors)
    if errors:
        return [], sorted(errors, key=_problem_order)
    kind_of = {k.value: k for k in TeamKind}
    columns = zip(
        ids, kinds, areas, _text(src, "base_name"), lon.tolist(), lat.tolist(), strict=True
    )
    teams = [
        Team(tid, kind_of[k], area or None, base, _opt(x), _opt(y))
        for tid, k, area, base, x, y in columns
    ]
    return teams, []


def _opt(value: float) -> float | None:
    return None if value != value else value  # NaN -> None


def _shapes(src: _Source) -> list[BaseGeometry | None]:
    if src.geometry is None:
        return [None] * len(src)
    return [g if g is not None and not g.is_empty else None for g in src.geometry]


# ---------------------------------------------------------------------------------------
# Public API: standalone files
# ---------------------------------------------------------------------------------------


def load_commissions(
    path: str | Path, *, outline: BaseGeometry | None = None
) -> tuple[list[Commission], list[Problem]]:
    """Read TECs from GeoPackage, GeoJSON, zipped Shapefile, CSV or XLSX.

    Returns the commissions and the warnings; raises `MissionDataError` listing every
    problem if any row is unusable. Required columns: `tec_id`, `name` and coordinates
    (a point geometry, or latitude/longitude columns in a table).
    """
    file = str(path)
    errors: list[Problem] = []
    src = _read_file(Path(path), file, "commissions", errors)
    if src is not None and len(src) == 0:
        errors.append(Problem(file, None, None, "the file has no rows"))
    if errors or src is None:
        raise MissionDataError(errors)
    commissions, errors = _build_commissions(src, _Context(outline=outline), package=False)
    if errors:
        raise MissionDataError(errors)
    return commissions, []


def load_stations(
    path: str | Path,
    *,
    outline: BaseGeometry | None = None,
    commissions: Sequence[Commission] | None = None,
) -> tuple[list[Station], list[Problem]]:
    """Read polling stations from GeoPackage, GeoJSON, zipped Shapefile, CSV or XLSX.

    Returns the stations and the warnings (no voters; more than 100 km from the TEC);
    raises `MissionDataError` listing every problem if any row is unusable. Required
    columns: `station_id`, `tec_id`, `voters` and coordinates. With `commissions`, every
    station's TEC must exist and an empty `tz` is taken from the TEC; with `outline`,
    in-country stations must lie inside it (stations of kind `abroad` are exempt).
    """
    file = str(path)
    errors: list[Problem] = []
    src = _read_file(Path(path), file, "stations", errors)
    if src is not None and len(src) == 0:
        errors.append(Problem(file, None, None, "the file has no rows"))
    if errors or src is None:
        raise MissionDataError(errors)
    by_id = None if commissions is None else {c.tec_id: c for c in commissions}
    ctx = _Context(outline=outline, commissions=by_id)
    ctx.tec_ids = None if by_id is None else set(by_id)
    stations, errors, warnings = _build_stations(src, ctx, package=False)
    if errors:
        raise MissionDataError(errors)
    return stations, warnings


# ---------------------------------------------------------------------------------------
# Public API: mission packages
# ---------------------------------------------------------------------------------------


def package_paths(path: str | Path) -> tuple[Path, Path]:
    """The GeoPackage and settings file of a package directory or of a .gpkg path."""
    path = Path(path)
    if path.suffix.lower() == ".gpkg":
        toml = path.with_suffix(".toml")
        if not toml.exists():
            toml = path.parent / schema.SETTINGS_FILE
        return path, toml
    return path / schema.PACKAGE_FILE, path / schema.SETTINGS_FILE


def _read_layer(gpkg: Path, layer: str) -> _Source:
    gdf = pyogrio.read_dataframe(gpkg, layer=layer, use_arrow=_USE_ARROW)
    return _vector_source(f"{gpkg}:{layer}", gdf)


def load_mission(path: str | Path) -> Mission:
    """Load and check a mission package: a directory with `mission.gpkg` + `mission.toml`,
    or the .gpkg path itself (settings next to it).

    Every layer is checked, including references between layers (a station's region,
    district and TEC; a TEC's parent; an area's regions; a team's area), and every problem
    found is raised together in one `MissionDataError`. An empty `tz` falls back to the
    TEC's (stations) or the region's (TECs). Warnings: `mission_warnings(mission)`.
    """
    gpkg, toml = package_paths(path)
    if not gpkg.is_file():
        raise MissionDataError([Problem(str(gpkg), None, None, "mission package not found")])
    errors: list[Problem] = []
    settings: MissionSettings | None = None
    try:
        settings = read_settings(toml)
    except MissionDataError as exc:
        errors.extend(exc.problems)
    try:
        present = {str(name) for name in pyogrio.list_layers(gpkg)[:, 0]}
    except Exception as exc:  # GDAL reports corrupt input through many error types
        problem = _unreadable(str(gpkg), f"cannot read this file: {_gdal_message(exc)}")
        raise MissionDataError([problem]) from exc

    sources: dict[str, _Source] = {}
    for layer in schema.LAYERS:
        if layer not in present:
            found = ", ".join(sorted(present)) or "none"
            errors.append(Problem(str(gpkg), None, layer, f"missing layer; layers found: {found}"))
            continue
        try:
            sources[layer] = _read_layer(gpkg, layer)
        except Exception as exc:  # GDAL reports corrupt input through many error types
            message = f"cannot read layer: {_gdal_message(exc)}"
            errors.append(Problem(f"{gpkg}:{layer}", None, None, message))

    outline = None
    if schema.OUTLINE_LAYER in present:
        try:
            shapes = [g for g in _shapes(_read_layer(gpkg, schema.OUTLINE_LAYER)) if g is not None]
        except Exception as exc:  # GDAL reports corrupt input through many error types
            file = f"{gpkg}:{schema.OUTLINE_LAYER}"
            errors.append(Problem(file, None, None, f"cannot read layer: {_gdal_message(exc)}"))
            shapes = []
        outline = shapely.union_all(shapes) if shapes else None

    # Cross-checks use the id columns as read, so one broken row does not hide the
    # references to every other row of its layer.
    ctx = _Context(outline=outline)
    regions: list[Region] = []
    if (src := sources.get("regions")) is not None:
        if "region_id" in src.frame.columns:
            ctx.region_tz = dict(zip(_text(src, "region_id"), _text(src, "tz"), strict=True))
        regions, errs = _build_regions(src)
        errors.extend(errs)
    districts: list[District] = []
    if (src := sources.get("districts")) is not None:
        if "district_id" in src.frame.columns:
            pairs = zip(_text(src, "district_id"), _text(src, "region_id"), strict=True)
            ctx.district_region = dict(pairs)
        districts, errs = _build_districts(src, ctx)
        errors.extend(errs)
    commissions: list[Commission] = []
    if (src := sources.get("commissions")) is not None:
        if "tec_id" in src.frame.columns:
            ctx.tec_ids = set(_text(src, "tec_id"))
        commissions, errs = _build_commissions(src, ctx, package=True)
        errors.extend(errs)
        ctx.commissions = {c.tec_id: c for c in commissions}
    stations: list[Station] = []
    if (src := sources.get("stations")) is not None:
        stations, errs, _ = _build_stations(src, ctx, package=True)
        errors.extend(errs)
    areas: list[Area] = []
    area_ids: set[str] | None = None
    if (src := sources.get("areas")) is not None:
        if "area_id" in src.frame.columns:
            area_ids = set(_text(src, "area_id"))
        areas, errs = _build_areas(src, ctx)
        errors.extend(errs)
    teams: list[Team] = []
    if (src := sources.get("teams")) is not None:
        teams, errs = _build_teams(src, ctx, area_ids)
        errors.extend(errs)
    if errors or settings is None:
        raise MissionDataError(errors)
    return Mission(
        name=settings.name,
        country=settings.country,
        regions=tuple(regions),
        districts=tuple(districts),
        commissions=tuple(commissions),
        stations=tuple(stations),
        areas=tuple(areas),
        teams=tuple(teams),
        rules=settings.rules,
        targets=settings.targets,
        seed=settings.seed,
        outline=outline,
    )


def mission_warnings(mission: Mission) -> list[Problem]:
    """Things worth a look that do not block planning, with `row` set to the station id:
    stations with no voters, in-country stations more than 100 km from their TEC."""
    stations = mission.stations
    return _station_warnings(
        "stations",
        [s.station_id for s in stations],
        np.array([s.lon for s in stations], dtype=float),
        np.array([s.lat for s in stations], dtype=float),
        np.array([s.voters for s in stations], dtype=np.int64),
        np.array([s.kind.value for s in stations], dtype=object),
        np.array([s.tec_id for s in stations], dtype=object),
        mission.commission_by_id,
    )


def _layer(items: Sequence[object], columns: Sequence[str], geometry: list) -> gpd.GeoDataFrame:
    data = {
        name: pd.Series(
            [_cell(getattr(item, name)) for item in items],
            dtype="int64" if name == "voters" else "str",
        )
        for name in columns
    }
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometry, crs=WGS84))


def _cell(value: object) -> object:
    if isinstance(value, StationKind | Setting | CommissionLevel | TeamKind):
        return value.value
    if isinstance(value, tuple):
        return ",".join(value)
    return value


def _points_of(items: Sequence[Station | Commission | Team]) -> list[BaseGeometry | None]:
    return [
        None if item.lon is None or item.lat is None else shapely.Point(item.lon, item.lat)
        for item in items
    ]


def _mission_layers(mission: Mission) -> dict[str, tuple[gpd.GeoDataFrame, str]]:
    """Layer name -> (frame, geometry type) in package order."""
    m, cols = mission, schema.LAYERS
    layers = {
        "regions": (
            _layer(m.regions, cols["regions"], [r.geometry for r in m.regions]),
            "MultiPolygon",
        ),
        "districts": (
            _layer(m.districts, cols["districts"], [d.geometry for d in m.districts]),
            "MultiPolygon",
        ),
        "commissions": (
            _layer(m.commissions, cols["commissions"], _points_of(m.commissions)),
            "Point",
        ),
        "stations": (_layer(m.stations, cols["stations"], _points_of(m.stations)), "Point"),
        "areas": (
            _layer(
                m.areas,
                (*cols["areas"], "district_ids")
                if any(a.district_ids for a in m.areas)
                else cols["areas"],
                [a.geometry for a in m.areas],
            ),
            "MultiPolygon",
        ),
        "teams": (_layer(m.teams, cols["teams"], _points_of(m.teams)), "Point"),
    }
    if m.outline is not None:
        outline = gpd.GeoDataFrame({"country": [m.country]}, geometry=[m.outline], crs=WGS84)
        layers[schema.OUTLINE_LAYER] = (outline, "MultiPolygon")
    return layers


def write_mission(mission: Mission, path: str | Path) -> Path:
    """Write `mission` as a package (GeoPackage + TOML settings) and return the .gpkg path.

    `path` is a package directory (created if needed; files `mission.gpkg`, `mission.toml`)
    or a .gpkg path (settings written next to it with the same stem). Files are written
    into a temporary directory inside the target and moved into place only once complete,
    so a failed write leaves an existing package untouched.
    """
    target = Path(path)
    if target.suffix.lower() == ".gpkg":
        directory, gpkg_name, toml_name = target.parent, target.name, target.stem + ".toml"
    else:
        directory, gpkg_name, toml_name = target, schema.PACKAGE_FILE, schema.SETTINGS_FILE
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=directory))
    try:
        gpkg = staging / gpkg_name
        for layer, (frame, geometry_type) in _mission_layers(mission).items():
            pyogrio.write_dataframe(
                frame,
                gpkg,
                layer=layer,
                driver="GPKG",
                geometry_type=geometry_type,
                promote_to_multi=geometry_type.startswith("Multi"),
            )
        settings = MissionSettings(
            name=mission.name,
            country=mission.country,
            seed=mission.seed,
            rules=mission.rules,
            targets=mission.targets,
        )
        (staging / toml_name).write_text(dump_settings(settings), encoding="utf-8")
        os.replace(gpkg, directory / gpkg_name)
        os.replace(staging / toml_name, directory / toml_name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory / gpkg_name


# ---------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MissionSummary:
    """Counts for `planner validate` and the app's overview."""

    name: str
    country: str
    regions: int
    districts: int
    commissions: int
    commissions_by_level: dict[str, int]
    stations: int
    stations_by_region: dict[str, int]
    stations_by_kind: dict[str, int]
    stations_by_setting: dict[str, int]
    voters: int
    voters_by_region: dict[str, int]
    areas: int
    teams: int
    teams_by_kind: dict[str, int]

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def summarize(mission: Mission) -> MissionSummary:
    """Counts of regions, districts, TECs by level, stations by region/kind/setting,
    voters and teams by kind. Every known kind appears, with 0 if absent."""
    region_order = [r.region_id for r in mission.regions]
    by_region = Counter(s.region for s in mission.stations)
    voters_by_region: Counter[str] = Counter()
    for s in mission.stations:
        voters_by_region[s.region] += s.voters
    regions = region_order + sorted(set(by_region) - set(region_order))

    def counts(values: Iterable[str], keys: Sequence[str]) -> dict[str, int]:
        counter = Counter(values)
        return {k: counter.get(k, 0) for k in keys} | {
            k: v for k, v in sorted(counter.items()) if k not in keys
        }

    return MissionSummary(
        name=mission.name,
        country=mission.country,
        regions=len(mission.regions),
        districts=len(mission.districts),
        commissions=len(mission.commissions),
        commissions_by_level=counts(
            (c.level.value for c in mission.commissions), schema.COMMISSION_LEVELS
        ),
        stations=len(mission.stations),
        stations_by_region={r: by_region.get(r, 0) for r in regions},
        stations_by_kind=counts((s.kind.value for s in mission.stations), schema.STATION_KINDS),
        stations_by_setting=counts((s.setting.value for s in mission.stations), schema.SETTINGS),
        voters=mission.total_voters,
        voters_by_region={r: voters_by_region.get(r, 0) for r in regions},
        areas=len(mission.areas),
        teams=len(mission.teams),
        teams_by_kind=counts((t.kind.value for t in mission.teams), schema.TEAM_KINDS),
    )
