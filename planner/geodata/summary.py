"""What a checked mission holds and what deserves a second look.

`summarize` counts for `planner validate` and the app's overview; `mission_warnings` (and
`station_warnings`, which the station loader shares) lists what does not block planning
but may be a data slip: stations without voters, stations far from their TEC.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from shapely.geometry.base import BaseGeometry

from planner import schema
from planner.errors import Problem
from planner.geodata.positions import far_from_tec
from planner.model import Commission, Mission


@dataclasses.dataclass(frozen=True)
class MissionSummary:
    """Counts for `planner validate` and the app's overview."""

    name: str
    country: str
    regions: int
    districts: int
    commissions: int
    commissions_by_level: dict[str, int]
    stations: int
    stations_by_region: dict[str, int]
    stations_by_kind: dict[str, int]
    stations_by_setting: dict[str, int]
    voters: int
    voters_by_region: dict[str, int]
    areas: int
    teams: int
    teams_by_kind: dict[str, int]

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def summarize(mission: Mission) -> MissionSummary:
    """Counts of regions, districts, TECs by level, stations by region/kind/setting,
    voters and teams by kind. Every known kind appears, with 0 if absent."""
    region_order = [r.region_id for r in mission.regions]
    by_region = Counter(s.region for s in mission.stations)
    voters_by_region: Counter[str] = Counter()
    for s in mission.stations:
        voters_by_region[s.region] += s.voters
    regions = region_order + sorted(set(by_region) - set(region_order))

    def counts(values: Iterable[str], keys: Sequence[str]) -> dict[str, int]:
        counter = Counter(values)
        return {k: counter.get(k, 0) for k in keys} | {
            k: v for k, v in sorted(counter.items()) if k not in keys
        }

    return MissionSummary(
        name=mission.name,
        country=mission.country,
        regions=len(mission.regions),
        districts=len(mission.districts),
        commissions=len(mission.commissions),
        commissions_by_level=counts(
            (c.level.value for c in mission.commissions), schema.COMMISSION_LEVELS
        ),
        stations=len(mission.stations),
        stations_by_region={r: by_region.get(r, 0) for r in regions},
        stations_by_kind=counts((s.kind.value for s in mission.stations), schema.STATION_KINDS),
        stations_by_setting=counts((s.setting.value for s in mission.stations), schema.SETTINGS),
        voters=mission.total_voters,
        voters_by_region={r: voters_by_region.get(r, 0) for r in regions},
        areas=len(mission.areas),
        teams=len(mission.teams),
        teams_by_kind=counts((t.kind.value for t in mission.teams), schema.TEAM_KINDS),
    )


def station_warnings(
    file: str,
    rows: Sequence[int | str],
    lon: np.ndarray,
    lat: np.ndarray,
    voters: np.ndarray,
    kinds: np.ndarray,
    tec_ids: np.ndarray,
    commissions: dict[str, Commission] | None,
    boundaries: Sequence[BaseGeometry | None] | None = None,
) -> list[Problem]:
    """Stations with no voters, and (given the TECs) in-country stations far from their
    TEC and not inside their own district's boundary (`boundaries`, where known), in
    station order."""
    found = [
        (i, Problem(file, rows[i], "voters", "0 registered voters"))
        for i in np.flatnonzero(voters == 0).tolist()
    ]
    if commissions:
        found += far_from_tec(file, rows, lon, lat, kinds, tec_ids, commissions, boundaries)
    return [problem for _, problem in sorted(found, key=lambda pair: pair[0])]


def mission_warnings(mission: Mission) -> list[Problem]:
    """Things worth a look that do not block planning, with `row` set to the station id:
    stations with no voters, in-country stations more than 100 km from their TEC and
    outside their district's boundary."""
    stations = mission.stations
    shapes = {d.district_id: d.geometry for d in mission.districts}
    return station_warnings(
        "stations",
        [s.station_id for s in stations],
        np.array([s.lon for s in stations], dtype=float),
        np.array([s.lat for s in stations], dtype=float),
        np.array([s.voters for s in stations], dtype=np.int64),
        np.array([s.kind.value for s in stations], dtype=object),
        np.array([s.tec_id for s in stations], dtype=object),
        mission.commission_by_id,
        [shapes.get(s.district) for s in stations],
    )
