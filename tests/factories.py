"""Small missions built in code, for solver tests that need no files."""

from __future__ import annotations

import numpy as np
from shapely.geometry import box

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
    lon0, lat0 = 71.45, 51.15
    deg = spread_km / 111.0
    region = Region(
        "R1", "Test region", tz=tz, geometry=box(lon0 - 2, lat0 - 2, lon0 + 2, lat0 + 2)
    )
    dists = tuple(District(f"D{k}", "R1", f"District {k}") for k in range(districts))
    tecs = [
        Commission("TEC-R1", "Regional TEC", CommissionLevel.REGIONAL, None, "R1", tz, lon0, lat0)
    ]
    for k in range(districts):
        angle = 2 * np.pi * k / districts
        tecs.append(
            Commission(
                f"TEC-D{k}",
                f"District TEC {k}",
                CommissionLevel.DISTRICT,
                "TEC-R1",
                "R1",
                tz,
                lon0 + 0.5 * deg * np.cos(angle) * 1.6,
                lat0 + 0.5 * deg * np.sin(angle),
                f"D{k}",
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
                station_id=f"S{i:04d}",
                number=str(i + 1),
                name=f"Station {i + 1}",
                address=f"Street {i}",
                region="R1",
                district=f"D{k}",
                tec_id=f"TEC-D{k}",
                voters=int(rng.integers(300, 2500) if urban else rng.integers(50, 900)),
                kind=StationKind.SPECIAL if rng.random() < 0.05 else StationKind.REGULAR,
                setting=Setting.URBAN if urban else Setting.RURAL,
                tz=tz,
                lon=float(lon0 + radius * np.cos(angle) * 1.6),
                lat=float(lat0 + radius * np.sin(angle)),
            )
        )
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
