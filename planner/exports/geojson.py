"""GeoJSON: a point per stop and a line per team route (EPSG:4326)."""

from __future__ import annotations

import json
from typing import Any

from planner.exports.rows import stop_row, teams_of
from planner.exports.view import PlanView


def plan_geojson(view: PlanView, team_id: str | None = None) -> bytes:
    """A FeatureCollection: every stop as a Point (`feature` = "stop", with its schedule
    and site details, times as local ISO 8601 with offset), then every team's route as a
    LineString (`feature` = "route"; `geometry_source` "roads" when it follows the roads,
    "straight_line" between stops otherwise)."""
    features: list[dict[str, Any]] = []
    routes: list[dict[str, Any]] = []
    for team in teams_of(view, team_id):
        for s in team.stops:
            props = stop_row(team, s)
            props.pop("lat"), props.pop("lon")
            props["arrive"] = s.arrive.isoformat(timespec="minutes")
            props["depart"] = s.depart.isoformat(timespec="minutes")
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(s.lon, 6), round(s.lat, 6)],
                    },
                    "properties": {"feature": "stop", "title": s.title, **props},
                }
            )
        routes.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[round(lon, 6), round(lat, 6)] for lon, lat in team.path],
                },
                "properties": {
                    "feature": "route",
                    "team_id": team.team_id,
                    "area_id": team.area_id,
                    "stops": len(team.visits),
                    "voting": team.count("voting"),
                    "travel_min": team.travel_min,
                    "km": team.km,
                    "geometry_source": "roads" if team.on_roads else "straight_line",
                    "depart": team.stops[0].depart.isoformat(timespec="minutes"),
                    "return": team.stops[-1].arrive.isoformat(timespec="minutes"),
                },
            }
        )
    collection = {
        "type": "FeatureCollection",
        "name": f"plan-{view.version}",
        "features": features + routes,
    }
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")
