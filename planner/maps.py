"""Folium maps of a mission and its plan that render without internet.

Leaflet and its plugins are served by the app itself (`static/vendor`, Streamlit static
serving), so the data layers draw on a laptop with no connection; the OpenStreetMap tile
layer is only a backdrop that appears when online.

Stations and TECs travel to the browser as compact arrays (one row per point, repeated
strings looked up by index) and become canvas circle markers there; popups are built on
click. 10,000 individual folium markers would take half a minute to load and weigh
several megabytes; this way the whole country is about 2 MB and draws in under a second.
Routes are one polyline per team; numbered stop markers are only drawn for the teams of
one area or a chosen few teams, never for all 150.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import folium
from branca.element import Element, MacroElement
from jinja2 import Template
from shapely.geometry import mapping

from planner.model import Area, Commission, Mission, Station

if TYPE_CHECKING:
    from planner.election import Stop
    from planner.plan import Plan

STATIC_URL = "/app/static/vendor"
LEAFLET_JS = [("leaflet", f"{STATIC_URL}/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"{STATIC_URL}/leaflet/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", f"{STATIC_URL}/markercluster/leaflet.markercluster.js")]
CLUSTER_CSS = [
    ("markerclustercss", f"{STATIC_URL}/markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{STATIC_URL}/markercluster/MarkerCluster.Default.css"),
]

PHASES = ("opening", "voting", "counting", "tabulation")
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
FIELD_STATUS_LABELS = {
    "closed": "closed",
    "moved": "moved",
    "inaccessible": "inaccessible",
}


# ---------------------------------------------------------------------------------------
# What is on the map: pure selection, shared by the map and the tables beside it
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapView:
    """What one map shows.

    `area_id`: one AoR (its stations, TECs and teams) or the whole mission; `team_ids`:
    only these teams' routes (None: every team of the area); `phases`: visits highlighted
    and stops numbered; `unvisited`: also draw stations no shown team visits; `numbered`:
    numbered stop markers (None: only when an area or teams are chosen).
    """

    area_id: str | None = None
    team_ids: frozenset[str] | None = None
    phases: frozenset[str] = frozenset(PHASES)
    unvisited: bool = True
    numbered: bool | None = None
    statuses: Mapping[str, str] = field(default_factory=dict)

    @property
    def show_numbers(self) -> bool:
        if self.numbered is not None:
            return self.numbered
        return self.area_id is not None or bool(self.team_ids)


def team_areas(plan: Plan) -> dict[str, str]:
    """Team id -> the AoR it was planned in (from the plan itself, so edits to the
    mission's team list after planning do not lose routes)."""
    return {s.team_id: area.area_id for area in plan.areas for s in area.stops}


def plan_teams(plan: Plan) -> list[str]:
    """Every team with a route, in plan order."""
    return list(dict.fromkeys(s.team_id for s in plan.stops))


def visible_teams(plan: Plan | None, view: MapView) -> list[str]:
    if plan is None:
        return []
    areas = team_areas(plan)
    teams = plan_teams(plan)
    if view.area_id is not None:
        teams = [t for t in teams if areas.get(t) == view.area_id]
    if view.team_ids is not None:
        teams = [t for t in teams if t in view.team_ids]
    return teams


def stops_by_team(plan: Plan | None, teams: Iterable[str]) -> dict[str, list[Stop]]:
    """Each team's stops in route order."""
    wanted = set(teams)
    out: dict[str, list[Stop]] = defaultdict(list)
    if plan is not None:
        for s in plan.stops:
            if s.team_id in wanted:
                out[s.team_id].append(s)
    for stops in out.values():
        stops.sort(key=lambda s: s.seq)
    return dict(out)


def visits_by_site(
    routes: Mapping[str, Sequence[Stop]], phases: Iterable[str], site_type: str
) -> dict[str, list[Stop]]:
    """Site id -> the stops at that site, for the given phases and site type."""
    wanted = set(phases)
    out: dict[str, list[Stop]] = defaultdict(list)
    for stops in routes.values():
        for s in stops:
            if s.site_type == site_type and s.phase in wanted:
                out[s.site_id].append(s)
    return dict(out)


def area_stations(mission: Mission, area_id: str | None) -> list[Station]:
    """The stations of one AoR, or all in-country stations (all, if none is in an area)."""
    if area_id is not None:
        return [s for s in mission.stations if mission.area_of_station(s) == area_id]
    in_country = [s for s in mission.stations if mission.area_of_station(s) is not None]
    return in_country or list(mission.stations)


def area_commissions(mission: Mission, area_id: str | None) -> list[Commission]:
    if area_id is None:
        return list(mission.commissions)
    return [c for c in mission.commissions if mission.area_of_commission(c) == area_id]


# ---------------------------------------------------------------------------------------
# Compact layers: data as arrays, markers made in the browser
# ---------------------------------------------------------------------------------------

_POINTS_JS = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var d = {{ this.payload|safe }};
  var group = L.featureGroup();
  var nf = d.fields.length;
  function popup(p) {
    var h = '<div class="planner-popup" style="font:13px/1.35 sans-serif;min-width:200px">'
      + '<table style="border-collapse:collapse">';
    for (var k = 0; k < nf; k++) {
      var v = p[3 + k];
      if (v === null || v === '') continue;
      var f = d.fields[k];
      if (f[1] !== null) v = d.lookups[f[1]][v];
      else if (typeof v === 'number') v = v.toLocaleString('en-US');
      h += '<tr><th style="text-align:left;padding:1px 8px 1px 0;vertical-align:top;'
        + 'color:#555;font-weight:600">' + f[0] + '</th><td>' + v + '</td></tr>';
    }
    h += '</table>';
    var extra = p[3 + nf];
    if (extra && extra.length) {
      h += '<div style="margin-top:4px;padding-top:4px;border-top:1px solid #ccc">'
        + extra.join('<br>') + '</div>';
    }
    return h + '</div>';
  }
  function value(p, k) {
    var v = p[3 + k], f = d.fields[k];
    return f[1] !== null ? d.lookups[f[1]][v] : v;
  }
  function tip(p) {
    var parts = [];
    d.tip[0].forEach(function (t) {
      var v = value(p, t[1]);
      if (v !== null && v !== '') parts.push(t[0] + v);
    });
    return parts.join(' · ') + ' (' + value(p, d.tip[1]) + ')';
  }
  for (var i = 0; i < d.points.length; i++) {
    var p = d.points[i], s = d.styles[p[2]];
    var m = L.circleMarker([p[0], p[1]], {
      radius: s[0], color: s[1], weight: s[2],
      fill: true, fillColor: s[3], fillOpacity: s[4], opacity: 1
    });
    m.bindPopup(popup.bind(null, p), {maxWidth: 360});
    if (d.tip) m.bindTooltip(tip(p), {direction: 'top', offset: [0, -4]});
    group.addLayer(m);
  }
  window.plannerLayers = window.plannerLayers || {};
  window.plannerLayers[d.key] = group;
  return group;
})();
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}
"""

_ROUTES_JS = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var d = {{ this.payload|safe }};
  var group = L.featureGroup();
  d.teams.forEach(function (t) {
    L.polyline(t.path, {color: t.colour, weight: 3, opacity: 0.85})
      .bindTooltip(t.label, {sticky: true}).addTo(group);
  });
  d.stops.forEach(function (s) {
    var t = d.teams[s[2]];
    var base = s[3] === 'B';
    var html = '<div style="width:20px;height:20px;box-sizing:border-box;'
      + 'border-radius:' + (base ? '3px' : '10px') + ';border:2px solid #fff;'
      + 'background:' + t.colour + ';color:#fff;font:bold 11px/16px sans-serif;'
      + 'text-align:center;box-shadow:0 0 3px rgba(0,0,0,.7)">' + s[3] + '</div>';
    var icon = L.divIcon({className: 'planner-stop', html: html,
                          iconSize: [20, 20], iconAnchor: [10, 10]});
    L.marker([s[0], s[1]], {icon: icon, title: t.id + ' ' + s[3], riseOnHover: true})
      .bindPopup(s[4], {maxWidth: 360}).addTo(group);
  });
  window.plannerLayers = window.plannerLayers || {};
  window.plannerLayers[d.key] = group;
  return group;
})();
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}
"""


_FIT_JS = """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var bounds = {{ this.bounds|safe }};
  var moved = false;
  function fit() { map.fitBounds(bounds, {padding: [12, 12], maxZoom: 14}); }
  fit();
  map.on('mousedown touchstart wheel keydown', function () { moved = true; });
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      map.invalidateSize();
      if (!moved) fit();
    }).observe(map.getContainer());
  }
})();
{% endmacro %}
"""


class FitBounds(MacroElement):
    """Fit the map to `bounds`, and again when its frame is resized before anyone has
    moved it (the app sizes the map's frame after the map is made)."""

    _template = Template(_FIT_JS)

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "FitBounds"
        self.bounds = json.dumps(bounds)


def _json(payload: Any) -> str:
    """Compact JSON that is safe inside a <script> element."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class PointLayer(folium.map.Layer):
    """Many points as canvas circle markers, built in the browser from compact rows.

    `payload`: `key` (name under `window.plannerLayers`), `styles` (rows of radius,
    stroke colour, stroke weight, fill colour, fill opacity), `fields` (label, lookup
    name or None), `lookups` (name -> list of strings), `points` (lat, lon, style
    index, one value per field, then a list of extra popup lines) and `tip`: the hover
    text, `[[prefix, field index], ...], id field index`, shown as `No. 12 · Name (id)`,
    which is also what a click reports back to the app.
    """

    _template = Template(_POINTS_JS)

    def __init__(self, payload: dict[str, Any], *, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "PointLayer"
        self.payload = _json(payload)


class RouteLayer(folium.map.Layer):
    """Team routes as polylines, with numbered stop markers when `stops` are given."""

    _template = Template(_ROUTES_JS)

    def __init__(self, payload: dict[str, Any], *, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "RouteLayer"
        self.payload = _json(payload)


# ---------------------------------------------------------------------------------------
# Payloads
# ---------------------------------------------------------------------------------------

_esc = html.escape


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
    if status in ("closed", "inaccessible"):
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
            tecs.append(_esc(tec))
        extra = [_esc(visit_line(v)) for v in sorted(stops, key=lambda v: v.arrive)]
        if status:
            extra.append(f"<b>Field report: {_esc(FIELD_STATUS_LABELS.get(status, status))}</b>")
        rows.append(
            (
                (1 if stops else 0) + (2 if status else 0),
                [
                    _coord(s.lat),
                    _coord(s.lon),
                    style_index[style],
                    _esc(s.number),
                    _esc(s.name),
                    _esc(s.address),
                    s.voters,
                    tec_index[tec],
                    _esc(s.station_id),
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
        ],
        "lookups": {"tec": tecs},
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
                _esc(c.name),
                _esc(c.level.value.replace("_", " ")),
                _esc(c.tec_id),
                [_esc(visit_line(v)) for v in stops],
            ]
        )
    return {
        "key": "tecs",
        "styles": [plain, followed],
        "fields": [["TEC", None], ["Level", None], ["Id", None]],
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
        ]
    if stop.site_type == "tec":
        c = mission.commission_by_id.get(stop.site_id)
        return [("TEC", c.name if c else stop.site_id)]
    team = next((t for t in mission.teams if t.team_id == stop.team_id), None)
    return [("Base", team.base_name if team else stop.team_id)]


def stop_popup(stop: Stop, mission: Mission) -> str:
    """HTML popup of one stop: the team's arrival and departure, then the site."""
    rows = [
        ("Team", stop.team_id),
        ("Stop", f"{stop.seq} · {stop.phase}"),
        ("Arrive", _clock(stop.arrive)),
        ("Depart", _clock(stop.depart, stop.arrive)),
        *_site_lines(stop, mission),
    ]
    cells = "".join(
        f'<tr><th style="text-align:left;padding:1px 8px 1px 0;color:#555">{_esc(k)}</th>'
        f"<td>{_esc(str(v))}</td></tr>"
        for k, v in rows
    )
    return (
        '<div class="planner-popup" style="font:13px/1.35 sans-serif">'
        f'<table style="border-collapse:collapse">{cells}</table></div>'
    )


def routes_payload(
    routes: Mapping[str, Sequence[Stop]],
    colours: Mapping[str, str],
    mission: Mission,
    *,
    numbered: bool,
    phases: Iterable[str] = PHASES,
) -> dict[str, Any]:
    """One polyline per team; numbered stops (bases as `B`) when `numbered`."""
    wanted = set(phases)
    teams = []
    stops = []
    for index, (team_id, team_stops) in enumerate(routes.items()):
        visits = sum(1 for s in team_stops if s.phase == "voting")
        teams.append(
            {
                "id": _esc(team_id),
                "colour": colours.get(team_id, TEAM_COLOURS[index % len(TEAM_COLOURS)]),
                "label": _esc(f"{team_id}: {len(team_stops) - 2} stops, {visits} voting"),
                "path": [[_coord(s.lat), _coord(s.lon)] for s in team_stops],
            }
        )
        if not numbered:
            continue
        for s in team_stops:
            if s.phase == "base":
                if s.seq == 0:
                    stops.append([_coord(s.lat), _coord(s.lon), index, "B", stop_popup(s, mission)])
                continue
            if s.phase in wanted:
                stops.append(
                    [_coord(s.lat), _coord(s.lon), index, str(s.seq), stop_popup(s, mission)]
                )
    return {"key": "routes", "teams": teams, "stops": stops}


def areas_geojson(areas: Iterable[Area], *, tolerance: float = 0.01) -> dict[str, Any]:
    """AoR polygons, simplified (about 1 km) to keep the page light."""
    features = []
    for area in areas:
        if area.geometry is None:
            continue
        shape = area.geometry.simplify(tolerance, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(shape),
                "properties": {"area_id": area.area_id, "name": area.name},
            }
        )
    return {"type": "FeatureCollection", "features": features}


# ---------------------------------------------------------------------------------------
# Map building
# ---------------------------------------------------------------------------------------


def base_map(*, center: tuple[float, float] = (48.0, 67.0), zoom: int = 5) -> folium.Map:
    """An empty map that loads Leaflet from the app, with an OSM backdrop when online."""
    fmap = folium.Map(
        location=center,
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=True,
        max_zoom=18,
        control_scale=True,
    )
    fmap.default_js = LEAFLET_JS
    fmap.default_css = LEAFLET_CSS
    folium.TileLayer(
        "OpenStreetMap",
        name="OpenStreetMap (online only)",
        attr="&copy; OpenStreetMap contributors",
        max_zoom=18,
    ).add_to(fmap)
    fmap.get_root().header.add_child(
        Element(f"<script>L.Icon.Default.imagePath = '{STATIC_URL}/leaflet/images/';</script>")
    )
    return fmap


def add_areas(fmap: folium.Map, areas: Iterable[Area], *, selected: str | None = None) -> None:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        chosen = feature["properties"]["area_id"] == selected
        return {
            "color": AREA_COLOUR,
            "weight": 3 if chosen or selected is None else 1,
            "opacity": 1.0 if chosen or selected is None else 0.5,
            "fillOpacity": 0.06 if chosen else 0.02,
        }

    folium.GeoJson(
        areas_geojson(areas),
        name="Areas of responsibility",
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=["area_id", "name"], aliases=["AoR", "Name"]),
    ).add_to(fmap)


def legend_items(
    *,
    phases: Iterable[str] = (),
    teams: Mapping[str, str] | None = None,
    reported: bool = False,
) -> list[tuple[str, str, str]]:
    """(label, colour, shape) rows; shape is `dot`, `ring` or `line`."""
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
    return items


def add_legend(
    fmap: folium.Map, items: Iterable[tuple[str, str, str] | tuple[str, str]] = LEGEND_ITEMS
) -> None:
    rows = []
    for item in items:
        label, colour, shape = (*item, "dot") if len(item) == 2 else item
        if shape == "line":
            swatch = f"width:16px;height:4px;background:{colour};border-radius:2px"
        elif shape == "ring":
            swatch = (
                f"width:10px;height:10px;border-radius:7px;background:{colour};"
                "border:2px solid #222"
            )
        else:
            swatch = f"width:12px;height:12px;border-radius:6px;background:{colour}"
        rows.append(
            '<div style="display:flex;align-items:center;gap:6px;margin:1px 0">'
            f'<span style="display:inline-block;flex:none;{swatch}"></span>'
            f"<span>{_esc(label)}</span></div>"
        )
    html_text = (
        '<div class="planner-legend" style="position:absolute;bottom:26px;right:10px;'
        "z-index:1000;background:rgba(255,255,255,.95);color:#222;padding:6px 10px;"
        "border-radius:4px;font:12px/1.25 sans-serif;max-height:65%;overflow:auto;"
        'box-shadow:0 1px 5px rgba(0,0,0,.4)"><details open>'
        '<summary style="cursor:pointer;font-weight:600;margin-bottom:2px">Legend</summary>'
        f"{''.join(rows)}</details></div>"
    )
    fmap.get_root().html.add_child(Element(html_text))


def _bounds(points: Iterable[tuple[float, float]]) -> list[list[float]] | None:
    lats, lons = [], []
    for lat, lon in points:
        lats.append(lat)
        lons.append(lon)
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def plan_map(mission: Mission, plan: Plan | None = None, view: MapView | None = None) -> folium.Map:
    """AoRs, stations (visited ones by phase), TECs and team routes, with a legend."""
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
                routes, colours, mission, numbered=view.show_numbers, phases=view.phases
            ),
            name="Team routes",
        ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    reported = any(v in ("closed", "inaccessible") for v in view.statuses.values())
    add_legend(
        fmap,
        legend_items(
            phases=view.phases if plan is not None else (),
            teams={t: colours.get(t, TEAM_COLOURS[0]) for t in routes},
            reported=reported,
        ),
    )
    return fmap


def mission_map(mission: Mission) -> folium.Map:
    """Stations, TECs and AoRs of a mission on one offline-capable map."""
    return plan_map(mission, None)


def map_html(fmap: folium.Map) -> str:
    """The complete HTML document of a map (what a browser would load)."""
    return fmap.get_root().render()
