"""Synthetic countries for scale tests: many areas, one of them a dense city.

Each area is one region around a city: an urban core, towns and villages up to a few
hours' drive out, district commissions (and city-district ones in the city) under one
regional commission, more teams than the area's commissions when asked. Built in code,
reproducibly from a seed, so the tests need no files.
"""

from __future__ import annotations

import math

import numpy as np
from shapely.geometry import box

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

TZ = "Asia/Almaty"
# Where the areas lie: a grid over the steppe, far enough apart that areas never touch.
ORIGIN = (52.0, 44.0)
STEP_DEG = (3.2, 2.2)
GRID_COLUMNS = 10
KM_PER_DEG = 111.0


def synthetic_country(
    *,
    areas: int = 30,
    stations: int = 60_000,
    teams: int = 900,
    dense: tuple[int, int] | None = (8_500, 126),
    stations_per_commission: int = 120,
    seed: int = 0,
) -> Mission:
    """`areas` areas sharing `stations` and `teams`; with `dense` = (stations, teams), the
    first area is a dense city with that many of each and the rest share what is left."""
    rng = np.random.default_rng(seed)
    sizes = _split(stations, teams, areas, dense, rng)
    regions, districts, commissions, all_stations, area_list, team_list = [], [], [], [], [], []
    for k, (n_stations, n_teams) in enumerate(sizes):
        lon0 = ORIGIN[0] + STEP_DEG[0] * (k % GRID_COLUMNS)
        lat0 = ORIGIN[1] + STEP_DEG[1] * (k // GRID_COLUMNS)
        dense_city = dense is not None and k == 0
        region, dists, tecs, found, bases = _area(
            rng,
            f"R{k + 1:02d}",
            (lon0, lat0),
            n_stations,
            n_teams,
            stations_per_commission,
            city_km=22.0 if dense_city else 8.0,
            urban_share=0.75 if dense_city else 0.5,
        )
        regions.append(region)
        districts.extend(dists)
        commissions.extend(tecs)
        all_stations.extend(found)
        area_id = f"A{k + 1:02d}"
        area_list.append(Area(area_id, f"Area {k + 1}", (region.region_id,), region.geometry))
        team_list.extend(
            Team(f"STO-{area_id}-{j + 1:03d}", TeamKind.STO, area_id, f"Base {j + 1}", lon, lat)
            for j, (lon, lat) in enumerate(bases)
        )
    n_teams = len(team_list)
    return Mission(
        name="Synthetic country",
        country="XX",
        regions=tuple(regions),
        districts=tuple(districts),
        commissions=tuple(commissions),
        stations=tuple(all_stations),
        areas=tuple(area_list),
        teams=tuple(team_list),
        targets=Targets(
            opening=n_teams,
            voting=8 * n_teams,
            counting=n_teams,
            tabulation=min(n_teams, len(commissions)),
        ),
        seed=seed,
    )


def _split(
    stations: int,
    teams: int,
    areas: int,
    dense: tuple[int, int] | None,
    rng: np.random.Generator,
) -> list[tuple[int, int]]:
    """Stations and teams per area: the dense one first, the rest shared with some spread."""
    sizes = [dense] if dense is not None else []
    rest_areas = areas - len(sizes)
    rest_stations = stations - (dense[0] if dense else 0)
    rest_teams = teams - (dense[1] if dense else 0)
    if rest_areas <= 0:
        return sizes
    weights = rng.uniform(0.6, 1.4, rest_areas)
    weights /= weights.sum()
    station_counts = _apportion(rest_stations, weights)
    team_counts = _apportion(rest_teams, weights)
    sizes.extend(zip(station_counts, team_counts, strict=True))
    return sizes


def _apportion(total: int, weights: np.ndarray) -> list[int]:
    """Whole shares of `total` in proportion to `weights` (largest remainders)."""
    exact = total * weights
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts))[: total - counts.sum()]:
        counts[i] += 1
    return [int(c) for c in counts]


def _area(
    rng: np.random.Generator,
    region_id: str,
    center: tuple[float, float],
    n_stations: int,
    n_teams: int,
    stations_per_commission: int,
    *,
    city_km: float,
    urban_share: float,
) -> tuple[Region, list[District], list[Commission], list[Station], list[tuple[float, float]]]:
    lon0, lat0 = center
    lon_scale = 1.0 / math.cos(math.radians(lat0))
    region = Region(region_id, f"Region {region_id}", tz=TZ, geometry=box(
        lon0 - 1.5, lat0 - 1.05, lon0 + 1.5, lat0 + 1.05
    ))  # fmt: skip

    def offset(km: np.ndarray, angle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        deg = km / KM_PER_DEG
        return lon0 + deg * np.cos(angle) * lon_scale, lat0 + deg * np.sin(angle)

    urban = rng.random(n_stations) < urban_share
    # The city: denser towards the centre. The country: towns and villages out to 110 km.
    km = np.where(
        urban,
        city_km * np.sqrt(rng.random(n_stations)),
        rng.uniform(city_km + 5, 110.0, n_stations),
    )
    angle = rng.uniform(0, 2 * np.pi, n_stations)
    lon, lat = offset(km, angle)

    # Districts are sectors of the area; the city is cut into city districts of its own.
    n_districts = max(2, min(12, n_stations // 400))
    sector = (angle / (2 * np.pi) * n_districts).astype(int) % n_districts
    district_ids = [f"{region_id}-D{d}" for d in range(n_districts)]
    districts = [
        District(district_ids[d], region_id, f"District {region_id}-{d}")
        for d in range(n_districts)
    ]
    regional = Commission(
        f"TEC-{region_id}", f"Regional TEC {region_id}", CommissionLevel.REGIONAL, None,
        region_id, TZ, lon0, lat0,
    )  # fmt: skip
    commissions = [regional]
    # Commission of each station: the nearest of a few seats in its district (city or not).
    station_tec = np.empty(n_stations, dtype=object)
    for d in range(n_districts):
        for is_city in (True, False):
            members = np.flatnonzero((sector == d) & (urban == is_city))
            if not len(members):
                continue
            seats = max(1, round(len(members) / stations_per_commission))
            seat_idx = rng.choice(members, size=min(seats, len(members)), replace=False)
            level = CommissionLevel.CITY_DISTRICT if is_city else CommissionLevel.DISTRICT
            ids = []
            for j, i in enumerate(seat_idx):
                tec_id = f"TEC-{region_id}-D{d}{'C' if is_city else 'R'}{j}"
                ids.append(tec_id)
                commissions.append(
                    Commission(
                        tec_id, f"TEC {tec_id}", level, regional.tec_id, region_id, TZ,
                        float(lon[i]), float(lat[i]), district_ids[d],
                    )
                )  # fmt: skip
            seat_lon, seat_lat = lon[seat_idx], lat[seat_idx]
            nearest = np.argmin(
                (lon[members, None] - seat_lon[None, :]) ** 2 / lon_scale**2
                + (lat[members, None] - seat_lat[None, :]) ** 2,
                axis=1,
            )
            station_tec[members] = [ids[j] for j in nearest]
    voters = np.where(urban, rng.integers(800, 2600, n_stations), rng.integers(80, 900, n_stations))
    stations = [
        Station(
            station_id=f"{region_id}-S{i:05d}",
            number=str(i + 1),
            name=f"Station {i + 1}",
            address=f"Street {i}",
            region=region_id,
            district=district_ids[sector[i]],
            tec_id=str(station_tec[i]),
            voters=int(voters[i]),
            kind=StationKind.REGULAR,
            setting=Setting.URBAN if urban[i] else Setting.RURAL,
            tz=TZ,
            lon=float(lon[i]),
            lat=float(lat[i]),
        )
        for i in range(n_stations)
    ]
    # Bases: most teams in the city (hotels across it), some in towns out in the country.
    in_city = rng.random(n_teams) < 0.7
    base_km = np.where(
        in_city, city_km * 0.8 * np.sqrt(rng.random(n_teams)), rng.uniform(30, 90, n_teams)
    )
    base_lon, base_lat = offset(base_km, rng.uniform(0, 2 * np.pi, n_teams))
    bases = [(float(a), float(b)) for a, b in zip(base_lon, base_lat, strict=True)]
    return region, districts, commissions, stations, bases
