"""Travel times between places, behind one small interface.

The solver asks a `TravelModel` for `durations(origins, destinations)` in whole seconds and
never knows where they came from: the great-circle estimate here, a user-supplied matrix,
or (later) a road graph or an OSRM/Valhalla table. Matrices are only ever built for the
places of one area of responsibility, never country-wide.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from planner.errors import MissionDataError, Problem
from planner.model import Rules

EARTH_RADIUS_KM = 6371.0088
# Kilometres of city driving assumed at each urban end of a leg.
URBAN_STRETCH_KM = 3.0


@dataclass(frozen=True, slots=True)
class Place:
    """A point the router may drive to: a station, a TEC or a team base."""

    key: str
    lon: float
    lat: float
    urban: bool = False


class TravelModel(Protocol):
    """Anything that turns places into a matrix of whole seconds of driving."""

    def durations(
        self, origins: Sequence[Place], destinations: Sequence[Place], *, night: bool = False
    ) -> np.ndarray: ...


def great_circle_km(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Haversine distance in km; broadcasts like numpy."""
    lon1, lat1, lon2, lat2 = (np.radians(a) for a in (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _coords(places: Sequence[Place]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lon = np.fromiter((p.lon for p in places), float, len(places))
    lat = np.fromiter((p.lat for p in places), float, len(places))
    urban = np.fromiter((p.urban for p in places), bool, len(places))
    return lon, lat, urban


@dataclass(frozen=True, slots=True)
class GreatCircleTravel:
    """Great-circle distance x detour factor at winter speeds, plus parking.

    A leg drives `URBAN_STRETCH_KM` at city speed at each urban end and the rest at the
    rural speed of the hour (night legs are slower), so a hop across town is slow and a
    highway leg between towns is fast, without any road data.
    """

    detour_factor: float = 1.3
    urban_speed_kmh: float = 25.0
    rural_day_speed_kmh: float = 60.0
    rural_night_speed_kmh: float = 45.0
    parking_min: int = 5

    @classmethod
    def from_rules(cls, rules: Rules) -> GreatCircleTravel:
        return cls(
            detour_factor=rules.detour_factor,
            urban_speed_kmh=rules.urban_speed_kmh,
            rural_day_speed_kmh=rules.rural_day_speed_kmh,
            rural_night_speed_kmh=rules.rural_night_speed_kmh,
            parking_min=rules.parking_min,
        )

    def road_km(self, origins: Sequence[Place], destinations: Sequence[Place]) -> np.ndarray:
        lon1, lat1, _ = _coords(origins)
        lon2, lat2, _ = _coords(destinations)
        return self.detour_factor * great_circle_km(
            lon1[:, None], lat1[:, None], lon2[None, :], lat2[None, :]
        )

    def durations(
        self, origins: Sequence[Place], destinations: Sequence[Place], *, night: bool = False
    ) -> np.ndarray:
        km = self.road_km(origins, destinations)
        _, _, urban_o = _coords(origins)
        _, _, urban_d = _coords(destinations)
        urban_ends = urban_o[:, None].astype(float) + urban_d[None, :].astype(float)
        city_km = np.minimum(km, URBAN_STRETCH_KM * urban_ends)
        rural_speed = self.rural_night_speed_kmh if night else self.rural_day_speed_kmh
        hours = city_km / self.urban_speed_kmh + (km - city_km) / rural_speed
        seconds = hours * 3600.0 + self.parking_min * 60.0
        seconds[km == 0.0] = 0.0
        return np.rint(seconds).astype(np.int64)


@dataclass(frozen=True)
class MatrixTravel:
    """Durations looked up in a matrix the user supplies (seconds, keyed by place)."""

    keys: tuple[str, ...]
    seconds: np.ndarray
    night_factor: float = 1.0

    def __post_init__(self) -> None:
        n = len(self.keys)
        if self.seconds.shape != (n, n):
            raise ValueError(f"matrix is {self.seconds.shape}, expected ({n}, {n}) for {n} keys")
        if len(set(self.keys)) != n:
            raise ValueError("matrix keys must be unique")

    def _index(self, places: Sequence[Place]) -> np.ndarray:
        lookup = {k: i for i, k in enumerate(self.keys)}
        missing = [p.key for p in places if p.key not in lookup]
        if missing:
            raise KeyError(f"places not in the travel matrix: {missing[:10]}")
        return np.fromiter((lookup[p.key] for p in places), np.int64, len(places))

    def durations(
        self, origins: Sequence[Place], destinations: Sequence[Place], *, night: bool = False
    ) -> np.ndarray:
        sub = self.seconds[np.ix_(self._index(origins), self._index(destinations))]
        if night and self.night_factor != 1.0:
            sub = np.rint(sub * self.night_factor)
        return sub.astype(np.int64)


def read_matrix(path: Path) -> MatrixTravel:
    """A square matrix in seconds: `.npy` (with a `.keys.txt` beside it) or CSV.

    CSV layout: a header row `id,<key1>,<key2>,...` then one row per origin starting with
    its key; keys must appear in the same order in the header and the first column.
    """
    name = str(path)
    if path.suffix == ".npy":
        keys_file = path.with_suffix(".keys.txt")
        try:
            seconds = np.load(path)
            keys = tuple(k.strip() for k in keys_file.read_text("utf-8").splitlines() if k.strip())
        except (OSError, ValueError) as exc:
            raise MissionDataError(
                [Problem(name, None, None, f"cannot read matrix: {exc}")]
            ) from exc
        return _checked_matrix(name, keys, np.asarray(seconds, dtype=float))
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise MissionDataError([Problem(name, None, None, f"cannot read matrix: {exc}")]) from exc
    if len(rows) < 2:
        raise MissionDataError([Problem(name, None, None, "matrix file is empty")])
    keys = tuple(k.strip() for k in rows[0][1:])
    problems: list[Problem] = []
    values = np.zeros((len(rows) - 1, len(keys)))
    for i, row in enumerate(rows[1:], start=1):
        if len(row) != len(keys) + 1:
            problems.append(
                Problem(name, i, None, f"has {len(row) - 1} values, expected {len(keys)}")
            )
            continue
        if i > len(keys) or row[0].strip() != keys[i - 1]:
            problems.append(Problem(name, i, "id", f"row key {row[0]!r} does not match header"))
        for j, cell in enumerate(row[1:]):
            try:
                values[i - 1, j] = float(cell)
            except ValueError:
                problems.append(Problem(name, i, keys[j], f"not a number: {cell!r}"))
    if problems:
        raise MissionDataError(problems)
    return _checked_matrix(name, keys, values)


def _checked_matrix(name: str, keys: tuple[str, ...], seconds: np.ndarray) -> MatrixTravel:
    problems = []
    if seconds.ndim != 2 or seconds.shape != (len(keys), len(keys)):
        problems.append(
            Problem(name, None, None, f"matrix is {seconds.shape}, expected square {len(keys)}")
        )
    elif (seconds < 0).any() or not np.isfinite(seconds).all():
        bad = np.argwhere((seconds < 0) | ~np.isfinite(seconds))[0]
        problems.append(
            Problem(name, int(bad[0]) + 1, keys[bad[1]], "durations must be finite and >= 0")
        )
    if len(set(keys)) != len(keys):
        problems.append(Problem(name, None, None, "matrix keys must be unique"))
    if problems:
        raise MissionDataError(problems)
    return MatrixTravel(keys, np.rint(seconds).astype(np.int64))
