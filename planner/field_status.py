"""Field reports' words, defined once for the store, the pages and the maps.

A report has a kind (a station closed, moved or inaccessible, a road closed, a note) and
a state (open until a saved plan takes it into account, then applied; or dismissed). A
station report gives the station a status: closed and inaccessible stations are never
planned, a moved station is planned at its new place (`move_stations`).

Plain data only (no database, no solver), so every reader can import it cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from enum import StrEnum

from planner.model import Mission


class ReportKind(StrEnum):
    STATION_CLOSED = "station_closed"
    STATION_MOVED = "station_moved"
    STATION_INACCESSIBLE = "station_inaccessible"
    ROAD_CLOSED = "road_closed"
    NOTE = "note"


class ReportState(StrEnum):
    OPEN = "open"
    APPLIED = "applied"
    DISMISSED = "dismissed"


class StationStatus(StrEnum):
    CLOSED = "closed"
    MOVED = "moved"
    INACCESSIBLE = "inaccessible"


REPORT_KINDS: tuple[str, ...] = tuple(k.value for k in ReportKind)
REPORT_STATES: tuple[str, ...] = tuple(s.value for s in ReportState)
STATION_STATUSES: tuple[str, ...] = tuple(s.value for s in StationStatus)

# The status a station report gives its station; the other kinds give none.
STATUS_OF_KIND: dict[str, StationStatus] = {
    ReportKind.STATION_CLOSED: StationStatus.CLOSED,
    ReportKind.STATION_MOVED: StationStatus.MOVED,
    ReportKind.STATION_INACCESSIBLE: StationStatus.INACCESSIBLE,
}
KIND_OF_STATUS: dict[str, ReportKind] = {
    status: ReportKind(kind) for kind, status in STATUS_OF_KIND.items()
}
# Statuses that keep a station out of every plan.
NEVER_PLANNED: frozenset[str] = frozenset({StationStatus.CLOSED, StationStatus.INACCESSIBLE})

KIND_LABELS: dict[str, str] = {
    ReportKind.STATION_CLOSED: "station closed",
    ReportKind.STATION_MOVED: "station moved",
    ReportKind.STATION_INACCESSIBLE: "station inaccessible",
    ReportKind.ROAD_CLOSED: "road closed",
    ReportKind.NOTE: "note",
}
STATUS_HELP: dict[str, str] = {
    StationStatus.CLOSED: "the station will not open: never planned",
    StationStatus.MOVED: "the station is at a new place: planned there",
    StationStatus.INACCESSIBLE: "the road is closed or the place is unsafe: never planned",
}


def station_status(kind: str) -> StationStatus | None:
    """closed | moved | inaccessible for a station report's kind, else None."""
    return STATUS_OF_KIND.get(kind)


def is_never_planned(status: str | None) -> bool:
    """Whether a station with this status is left out of every plan."""
    return status in NEVER_PLANNED


def move_stations(mission: Mission, places: Mapping[str, tuple[float, float]]) -> Mission:
    """The mission with each station of `places` (station id -> lat, lon) at its new
    place; the same object when there is none to move."""
    if not places:
        return mission
    stations = tuple(
        replace(s, lat=float(places[s.station_id][0]), lon=float(places[s.station_id][1]))
        if s.station_id in places
        else s
        for s in mission.stations
    )
    return replace(mission, stations=stations)
