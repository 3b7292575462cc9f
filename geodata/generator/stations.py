"""Polling stations in the country: how many per settlement, where, and their voters.

Counts hit the published national totals exactly (regular stations over regions, then over
settlements; special stations over urban voters); voters hit every regional total exactly,
each station within `VOTERS_MIN`..`VOTERS_MAX`.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner.allocation import apportion

from .apportion import bounded_apportion
from .figures import (
    CITY_DISTRICT_DECAY_KM,
    CITY_REGIONS,
    N_REGULAR,
    N_SPECIAL,
    SPECIAL_VOTERS,
    URBAN_RADIUS_KM_PER_SQRT_POP,
    VOTERS_MAX,
    VOTERS_MIN,
)
from .geometry import rnd, scatter_around, scatter_in_polygon
from .settlements import station_demand


def allocate_stations(s: pd.DataFrame) -> pd.DataFrame:
    """Regular and special station counts per settlement, at the national totals."""
    s = s.copy()
    s["demand"] = station_demand(s)
    by_region = s.groupby("region")["demand"].sum().sort_index()
    n_region = pd.Series(apportion(N_REGULAR, by_region.values), index=by_region.index)
    s["n_regular"] = 0
    for r, group in s.groupby("region", sort=True):
        s.loc[group.index, "n_regular"] = apportion(int(n_region[r]), group["demand"])
    urban_voters = (
        s[s["urban"]].groupby("region")["voters_est"].sum().reindex(by_region.index, fill_value=0)
    )
    n_special = pd.Series(apportion(N_SPECIAL, urban_voters.values), index=urban_voters.index)
    s["n_special"] = 0
    for r, group in s[s["urban"]].groupby("region", sort=True):
        s.loc[group.index, "n_special"] = apportion(int(n_special[r]), group["voters_est"])
    return s


def place_stations(
    s: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    country: BaseGeometry,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Station points: rural at their village, urban scattered over their town/city."""
    dgeom = districts.set_index("district_id").geometry
    areas = {d: shapely.intersection(g, country) for d, g in dgeom.items()}
    for g in areas.values():
        shapely.prepare(g)
    city_districts = districts[districts["level"] == "city_district"]
    rows: list[dict[str, object]] = []
    for sett in s.itertuples():
        for kind, n in (("regular", sett.n_regular), ("special", sett.n_special)):
            if n == 0:
                continue
            base = {
                "region": sett.region,
                "kind": kind,
                "settlement": sett.name,
                "place": sett.place,
                "setting": "urban" if sett.urban else "rural",
                "voters_est": sett.voters_est / max(sett.n_regular, 1),
                "sett_rank": sett.Index,
            }
            if sett.region in CITY_REGIONS:
                ids = sorted(
                    city_districts.loc[city_districts["region_id"] == sett.region, "district_id"]
                )
                shares = apportion(int(n), np.ones(len(ids)))
                for d, k in zip(ids, shares, strict=True):
                    pts = scatter_in_polygon(
                        rng, areas[d], int(k), (sett.lon, sett.lat), CITY_DISTRICT_DECAY_KM
                    )
                    rows.extend({**base, "district": d, "lon": x, "lat": y} for x, y in pts)
                continue
            area = areas[sett.district]
            if sett.urban:
                radius = URBAN_RADIUS_KM_PER_SQRT_POP * math.sqrt(sett.pop_est)
                pts = scatter_around(rng, sett.lon, sett.lat, radius, int(n), area)
            else:
                pts = [(sett.lon, sett.lat)] if kind == "regular" else []
                pts += scatter_around(rng, sett.lon, sett.lat, 0.4, int(n) - len(pts), area)
            rows.extend({**base, "district": sett.district, "lon": x, "lat": y} for x, y in pts)
    st = pd.DataFrame(rows)
    st["lon"], st["lat"] = rnd(st["lon"]), rnd(st["lat"])
    return st


def assign_voters(st: pd.DataFrame, voters: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    """Voters per station: exact regional totals, 50-3,000 each."""
    st = st.copy()
    st["voters"] = 0
    special = st["kind"] == "special"
    st.loc[special, "voters"] = rng.integers(
        SPECIAL_VOTERS[0], SPECIAL_VOTERS[1] + 1, int(special.sum())
    )
    noise = rng.lognormal(0.0, 0.25, len(st))
    for r, group in st[~special].groupby("region", sort=True):
        total = int(voters[r]) - int(st.loc[special & (st["region"] == r), "voters"].sum())
        w = group["voters_est"].to_numpy() * noise[group.index]
        st.loc[group.index, "voters"] = bounded_apportion(total, w, VOTERS_MIN, VOTERS_MAX)
    return st
