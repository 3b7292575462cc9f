"""KML for Google Earth and offline map apps: a folder per team with its route and stops.

Text is escaped here, not by simplekml (whose own escaping passes any `<![CDATA[` in a name
through raw): names are plain text, XML-escaped once; descriptions are HTML, so they are
HTML-escaped in a CDATA section (`safe.kml_description`) and Google Earth shows a `<b>` in a
station name as the text it is.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import simplekml

from planner.exports.route_map import BASE_COLOUR, PHASE_COLOURS
from planner.exports.rows import teams_of
from planner.exports.safe import kml_description, plain_text
from planner.exports.view import PlanView

# Route line colours, cycled over the teams.
ROUTE_COLOURS = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf")
ICON = "http://maps.google.com/mapfiles/kml/paddle/wht-blank.png"


def _colour(hex_colour: str, alpha: int = 255) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return simplekml.Color.rgb(r, g, b, alpha)


def _styles() -> dict[str, simplekml.Style]:
    styles = {}
    for phase, colour in {"base": BASE_COLOUR, **PHASE_COLOURS}.items():
        style = simplekml.Style()
        style.iconstyle.color = _colour(colour)
        style.iconstyle.icon.href = ICON
        style.iconstyle.scale = 0.9
        style.labelstyle.scale = 0.8
        styles[phase] = style
    return styles


def _name(text: str) -> str:
    return escape(plain_text(text))


def plan_kml(view: PlanView, team_id: str | None = None) -> bytes:
    """KML with one folder per team: a placemark per stop, in order, with its time span,
    then the route as a styled line (along the roads when the plan used road times)."""
    kml = simplekml.Kml(name=_name(f"{view.mission_name} — plan {view.version}"))
    kml.parsetext(parse=False)  # every name and description below is escaped already
    styles = _styles()
    for i, team in enumerate(teams_of(view, team_id)):
        folder = kml.newfolder(
            name=_name(team.team_id),
            description=kml_description(f"{team.area_id} {team.area_name}; base {team.base_name}"),
        )
        for s in team.stops:
            point = folder.newpoint(
                name=_name(s.title),
                description=kml_description(s.description()),
                coords=[(s.lon, s.lat)],
            )
            point.timespan.begin = s.arrive.isoformat()
            point.timespan.end = s.depart.isoformat()
            point.style = styles.get(s.phase, styles["voting"])
        drawn = (
            f"{team.km:.0f} km along the roads (OpenStreetMap)"
            if team.on_roads
            else f"{team.km:.0f} km straight-line estimate; straight lines between stops, not roads"
        )
        line = folder.newlinestring(
            name=_name(f"{team.team_id} route" + (" along the roads" if team.on_roads else "")),
            description=kml_description(f"{len(team.visits)} stops, {drawn}"),
            coords=list(team.path),
        )
        line.style.linestyle.color = _colour(ROUTE_COLOURS[i % len(ROUTE_COLOURS)])
        line.style.linestyle.width = 3
    return kml.kml().encode("utf-8")
