"""The built layers as a `Mission`, written through `planner.geodata.write_mission`.

The generator keeps its tables as data frames while it builds; here they become the model
objects, so the shipped packages are written by the same code as any other package and
must load back equal (asserted after every write).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from planner.geodata import load_mission, write_mission
from planner.model import (
    Area,
    Commission,
    CommissionLevel,
    District,
    Mission,
    Region,
    Rules,
    Setting,
    Station,
    StationKind,
    Targets,
    Team,
    TeamKind,
)
from planner.schema import LAYERS, OUTLINE_LAYER

from .figures import CRS, SEED

SYNTHETIC = (
    "Station locations, voter numbers, addresses and the TEC list are synthetic: stations "
    "are placed on real OpenStreetMap settlements inside the real geokz administrative "
    "boundaries."
)
NOTE = f"{SYNTHETIC} The totals reproduce the published national figures. See geodata/README.md."


def points(df: pd.DataFrame, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """The contract columns of a table with `lon`/`lat`, as a point layer."""
    return gpd.GeoDataFrame(
        df[list(columns)].reset_index(drop=True),
        geometry=gpd.points_from_xy(df["lon"], df["lat"]),
        crs=CRS,
    )


def layer_frames(
    regions: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    tecs: pd.DataFrame,
    stations: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    teams: pd.DataFrame,
    country_gdf: gpd.GeoDataFrame,
) -> dict[str, gpd.GeoDataFrame]:
    """Layer name -> frame with exactly the contract columns of `planner.schema.LAYERS`."""
    station_cols = LAYERS["stations"]
    return {
        "regions": regions[[*LAYERS["regions"], "geometry"]],
        "districts": districts[[*LAYERS["districts"], "geometry"]],
        "commissions": points(tecs, LAYERS["commissions"]),
        "stations": points(stations.astype({"voters": "int64"}), station_cols),
        "areas": areas[[*LAYERS["areas"], "geometry"]],
        "teams": points(teams, LAYERS["teams"]),
        OUTLINE_LAYER: country_gdf,
    }


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def to_mission(layers: dict[str, gpd.GeoDataFrame], *, name: str, targets: Targets) -> Mission:
    """The layers as a `Mission` with the default rules, the build's seed and the outline."""
    regions = tuple(
        Region(r.region_id, r.name_en, r.name_kk, r.name_ru, r.tz, r.geometry)
        for r in layers["regions"].itertuples()
    )
    districts = tuple(
        District(d.district_id, d.region_id, d.name_en, d.name_kk, d.name_ru, d.geometry)
        for d in layers["districts"].itertuples()
    )
    commissions = tuple(
        Commission(
            c.tec_id,
            c.name,
            CommissionLevel(c.level),
            _text_or_none(c.parent_id),
            c.region,
            c.tz,
            c.geometry.x,
            c.geometry.y,
            _text_or_none(c.district),
        )
        for c in layers["commissions"].itertuples()
    )
    stations = tuple(
        Station(
            s.station_id,
            s.number,
            s.name,
            s.address,
            s.region,
            s.district,
            s.tec_id,
            int(s.voters),
            StationKind(s.kind),
            Setting(s.setting),
            s.tz,
            s.geometry.x,
            s.geometry.y,
        )
        for s in layers["stations"].itertuples()
    )
    areas = tuple(
        Area(a.area_id, a.name, tuple(a.region_ids.split(",")), a.geometry)
        for a in layers["areas"].itertuples()
    )
    teams = tuple(
        Team(t.team_id, TeamKind(t.kind), t.area_id, t.base_name, t.geometry.x, t.geometry.y)
        for t in layers["teams"].itertuples()
    )
    outline: BaseGeometry = layers[OUTLINE_LAYER].geometry.iloc[0]
    return Mission(
        name=name,
        country="KZ",
        regions=regions,
        districts=districts,
        commissions=commissions,
        stations=stations,
        areas=areas,
        teams=teams,
        rules=Rules(),
        targets=targets,
        seed=SEED,
        outline=outline,
    )


def write_package(directory: Path, mission: Mission, note: str) -> None:
    """Write the package and check that it loads back, every check passed, as `mission`."""
    write_mission(mission, directory, note=note)
    assert load_mission(directory) == mission, f"{directory} does not load back as built"
