"""Synthetic missions of any size, built directly as `Mission` objects.

One region per area, region centres on a jittered grid over the steppe (the default
mission's rules and time zone, so travel and windows behave as at home). Each region has
a city (its urban stations packed within a few kilometres of the centre), villages of a
few stations scattered up to about 120 km around it, districts (sectors of the city, and
sectors of rings of countryside, about `STATIONS_PER_TEC` stations each) with one district
TEC each at their stations' centre, and a regional TEC in the city. Region sizes vary
(lognormal); the first region is the capital, with `capital_share` of the stations, or
exactly `dense` = (stations, teams) with a larger, mostly urban city: the dense area a
country's capital makes. Teams are spread over the areas in proportion to their stations
(at least one each) and based in their region's city.
"""

from __future__ import annotations

import numpy as np

from planner.allocation import apportion
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

TZ = "Asia/Almaty"
# Where the region centres lie (lon, lat): about 2,800 km by 1,300 km.
EXTENT = (50.0, 42.0, 85.0, 54.0)
STATIONS_PER_TEC = 40
MIN_REGION_STATIONS = 20
URBAN_SHARE, CITY_KM = 0.45, 6.0
DENSE_URBAN_SHARE, DENSE_CITY_KM = 0.75, 22.0
COUNTRYSIDE_KM = 120.0
# Rural districts lie in rings around the city (km), each cut into sectors.
RINGS_KM = ((0.0, 45.0), (45.0, 80.0), (80.0, np.inf))
KM_PER_DEG_LAT = 111.0


def synthetic_mission(
    stations: int,
    teams: int,
    areas: int,
    *,
    capital_share: float = 0.14,
    dense: tuple[int, int] | None = None,
    seed: int = 0,
) -> Mission:
    """A mission of `stations` stations, `teams` STO teams and `areas` areas (one region
    each); with `dense` = (stations, teams), the first area has exactly that many of each
    and a dense city, and the other areas share what is left."""
    if areas < 1 or teams < areas or stations < areas:
        raise ValueError("need at least one area, and a team and a station per area")
    if dense is not None and (areas == 1) != (dense == (stations, teams)):
        raise ValueError("a dense area of one is the whole mission, and only then")
    if (
        dense is not None
        and areas > 1
        and not (0 < dense[0] <= stations - (areas - 1) and 0 < dense[1] <= teams - (areas - 1))
    ):
        raise ValueError("the dense area leaves the other areas no station or no team")
    rng = np.random.default_rng(seed)
    sizes, team_counts = _area_sizes(rng, stations, teams, areas, capital_share, dense)
    centres = _centres(rng, areas)
    regions: list[Region] = []
    districts: list[District] = []
    tecs: list[Commission] = []
    out: list[Station] = []
    area_list: list[Area] = []
    team_list: list[Team] = []
    for k, (size, (lon0, lat0)) in enumerate(zip(sizes, centres, strict=True)):
        rid = f"R{k + 1:03d}"
        regions.append(Region(rid, f"Region {k + 1}", tz=TZ))
        area_list.append(Area(f"AOR-{k + 1:03d}", f"Area {k + 1}", (rid,)))
        tecs.append(
            Commission(f"TEC-{rid}", f"{rid} regional TEC", CommissionLevel.REGIONAL, None,
                       rid, TZ, lon0, lat0)
        )  # fmt: skip
        city = (DENSE_URBAN_SHARE, DENSE_CITY_KM) if dense and k == 0 else (URBAN_SHARE, CITY_KM)
        lon, lat, urban, km, bearing = _places(rng, size, lon0, lat0, *city)
        sector = _districts(km, bearing, urban)
        for d in range(int(sector.max()) + 1):
            did = f"{rid}-D{d:03d}"
            members = np.flatnonzero(sector == d)
            districts.append(District(did, rid, f"District {d + 1} of region {k + 1}"))
            tecs.append(
                Commission(f"TEC-{did}", f"{did} TEC", CommissionLevel.DISTRICT, f"TEC-{rid}",
                           rid, TZ, float(lon[members].mean()), float(lat[members].mean()),
                           district=did)
            )  # fmt: skip
        voters = np.where(urban, rng.integers(800, 2800, size), rng.integers(60, 900, size))
        for i in range(size):
            did = f"{rid}-D{int(sector[i]):03d}"
            out.append(
                Station(f"{rid}-{i:06d}", str(i + 1), f"Station {i + 1}", f"{rid} address {i + 1}",
                        rid, did, f"TEC-{did}", int(voters[i]), StationKind.REGULAR,
                        Setting.URBAN if urban[i] else Setting.RURAL, TZ,
                        round(float(lon[i]), 6), round(float(lat[i]), 6))
            )  # fmt: skip
        first = len(team_list) + 1
        team_list.extend(
            Team(f"STO-{first + j:05d}", TeamKind.STO, f"AOR-{k + 1:03d}", f"City {k + 1}",
                 lon0, lat0)
            for j in range(int(team_counts[k]))
        )  # fmt: skip
    return Mission(
        name=f"Synthetic country, {stations:,} stations",
        country="Synthetic",
        regions=tuple(regions),
        districts=tuple(districts),
        commissions=tuple(tecs),
        stations=tuple(out),
        areas=tuple(area_list),
        teams=tuple(team_list),
        rules=Rules(),
        targets=Targets(
            opening=teams,
            voting=teams * 9,
            counting=teams,
            tabulation=min(teams, len(districts)),
        ),
        seed=seed,
    )


def _area_sizes(
    rng: np.random.Generator,
    stations: int,
    teams: int,
    areas: int,
    capital_share: float,
    dense: tuple[int, int] | None,
) -> tuple[list[int], list[int]]:
    """Stations and teams per area: the capital first (its share, or `dense`), the rest
    lognormal with at least `MIN_REGION_STATIONS` stations each (fewer if there are not
    enough), teams in proportion to stations with at least one each."""
    if areas == 1:
        return [stations], [teams]
    if dense is not None:
        capital, capital_teams = dense
    else:
        share = max(1, round(stations * capital_share))
        capital, capital_teams = min(share, stations - (areas - 1)), 0
    weights = rng.lognormal(0.0, 0.5, areas - 1)
    least = min(MIN_REGION_STATIONS, (stations - capital) // (areas - 1))
    rest = least + apportion(stations - capital - least * (areas - 1), weights)
    sizes = [capital, *(int(n) for n in rest)]
    if dense is not None:
        others = 1 + apportion(teams - capital_teams - (areas - 1), rest)
        return sizes, [capital_teams, *(int(n) for n in others)]
    return sizes, [int(n) for n in 1 + apportion(teams - areas, sizes)]


def _centres(rng: np.random.Generator, areas: int) -> list[tuple[float, float]]:
    """Region centres on a jittered grid over `EXTENT`."""
    lon0, lat0, lon1, lat1 = EXTENT
    cols = int(np.ceil(np.sqrt(areas * (lon1 - lon0) / (lat1 - lat0) / 1.5)))
    rows = int(np.ceil(areas / cols))
    dx, dy = (lon1 - lon0) / cols, (lat1 - lat0) / rows
    cells = [(c, r) for r in range(rows) for c in range(cols)][:areas]
    return [
        (
            round(lon0 + (c + 0.5 + rng.uniform(-0.2, 0.2)) * dx, 4),
            round(lat0 + (r + 0.5 + rng.uniform(-0.2, 0.2)) * dy, 4),
        )
        for c, r in cells
    ]


def _districts(km: np.ndarray, bearing: np.ndarray, urban: np.ndarray) -> np.ndarray:
    """Each station's district, numbered from 0: sectors of the city, and sectors of rings
    of countryside, about `STATIONS_PER_TEC` stations each, so a district TEC (at its
    stations' centre) is near its stations, as a district town is."""
    district = np.zeros(len(km), dtype=np.int64)
    first = 0
    groups = [urban, *((~urban) & (km >= lo) & (km < hi) for lo, hi in RINGS_KM)]
    for members in (np.flatnonzero(g) for g in groups):
        if not members.size:
            continue
        sectors = max(1, round(members.size / STATIONS_PER_TEC))
        turn = (bearing[members] % (2 * np.pi)) / (2 * np.pi)
        district[members] = first + np.minimum((turn * sectors).astype(int), sectors - 1)
        first += sectors
    return np.asarray(np.unique(district, return_inverse=True)[1]).reshape(-1)


def _places(
    rng: np.random.Generator,
    size: int,
    lon0: float,
    lat0: float,
    urban_share: float,
    city_km: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Station positions around a centre: a city, then villages of 1 to 8 stations."""
    urban = rng.random(size) < urban_share
    km = np.empty(size)
    bearing = rng.uniform(0, 2 * np.pi, size)
    km[urban] = np.abs(rng.normal(0, city_km / 2, int(urban.sum())))
    rural = np.flatnonzero(~urban)
    villages = max(1, len(rural) // 4)
    village_km = rng.uniform(city_km * 2, COUNTRYSIDE_KM, villages)
    village_bearing = rng.uniform(0, 2 * np.pi, villages)
    home = rng.integers(0, villages, len(rural))
    km[rural] = village_km[home] + rng.normal(0, 1.0, len(rural))
    bearing[rural] = village_bearing[home] + rng.normal(0, 0.01, len(rural))
    lat = lat0 + km * np.sin(bearing) / KM_PER_DEG_LAT
    lon = lon0 + km * np.cos(bearing) / (KM_PER_DEG_LAT * np.cos(np.radians(lat0)))
    return lon, lat, urban, km, bearing
