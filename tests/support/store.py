"""Helpers of the store tests: a two-area mission built in code, a hand-moved clock,
cheap password hashing, and row counts read straight from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from argon2 import PasswordHasher
from sqlalchemy import func, select

from planner.model import (
    Area,
    Commission,
    CommissionLevel,
    District,
    Mission,
    Region,
    Setting,
    Station,
    StationKind,
    Targets,
    Team,
    TeamKind,
)
from planner.store import Store
from planner.store import models as m

TZ = "Asia/Almaty"
TOWNS = {"R1": (71.45, 51.15), "R2": (73.10, 49.80)}

# Cheap Argon2 parameters: the tests sign in hundreds of times.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime(2022, 11, 19, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _region(rng: np.random.Generator, region_id: str, stations: int) -> tuple:
    lon0, lat0 = TOWNS[region_id]
    region = Region(region_id, f"Region {region_id}", tz=TZ)
    districts = tuple(
        District(f"{region_id}-D{k}", region_id, f"District {region_id}-{k}") for k in range(2)
    )
    tecs = [
        Commission(
            f"TEC-{region_id}", f"TEC {region_id}", CommissionLevel.REGIONAL, None, region_id,
            TZ, lon0, lat0,
        )
    ] + [
        Commission(
            f"TEC-{d.district_id}", f"TEC {d.district_id}", CommissionLevel.DISTRICT,
            f"TEC-{region_id}", region_id, TZ, lon0 + 0.05 * (k + 1), lat0 - 0.03 * k,
            d.district_id,
        )
        for k, d in enumerate(districts)
    ]  # fmt: skip
    out = []
    for i in range(stations):
        urban = i % 3 != 0
        spread = 0.04 if urban else 0.5
        d = districts[i % 2]
        out.append(
            Station(
                f"{region_id}-S{i:03d}",
                str(i + 1),
                f"School {i + 1}",
                f"Street {i + 1}",
                region_id,
                d.district_id,
                f"TEC-{d.district_id}",
                int(rng.integers(300, 2500)),
                StationKind.SPECIAL if i % 17 == 5 else StationKind.REGULAR,
                Setting.URBAN if urban else Setting.RURAL,
                TZ,
                round(lon0 + rng.uniform(-spread, spread), 5),
                round(lat0 + rng.uniform(-spread, spread) * 0.6, 5),
            )
        )
    return region, districts, tecs, out


def two_area_mission(stations_per_area: int = 36, seed: int = 7) -> Mission:
    rng = np.random.default_rng(seed)
    regions, districts, tecs, stations, areas, teams = [], [], [], [], [], []
    for k, region_id in enumerate(("R1", "R2"), start=1):
        region, dists, region_tecs, region_stations = _region(rng, region_id, stations_per_area)
        regions.append(region)
        districts.extend(dists)
        tecs.extend(region_tecs)
        stations.extend(region_stations)
        area_id = f"A{k}"
        areas.append(Area(area_id, f"Area {k}", (region_id,)))
        lon0, lat0 = TOWNS[region_id]
        teams.extend(
            Team(f"STO-{area_id}-{j}", TeamKind.STO, area_id, "Hotel", lon0, lat0) for j in (1, 2)
        )
        teams.append(Team(f"LTO-{area_id}", TeamKind.LTO, area_id, "Office", lon0, lat0))
    stations.append(
        Station(
            "ABROAD-1", "900", "Embassy", "Moscow", "ABROAD", "", "TEC-R1", 800,
            StationKind.ABROAD, Setting.URBAN, "Europe/Moscow", 37.6433, 55.7601,
        )
    )  # fmt: skip
    return Mission(
        name="Two-area test mission",
        country="KZ",
        regions=tuple(regions),
        districts=tuple(districts),
        commissions=tuple(tecs),
        stations=tuple(stations),
        areas=tuple(areas),
        teams=tuple(teams),
        targets=Targets(opening=4, voting=24, counting=4, tabulation=4),
        seed=11,
    )


def row_counts(store: Store) -> dict[str, int]:
    """Rows per table, read straight from the database."""
    with store.engine.connect() as conn:
        return {
            t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
            for t in m.Base.metadata.sorted_tables
        }
