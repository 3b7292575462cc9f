"""Areas of responsibility and the observer teams: STO teams by voters, one LTO per area.

STO teams go to the areas in proportion to in-country voters (at least `MIN_STO_PER_AREA`
each) and, within an area, to its towns in proportion to population, at most half of the
area's teams (rounded up) in one town.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import geopandas as gpd
import pandas as pd
import shapely

from .apportion import capped_apportion
from .figures import BASE_TOWN_MIN_POP, CRS, N_AREAS, PRECISION
from .geometry import rnd

# LTO areas of responsibility: each city with its surrounding oblast, two pairs of
# neighbouring oblasts (the 2022 splits of Karagandy and East Kazakhstan), the rest alone.
AREAS = (
    ("Astana & Akmola", ("KZ71", "KZ11")),
    ("Almaty city & Almaty region", ("KZ75", "KZ19")),
    ("Shymkent & Turkestan", ("KZ79", "KZ61")),
    ("Karagandy & Ulytau", ("KZ35", "KZ62")),
    ("Abay & East Kazakhstan", ("KZ10", "KZ63")),
    ("Aktobe", ("KZ15",)),
    ("Atyrau", ("KZ23",)),
    ("West Kazakhstan", ("KZ27",)),
    ("Mangystau", ("KZ47",)),
    ("Kyzylorda", ("KZ43",)),
    ("Kostanay", ("KZ39",)),
    ("North Kazakhstan", ("KZ59",)),
    ("Pavlodar", ("KZ55",)),
    ("Zhambyl", ("KZ31",)),
    ("Zhetysu", ("KZ33",)),
)


def build_areas(regions: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The 15 areas of `AREAS`, each the union of its regions."""
    rgeom = regions.set_index("region_id").geometry
    rows = []
    for k, (name, ids) in enumerate(AREAS, start=1):
        geom = shapely.set_precision(shapely.union_all([rgeom[r] for r in ids]), PRECISION)
        rows.append(
            {"area_id": f"AOR-{k:02d}", "name": name, "region_ids": ",".join(ids), "geometry": geom}
        )
    areas = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    covered = sorted(r for ids in areas["region_ids"] for r in ids.split(","))
    assert covered == sorted(regions["region_id"]) and len(areas) == N_AREAS
    return areas


def base_towns(settlements: pd.DataFrame, region_ids: Iterable[str]) -> pd.DataFrame:
    """Candidate team bases: the area's cities and towns of `BASE_TOWN_MIN_POP` people or
    more (else its largest town), largest first."""
    t = settlements[settlements["region"].isin(region_ids) & settlements["urban"]]
    big = t[t["pop_est"] >= BASE_TOWN_MIN_POP]
    if big.empty:
        big = t.nlargest(1, "pop_est")
    return big.sort_values(["pop_est", "osm_id"], ascending=[False, True])


def build_teams(
    areas: gpd.GeoDataFrame,
    settlements: pd.DataFrame,
    voters_per_area: pd.Series,
    n_sto: int,
    *,
    min_per_area: int,
) -> pd.DataFrame:
    """STO teams to areas by voters, based in the area's towns by population; one LTO."""
    alloc = capped_apportion(
        n_sto, voters_per_area.reindex(areas["area_id"]).values, lo=min_per_area
    )
    rows = []
    sto_no = 0
    for a, n in zip(areas.itertuples(), alloc, strict=True):
        towns = base_towns(settlements, a.region_ids.split(","))
        cap = max(1, math.ceil(n / 2)) if len(towns) > 1 else None
        per_town = capped_apportion(int(n), towns["pop_est"].values, cap=cap)
        for t, k in zip(towns.itertuples(), per_town, strict=True):
            for _ in range(int(k)):
                sto_no += 1
                rows.append(
                    {
                        "team_id": f"STO-{sto_no:03d}",
                        "kind": "sto",
                        "area_id": a.area_id,
                        "base_name": t.name,
                        "lon": t.lon,
                        "lat": t.lat,
                    }
                )
    for k, a in enumerate(areas.itertuples(), start=1):
        t = base_towns(settlements, a.region_ids.split(",")).iloc[0]
        rows.append(
            {
                "team_id": f"LTO-{k:02d}",
                "kind": "lto",
                "area_id": a.area_id,
                "base_name": t["name"],
                "lon": t["lon"],
                "lat": t["lat"],
            }
        )
    out = pd.DataFrame(rows)
    out["lon"], out["lat"] = rnd(out["lon"]), rnd(out["lat"])
    return out
