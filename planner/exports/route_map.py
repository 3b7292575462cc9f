"""Static route maps drawn offline with matplotlib (Agg), as PNG bytes for the PDFs.

A map has up to three panels: the area of responsibility (its outline, with a frame
around the route), the whole route, and, when most stops crowd into one town, a zoom on
that town. One `RouteMapRenderer` draws many teams with a single figure: its artists are
made once and only moved per team, and each area's outline is simplified once. Nothing
goes through pyplot, so no global figure state leaks into a Streamlit session.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from planner.exports.view import PlanView, StopView, TeamView
from planner.travel import great_circle_km

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from shapely.geometry.base import BaseGeometry

# Inches: the map spans the printable width of an A4 page (190 mm) at a 2.3:1 ratio.
FIG_SIZE = (7.48, 3.25)
DPI = 110
PHASE_COLOURS = {
    "opening": "#1b9e77",
    "voting": "#3a6fb0",
    "counting": "#d95f02",
    "tabulation": "#7570b3",
}
BASE_COLOUR = "#222222"
OUTLINE_FACE = "#f2efe6"
OUTLINE_EDGE = "#8c8c8c"
ZOOM_EDGE = "#2c7fb8"
# Smallest window, degrees of latitude (about 4 km), so a town route is not a dot.
MIN_SPAN_DEG = 0.04
# A town zoom gathers the stops within this distance of the busiest stop...
ZOOM_RADIUS_KM = 10.0
# ... and is drawn when it holds at least this many stops and the route is much wider.
ZOOM_MIN_STOPS = 3
ZOOM_MIN_RATIO = 4.0
# Panel positions (figure fractions): overview | route [| zoom].
OVERVIEW_BOX = (0.004, 0.02, 0.235, 0.96)
ROUTE_BOX_ALONE = (0.245, 0.02, 0.751, 0.96)
ROUTE_BOX = (0.245, 0.02, 0.373, 0.96)
ZOOM_BOX = (0.623, 0.02, 0.373, 0.96)


def _rings(geometry: BaseGeometry) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Exterior rings (for the fill) and all rings (for the outline) as (n, 2) arrays."""
    polygons = getattr(geometry, "geoms", [geometry])
    exteriors: list[np.ndarray] = []
    rings: list[np.ndarray] = []
    for poly in polygons:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        ext = np.asarray(poly.exterior.coords)[:, :2]
        exteriors.append(ext)
        rings.append(ext)
        rings.extend(np.asarray(r.coords)[:, :2] for r in poly.interiors)
    return exteriors, rings


def simplified_outline(geometry: BaseGeometry) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The AoR outline simplified to about 1/600 of its extent: light enough to draw often."""
    minx, miny, maxx, maxy = geometry.bounds
    tolerance = max(maxx - minx, maxy - miny) / 600
    return _rings(geometry.simplify(tolerance, preserve_topology=True))


def _km_per_deg_lon(lat: float) -> float:
    return 111.32 * math.cos(math.radians(lat))


def _nice_length(km: float) -> float:
    """1, 2 or 5 x 10^k km, not more than `km`."""
    if km <= 0:
        return 0.0
    exp = math.floor(math.log10(km))
    for step in (5, 2, 1):
        if step * 10**exp <= km:
            return step * 10**exp
    return 10**exp


class _Panel:
    """The artists of one route panel, made once and moved for each team."""

    def __init__(self, ax: Axes) -> None:
        self.ax = ax
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_autoscale_on(False)
        for spine in ax.spines.values():
            spine.set_edgecolor("#999999")
        self.outline: list[Artist] = []
        (self.route,) = ax.plot([], [], color="#555555", linewidth=1.0, zorder=2)
        empty = np.empty((0, 2))
        self.base = ax.scatter(
            empty[:, 0], empty[:, 1], marker="s", s=70, color=BASE_COLOUR, zorder=4
        )
        self.base_label = ax.text(
            0, 0, "B", color="white", fontsize=6, ha="center", va="center", zorder=5
        )
        self.phases = {
            phase: ax.scatter(
                empty[:, 0],
                empty[:, 1],
                s=95,
                marker="D" if phase == "tabulation" else "o",
                color=colour,
                edgecolors="white",
                linewidths=0.6,
                zorder=4,
            )
            for phase, colour in PHASE_COLOURS.items()
        }
        self.labels: list[Text] = []
        (self.scale,) = ax.plot([], [], color="black", linewidth=2, zorder=6)
        self.scale_label = ax.text(0, 0, "", fontsize=6, ha="center", va="bottom", zorder=6)
        self.window = Rectangle(
            (0, 0), 0, 0, fill=False, edgecolor=ZOOM_EDGE, linewidth=1.0, linestyle="--",
            zorder=3, visible=False,
        )  # fmt: skip
        ax.add_patch(self.window)

    def set_outline(self, exteriors: list[np.ndarray], rings: list[np.ndarray]) -> None:
        for artist in self.outline:
            artist.remove()
        self.outline = []
        if exteriors:
            fill = PolyCollection(exteriors, facecolors=OUTLINE_FACE, edgecolors="none", zorder=0)
            edge = LineCollection(rings, colors=OUTLINE_EDGE, linewidths=0.8, zorder=1)
            self.ax.add_collection(fill, autolim=False)
            self.ax.add_collection(edge, autolim=False)
            self.outline = [fill, edge]

    def _label(self, i: int) -> Text:
        while len(self.labels) <= i:
            self.labels.append(
                self.ax.text(
                    0,
                    0,
                    "",
                    color="white",
                    fontsize=6,
                    fontweight="bold",
                    ha="center",
                    va="center",
                    zorder=5,
                )
            )
        return self.labels[i]

    def draw(
        self,
        team: TeamView,
        window: tuple[float, float, float, float],
        *,
        unlabelled: tuple[float, float, float, float] | None = None,
    ) -> None:
        """Show `team` in `window` (x0, y0, x1, y1); stops inside `unlabelled` get no number."""
        x0, y0, x1, y1 = window
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        route = np.array(team.path)
        self.route.set_data(route[:, 0], route[:, 1])
        self.base.set_offsets([(team.base_lon, team.base_lat)])
        self.base_label.set_position((team.base_lon, team.base_lat))
        n = 0
        for phase, artist in self.phases.items():
            pts = [s for s in team.stops if s.phase == phase]
            artist.set_offsets(np.array([(s.lon, s.lat) for s in pts]).reshape(-1, 2))
            for s in pts:
                if unlabelled is not None and _inside(s, unlabelled):
                    continue
                label = self._label(n)
                label.set_text(str(s.seq))
                label.set_position((s.lon, s.lat))
                label.set_visible(True)
                n += 1
        for label in self.labels[n:]:
            label.set_visible(False)
        if unlabelled is None:
            self.window.set_visible(False)
        else:
            ux0, uy0, ux1, uy1 = unlabelled
            self.window.set_bounds(ux0, uy0, ux1 - ux0, uy1 - uy0)
            self.window.set_visible(True)
        self._scale_bar(window)

    def _scale_bar(self, window: tuple[float, float, float, float]) -> None:
        x0, y0, x1, y1 = window
        cy = (y0 + y1) / 2
        width_km = (x1 - x0) * _km_per_deg_lon(cy)
        length_km = _nice_length(width_km / 5)
        deg = length_km / _km_per_deg_lon(cy) if length_km > 0 else 0.0
        x = x0 + (x1 - x0) * 0.03
        y = y0 + (y1 - y0) * 0.04
        self.scale.set_data([x, x + deg], [y, y])
        self.scale_label.set_position((x + deg / 2, y + (y1 - y0) * 0.012))
        self.scale_label.set_text(f"{length_km:g} km" if deg else "")


def _inside(s: StopView, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= s.lon <= box[2] and box[1] <= s.lat <= box[3]


def _bounds(stops: Sequence[StopView]) -> tuple[float, float, float, float]:
    lon = [s.lon for s in stops]
    lat = [s.lat for s in stops]
    return min(lon), min(lat), max(lon), max(lat)


def town_cluster(team: TeamView) -> list[StopView] | None:
    """The stops within ZOOM_RADIUS_KM of the busiest stop, when they crowd the route map.

    None when fewer than ZOOM_MIN_STOPS are there or the route is not at least
    ZOOM_MIN_RATIO times wider than the cluster (then one panel shows all stops well).
    """
    stops = list(team.stops)
    if len(stops) < ZOOM_MIN_STOPS:
        return None
    lon = np.array([s.lon for s in stops])
    lat = np.array([s.lat for s in stops])
    dist = great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    near = dist <= ZOOM_RADIUS_KM
    centre = int(np.argmax(near.sum(axis=1)))  # first busiest stop on ties
    members = [s for s, ok in zip(stops, near[centre], strict=True) if ok]
    if len({(s.lon, s.lat) for s in members}) < ZOOM_MIN_STOPS:
        return None
    span = _span_km(_bounds(members))
    if _span_km(_bounds(stops)) < ZOOM_MIN_RATIO * max(span, 1.0):
        return None
    return members


def _span_km(box: tuple[float, float, float, float]) -> float:
    x0, y0, x1, y1 = box
    cy = (y0 + y1) / 2
    return max((x1 - x0) * _km_per_deg_lon(cy), (y1 - y0) * 111.32)


class RouteMapRenderer:
    """Draws one team's route map at a time into the same reusable figure."""

    def __init__(self, view: PlanView, *, dpi: int = DPI) -> None:
        self.view = view
        self.dpi = dpi
        self.figure = Figure(figsize=FIG_SIZE, dpi=dpi)
        self.overview: Axes = self.figure.add_axes(OVERVIEW_BOX)
        self.overview.set_axis_off()
        self.overview.set_autoscale_on(False)
        self.route = _Panel(self.figure.add_axes(ROUTE_BOX_ALONE))
        self.zoom = _Panel(self.figure.add_axes(ZOOM_BOX))
        self._outlines: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        self._overview_outline: list[Artist] = []
        self._area: str | None = None
        self._frame = Rectangle(
            (0, 0), 0, 0, fill=False, edgecolor="#c0392b", linewidth=1.2, zorder=5
        )
        self.overview.add_patch(self._frame)

    def outline(self, area_id: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
        if area_id not in self._outlines:
            geometry = self.view.area_geometry.get(area_id)
            self._outlines[area_id] = simplified_outline(geometry) if geometry else ([], [])
        return self._outlines[area_id]

    def _set_area(self, team: TeamView) -> None:
        if self._area == team.area_id:
            return
        exteriors, rings = self.outline(team.area_id)
        for artist in self._overview_outline:
            artist.remove()
        self._overview_outline = []
        if exteriors:
            fill = PolyCollection(exteriors, facecolors=OUTLINE_FACE, edgecolors="none", zorder=0)
            edge = LineCollection(rings, colors=OUTLINE_EDGE, linewidths=0.8, zorder=1)
            self.overview.add_collection(fill, autolim=False)
            self.overview.add_collection(edge, autolim=False)
            self._overview_outline = [fill, edge]
            pts = np.vstack(exteriors)
            (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
        else:
            x0, y0, x1, y1 = _bounds(team.stops)
        _fit(self.overview, x0, y0, x1, y1, pad=0.04)
        self.route.set_outline(exteriors, rings)
        self.zoom.set_outline(exteriors, rings)
        self._area = team.area_id

    def render(self, team: TeamView) -> bytes:
        """The team's map as PNG bytes: the AoR overview, the route and maybe a town zoom."""
        self._set_area(team)
        cluster = town_cluster(team)
        self.route.ax.set_position(ROUTE_BOX if cluster else ROUTE_BOX_ALONE)
        self.zoom.ax.set_visible(cluster is not None)
        window = _window(self.route.ax, _bounds(team.stops))
        self._frame.set_bounds(window[0], window[1], window[2] - window[0], window[3] - window[1])
        if cluster is None:
            self.route.draw(team, window)
        else:
            zoom_window = _window(self.zoom.ax, _bounds(cluster))
            self.route.draw(team, window, unlabelled=zoom_window)
            self.zoom.draw(team, zoom_window)
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=self.dpi)
        return buf.getvalue()

    def close(self) -> None:
        self.figure.clear()
        self._outlines.clear()


def _window(ax: Axes, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Limits around `box` with room for the markers, shaped like the axes on paper."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = _fill_axes(
        ax, cx, cy, (x1 - x0) / 2 * 1.15, max((y1 - y0) / 2 * 1.25, MIN_SPAN_DEG / 2)
    )
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _fit(ax: Axes, x0: float, y0: float, x1: float, y1: float, *, pad: float) -> None:
    """Limits around the box that fill the axes with square kilometres at this latitude."""
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = _fill_axes(ax, cx, cy, (x1 - x0) / 2 * (1 + pad), (y1 - y0) / 2 * (1 + pad))
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)


def _fill_axes(ax: Axes, cx: float, cy: float, half_w: float, half_h: float) -> tuple[float, float]:
    """Grow the half-width or half-height so the window matches the axes' shape on paper."""
    aspect = 1 / max(0.1, math.cos(math.radians(cy)))  # display length of 1 deg lat vs lon
    half_w, half_h = max(half_w, 1e-6), max(half_h, 1e-6)
    box = ax.get_position()
    ratio = (box.width * FIG_SIZE[0]) / (box.height * FIG_SIZE[1])
    if half_w / (half_h * aspect) < ratio:
        half_w = ratio * half_h * aspect
    else:
        half_h = half_w / (ratio * aspect)
    return half_w, half_h


def route_map_png(view: PlanView, team_id: str, *, dpi: int = DPI) -> bytes:
    """One team's route map as PNG bytes."""
    renderer = RouteMapRenderer(view, dpi=dpi)
    try:
        return renderer.render(view.team(team_id))
    finally:
        renderer.close()
