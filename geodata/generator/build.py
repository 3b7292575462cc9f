"""The whole build: sources to the default mission and the Ulytau demo, checked and written.

Stages draw from independent random streams (`stage_rng(1)` … `stage_rng(5)`), so the same
sources always give the same packages.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from planner.datasets import DEFAULT_MISSION, SMALL_MISSION
from planner.model import Rules, Targets

from .abroad import abroad_stations
from .addresses import number_stations
from .admin import build_districts, build_regions, check_time_zones, region_tz
from .checks import check_default
from .commissions import build_commissions, merge_small_rayons, tec_of_district
from .demo import SMALL_STATIONS, build_small
from .figures import ABROAD_TEC_DISTRICT, CRS, MIN_STO_PER_AREA, N_STO_TEAMS, stage_rng
from .package import NOTE, layer_frames, to_mission, write_package
from .report import print_summary
from .settlements import build_settlements, region_voters, settlement_voters
from .sources import load_sources
from .stations import allocate_stations, assign_voters, place_stations
from .teams import build_areas, build_teams


def build(out: Path) -> None:
    """Write `<out>/kazakhstan-2022/` and `<out>/ulytau-small/` and print the summary."""
    started = time.perf_counter()
    check_time_zones(datetime.combine(Rules().election_date, Rules().polls_open))
    src = load_sources()
    country = src.adm0.geometry.iloc[0]
    shapely.prepare(country)
    country_gdf = gpd.GeoDataFrame(
        {"name": [src.adm0["ADM0_EN"].iloc[0]]}, geometry=[country], crs=CRS
    )

    regions = build_regions(src)
    districts = build_districts(src, regions)
    settlements = build_settlements(src, districts, country)
    voters = region_voters(regions)
    s = settlement_voters(settlements, regions, voters)
    s = allocate_stations(s)

    merged = merge_small_rayons(districts, settlements)
    tec_of = tec_of_district(districts, merged)

    st = place_stations(s, districts, country, stage_rng(1))
    st = assign_voters(st, voters, stage_rng(2))
    st = number_stations(st, stage_rng(3))
    st["tec_id"] = st["district"].map(tec_of)
    st["tz"] = st["region"].map(region_tz)

    tecs = build_commissions(districts, regions, merged, src, settlements, st)
    abroad = abroad_stations(f"TEC-{ABROAD_TEC_DISTRICT}", stage_rng(4))
    stations = pd.concat([st, abroad], ignore_index=True)

    areas = build_areas(regions)
    area_of = {r: a.area_id for a in areas.itertuples() for r in a.region_ids.split(",")}
    area_voters = st.groupby(st["region"].map(area_of))["voters"].sum()
    teams = build_teams(areas, settlements, area_voters, N_STO_TEAMS, min_per_area=MIN_STO_PER_AREA)

    layers = layer_frames(regions, districts, tecs, stations, areas, teams, country_gdf)
    check_default(layers, districts, merged)
    mission = to_mission(
        layers, name="Kazakhstan early presidential election 2022", targets=Targets()
    )
    default_dir, small_dir = out / DEFAULT_MISSION, out / SMALL_MISSION
    write_package(default_dir, mission, NOTE)

    small = build_small(regions, districts, tecs, st, settlements, country_gdf, stage_rng(5))
    assert len(small.stations) == SMALL_STATIONS
    write_package(small_dir, small.mission, small.note)
    elapsed = time.perf_counter() - started
    print_summary(layers, regions, merged, elapsed, small, [default_dir, small_dir])
