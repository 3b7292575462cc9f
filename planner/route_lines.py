"""Each team's route as a line to draw: along the roads when the plan used road times,
straight from stop to stop otherwise, and always saying which.

Lines are made once per plan (`plan_route_lines`) from the travel source the plan
recorded, and kept with it: as the LineStrings of `routes.geojson` in a plan directory
(`routes_features` / `lines_from_geojson`), and per plan version in the app's store. The
map and every export that draws a route read them from there; nothing recomputes them
per view.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from planner.schedule import Plan, Stop
from planner.travel import Place, TravelModel
from planner.travel_source import is_roads, travel_from_description

ON_ROADS = "roads"
STRAIGHT = "straight_line"
# Coordinates in files: 5 decimals, about a metre.
DECIMALS = 5


@dataclass(frozen=True)
class TeamLine:
    """A team's route line ((lon, lat) points, base to base). `on_roads`: it follows the
    road network; otherwise it joins the stops with straight lines. `legs_m`: per leg
    between consecutive stops, metres along the roads, or None for a leg drawn straight
    (a stop too far from any road of the extract); empty for a straight line."""

    team_id: str
    coordinates: tuple[tuple[float, float], ...]
    on_roads: bool
    legs_m: tuple[float | None, ...] = ()

    @property
    def geometry(self) -> str:
        return ON_ROADS if self.on_roads else STRAIGHT

    @property
    def straight_legs(self) -> int:
        """Legs drawn straight in a line that otherwise follows the roads."""
        return sum(1 for m in self.legs_m if m is None)

    def to_json(self) -> dict[str, Any]:
        return {
            "team_id": self.team_id,
            "geometry": self.geometry,
            "coordinates": [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in self.coordinates],
            "legs_m": [None if m is None else round(m, 1) for m in self.legs_m],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TeamLine:
        return cls(
            str(data["team_id"]),
            tuple((float(p[0]), float(p[1])) for p in data["coordinates"]),
            data.get("geometry") == ON_ROADS,
            _legs(data.get("legs_m")),
        )


def _legs(values: Any) -> tuple[float | None, ...]:
    return tuple(None if m is None else float(m) for m in values or ())


def straight_line(team_id: str, stops: Sequence[Stop]) -> TeamLine:
    return TeamLine(team_id, tuple((s.lon, s.lat) for s in stops), on_roads=False)


def stops_by_team(plan: Plan, teams: Iterable[str] | None = None) -> dict[str, list[Stop]]:
    wanted = None if teams is None else set(teams)
    out: dict[str, list[Stop]] = defaultdict(list)
    for s in plan.stops:
        if wanted is None or s.team_id in wanted:
            out[s.team_id].append(s)
    for stops in out.values():
        stops.sort(key=lambda s: s.seq)
    return dict(out)


def team_line(team_id: str, stops: Sequence[Stop], travel: TravelModel | None) -> TeamLine:
    """The team's line on the roads of `travel` (road times), else straight. When the
    whole route has no road line (a stop far from any road), each leg is drawn on the
    roads where it can be and straight where it cannot."""
    from planner.roads import RoadTravel

    if not isinstance(travel, RoadTravel) or len(stops) < 2:
        return straight_line(team_id, stops)
    places = [Place(f"{team_id}:{s.seq}", s.lon, s.lat) for s in stops]
    found = travel.route_line(places)
    if found is not None:
        return TeamLine(team_id, found.coordinates, on_roads=True, legs_m=found.legs_m)
    coordinates: list[tuple[float, float]] = []
    legs: list[float | None] = []
    for a, b in pairwise(places):
        leg = travel.route_line([a, b])
        points = leg.coordinates if leg is not None else ((a.lon, a.lat), (b.lon, b.lat))
        coordinates += points[1:] if coordinates and points[0] == coordinates[-1] else points
        legs.append(leg.distance_m if leg is not None else None)
    if all(m is None for m in legs):
        return straight_line(team_id, stops)
    return TeamLine(team_id, tuple(coordinates), on_roads=True, legs_m=tuple(legs))


def plan_travel(plan: Plan) -> TravelModel | None:
    """The road travel model the plan recorded, or None (straight lines then): a plan
    made on straight lines, or on road data that is no longer here."""
    from planner.model import Rules
    from planner.roads import RoadsError

    described = plan.stats.get("travel")
    if not isinstance(described, Mapping) or not is_roads(described):
        return None
    try:
        return travel_from_description(described, Rules())
    except (RoadsError, ValueError, TypeError):
        return None


def plan_route_lines(
    plan: Plan, teams: Iterable[str] | None = None, *, travel: TravelModel | None = None
) -> dict[str, TeamLine]:
    """Every team's line (or those of `teams`): on the roads the plan used, when it used
    road times and that road data is here; straight otherwise."""
    model = travel if travel is not None else plan_travel(plan)
    return {
        team_id: team_line(team_id, stops, model)
        for team_id, stops in stops_by_team(plan, teams).items()
    }


def route_lines_label(lines: Mapping[str, TeamLine]) -> str:
    """How the lines are drawn, for a legend or a caption."""
    on_roads = sum(1 for line in lines.values() if line.on_roads)
    straight = (
        " (legs to stops far from any road: straight)"
        if any(line.straight_legs for line in lines.values())
        else ""
    )
    if lines and on_roads == len(lines):
        return f"Routes along the roads (OpenStreetMap){straight}"
    if on_roads:
        return f"Routes along the roads for {on_roads} of {len(lines)} teams, others straight lines"
    return "Routes as straight lines between stops, not roads"


def lines_from_geojson(text: str) -> dict[str, TeamLine]:
    """The lines of a `routes.geojson` (features without `geometry_source` are straight)."""
    data = json.loads(text)
    out: dict[str, TeamLine] = {}
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        if geometry.get("type") != "LineString" or "team_id" not in props:
            continue
        team_id = str(props["team_id"])
        out[team_id] = TeamLine(
            team_id,
            tuple((float(p[0]), float(p[1])) for p in geometry.get("coordinates", [])),
            props.get("geometry_source") == ON_ROADS,
            _legs(props.get("legs_m")),
        )
    return out


def read_route_lines(plan_dir: Path) -> dict[str, TeamLine]:
    """The lines stored in a plan directory's `routes.geojson` (empty when it has none)."""
    path = Path(plan_dir) / "routes.geojson"
    if not path.is_file():
        return {}
    try:
        return lines_from_geojson(path.read_text("utf-8"))
    except (ValueError, KeyError, TypeError, IndexError):
        return {}
