"""Reports from the field: a station closed, moved or out of reach on election day.

Pure functions over the frozen mission: a report is checked, then applied by building a
new mission (moved stations at their new place) and a set of stations never to route to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planner.field_status import STATION_STATUSES, StationStatus, is_never_planned, move_stations
from planner.model import Mission


@dataclass(frozen=True)
class FieldUpdate:
    station_id: str
    status: str  # closed | moved | inaccessible
    note: str = ""
    lat: float | None = None  # the new place of a moved station
    lon: float | None = None


def check_update(update: FieldUpdate, mission: Mission) -> list[str]:
    """Why a report cannot be used (empty when it can)."""
    problems = []
    station = mission.station_by_id.get(update.station_id)
    if station is None:
        problems.append(f"no station {update.station_id!r} in this mission")
    if update.status not in STATION_STATUSES:
        problems.append(
            f"status must be one of {', '.join(STATION_STATUSES)}, not {update.status!r}"
        )
    if update.status == StationStatus.MOVED:
        if update.lat is None or update.lon is None:
            problems.append("a moved station needs its new latitude and longitude")
        elif not (-90 <= update.lat <= 90 and -180 <= update.lon <= 180):
            problems.append(
                f"({update.lat}, {update.lon}) is not a position: latitude -90..90, "
                "longitude -180..180"
            )
        elif station is not None and mission.outline is not None:
            from shapely.geometry import Point

            if not mission.outline.buffer(0.05).contains(Point(update.lon, update.lat)):
                problems.append(
                    f"({update.lat:.5f}, {update.lon:.5f}) is outside {mission.country}; "
                    "are latitude and longitude swapped?"
                )
    return problems


def excluded_stations(updates: Mapping[str, FieldUpdate]) -> frozenset[str]:
    """Stations reported closed or inaccessible."""
    return frozenset(sid for sid, u in updates.items() if is_never_planned(u.status))


def apply_updates(mission: Mission, updates: Mapping[str, FieldUpdate]) -> Mission:
    """The mission with moved stations at their reported place (the same object if none)."""
    places = {
        sid: (u.lat, u.lon)
        for sid, u in updates.items()
        if u.status == StationStatus.MOVED and u.lat is not None and u.lon is not None
    }
    return move_stations(mission, places)
