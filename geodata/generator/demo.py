"""The Ulytau demo: one region of the default mission, 300 stations, 3 STO teams.

The region's largest regular station is split in two (voters halved, the copy placed up
to 1 km away in the same district) until there are `SMALL_STATIONS`; targets are scaled
for three teams.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.model import Mission, Targets

from .addresses import number_stations
from .admin import short_region_name
from .figures import CRS, PRECISION
from .geometry import scatter_around
from .package import SYNTHETIC, layer_frames, to_mission
from .teams import build_teams

SMALL_REGION = "KZ62"
SMALL_STATIONS = 300
SMALL_STO_TEAMS = 3


@dataclass(frozen=True)
class Demo:
    """The demo mission, its settings note and the tables the build summary reports."""

    mission: Mission
    note: str
    stations: pd.DataFrame
    teams: pd.DataFrame
    tecs: pd.DataFrame
    splits: int


def build_small(
    regions: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    tecs: pd.DataFrame,
    stations: pd.DataFrame,
    settlements: pd.DataFrame,
    country_gdf: gpd.GeoDataFrame,
    rng: np.random.Generator,
) -> Demo:
    """Ulytau region alone: its stations, the largest split in two until there are 300."""
    r = SMALL_REGION
    st = stations[stations["region"] == r].copy().reset_index(drop=True)
    dgeom = districts.set_index("district_id").geometry
    split_no = 0
    while len(st) < SMALL_STATIONS:
        cand = st[st["kind"] == "regular"]
        i = cand["voters"].idxmax()
        row = st.loc[i].copy()
        half = int(row["voters"]) // 2
        st.loc[i, "voters"] = int(row["voters"]) - half
        radius = 1.0 if row["setting"] == "urban" else 0.3
        ((x, y),) = scatter_around(rng, row["lon"], row["lat"], radius, 1, dgeom[row["district"]])
        split_no += 1
        row["voters"], row["lon"], row["lat"] = half, x, y
        row["sett_rank"] = row["sett_rank"] + 0.5
        st = pd.concat([st, row.to_frame().T], ignore_index=True)
    st = st.astype({"voters": "int64", "lon": float, "lat": float, "sett_rank": float})
    st = number_stations(st, rng)
    reg = regions[regions["region_id"] == r].reset_index(drop=True)
    dis = districts[districts["region_id"] == r].reset_index(drop=True)
    tec = tecs[tecs["region"] == r].reset_index(drop=True)
    name = short_region_name(reg.loc[0, "name_en"])
    areas = gpd.GeoDataFrame(
        {"area_id": ["AOR-01"], "name": [name], "region_ids": [r]},
        geometry=[shapely.set_precision(reg.geometry.iloc[0], PRECISION)],
        crs=CRS,
    )
    teams = build_teams(
        areas,
        settlements,
        pd.Series({"AOR-01": int(st["voters"].sum())}),
        SMALL_STO_TEAMS,
        min_per_area=SMALL_STO_TEAMS,
    )
    layers = layer_frames(reg, dis, tec, st, areas, teams, country_gdf)
    mission = to_mission(
        layers,
        name=f"{name} demo",
        targets=Targets(opening=3, voting=24, counting=3, tabulation=3),
    )
    note = (
        f"{name} region of the default Kazakhstan 2022 mission (same voters), with its "
        f"larger stations split in two to give {SMALL_STATIONS} stations. {SYNTHETIC} "
        "See geodata/README.md."
    )
    return Demo(mission, note, st, teams, tec, split_no)
