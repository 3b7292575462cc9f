"""Settlements and the population model: voters per region and per settlement, and how
many regular stations each settlement would want.

No per-region voter table exists in the sources, so voters follow a regional population
estimate and, within a region, the OpenStreetMap population of its settlements.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner.allocation import apportion

from .figures import (
    ABROAD_VOTERS,
    CITY_REGIONS,
    HAMLET_MIN_DEMAND,
    KYZYLORDA_POPULATION,
    MAX_URBAN_SHARE,
    RURAL_VOTERS_PER_STATION,
    TOTAL_VOTERS,
    URBAN_VOTERS_PER_STATION,
)
from .sources import Sources

CYRILLIC = "[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]"
PLACE_RANK = {"city": 0, "town": 1, "village": 2, "hamlet": 3}
URBAN_PLACES = ("city", "town")


def build_settlements(
    src: Sources, districts: gpd.GeoDataFrame, country: BaseGeometry
) -> pd.DataFrame:
    """OSM villages, hamlets, towns and cities inside their district, plus Kyzylorda."""
    p = src.places
    p = p[p["place"].isin(PLACE_RANK)].copy()
    geom = districts.set_index("district_id").geometry
    inside = shapely.contains_xy(geom.reindex(p["adm2_pcode"]).values, p["lon"], p["lat"])
    inside &= shapely.contains_xy(country, p["lon"], p["lat"])
    # Points outside their district were snapped across the border by the source join;
    # nearly all are villages in the neighbouring countries, so they are left out. So are
    # places named only in Latin Uzbek or Chinese script: they lie just across the southern
    # and eastern borders, inside the generalised boundary.
    cyrillic = p["name"].fillna("").str.contains(CYRILLIC)
    p = p[inside & cyrillic]
    # Kyzylorda city has no place node in the OSM export: take the regional centre.
    c = src.centres
    kz = c[(c["ADM1_PCODE"] == "KZ43") & (c["TYPE_CNT1"] == 3)].iloc[0]
    kx, ky = kz.geometry.x, kz.geometry.y
    k_district = districts.loc[shapely.contains_xy(districts.geometry.values, kx, ky)]
    assert list(k_district["district_id"]) == ["KZ431000"]
    extra = pd.DataFrame(
        [
            {
                "osm_id": 0,
                "place": "city",
                "name": kz["NAME_KK"],
                "population": KYZYLORDA_POPULATION,
                "adm1_pcode": "KZ43",
                "adm2_pcode": "KZ431000",
                "lon": kx,
                "lat": ky,
            }
        ]
    )
    p = pd.concat([p, extra], ignore_index=True)
    out = pd.DataFrame(
        {
            "osm_id": p["osm_id"].astype("int64"),
            "place": p["place"],
            "name": p["name"],
            "pop_tag": p["population"].where(p["population"] > 0),
            "region": p["adm1_pcode"],
            "district": p["adm2_pcode"],
            "lon": p["lon"].astype(float),
            "lat": p["lat"].astype(float),
        }
    )
    out["rank"] = out["place"].map(PLACE_RANK)
    medians = out.groupby("place")["pop_tag"].median()
    out["pop_est"] = out["pop_tag"].fillna(out["place"].map(medians)).clip(lower=10)
    out["urban"] = out["place"].isin(URBAN_PLACES)
    out = out.sort_values(
        ["district", "rank", "pop_est", "osm_id"], ascending=[True, True, False, True]
    )
    return out.reset_index(drop=True)


def region_voters(regions: gpd.GeoDataFrame) -> pd.Series:
    """In-country voters per region, in proportion to the population estimate."""
    v = apportion(TOTAL_VOTERS - ABROAD_VOTERS, regions["population"])
    return pd.Series(v, index=regions["region_id"].values)


def settlement_voters(
    settlements: pd.DataFrame, regions: gpd.GeoDataFrame, voters: pd.Series
) -> pd.DataFrame:
    """Split each region's voters over its settlements (urban first, then rural).

    Urban population = OSM population of the region's cities and towns (at most 92 % of
    the region); the rest is rural, spread over villages and hamlets by their population
    tags (untagged ones at the median of their kind). In the three cities all voters are
    urban and belong to the city itself.
    """
    s = settlements.copy()
    pop = regions.set_index("region_id")["population"]
    s["voters_est"] = 0.0
    keep = np.ones(len(s), dtype=bool)
    for r, group in s.groupby("region", sort=True):
        P = float(pop[r])
        V = float(voters[r])
        if r in CITY_REGIONS:
            main = group[group["place"] == "city"].index
            assert len(main) == 1, r
            keep[group.index] = False
            keep[main] = True
            s.loc[main, "voters_est"] = V
            continue
        urb = group.index[group["urban"]]
        rur = group.index[~group["urban"]]
        u_pop = s.loc[urb, "pop_est"].sum()
        u_share = min(u_pop / P, MAX_URBAN_SHARE)
        s.loc[urb, "voters_est"] = V * u_share * s.loc[urb, "pop_est"] / u_pop
        r_pop = s.loc[rur, "pop_est"].sum()
        s.loc[rur, "voters_est"] = V * (1 - u_share) * s.loc[rur, "pop_est"] / r_pop
    return s[keep].reset_index(drop=True)


def station_demand(s: pd.DataFrame) -> np.ndarray:
    """How many regular stations a settlement would want before national scaling."""
    v = s["voters_est"].to_numpy()
    urban = np.maximum(1.0, v / URBAN_VOTERS_PER_STATION)
    village = np.maximum(1.0, v / RURAL_VOTERS_PER_STATION)
    hamlet = np.maximum(HAMLET_MIN_DEMAND, v / RURAL_VOTERS_PER_STATION)
    return np.where(s["urban"], urban, np.where(s["place"] == "village", village, hamlet))
