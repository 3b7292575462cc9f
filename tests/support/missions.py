"""Missions for tests: small random ones built in code (`random_mission`,
`multi_area_mission`) and the shipped demo with one plan of it, made once per session
(`small_mission`, `small_plan`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import replace
from functools import cache

import numpy as np
from shapely.geometry import box

from planner.datasets import SMALL_MISSION, get_path
from planner.geodata import load_mission
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
from planner.outputs import visits_csv
from planner.plan import solve
from planner.problem import PlanOptions
from planner.schedule import Plan

TOWN = (71.45, 51.15)


def _region(
    rng: np.random.Generator,
    *,
    region_id: str,
    prefix: str,
    center: tuple[float, float],
    stations: int,
    districts: int,
    spread_km: float,
    tz: str,
) -> tuple[Region, tuple[District, ...], list[Commission], list[Station]]:
    """One region around a town: a regional TEC, district TECs, an urban core and villages.

    `prefix` goes in front of district, district-TEC and station ids so several regions can
    share a mission; with an empty prefix the ids are D0, TEC-D0 and S0000.
    """
    lon0, lat0 = center
    deg = spread_km / 111.0
    region = Region(
        region_id,
        "Test region" if not prefix else f"Test region {region_id}",
        tz=tz,
        geometry=box(lon0 - 2, lat0 - 2, lon0 + 2, lat0 + 2),
    )
    dists = tuple(
        District(f"{prefix}D{k}", region_id, f"District {prefix}{k}") for k in range(districts)
    )
    tecs = [
        Commission(
            f"TEC-{region_id}",
            "Regional TEC",
            CommissionLevel.REGIONAL,
            None,
            region_id,
            tz,
            lon0,
            lat0,
        )
    ]
    for k in range(districts):
        angle = 2 * np.pi * k / districts
        tecs.append(
            Commission(
                f"TEC-{prefix}D{k}",
                f"District TEC {prefix}{k}",
                CommissionLevel.DISTRICT,
                f"TEC-{region_id}",
                region_id,
                tz,
                lon0 + 0.5 * deg * np.cos(angle) * 1.6,
                lat0 + 0.5 * deg * np.sin(angle),
                f"{prefix}D{k}",
            )
        )
    out = []
    for i in range(stations):
        urban = rng.random() < 0.45
        radius = deg * (0.08 if urban else rng.uniform(0.2, 1.0))
        angle = rng.uniform(0, 2 * np.pi)
        k = int(rng.integers(districts))
        out.append(
            Station(
                station_id=f"{prefix}S{i:04d}",
                number=str(i + 1),
                name=f"Station {prefix}{i + 1}",
                address=f"Street {i}",
                region=region_id,
                district=f"{prefix}D{k}",
                tec_id=f"TEC-{prefix}D{k}",
                voters=int(rng.integers(300, 2500) if urban else rng.integers(50, 900)),
                kind=StationKind.SPECIAL if rng.random() < 0.05 else StationKind.REGULAR,
                setting=Setting.URBAN if urban else Setting.RURAL,
                tz=tz,
                lon=float(lon0 + radius * np.cos(angle) * 1.6),
                lat=float(lat0 + radius * np.sin(angle)),
            )
        )
    return region, dists, tecs, out


def random_mission(
    *,
    stations: int = 60,
    teams: int = 2,
    districts: int = 3,
    seed: int = 0,
    spread_km: float = 40.0,
    tz: str = "Asia/Almaty",
    rules: Rules | None = None,
) -> Mission:
    """One region around a town at (71.45 E, 51.15 N): urban core, villages around it."""
    rng = np.random.default_rng(seed)
    region, dists, tecs, out = _region(
        rng,
        region_id="R1",
        prefix="",
        center=TOWN,
        stations=stations,
        districts=districts,
        spread_km=spread_km,
        tz=tz,
    )
    lon0, lat0 = TOWN
    team_list = tuple(
        Team(f"STO-{j + 1:02d}", TeamKind.STO, "A1", "Town", lon0, lat0) for j in range(teams)
    )
    return Mission(
        name="Random test mission",
        country="KZ",
        regions=(region,),
        districts=dists,
        commissions=tuple(tecs),
        stations=tuple(out),
        areas=(Area("A1", "Area 1", ("R1",), region.geometry),),
        teams=team_list,
        rules=rules or Rules(),
        targets=Targets(
            opening=teams, voting=teams * 6, counting=teams, tabulation=min(teams, districts)
        ),
        seed=seed,
    )


def multi_area_mission(
    *,
    stations: Sequence[int] = (40, 80, 120),
    teams: int = 4,
    districts: int = 2,
    seed: int = 0,
    placed: bool = True,
    spread_km: float = 30.0,
    tz: str = "Asia/Almaty",
    rules: Rules | None = None,
) -> Mission:
    """One region and one area per entry of `stations`, towns 5 degrees of longitude apart.

    Region k is `R{k+1}` in area `A{k+1}`; its ids carry the prefix `R{k+1}-` (stations
    `R2-S0000`, districts `R2-D0`, TECs `TEC-R2` and `TEC-R2-D0`). With `placed`, team j
    is in area j mod areas with its base at the area's town; otherwise every team has no
    area and no base, as when the coordinator only gives a number of teams.
    """
    rng = np.random.default_rng(seed)
    regions, dists, tecs, out, areas = [], [], [], [], []
    centers = []
    for k, n in enumerate(stations):
        region_id = f"R{k + 1}"
        center = (TOWN[0] + 5.0 * k, TOWN[1])
        region, d, c, s = _region(
            rng,
            region_id=region_id,
            prefix=f"{region_id}-",
            center=center,
            stations=n,
            districts=districts,
            spread_km=spread_km,
            tz=tz,
        )
        regions.append(region)
        dists.extend(d)
        tecs.extend(c)
        out.extend(s)
        areas.append(Area(f"A{k + 1}", f"Area {k + 1}", (region_id,), region.geometry))
        centers.append(center)
    if placed:
        team_list = tuple(
            Team(
                f"STO-{j + 1:02d}",
                TeamKind.STO,
                f"A{j % len(areas) + 1}",
                f"Town {j % len(areas) + 1}",
                *centers[j % len(areas)],
            )
            for j in range(teams)
        )
    else:
        team_list = tuple(
            Team(f"STO-{j + 1:02d}", TeamKind.STO, None, "", None, None) for j in range(teams)
        )
    return Mission(
        name="Multi-area test mission",
        country="KZ",
        regions=tuple(regions),
        districts=tuple(dists),
        commissions=tuple(tecs),
        stations=tuple(out),
        areas=tuple(areas),
        teams=team_list,
        rules=rules or Rules(),
        targets=Targets(opening=teams, voting=teams * 6, counting=teams, tabulation=teams),
        seed=seed,
    )


def lto_mission() -> Mission:
    """Two areas (12 and 20 stations, one STO team each) with an LTO team based in each."""
    mission = multi_area_mission(stations=(12, 20), teams=2, seed=3)
    ltos = tuple(
        Team(f"LTO-0{k}", TeamKind.LTO, f"A{k}", f"Town {k}", 71.45 + 5.0 * (k - 1), 51.15)
        for k in (1, 2)
    )
    return replace(mission, teams=mission.teams + ltos)


def visit_rows(plan: Plan) -> list[dict[str, str]]:
    """The plan as written to visits.csv, read back as the checker reads it."""
    return list(csv.DictReader(io.StringIO(visits_csv(plan))))


# The lightest search level (`planner.search_work.LEVELS`): for tests of what a plan is
# (valid, complete, reproducible), not how much it covers; on the default mission it
# plans within 1.5 % of the deepest level's voting visits at a sixth of the work.
LIGHT_SEARCH = PlanOptions(solution_limit=5, max_rounds=0)

# The shipped small demo mission and one plan of it, made once per test session.
SEED = 20221120


@cache
def small_mission() -> Mission:
    """Ulytau demo: 300 stations, 6 TECs, one AoR, three STO teams."""
    return load_mission(get_path(SMALL_MISSION))


@cache
def small_plan(seed: int = SEED) -> Plan:
    return solve(small_mission(), time_limit_s=60, seed=seed, workers=1, options=LIGHT_SEARCH)
