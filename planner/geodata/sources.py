"""Reading a file or a GeoPackage layer into a table of text cells.

Every source becomes text columns under trimmed, lower-case names, plus the geometries in
EPSG:4326 when it is vector data, with its rows numbered the way a person counts them. GDAL
(through pyogrio), text encodings (through `planner.tabular`) and coordinate reference
systems are handled here and nowhere else; what the columns mean is checked later.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from shapely.geometry.base import BaseGeometry

from planner.errors import Problem
from planner.tabular import TABULAR_SUFFIXES, TableError, read_table

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp")
SUPPORTED_FORMATS = (
    "GeoPackage (.gpkg), GeoJSON (.geojson, .json), zipped Shapefile (.zip), "
    "Shapefile (.shp), CSV (.csv) or Excel (.xlsx)"
)
WGS84 = "EPSG:4326"

# pyogrio reads faster through Arrow; pyarrow is an optional dependency.
_USE_ARROW = importlib.util.find_spec("pyarrow") is not None


@dataclasses.dataclass
class Source:
    """One table or layer: text cells under canonical column names, rows numbered for people.

    `frame.index` holds the row number a person would look for: the 1-based data row of a
    CSV/XLSX (header = row 0), or feature index + 1 of a vector layer. `geometry` is None
    for a table without a geometry column; `decimal_comma` says whether "43,25" may mean
    43.25 (a table not separated by commas).
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
        """The column names, for messages about a missing column."""
        names = [str(name) for name in self.frame.columns]
        if self.geometry is not None:
            names.append("geometry")
        return ", ".join(names) if names else "none"

    def text(self, column: str, default: str = "") -> np.ndarray:
        """A column's cells as an object array; a missing column or empty cell is `default`."""
        if column not in self.frame.columns:
            return np.full(len(self), default, dtype=object)
        values = self.frame[column].to_numpy(dtype=object)
        if default:
            values = np.where(values == "", default, values)
        return values

    def shapes(self) -> list[BaseGeometry | None]:
        """The geometries, with None for a missing or empty one."""
        if self.geometry is None:
            return [None] * len(self)
        return [g if g is not None and not g.is_empty else None for g in self.geometry]


def unreadable(file: str, detail: str) -> Problem:
    """A whole-file problem that also lists the formats we read."""
    return Problem(file, None, None, f"{detail}; supported formats: {SUPPORTED_FORMATS}")


def gdal_message(exc: Exception) -> str:
    """GDAL's first sentence, without its advice on driver prefixes."""
    return str(exc).split("; It might help")[0].rstrip(". ")


def layer_names(path: Path) -> list[str]:
    """The layers of a vector file (GDAL errors pass through)."""
    return [str(name) for name in pyogrio.list_layers(path)[:, 0]]


def read_file(path: Path, file: str, layer: str, errors: list[Problem]) -> Source | None:
    """Read a standalone stations/commissions file; on failure add a problem, return None.

    A vector file with several layers is read at `layer` if it has one of that name, else
    at its first layer.
    """
    suffix = path.suffix.lower()
    if suffix not in VECTOR_SUFFIXES + TABULAR_SUFFIXES:
        hint = " (save it as .xlsx)" if suffix == ".xls" else ""
        errors.append(unreadable(file, f"unsupported file type '{suffix or path.name}'{hint}"))
        return None
    if not path.exists():
        errors.append(unreadable(file, "file not found"))
        return None
    if not path.is_file():
        errors.append(unreadable(file, "not a file"))
        return None
    if suffix in TABULAR_SUFFIXES:
        try:
            table = read_table(path)
        except TableError as exc:
            errors.append(unreadable(file, str(exc)))
            return None
        return Source(file, table.frame, None, table.decimal_comma)
    try:
        names = layer_names(path)
        if not names:
            errors.append(Problem(file, None, None, "the file has no rows"))
            return None
        chosen = layer if layer in names else names[0]
        gdf = pyogrio.read_dataframe(path, layer=chosen, use_arrow=_USE_ARROW)
    except Exception as exc:  # GDAL reports corrupt input through many error types
        errors.append(unreadable(file, f"cannot read this file: {gdal_message(exc)}"))
        return None
    return _vector_source(file, gdf)


def read_layer(gpkg: Path, layer: str) -> Source:
    """One layer of a mission package, named `<gpkg>:<layer>` in problems."""
    gdf = pyogrio.read_dataframe(gpkg, layer=layer, use_arrow=_USE_ARROW)
    return _vector_source(f"{gpkg}:{layer}", gdf)


def _vector_source(file: str, gdf: pd.DataFrame) -> Source:
    """Attribute columns as text plus geometries in EPSG:4326 (None: no geometry column)."""
    if isinstance(gdf, gpd.GeoDataFrame) and gdf.geometry.name in gdf.columns:
        return Source(file, _text_frame(gdf.drop(columns=gdf.geometry.name)), _geometries(gdf))
    return Source(file, _text_frame(gdf), None)


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
