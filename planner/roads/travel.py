"""Travel times on the road network: OSRM free-flow durations, calibrated.

`RoadTravel` is a `planner.travel.TravelModel`: the solver asks it for whole seconds
between places exactly as it asks the straight-line model. It holds only the roads
directory and its settings (so it pickles into worker processes) and opens the engine on
first use in each process.

OSRM's car profile gives free-flow times: no traffic, dry roads, every light green. On the
default mission's 994 stations inside the Almaty extract, those free-flow times are a
median 0.69 of the straight-line model's (urban pairs 0.5-15 km apart; 1.32 for the few
rural pairs, where the 2012 map has mostly small roads). The defaults below bring the
free-flow time to a winter election day; see `RoadCalibration`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from planner.model import Rules
from planner.roads import engine
from planner.roads.dataset import RoadsInfo, read_roads
from planner.roads.geometry import RouteLine, route_line
from planner.travel import GreatCircleTravel, Place


@dataclass(frozen=True, slots=True)
class RoadCalibration:
    """How free-flow road durations become election-day durations.

    A leg's factor is `winter_factor x (w x urban_factor + (1 - w) x rural_factor x n)`,
    where `w` is the share of the leg's ends that are urban (0, 1/2 or 1) and `n` is
    `night_factor` at night, else 1. Defaults and why:

    - `urban_factor` 1.3: free-flow ignores traffic lights, queues and parking search.
      OSRM's authors advise multiplying its durations by 1.3 for a realistic estimate
      (mapbox/mapbox-directions.js issue 36), and Almaty's traffic control centre
      (Sergek) reports main-street speeds 20-25 % below summer levels in an ordinary
      autumn week, i.e. +25-33 % time.
    - `rural_factor` 1.0: out of town there is little traffic, and the car profile
      already drives at most 80 % of a posted limit.
    - `night_factor` 1.33 on the rural share: dark, unlit roads; the same ratio as the
      straight-line model's rural day and night speeds (60 / 45 km/h). City streets are
      lit and empty before 7:00 and after 20:00, so urban legs keep their day factor.
    - `winter_factor` 1.15 (speed -13 %): snow on the road lowers speeds by 11-15 %
      (FHWA road-weather studies; Agarwal, Maze & Souleyrette 2005, 11-15 % in snow
      over 1.3 cm/h) and 7-28 % from moderate to heavy snow (Hindawi DDNS 2013,
      791743). Set 1.0 for an election without snow.

    Together an urban day leg takes 1.3 x 1.15 = 1.5 x free flow: on the Almaty
    stations that puts the median road time at the straight-line model's (its 25 km/h is
    the project's winter city speed), with the spread the road network really has.

    `max_snap_m`: a place farther than this from any road is flagged and its legs fall
    back to the straight-line model (it is off the network, e.g. outside the extract).
    Closer places drive the gap to the road at `access_speed_kmh`.
    """

    urban_factor: float = 1.3
    rural_factor: float = 1.0
    night_factor: float = 1.33
    winter_factor: float = 1.15
    parking_min: int = 5
    max_snap_m: float = 1000.0
    access_speed_kmh: float = 20.0

    def __post_init__(self) -> None:
        for name in ("urban_factor", "rural_factor", "night_factor", "winter_factor"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"road calibration: {name} must be a positive number")
        if self.parking_min < 0:
            raise ValueError("road calibration: parking_min must not be negative")
        if not self.max_snap_m > 0 or not self.access_speed_kmh > 0:
            raise ValueError("road calibration: max_snap_m and access_speed_kmh must be > 0")

    @classmethod
    def from_rules(cls, rules: Rules, **overrides: Any) -> RoadCalibration:
        """The mission's parking minutes; the factors as given or their defaults."""
        return cls(**{"parking_min": rules.parking_min, **overrides})

    def factors(
        self, urban_origins: np.ndarray, urban_destinations: np.ndarray, *, night: bool
    ) -> np.ndarray:
        urban_share = (
            urban_origins[:, None].astype(float) + urban_destinations[None, :].astype(float)
        ) / 2.0
        rural = self.rural_factor * (self.night_factor if night else 1.0)
        return self.winter_factor * (urban_share * self.urban_factor + (1 - urban_share) * rural)

    def to_json(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class Snap:
    """Where a place meets the road network and how far away that is."""

    key: str
    distance_m: float
    road_lon: float
    road_lat: float
    road: str
    far: bool


@dataclass(frozen=True)
class RoadReport:
    """What a plan should tell about its road times: every place's snapping distance,
    the places too far from any road (their legs use the straight-line model), and the
    pairs with no road path between them (also straight-line)."""

    snaps: tuple[Snap, ...] = ()
    no_path: tuple[tuple[str, str], ...] = ()
    fallback_pairs: int = 0
    max_snap_m: float = 0.0

    @property
    def far_places(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.snaps if s.far)

    def merged(self, other: RoadReport) -> RoadReport:
        """Both reports together, each place and pair once (first snapping wins)."""
        seen = {s.key for s in self.snaps}
        pairs = set(self.no_path)
        return RoadReport(
            snaps=self.snaps + tuple(s for s in other.snaps if s.key not in seen),
            no_path=self.no_path + tuple(p for p in other.no_path if p not in pairs),
            fallback_pairs=self.fallback_pairs + other.fallback_pairs,
            max_snap_m=max(self.max_snap_m, other.max_snap_m),
        )

    def to_json(self) -> dict[str, Any]:
        distances = np.array([s.distance_m for s in self.snaps], dtype=float)
        return {
            "places": len(self.snaps),
            "snap_m": {
                "p50": round(float(np.median(distances)), 1) if len(distances) else None,
                "max": round(float(distances.max()), 1) if len(distances) else None,
            },
            "max_snap_m": self.max_snap_m,
            "far_places": [
                {"key": s.key, "snap_m": round(s.distance_m, 1)} for s in self.snaps if s.far
            ],
            "no_path_pairs": [list(p) for p in self.no_path],
            "fallback_pairs": self.fallback_pairs,
            "snaps": {s.key: round(s.distance_m, 1) for s in self.snaps},
        }


@dataclass(frozen=True, slots=True)
class RoadTable:
    seconds: np.ndarray
    report: RoadReport


@dataclass(frozen=True)
class RoadTravel:
    """Calibrated OSRM road durations; the straight-line `fallback` where roads cannot
    answer. Picklable: holds the directory path, opens the engine lazily per process."""

    roads_dir: Path
    calibration: RoadCalibration = field(default_factory=RoadCalibration)
    fallback: GreatCircleTravel = field(default_factory=GreatCircleTravel)
    chunk_size: int = 1000

    def __post_init__(self) -> None:
        object.__setattr__(self, "roads_dir", Path(self.roads_dir).absolute())
        read_roads(self.roads_dir)  # fail early, in the caller's process, on a bad directory

    @classmethod
    def from_rules(cls, roads_dir: Path | str, rules: Rules, **overrides: Any) -> RoadTravel:
        """Road times with the mission's parking minutes and straight-line fallback."""
        return cls(
            Path(roads_dir),
            calibration=RoadCalibration.from_rules(rules, **overrides),
            fallback=GreatCircleTravel.from_rules(rules),
        )

    @property
    def info(self) -> RoadsInfo:
        return read_roads(self.roads_dir)

    def durations(
        self, origins: Sequence[Place], destinations: Sequence[Place], *, night: bool = False
    ) -> np.ndarray:
        return self.table(origins, destinations, night=night).seconds

    def table(
        self, origins: Sequence[Place], destinations: Sequence[Place], *, night: bool = False
    ) -> RoadTable:
        """Whole seconds origins x destinations, and the report on how they were made."""
        n, m = len(origins), len(destinations)
        if n == 0 or m == 0:
            return RoadTable(
                np.zeros((n, m), dtype=np.int64), RoadReport(max_snap_m=self.calibration.max_snap_m)
            )
        cal = self.calibration
        raw = engine.table(
            self.roads_dir,
            [(p.lon, p.lat) for p in origins],
            [(p.lon, p.lat) for p in destinations],
            chunk_size=self.chunk_size,
        )
        snap_o = np.array([w.distance_m for w in raw.origins])
        snap_d = np.array([w.distance_m for w in raw.destinations])
        urban_o = np.array([p.urban for p in origins], dtype=bool)
        urban_d = np.array([p.urban for p in destinations], dtype=bool)
        access = 3.6 / cal.access_speed_kmh  # seconds per metre
        seconds = raw.seconds * cal.factors(urban_o, urban_d, night=night)
        seconds += (snap_o * access)[:, None] + (snap_d * access)[None, :]
        seconds += cal.parking_min * 60.0

        far_o = snap_o > cal.max_snap_m
        far_d = snap_d > cal.max_snap_m
        no_path = np.isnan(raw.seconds) & ~far_o[:, None] & ~far_d[None, :]
        use_fallback = far_o[:, None] | far_d[None, :] | np.isnan(raw.seconds)
        if use_fallback.any():
            straight = self.fallback.durations(origins, destinations, night=night)
            seconds = np.where(use_fallback, straight, seconds)
        same = _same_points(origins, destinations)
        seconds[same] = 0.0

        snaps: dict[str, Snap] = {}
        for places, points, far in (
            (origins, raw.origins, far_o),
            (destinations, raw.destinations, far_d),
        ):
            for place, point, is_far in zip(places, points, far, strict=True):
                snaps.setdefault(
                    place.key,
                    Snap(
                        place.key, point.distance_m, point.lon, point.lat, point.road, bool(is_far)
                    ),
                )
        pairs = tuple(
            (origins[i].key, destinations[j].key) for i, j in np.argwhere(no_path & ~same)
        )
        report = RoadReport(
            snaps=tuple(snaps.values()),
            no_path=pairs,
            fallback_pairs=int((use_fallback & ~same).sum()),
            max_snap_m=cal.max_snap_m,
        )
        return RoadTable(np.rint(seconds).astype(np.int64), report)

    def snaps(self, places: Sequence[Place]) -> tuple[Snap, ...]:
        """Each place's snapping onto the road network (distance, road, far or not)."""
        if not places:
            return ()
        return self.table(places, places[:1]).report.snaps

    def route_line(self, places: Sequence[Place]) -> RouteLine | None:
        """The road polyline through `places` in order (None: draw a straight line)."""
        return route_line(self.roads_dir, places, max_snap_m=self.calibration.max_snap_m)

    def report(self, places: Sequence[Place]) -> RoadReport:
        """The report for an area's places: snapping, far places, pairs without a road."""
        return self.table(places, places).report


def _same_points(origins: Sequence[Place], destinations: Sequence[Place]) -> np.ndarray:
    """Pairs at the very same coordinates: no leg to drive."""
    lon_o = np.array([p.lon for p in origins])
    lat_o = np.array([p.lat for p in origins])
    lon_d = np.array([p.lon for p in destinations])
    lat_d = np.array([p.lat for p in destinations])
    return (lon_o[:, None] == lon_d[None, :]) & (lat_o[:, None] == lat_d[None, :])
