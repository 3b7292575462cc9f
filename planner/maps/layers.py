"""Folium elements that draw the payloads in the browser: canvas circle markers made
from compact rows, route polylines with numbered stops, a fit to the data that follows
the frame's size, the AoR outlines and the legend; and the empty base map that loads
Leaflet from the app itself (no internet needed), with an OpenStreetMap backdrop when
online."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from planner.escaping import html_text
from planner.maps.payloads import AREA_COLOUR, LEGEND_ITEMS, areas_geojson
from planner.model import Area

STATIC_URL = "/app/static/vendor"
STATIC_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor"


def versioned(name: str) -> str:
    """The URL of a vendored file with its content hash (`?v=`): the browser keeps it for
    a year (`planner.ui.caching`), and a changed file is a new URL."""
    try:
        digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]
    except OSError:  # installed without the app's static folder: served unversioned
        return f"{STATIC_URL}/{name}"
    return f"{STATIC_URL}/{name}?v={digest}"


LEAFLET_JS = [("leaflet", versioned("leaflet/leaflet.js"))]
LEAFLET_CSS = [("leaflet_css", versioned("leaflet/leaflet.css"))]

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
  function popup(t, f) {
    var rows = [[d.labels[0], t.id], [d.labels[1], f[0]], [d.labels[2], f[1]],
                [d.labels[3], f[2]]];
    for (var k = 3; k + 1 < f.length; k += 2) rows.push([f[k], f[k + 1]]);
    var h = '<div class="planner-popup" style="font:13px/1.35 sans-serif">'
      + '<table style="border-collapse:collapse">';
    rows.forEach(function (r) {
      h += '<tr><th style="text-align:left;padding:1px 8px 1px 0;color:#555">' + r[0]
        + '</th><td>' + r[1] + '</td></tr>';
    });
    return h + '</table></div>';
  }
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
      .bindPopup(popup.bind(null, t, s[4]), {maxWidth: 360}).addTo(group);
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


_WHEEL_JS = """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  function on() { map.scrollWheelZoom.enable(); }
  function off() { map.scrollWheelZoom.disable(); }
  map.on('click focus', on);
  map.on('mouseout blur', off);
})();
{% endmacro %}
"""


class WheelAfterClick(MacroElement):
    """The mouse wheel scrolls the page over the map until the map is clicked; then it
    zooms the map, until the pointer leaves it."""

    _template = Template(_WHEEL_JS)

    def __init__(self) -> None:
        super().__init__()
        self._name = "WheelAfterClick"


def script_json(payload: Any) -> str:
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
        self.payload = script_json(payload)


class RouteLayer(folium.map.Layer):
    """Team routes as polylines, with numbered stop markers when `stops` are given."""

    _template = Template(_ROUTES_JS)

    def __init__(self, payload: dict[str, Any], *, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "RouteLayer"
        self.payload = script_json(payload)


class PlainAttribution(MacroElement):
    """The map credit without Leaflet's default prefix, which carries a national flag: a
    mission's map must show no country's symbol but the credits it owes."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.attributionControl.setPrefix("
        "'<a href=\"https://leafletjs.com\">Leaflet</a>');"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "PlainAttribution"


def _figure(fmap: folium.Map) -> Figure:
    """The HTML document a map is drawn in."""
    root = fmap.get_root()
    assert isinstance(root, Figure)
    return root


def base_map(*, center: tuple[float, float] = (48.0, 67.0), zoom: int = 5) -> folium.Map:
    """An empty map that loads Leaflet from the app, with an OSM backdrop when online."""
    fmap = folium.Map(
        location=center,
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=True,
        max_zoom=18,
        control_scale=True,
        scroll_wheel_zoom=False,
    )
    WheelAfterClick().add_to(fmap)
    fmap.default_js = LEAFLET_JS
    fmap.default_css = LEAFLET_CSS
    folium.TileLayer(
        "OpenStreetMap",
        name="OpenStreetMap (online only)",
        attr="&copy; OpenStreetMap contributors",
        max_zoom=18,
    ).add_to(fmap)
    PlainAttribution().add_to(fmap)
    _figure(fmap).header.add_child(
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
        tooltip=folium.GeoJsonTooltip(fields=["label_id", "label_name"], aliases=["AoR", "Name"]),
    ).add_to(fmap)


def add_legend(
    fmap: folium.Map, items: Iterable[tuple[str, str, str] | tuple[str, str]] = LEGEND_ITEMS
) -> None:
    rows = []
    for item in items:
        label, colour, shape = (*item, "dot") if len(item) == 2 else item
        if shape == "note":
            rows.append(
                '<div style="margin:3px 0 1px;color:#555;font-style:italic">'
                f"{html_text(label)}</div>"
            )
            continue
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
            f"<span>{html_text(label)}</span></div>"
        )
    legend_html = (
        '<div class="planner-legend" style="position:absolute;bottom:26px;right:10px;'
        "z-index:1000;background:rgba(255,255,255,.95);color:#222;padding:6px 10px;"
        "border-radius:4px;font:12px/1.25 sans-serif;max-height:65%;overflow:auto;"
        'box-shadow:0 1px 5px rgba(0,0,0,.4)"><details open>'
        '<summary style="cursor:pointer;font-weight:600;margin-bottom:2px">Legend</summary>'
        f"{''.join(rows)}</details></div>"
    )
    _figure(fmap).html.add_child(Element(legend_html))
