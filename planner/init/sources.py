"""Station lists in, one table out: files or folders of CSV, XLSX and GIS layers, stacked.

Tables go through `planner.tabular` (encodings, separators, decimal commas) and GIS layers
through pyogrio (any CRS, reprojected to EPSG:4326); a polygon or line stands for the point
inside it (`point_on_surface`). Rows keep the file and row number a person would look for.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from planner.errors import MissionDataError, Problem
from planner.tabular import TABULAR_SUFFIXES, TableError, read_table

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp")
SUPPORTED = (*TABULAR_SUFFIXES, *VECTOR_SUFFIXES)
WGS84 = "EPSG:4326"
_USE_ARROW = importlib.util.find_spec("pyarrow") is not None


@dataclass(frozen=True)
class StationTable:
    """Every input row as text cells, with where it came from and any geometry's point."""

    frame: pd.DataFrame  # text cells, lower-case headers, RangeIndex
    file: np.ndarray  # per row: the file it came from
    row: np.ndarray  # per row: 1-based data row (or feature number) in that file
    geometry_lon: np.ndarray  # NaN where the row has no geometry
    geometry_lat: np.ndarray
    files: tuple[str, ...]
    has_geometry: bool
    polygons: int  # rows whose geometry was a polygon or line (its inner point is used)

    def where(self, i: int) -> tuple[str, int]:
        return str(self.file[i]), int(self.row[i])


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders replaced by the supported files in them (sorted, not nested)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix.lower() in SUPPORTED)
            found.extend(p for p in inside if p.is_file() and not p.name.startswith("."))
        else:
            found.append(path)
    return found


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Attribute columns as trimmed text, whole floats without '.0', headers lower case."""
    out = {}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_float_dtype(series):
            values = series.to_numpy(dtype=float, na_value=np.nan)
            finite = values[np.isfinite(values)]
            if np.array_equal(finite, np.round(finite)) and np.all(np.abs(finite) < 2**53):
                series = series.astype("Int64")
        out[str(column).strip().lower()] = series.astype("str").fillna("").str.strip()
    result = pd.DataFrame(out)
    result = result.replace({"<NA>": "", "nan": "", "None": ""})
    return result.loc[:, ~result.columns.duplicated()]


def has_shapes(frame: pd.DataFrame) -> bool:
    return isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns


def read_layer(path: Path) -> pd.DataFrame:
    """The first layer of a GIS file (empty without one); with shapes, a GeoDataFrame in
    WGS84. GDAL's errors pass through: `gdal_message` words them for a person."""
    layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    if not layers:
        return pd.DataFrame()
    frame = pyogrio.read_dataframe(path, layer=layers[0], use_arrow=_USE_ARROW)
    if has_shapes(frame) and frame.crs is not None and not frame.crs.equals(WGS84):
        frame = frame.to_crs(WGS84)
    return frame


def gdal_message(exc: Exception) -> str:
    """GDAL's error without its advice on driver options, which a user cannot act on."""
    return str(exc).split("; It might help")[0]


def _read_vector(path: Path) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, int]:
    gdf = read_layer(path)
    if not has_shapes(gdf):
        return _text_frame(gdf), np.full(len(gdf), np.nan), np.full(len(gdf), np.nan), 0
    assert isinstance(gdf, gpd.GeoDataFrame)
    geoms = gdf.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    point = shapely.get_type_id(geoms) == 0
    inner = np.asarray(np.where(point | empty, geoms, None), dtype=object)
    others = ~point & ~empty
    if others.any():
        inner[others] = shapely.point_on_surface(geoms[others])
    lon = np.where(empty, np.nan, shapely.get_x(inner))
    lat = np.where(empty, np.nan, shapely.get_y(inner))
    frame = _text_frame(gdf.drop(columns=gdf.geometry.name))
    return frame, lon.astype(float), lat.astype(float), int(others.sum())


def read_stations(paths: list[Path]) -> StationTable:
    """Read and stack every station file; `MissionDataError` lists every unreadable one."""
    files = expand(paths)
    problems: list[Problem] = []
    if not files:
        problems.append(Problem(", ".join(map(str, paths)), None, None, "no station files found"))
    frames, names, rows, lons, lats = [], [], [], [], []
    polygons = 0
    has_geometry = False
    for path in files:
        suffix = path.suffix.lower()
        file = str(path)
        if suffix not in SUPPORTED:
            problems.append(
                Problem(file, None, None, f"unsupported file type '{suffix or path.name}'")
            )
            continue
        if not path.is_file():
            problems.append(Problem(file, None, None, "file not found"))
            continue
        try:
            if suffix in TABULAR_SUFFIXES:
                table = read_table(path).frame
                numbers = table.index.to_numpy()
                frame = table.reset_index(drop=True)
                lon = lat = np.full(len(frame), np.nan)
            else:
                frame, lon, lat, n_poly = _read_vector(path)
                numbers = np.arange(1, len(frame) + 1)
                polygons += n_poly
                has_geometry = True
        except TableError as exc:
            problems.append(Problem(file, None, None, str(exc)))
            continue
        except Exception as exc:  # GDAL reports corrupt input through many error types
            message = f"cannot read this file: {gdal_message(exc)}"
            problems.append(Problem(file, None, None, message))
            continue
        if len(frame) == 0:
            problems.append(Problem(file, None, None, "the file has no rows"))
            continue
        frames.append(frame)
        names.append(np.full(len(frame), file, dtype=object))
        rows.append(numbers)
        lons.append(lon)
        lats.append(lat)
    if problems:
        raise MissionDataError(problems)
    frame = pd.concat(frames, ignore_index=True).fillna("")
    return StationTable(
        frame=frame,
        file=np.concatenate(names),
        row=np.concatenate(rows),
        geometry_lon=np.concatenate(lons),
        geometry_lat=np.concatenate(lats),
        files=tuple(str(f) for f in files),
        has_geometry=has_geometry,
        polygons=polygons,
    )
