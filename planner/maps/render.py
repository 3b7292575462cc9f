"""A whole map: the view's selection, made into payloads, drawn as layers with a legend."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import folium

from planner.field_status import is_never_planned
from planner.maps.layers import FitBounds, PointLayer, RouteLayer, add_areas, add_legend, base_map
from planner.maps.payloads import (
    TEAM_COLOURS,
    commissions_payload,
    legend_items,
    routes_payload,
    stations_payload,
    team_colours,
)
from planner.maps.selection import (
    MapView,
    area_commissions,
    area_stations,
    stops_by_team,
    visible_teams,
    visits_by_site,
)
from planner.model import Mission
from planner.route_lines import TeamLine, route_lines_label, straight_line

if TYPE_CHECKING:
    from planner.schedule import Plan


def _bounds(points: Iterable[tuple[float, float]]) -> list[list[float]] | None:
    lats, lons = [], []
    for lat, lon in points:
        lats.append(lat)
        lons.append(lon)
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def plan_map(
    mission: Mission,
    plan: Plan | None = None,
    view: MapView | None = None,
    *,
    lines: Mapping[str, TeamLine] | None = None,
) -> folium.Map:
    """AoRs, stations (visited ones by phase), TECs and team routes (along the roads
    where `lines` has a team's road line, else straight), with a legend."""
    view = view or MapView()
    teams = visible_teams(plan, view)
    routes = stops_by_team(plan, teams)
    station_visits = visits_by_site(routes, view.phases, "station")
    tec_visits = visits_by_site(routes, view.phases, "tec")

    stations = area_stations(mission, view.area_id)
    if not view.unvisited:
        stations = [
            s for s in stations if s.station_id in station_visits or s.station_id in view.statuses
        ]
    commissions = area_commissions(mission, view.area_id)
    outline = stations or area_stations(mission, view.area_id)
    bounds = _bounds((s.lat, s.lon) for s in outline) or _bounds(
        (s.lat, s.lon) for stops in routes.values() for s in stops
    )
    center = (
        ((bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2)
        if bounds
        else (48.0, 67.0)
    )
    fmap = base_map(center=center)
    if bounds:
        FitBounds(bounds).add_to(fmap)

    tec_names = {c.tec_id: c.name for c in mission.commissions}
    add_areas(fmap, mission.areas, selected=view.area_id)
    PointLayer(
        stations_payload(stations, tec_names, station_visits, view.statuses),
        name="Polling stations",
    ).add_to(fmap)
    PointLayer(commissions_payload(commissions, tec_visits), name="TECs").add_to(fmap)
    colours = team_colours(plan)
    if routes:
        RouteLayer(
            routes_payload(
                routes,
                colours,
                mission,
                numbered=view.show_numbers,
                phases=view.phases,
                lines=lines,
            ),
            name="Team routes",
        ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    reported = any(is_never_planned(v) for v in view.statuses.values())
    add_legend(
        fmap,
        legend_items(
            phases=view.phases if plan is not None else (),
            teams={t: colours.get(t, TEAM_COLOURS[0]) for t in routes},
            reported=reported,
            routes_drawn=route_lines_label(
                {t: line for t, line in (lines or {}).items() if t in routes}
                or {t: straight_line(t, stops) for t, stops in routes.items()}
            )
            if routes
            else None,
        ),
    )
    return fmap


def mission_map(mission: Mission) -> folium.Map:
    """Stations, TECs and AoRs of a mission on one offline-capable map."""
    return plan_map(mission, None)


def map_html(fmap: folium.Map) -> str:
    """The complete HTML document of a map (what a browser would load)."""
    return fmap.get_root().render()
