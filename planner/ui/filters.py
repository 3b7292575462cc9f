"""Map clicks and filter choices, as pure functions the pages (and tests) call."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from planner.maps.selection import MapView, team_areas, visible_teams
from planner.model import Commission, Mission, Station
from planner.schedule import PHASES, Plan

# A click counts for a station this many screen pixels away from its centre.
CLICK_TOLERANCE_PX = 12
TILE_PX = 256


def station_at(
    stations: Sequence[Station],
    lat: float,
    lng: float,
    *,
    zoom: float | None = None,
    tolerance_px: float = CLICK_TOLERANCE_PX,
) -> Station | None:
    """The station nearest to a click, if it is within `tolerance_px` at `zoom`.

    Without a zoom any distance counts (the nearest station is returned).
    """
    if not stations:
        return None
    scale = math.cos(math.radians(lat))
    best, best_d2 = None, math.inf
    for s in stations:
        dx = (s.lon - lng) * scale
        dy = s.lat - lat
        d2 = dx * dx + dy * dy
        if d2 < best_d2:
            best, best_d2 = s, d2
    if zoom is None:
        return best
    # Web Mercator: one pixel spans 360 / (256 * 2^zoom) degrees of longitude; in the
    # distance above longitudes are scaled by cos(lat), so the pixel is scaled alike.
    pixel = 360.0 / (TILE_PX * 2.0**zoom) * scale
    return best if math.sqrt(best_d2) <= tolerance_px * pixel else None


_TIP_ID = re.compile(r"\(([^()]+)\)\s*$")


def tooltip_id(text: object) -> str | None:
    """The site id at the end of a marker's hover text: `No. 12 · School (PS-1)` -> `PS-1`."""
    if not isinstance(text, str):
        return None
    match = _TIP_ID.search(text.strip())
    return match.group(1).strip() if match else None


def clicked_site(
    map_state: Mapping[str, Any] | None, mission: Mission, stations: Sequence[Station] = ()
) -> tuple[str, Station | Commission] | None:
    """What a streamlit-folium click landed on: `("station", Station)`, `("tec", Commission)`
    or None.

    Station and TEC markers carry their id in their hover text, which the click reports
    (`last_object_clicked_tooltip`); other objects (a numbered stop, a route) report only
    a position, taken as the nearest of `stations`.
    """
    if not map_state:
        return None
    site_id = tooltip_id(map_state.get("last_object_clicked_tooltip"))
    if site_id is not None:
        if site_id in mission.station_by_id:
            return "station", mission.station_by_id[site_id]
        if site_id in mission.commission_by_id:
            return "tec", mission.commission_by_id[site_id]
    station = clicked_station(map_state, stations)
    return ("station", station) if station is not None else None


def clicked_station(
    map_state: Mapping[str, Any] | None, stations: Sequence[Station]
) -> Station | None:
    """The station nearest a streamlit-folium click (`last_object_clicked`, and `zoom`
    when the map reports it)."""
    if not map_state:
        return None
    point = map_state.get("last_object_clicked") or None
    if not isinstance(point, Mapping) or "lat" not in point or "lng" not in point:
        return None
    try:
        lat, lng = float(point["lat"]), float(point["lng"])
    except (TypeError, ValueError):
        return None
    zoom = map_state.get("zoom")
    zoom = float(zoom) if isinstance(zoom, int | float) else None
    return station_at(stations, lat, lng, zoom=zoom)


def area_options(mission: Mission) -> dict[str, str]:
    """AoR id -> `AOR-01 · Ulytau` for pickers."""
    return {a.area_id: f"{a.area_id} · {a.name}" for a in mission.areas}


def team_options(plan: Plan | None, area_id: str | None) -> list[str]:
    """Teams with a route, of one area or of all."""
    if plan is None:
        return []
    return visible_teams(plan, MapView(area_id=area_id))


def make_view(
    *,
    area_id: str | None,
    team_ids: Iterable[str] = (),
    phases: Iterable[str] = PHASES,
    unvisited: bool = True,
    statuses: Mapping[str, str] | None = None,
    plan: Plan | None = None,
) -> MapView:
    """A map view from the filter widgets; chosen teams outside the area are ignored."""
    teams = frozenset(team_ids)
    if plan is not None and area_id is not None and teams:
        areas = team_areas(plan)
        teams = frozenset(t for t in teams if areas.get(t) == area_id)
    return MapView(
        area_id=area_id,
        team_ids=teams or None,
        phases=frozenset(p for p in phases if p in PHASES),
        unvisited=unvisited,
        statuses=dict(statuses or {}),
    )
