"""Folium maps of a mission that render without internet.

Leaflet and its plugins are served by the app itself (`static/vendor`, Streamlit static
serving), so the data layers draw on a laptop with no connection; the OpenStreetMap tile
layer is only a backdrop that appears when online. Stations are drawn as one GeoJSON layer
of canvas circle markers: 10,000 individual markers would take half a minute to load.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import folium
from branca.element import Element
from shapely.geometry import mapping

from planner.model import Area, Commission, Mission, Station

STATIC_URL = "/app/static/vendor"
LEAFLET_JS = [("leaflet", f"{STATIC_URL}/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"{STATIC_URL}/leaflet/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", f"{STATIC_URL}/markercluster/leaflet.markercluster.js")]
CLUSTER_CSS = [
    ("markerclustercss", f"{STATIC_URL}/markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{STATIC_URL}/markercluster/MarkerCluster.Default.css"),
]

STATION_COLOURS = {
    ("regular", "urban"): "#1f77b4",
    ("regular", "rural"): "#2ca02c",
    ("special", "urban"): "#9467bd",
    ("special", "rural"): "#9467bd",
    ("abroad", "urban"): "#7f7f7f",
    ("abroad", "rural"): "#7f7f7f",
}
TEC_COLOUR = "#d62728"
AREA_COLOUR = "#ff7f0e"
LEGEND_ITEMS = (
    ("Regular station, urban", STATION_COLOURS[("regular", "urban")]),
    ("Regular station, rural", STATION_COLOURS[("regular", "rural")]),
    ("Special-needs station", STATION_COLOURS[("special", "urban")]),
    ("Station abroad", STATION_COLOURS[("abroad", "urban")]),
    ("TEC (territorial commission)", TEC_COLOUR),
    ("Area of responsibility", AREA_COLOUR),
)


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


def _feature(geometry: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}


def areas_geojson(areas: Iterable[Area], *, tolerance: float = 0.01) -> dict[str, Any]:
    """AoR polygons, simplified (about 1 km) to keep the page light."""
    features = []
    for area in areas:
        if area.geometry is None:
            continue
        shape = area.geometry.simplify(tolerance, preserve_topology=True)
        features.append(_feature(mapping(shape), {"area_id": area.area_id, "name": area.name}))
    return {"type": "FeatureCollection", "features": features}


def stations_geojson(
    stations: Iterable[Station], tec_names: dict[str, str] | None = None
) -> dict[str, Any]:
    tec_names = tec_names or {}
    return {
        "type": "FeatureCollection",
        "features": [
            _feature(
                _point(s.lon, s.lat),
                {
                    "id": s.station_id,
                    "no": s.number,
                    "name": s.name,
                    "address": s.address,
                    "voters": s.voters,
                    "kind": s.kind.value,
                    "setting": s.setting.value,
                    "tec": tec_names.get(s.tec_id, s.tec_id),
                },
            )
            for s in stations
        ],
    }


def commissions_geojson(commissions: Iterable[Commission]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            _feature(
                _point(c.lon, c.lat),
                {"id": c.tec_id, "name": c.name, "level": c.level.value},
            )
            for c in commissions
        ],
    }


def _station_style(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    colour = STATION_COLOURS.get((props["kind"], props["setting"]), "#333333")
    return {"color": colour, "fill": True, "fillColor": colour, "fillOpacity": 0.8, "weight": 1}


def add_areas(fmap: folium.Map, areas: Iterable[Area]) -> None:
    folium.GeoJson(
        areas_geojson(areas),
        name="Areas of responsibility",
        style_function=lambda _: {
            "color": AREA_COLOUR,
            "weight": 2,
            "fillOpacity": 0.04,
        },
        tooltip=folium.GeoJsonTooltip(fields=["area_id", "name"], aliases=["AoR", "Name"]),
    ).add_to(fmap)


def add_stations(
    fmap: folium.Map, stations: Iterable[Station], tec_names: dict[str, str] | None = None
) -> None:
    folium.GeoJson(
        stations_geojson(stations, tec_names),
        name="Polling stations",
        marker=folium.CircleMarker(radius=3),
        style_function=_station_style,
        popup=folium.GeoJsonPopup(
            fields=["no", "name", "address", "voters", "tec"],
            aliases=["No.", "Name", "Address", "Voters", "TEC"],
        ),
    ).add_to(fmap)


def add_commissions(fmap: folium.Map, commissions: Iterable[Commission]) -> None:
    folium.GeoJson(
        commissions_geojson(commissions),
        name="TECs",
        marker=folium.CircleMarker(radius=6),
        style_function=lambda _: {
            "color": "#ffffff",
            "fill": True,
            "fillColor": TEC_COLOUR,
            "fillOpacity": 1.0,
            "weight": 2,
        },
        popup=folium.GeoJsonPopup(fields=["name", "level"], aliases=["TEC", "Level"]),
    ).add_to(fmap)


def add_legend(fmap: folium.Map, items: Iterable[tuple[str, str]] = LEGEND_ITEMS) -> None:
    rows = "".join(
        f'<div><span style="display:inline-block;width:10px;height:10px;'
        f'border-radius:5px;background:{colour};margin-right:6px"></span>{label}</div>'
        for label, colour in items
    )
    html = (
        '<div class="planner-legend" style="position:absolute;bottom:24px;left:10px;'
        "z-index:1000;background:white;padding:6px 8px;border-radius:4px;"
        f'font:12px sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)">{rows}</div>'
    )
    fmap.get_root().html.add_child(Element(html))


def mission_map(mission: Mission) -> folium.Map:
    """Stations, TECs and AoRs of a mission on one offline-capable map."""
    in_country = [s for s in mission.stations if mission.area_of_station(s) is not None]
    stations = in_country or list(mission.stations)
    lats = [s.lat for s in stations] or [48.0]
    lons = [s.lon for s in stations] or [67.0]
    fmap = base_map(center=((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2))
    fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    tec_names = {c.tec_id: c.name for c in mission.commissions}
    add_areas(fmap, mission.areas)
    add_stations(fmap, stations, tec_names)
    add_commissions(fmap, mission.commissions)
    folium.LayerControl(collapsed=True).add_to(fmap)
    add_legend(fmap)
    return fmap
