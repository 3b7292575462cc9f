"""What the browser is given to draw: stations and TECs as compact rows (one row per
point, repeated strings looked up by index), team routes as point lists with their
numbered stops, popups, colours, and the legend's rows.

10,000 individual folium markers would take half a minute to load and weigh several
megabytes; as compact rows made into canvas markers in the browser, the whole country is
about 2 MB and draws in under a second. Numbered stop markers are only drawn for the
teams of one area or a chosen few teams, never for all 150.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shapely.geometry import mapping

from planner.escaping import html_text
from planner.estimates import (
    POSITION_AT_COMMISSION,
    commission_note,
    station_estimates,
    station_note,
)
from planner.field_status import is_never_planned
from planner.maps.selection import plan_teams
from planner.model import Area, Commission, Mission, Station
from planner.schedule import PHASES

if TYPE_CHECKING:
    from planner.route_lines import TeamLine
    from planner.schedule import Plan, Stop

STATION_COLOURS = {
    ("regular", "urban"): "#1f77b4",
    ("regular", "rural"): "#2ca02c",
    ("special", "urban"): "#9467bd",
    ("special", "rural"): "#9467bd",
    ("abroad", "urban"): "#7f7f7f",
    ("abroad", "rural"): "#7f7f7f",
}
PHASE_COLOURS = {
    "opening": "#ffc400",
    "voting": "#ff1f8e",
    "closing": "#8e24aa",
    "counting": "#00bcd4",
    "tabulation": "#111111",
}
TEC_COLOUR = "#d62728"
AREA_COLOUR = "#ff7f0e"
CLOSED_COLOUR = "#9e9e9e"
# Distinct, dark enough to read on the light backdrop; a team's colour is its place in
# its area, so the teams of one area never share a colour.
TEAM_COLOURS = (
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#008b8b",
    "#f032e6",
    "#9a6324",
    "#800000",
    "#469990",
    "#000075",
    "#808000",
    "#6a3d9a",
    "#b15928",
    "#1b9e77",
    "#7570b3",
    "#66a61e",
    "#a6761d",
    "#2f4f4f",
    "#c71585",
)
LEGEND_ITEMS = (
    ("Regular station, urban", STATION_COLOURS[("regular", "urban")]),
    ("Regular station, rural", STATION_COLOURS[("regular", "rural")]),
    ("Special-needs station", STATION_COLOURS[("special", "urban")]),
    ("Station abroad", STATION_COLOURS[("abroad", "urban")]),
    ("TEC (territorial commission)", TEC_COLOUR),
    ("Area of responsibility", AREA_COLOUR),
)
# Legend lists teams one by one up to this many routes; beyond, one line says it.
LEGEND_MAX_TEAMS = 12


def _coord(value: float) -> float:
    return round(float(value), 5)


def _clock(when: datetime, day: datetime | None = None) -> str:
    text = when.strftime("%H:%M")
    if day is not None and when.date() > day.date():
        text += " (+1)"
    return text


def visit_line(stop: Stop) -> str:
    """`STO-001 · stop 3 · voting · 09:15–09:45` (plain text)."""
    return (
        f"{stop.team_id} · stop {stop.seq} · {stop.phase} · "
        f"{_clock(stop.arrive)}–{_clock(stop.depart, stop.arrive)}"
    )


def _style_row(radius: float, stroke: str, weight: float, fill: str, opacity: float) -> list:
    return [radius, stroke, weight, fill, opacity]


def station_style(station: Station, phase: str | None, status: str | None) -> list:
    """Unvisited: small, coloured by kind/setting; visited: larger, filled by phase;
    reported closed/inaccessible: grey with a red ring."""
    if is_never_planned(status):
        return _style_row(5, "#d32f2f", 2, CLOSED_COLOUR, 0.9)
    if phase is not None:
        return _style_row(7, "#222222", 2, PHASE_COLOURS[phase], 1.0)
    colour = STATION_COLOURS.get((station.kind.value, station.setting.value), "#333333")
    return _style_row(3.5, colour, 1, colour, 0.85)


def _first_phase(stops: Sequence[Stop]) -> str | None:
    phases = {s.phase for s in stops}
    return next((p for p in PHASES if p in phases), None)


def stations_payload(
    stations: Sequence[Station],
    tec_names: Mapping[str, str],
    visits: Mapping[str, Sequence[Stop]] | None = None,
    statuses: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Stations as compact rows; visited and reported stations are drawn last (on top)."""
    visits = visits or {}
    statuses = statuses or {}
    styles: list[list] = []
    style_index: dict[tuple, int] = {}
    tecs: list[str] = []
    tec_index: dict[str, int] = {}
    flags: list[str] = []
    flag_index: dict[str, int] = {}
    rows: list[tuple[int, list]] = []
    for s in stations:
        stops = visits.get(s.station_id, ())
        status = statuses.get(s.station_id)
        phase = _first_phase(stops)
        style = tuple(station_style(s, phase, status))
        if style not in style_index:
            style_index[style] = len(styles)
            styles.append(list(style))
        tec = tec_names.get(s.tec_id, s.tec_id)
        if tec not in tec_index:
            tec_index[tec] = len(tecs)
            tecs.append(html_text(tec))
        estimated = station_estimates(s)
        if estimated and estimated not in flag_index:
            flag_index[estimated] = len(flags)
            flags.append(html_text(estimated))
        extra = [html_text(visit_line(v)) for v in sorted(stops, key=lambda v: v.arrive)]
        if s.position_approximate:
            extra.insert(0, html_text(POSITION_AT_COMMISSION.capitalize()))
        if status:
            extra.append(f"<b>Field report: {html_text(status)}</b>")
        rows.append(
            (
                (1 if stops else 0) + (2 if status else 0),
                [
                    _coord(s.lat),
                    _coord(s.lon),
                    style_index[style],
                    html_text(s.number),
                    html_text(s.name),
                    html_text(s.address),
                    s.voters,
                    tec_index[tec],
                    html_text(s.station_id),
                    flag_index[estimated] if estimated else None,
                    extra,
                ],
            )
        )
    rows.sort(key=lambda r: r[0])
    return {
        "key": "stations",
        "styles": styles,
        "fields": [
            ["No.", None],
            ["Name", None],
            ["Address", None],
            ["Voters", None],
            ["TEC", "tec"],
            ["Id", None],
            ["Estimated", "estimated"],
        ],
        "lookups": {"tec": tecs, "estimated": flags},
        "points": [row for _, row in rows],
        "tip": [[["No. ", 0], ["", 1]], 5],
    }


def commissions_payload(
    commissions: Sequence[Commission], visits: Mapping[str, Sequence[Stop]] | None = None
) -> dict[str, Any]:
    visits = visits or {}
    plain = _style_row(6, "#ffffff", 2, TEC_COLOUR, 1.0)
    followed = _style_row(8, PHASE_COLOURS["tabulation"], 3, TEC_COLOUR, 1.0)
    points = []
    for c in sorted(commissions, key=lambda c: c.tec_id in visits):
        stops = visits.get(c.tec_id, ())
        points.append(
            [
                _coord(c.lat),
                _coord(c.lon),
                1 if stops else 0,
                html_text(c.name),
                html_text(c.level.value.replace("_", " ")),
                html_text(c.tec_id),
                html_text(commission_note(c).capitalize()),
                [html_text(visit_line(v)) for v in stops],
            ]
        )
    return {
        "key": "tecs",
        "styles": [plain, followed],
        "fields": [["TEC", None], ["Level", None], ["Id", None], ["Note", None]],
        "lookups": {},
        "points": points,
        "tip": [[["TEC: ", 0]], 2],
    }


def team_colours(plan: Plan | None) -> dict[str, str]:
    """A colour per team: its place among its area's teams, so an area's teams differ."""
    if plan is None:
        return {}
    colours: dict[str, str] = {}
    for area in plan.areas:
        for k, team in enumerate(dict.fromkeys(s.team_id for s in area.stops)):
            colours[team] = TEAM_COLOURS[k % len(TEAM_COLOURS)]
    for k, team in enumerate(plan_teams(plan)):
        colours.setdefault(team, TEAM_COLOURS[k % len(TEAM_COLOURS)])
    return colours


def _site_lines(stop: Stop, mission: Mission) -> list[tuple[str, str]]:
    if stop.site_type == "station":
        s = mission.station_by_id.get(stop.site_id)
        if s is None:
            return [("Station", stop.site_id)]
        tec = mission.commission_by_id.get(s.tec_id)
        return [
            ("No.", s.number),
            ("Name", s.name),
            ("Address", s.address),
            ("Voters", f"{s.voters:,}"),
            ("TEC", tec.name if tec else s.tec_id),
            *([("Note", station_note(s))] if station_note(s) else []),
        ]
    if stop.site_type == "tec":
        c = mission.commission_by_id.get(stop.site_id)
        if c is None:
            return [("TEC", stop.site_id)]
        return [("TEC", c.name), *([("Note", commission_note(c))] if c.approximate else [])]
    team = next((t for t in mission.teams if t.team_id == stop.team_id), None)
    return [("Base", team.base_name if team else stop.team_id)]


def stop_facts(stop: Stop, mission: Mission) -> list[str]:
    """What a stop's popup says, as values only (HTML-escaped): the stop, arrival and
    departure, then the site's facts as label, value pairs flattened. The popup's labels,
    team and layout are added in the browser (`STOP_LABELS`): a route of 30 stops sends
    its facts, not 30 copies of the same styled table."""
    facts = [f"{stop.seq} · {stop.phase}", _clock(stop.arrive), _clock(stop.depart, stop.arrive)]
    for label, value in _site_lines(stop, mission):
        facts += [label, str(value)]
    return [html_text(f) for f in facts]


# The popup's first labels; the team is the route's.
STOP_LABELS = ("Team", "Stop", "Arrive", "Depart")


def routes_payload(
    routes: Mapping[str, Sequence[Stop]],
    colours: Mapping[str, str],
    mission: Mission,
    *,
    numbered: bool,
    phases: Iterable[str] = PHASES,
    lines: Mapping[str, TeamLine] | None = None,
) -> dict[str, Any]:
    """One polyline per team, along the roads where `lines` has the team's road line,
    else straight between stops; numbered stops (bases as `B`) when `numbered`, each
    as lat, lon, team index, label and its popup's facts (`stop_facts`)."""
    wanted = set(phases)
    teams = []
    stops = []
    for index, (team_id, team_stops) in enumerate(routes.items()):
        visits = sum(1 for s in team_stops if s.phase == "voting")
        line = (lines or {}).get(team_id)
        on_roads = line is not None and line.on_roads
        path = (
            [[_coord(lat), _coord(lon)] for lon, lat in line.coordinates]
            if line is not None and on_roads
            else [[_coord(s.lat), _coord(s.lon)] for s in team_stops]
        )
        drawn = "along the roads" if on_roads else "straight lines"
        teams.append(
            {
                "id": html_text(team_id),
                "colour": colours.get(team_id, TEAM_COLOURS[index % len(TEAM_COLOURS)]),
                "label": html_text(
                    f"{team_id}: {len(team_stops) - 2} stops, {visits} voting ({drawn})"
                ),
                "path": path,
            }
        )
        if not numbered:
            continue
        for s in team_stops:
            if s.phase == "base":
                if s.seq == 0:
                    stops.append([_coord(s.lat), _coord(s.lon), index, "B", stop_facts(s, mission)])
                continue
            if s.phase in wanted:
                stops.append(
                    [_coord(s.lat), _coord(s.lon), index, str(s.seq), stop_facts(s, mission)]
                )
    return {"key": "routes", "labels": list(STOP_LABELS), "teams": teams, "stops": stops}


def _rounded(value: Any) -> Any:
    """GeoJSON coordinates to 5 decimals (about 1 m; the outline is simplified to 1 km)."""
    if isinstance(value, float):
        return _coord(value)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def areas_geojson(areas: Iterable[Area], *, tolerance: float = 0.01) -> dict[str, Any]:
    """AoR polygons, simplified (about 1 km) to keep the page light.

    `area_id` is the id as it is (the style follows it); `label_id` and `label_name` are
    HTML-escaped, because the hover tooltip puts them into the page as HTML.
    """
    features = []
    for area in areas:
        if area.geometry is None:
            continue
        shape = area.geometry.simplify(tolerance, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "geometry": _rounded(mapping(shape)),
                "properties": {
                    "area_id": area.area_id,
                    "label_id": html_text(area.area_id),
                    "label_name": html_text(area.name),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def legend_items(
    *,
    phases: Iterable[str] = (),
    teams: Mapping[str, str] | None = None,
    reported: bool = False,
    routes_drawn: str | None = None,
) -> list[tuple[str, str, str]]:
    """(label, colour, shape) rows; shape is `dot`, `ring`, `line` or `note` (a line of
    text: `routes_drawn` says whether routes follow the roads)."""
    items = [(label, colour, "dot") for label, colour in LEGEND_ITEMS[:4]]
    items += [(f"Visited: {p}", PHASE_COLOURS[p], "ring") for p in PHASES if p in set(phases)]
    if reported:
        items.append(("Reported closed / inaccessible", CLOSED_COLOUR, "dot"))
    items.append(("TEC (territorial commission)", TEC_COLOUR, "dot"))
    if "tabulation" in set(phases):
        items.append(("TEC followed to tabulation", TEC_COLOUR, "ring"))
    items.append(("Area of responsibility", AREA_COLOUR, "line"))
    if teams:
        if len(teams) <= LEGEND_MAX_TEAMS:
            items += [(f"Route {team}", colour, "line") for team, colour in teams.items()]
        else:
            items.append((f"Team routes ({len(teams)}, one colour each)", TEAM_COLOURS[0], "line"))
        if routes_drawn:
            items.append((routes_drawn, "", "note"))
    return items
