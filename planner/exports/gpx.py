"""GPX for navigation devices and apps: a waypoint per stop and a route per team.

Names and descriptions are plain text (`safe.plain_text`), XML-escaped once by gpxpy.
"""

from __future__ import annotations

from datetime import UTC

import gpxpy.gpx

from planner.exports.rows import teams_of
from planner.exports.safe import plain_text
from planner.exports.view import PlanView


def plan_gpx(view: PlanView, team_id: str | None = None) -> bytes:
    """GPX 1.1 with one waypoint per stop (arrival time in UTC, as GPX expects) and one
    route per team through its stops in order; when the plan used road times, also a
    track per team along the roads (named as such). With all teams, waypoint names start
    with the team id."""
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "election-planner"
    gpx.name = plain_text(f"{view.mission_name} — plan {view.version}")
    teams = teams_of(view, team_id)
    prefix = team_id is None
    for team in teams:
        route = gpxpy.gpx.GPXRoute(
            name=plain_text(f"{team.team_id} route"),
            description=plain_text(f"{team.area_id} {team.area_name}; base {team.base_name}"),
        )
        for s in team.stops:
            name = plain_text(f"{s.team_id} {s.title}" if prefix else s.title)
            when = s.arrive.astimezone(UTC)
            gpx.waypoints.append(
                gpxpy.gpx.GPXWaypoint(
                    latitude=s.lat,
                    longitude=s.lon,
                    time=when,
                    name=name,
                    description=plain_text(s.description()),
                    type=s.phase,
                )
            )
            route.points.append(
                gpxpy.gpx.GPXRoutePoint(
                    latitude=s.lat, longitude=s.lon, time=when, name=name, type=s.phase
                )
            )
        gpx.routes.append(route)
        if team.on_roads:
            track = gpxpy.gpx.GPXTrack(
                name=plain_text(f"{team.team_id} route along the roads"),
                description=plain_text(view.travel_label),
            )
            segment = gpxpy.gpx.GPXTrackSegment()
            segment.points = [
                gpxpy.gpx.GPXTrackPoint(latitude=lat, longitude=lon) for lon, lat in team.path
            ]
            track.segments.append(segment)
            gpx.tracks.append(track)
    return gpx.to_xml(version="1.1").encode("utf-8")
