"""The build summary printed at the end: the figures to compare with the published ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd

from planner.datasets import GEODATA_DIR
from planner.schema import PACKAGE_FILE

from .abroad import ABROAD_POSTS
from .demo import Demo
from .figures import KARAGANDY_PUBLISHED_STATIONS

REPO = GEODATA_DIR.parent


def _utc_offset_s(day: datetime, zone: str) -> float:
    offset = day.replace(tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return offset.total_seconds()


def print_summary(
    layers: dict[str, gpd.GeoDataFrame],
    regions: gpd.GeoDataFrame,
    merged: dict[str, str],
    elapsed: float,
    small: Demo,
    packages: Sequence[Path],
) -> None:
    """Regions, TECs by level, stations by kind and setting, voters, stations and teams
    per area, the demo, and the size of each written GeoPackage."""
    st = layers["stations"]
    tecs = layers["commissions"]
    teams = layers["teams"]
    areas = layers["areas"]
    day = datetime(2022, 11, 20, 12)
    pd.set_option("display.width", 140)
    print("\nKazakhstan 2022 default mission")
    print("=" * 72)
    reg = regions.set_index("region_id")
    rs = (
        st[st["kind"] != "abroad"]
        .groupby("region")
        .agg(
            stations=("station_id", "size"),
            special=("kind", lambda k: int((k == "special").sum())),
            urban=("setting", lambda k: int((k == "urban").sum())),
            voters=("voters", "sum"),
        )
    )
    rs["tecs"] = tecs.groupby("region").size()
    rs.insert(0, "name", reg["name_en"])
    rs.insert(1, "tz", reg["tz"])
    rs.insert(
        2,
        "utc",
        ["+%g" % (_utc_offset_s(day, z) / 3600) for z in reg.loc[rs.index, "tz"]],
    )
    print(rs.to_string())
    print(
        f"Karagandy: {rs.loc['KZ35', 'stations']} stations "
        f"(published: {KARAGANDY_PUBLISHED_STATIONS})"
    )
    print(
        f"\nregions: {len(layers['regions'])}   districts: {len(layers['districts'])}   "
        f"TECs: {len(tecs)}"
    )
    print(
        "TECs by level:",
        tecs["level"]
        .value_counts()
        .reindex(["regional", "city", "district", "city_district"])
        .to_dict(),
    )
    print("merged rayons (stations report to):", ", ".join(f"{a}->{b}" for a, b in merged.items()))
    print("\nstations by kind and setting:")
    print(pd.crosstab(st["kind"], st["setting"], margins=True).to_string())
    print(
        f"\nvoters total: {int(st['voters'].sum()):,}   abroad: "
        f"{int(st.loc[st['kind'] == 'abroad', 'voters'].sum()):,} in "
        f"{st.loc[st['kind'] == 'abroad', 'station_id'].size} stations, "
        f"{len(ABROAD_POSTS)} countries"
    )
    home = st[st["kind"] != "abroad"]
    print(
        home.groupby(["setting", "kind"])["voters"]
        .agg(["count", "min", "max", "mean"])
        .round(0)
        .to_string()
    )
    print("\nper area:")
    area_of = {r: a.area_id for a in areas.itertuples() for r in a.region_ids.split(",")}
    per = (
        home.assign(area_id=home["region"].map(area_of))
        .groupby("area_id")
        .agg(stations=("station_id", "size"), voters=("voters", "sum"))
    )
    per.insert(0, "name", areas.set_index("area_id")["name"])
    per["sto"] = teams[teams["kind"] == "sto"].groupby("area_id").size()
    per["lto"] = teams[teams["kind"] == "lto"].groupby("area_id").size()
    per["sto_bases"] = (
        teams[teams["kind"] == "sto"]
        .groupby("area_id")["base_name"]
        .agg(lambda b: ", ".join(f"{n} {k}" for n, k in b.value_counts().sort_index().items()))
    )
    print(per.to_string())
    print(
        f"\nulytau-small: {len(small.stations)} stations "
        f"({small.splits} from splitting), {int(small.stations['voters'].sum()):,} voters, "
        f"{len(small.tecs)} TECs, teams: "
        + ", ".join(f"{t.team_id} {t.base_name}" for t in small.teams.itertuples())
    )
    for d in packages:
        size = (d / PACKAGE_FILE).stat().st_size / 1e6
        shown = d.relative_to(REPO) if d.is_relative_to(REPO) else d
        print(f"{shown}/{PACKAGE_FILE}: {size:.2f} MB")
    print(f"built in {elapsed:.1f} s")
