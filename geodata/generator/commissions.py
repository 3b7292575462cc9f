"""TECs: one per region and one per district, with the five smallest rayons merged into a
neighbour, so the list has the published 239 commissions.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .admin import region_tz, short_region_name
from .figures import CITY_REGIONS, N_MERGED_DISTRICTS
from .geometry import rnd
from .sources import Sources


def merge_small_rayons(districts: gpd.GeoDataFrame, settlements: pd.DataFrame) -> dict[str, str]:
    """Pick the rayons whose stations report to a neighbour's TEC.

    The five rayons with the smallest estimated population (OSM population tags,
    untagged settlements at the median of their kind), at most one per region, each
    merged into the rayon of the same region with which it shares the longest border.
    """
    pop = settlements.groupby("district")["pop_est"].sum()
    rayons = districts[districts["level"] == "district"].copy()
    rayons["pop_est"] = rayons["district_id"].map(pop).fillna(0)
    rayons = rayons.sort_values(["pop_est", "district_id"])
    metric = districts.to_crs("EPSG:6933").set_index("district_id").geometry
    merged: dict[str, str] = {}
    used_regions: set[str] = set()
    for row in rayons.itertuples():
        if len(merged) == N_MERGED_DISTRICTS:
            break
        if row.region_id in used_regions:
            continue
        same = rayons[
            (rayons["region_id"] == row.region_id) & (rayons["district_id"] != row.district_id)
        ]
        here = metric[row.district_id]
        shared = {
            d: here.boundary.intersection(metric[d].buffer(200)).length
            for d in sorted(same["district_id"])
        }
        target = max(shared, key=lambda d: (shared[d], d))
        if shared[target] <= 0:
            continue
        merged[row.district_id] = target
        used_regions.add(row.region_id)
    assert len(merged) == N_MERGED_DISTRICTS
    return merged


def tec_of_district(districts: gpd.GeoDataFrame, merged: dict[str, str]) -> dict[str, str]:
    """The TEC of each district's stations: its own, or the neighbour's it merged into."""
    return {d: f"TEC-{merged.get(d, d)}" for d in districts["district_id"]}


def build_commissions(
    districts: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    merged: dict[str, str],
    src: Sources,
    settlements: pd.DataFrame,
    stations: pd.DataFrame,
) -> pd.DataFrame:
    """239 TECs: one per region, one per ADM2 unit except the merged ones.

    A regional TEC stands at the regional centre, a rayon or city TEC at the largest
    settlement of its unit, a city-district TEC at the station nearest the middle of its
    stations.
    """
    rname = regions.set_index("region_id")["name_en"].map(short_region_name)
    c = src.centres
    centres = c[c["TYPE_CNT1"] != 4].set_index("ADM1_PCODE").geometry
    rgeom = regions.set_index("region_id").geometry
    rows = []
    for r in regions["region_id"]:
        pt = centres[r]
        assert rgeom[r].contains(pt), r
        kind = "city" if r in CITY_REGIONS else "regional"
        rows.append(
            {
                "tec_id": f"TEC-{r}",
                "name": f"{rname[r]} {kind} TEC",
                "level": "regional",
                "parent_id": None,
                "region": r,
                "district": None,
                "tz": region_tz(r),
                "lon": pt.x,
                "lat": pt.y,
            }
        )
    absorbed: dict[str, list[str]] = {}
    for small, target in merged.items():
        absorbed.setdefault(target, []).append(small)
    dname = districts.set_index("district_id")["name_en"]
    dgeom = districts.set_index("district_id").geometry
    biggest = (
        settlements.sort_values(
            ["district", "pop_est", "rank", "osm_id"], ascending=[True, False, True, True]
        )
        .groupby("district")
        .head(1)
        .set_index("district")
    )
    for d in districts.itertuples():
        if d.district_id in merged:
            continue
        r = d.region_id
        if d.level == "city_district":
            name = f"{d.name_en} district TEC, {rname[r]}"
            pts = stations.loc[stations["district"] == d.district_id, ["lon", "lat"]].to_numpy()
            mean = pts.mean(axis=0)
            lon, lat = pts[np.argmin(((pts - mean) ** 2).sum(axis=1))]
        else:
            kind = "city" if d.level == "city" else "district"
            name = f"{d.name_en} {kind} TEC, {rname[r]} region"
            if d.district_id in absorbed:
                extra = ", ".join(dname[x] for x in absorbed[d.district_id])
                name += f" (incl. {extra} district)"
            b = biggest.loc[d.district_id]
            lon, lat = b["lon"], b["lat"]
            if abs(lon - centres[r].x) < 1e-3 and abs(lat - centres[r].y) < 1e-3:
                lon, lat = lon + 0.004, lat + 0.002  # beside the regional TEC, not on it
        assert shapely.contains_xy(dgeom[d.district_id], lon, lat), d.district_id
        rows.append(
            {
                "tec_id": f"TEC-{d.district_id}",
                "name": name,
                "level": d.level,
                "parent_id": f"TEC-{r}",
                "region": r,
                "district": d.district_id,
                "tz": region_tz(r),
                "lon": lon,
                "lat": lat,
            }
        )
    out = pd.DataFrame(rows)
    out["lon"], out["lat"] = rnd(out["lon"]), rnd(out["lat"])
    return out
