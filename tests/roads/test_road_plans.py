"""Plans on road times, end to end on Almaty city: `planner plan --roads`, plan.json
naming its travel source, `planner check` on the same roads, and routes drawn along the
roads on the map and in every export."""

from __future__ import annotations

import io
import json
import shutil
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from lxml import etree
from pypdf import PdfReader
from typer.testing import CliRunner

from planner.check import check_plan_dir
from planner.cli import app
from planner.exports import load_plan_dir, view_from_plan
from planner.exports.geojson import plan_geojson
from planner.exports.gpx import plan_gpx
from planner.exports.kml import plan_kml
from planner.exports.pdf import mission_pack_pdf
from planner.geodata import write_mission
from planner.maps.render import map_html, plan_map
from planner.maps.selection import MapView
from planner.model import Mission
from planner.outputs import routes_geojson
from planner.roads import RoadsInfo, engine
from planner.route_lines import read_route_lines
from planner.travel import great_circle_km
from planner.travel_source import area_places, travel_from_description
from tests.roads.conftest import RoadPlan, almaty_city

pytestmark = pytest.mark.roads
runner = CliRunner()


def run(*args: object):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, [str(a) for a in args], terminal_width=200)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_cli_plans_on_roads_and_checks_on_the_same_roads(
    default_mission: Mission, almaty_roads: RoadsInfo, tmp_path: Path
) -> None:
    """`planner plan --roads` plans on road times and says so; `planner check` reads the
    travel source from plan.json and re-checks every leg on those roads."""
    package = tmp_path / "city2"
    write_mission(almaty_city(default_mission, teams=2), package)
    out = tmp_path / "plan"
    result = run(
        "plan", package, "--roads", almaty_roads.directory, "--out", out,
        "--time-limit", 10, "--workers", 1,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Travel: Roads: OpenStreetMap almaty_2012.osm.pbf" in result.output
    meta = json.loads((out / "plan.json").read_text("utf-8"))
    assert meta["travel"]["source"] == "roads"
    assert meta["travel"]["roads_dir"] == str(almaty_roads.directory)
    checked = run("check", out)
    assert checked.exit_code == 0, checked.output
    assert "Travel: Roads" in checked.output and "no violations" in checked.output


def test_plan_json_names_the_travel_source_and_the_road_report(
    road_plan: RoadPlan, city: Mission
) -> None:
    meta = json.loads((road_plan.directory / "plan.json").read_text("utf-8"))
    travel = meta["travel"]
    assert travel["source"] == "roads"
    assert travel["extract"] == "almaty_2012.osm.pbf"
    assert travel["osm_date"] == "2012-03-13"
    assert travel["calibration"] == {
        "urban_factor": 1.3,
        "rural_factor": 1.0,
        "night_factor": 1.33,
        "winter_factor": 1.15,
        "parking_min": 5,
        "max_snap_m": 1000.0,
        "access_speed_kmh": 20.0,
    }
    assert travel["fallback"]["source"] == "straight_line"
    assert travel["closures"] == []
    report = travel["report"]
    # The area's 748 stations, the TECs they report to and the four teams' bases.
    places = len(area_places(city)["ALMATY"])
    assert places > 748
    assert report["places_on_extract"] == places and report["places_outside_extract"] == 0
    assert 0 < report["snap_m"]["p50"] <= report["snap_m"]["p90"] <= report["snap_m"]["max"]
    far = report["far_from_road"]
    assert far == len(report["far_places"]) and far > 0
    assert all(p["snap_m"] > report["max_snap_m"] for p in report["far_places"])
    # Every pair with a far place uses the straight line (none lacks a road path here).
    assert report["no_path_pairs"] == 0
    assert report["fallback_pairs"] == far * (places - 1) * 2 - far * (far - 1)
    assert "travel" not in meta["solver"]


def test_a_road_plan_passes_the_check_on_road_times(road_plan: RoadPlan, city: Mission) -> None:
    meta = json.loads((road_plan.directory / "plan.json").read_text("utf-8"))
    travel = travel_from_description(meta["travel"], city.rules)
    assert travel == road_plan.travel
    report = check_plan_dir(road_plan.directory, city, travel)
    assert report.ok, report.violations
    assert report.teams == 4


def test_check_says_where_the_roads_went(
    road_plan: RoadPlan, almaty_roads: RoadsInfo, tmp_path: Path
) -> None:
    """A plan whose road data is not here asks for --roads; with it, the check runs."""
    moved = tmp_path / "plan"
    shutil.copytree(road_plan.directory, moved)
    meta = json.loads((moved / "plan.json").read_text("utf-8"))
    meta["travel"]["roads_dir"] = str(tmp_path / "gone")
    (moved / "plan.json").write_text(json.dumps(meta), "utf-8")
    result = run("check", moved)
    assert result.exit_code == 1 and "--roads" in result.output
    result = run("check", moved, "--roads", almaty_roads.directory)
    assert result.exit_code == 0, result.output


def _on_network(roads_dir: Path, points: list[tuple[float, float]]) -> np.ndarray:
    """How far each point is from the nearest road (m)."""
    found = engine.table(roads_dir, points, points[:1])
    return np.array([w.distance_m for w in found.origins])


def test_route_lines_follow_the_roads(road_plan: RoadPlan, almaty_roads: RoadsInfo) -> None:
    """routes.geojson: each team's line runs along the road network (its vertices lie on
    roads, many more of them than stops) and passes by every stop."""
    lines = read_route_lines(road_plan.directory)
    assert set(lines) == {s.team_id for s in road_plan.plan.stops}
    on_roads = [line for line in lines.values() if line.on_roads]
    assert on_roads, "no route follows the roads"
    for line in on_roads:
        stops = sorted(road_plan.plan.stops_of(line.team_id), key=lambda s: s.seq)
        assert len(line.coordinates) > 3 * len(stops)
        assert len(line.legs_m) == len(stops) - 1
        sample = list(line.coordinates[:: max(1, len(line.coordinates) // 40)])
        assert np.percentile(_on_network(almaty_roads.directory, sample), 90) < 1.0
        lon = np.array([p[0] for p in line.coordinates])
        lat = np.array([p[1] for p in line.coordinates])
        for s in stops:
            nearest_m = great_circle_km(lon, lat, s.lon, s.lat).min() * 1000
            assert nearest_m < 1100  # the stop's snapping distance at most
        # Legs on the roads are longer than the straight line between their stops.
        for metres, (a, b) in zip(line.legs_m, pairwise(stops), strict=True):
            if metres is not None:
                assert metres >= great_circle_km(a.lon, a.lat, b.lon, b.lat) * 1000 - 2200
        road_legs = [
            (m, great_circle_km(a.lon, a.lat, b.lon, b.lat) * 1000)
            for m, (a, b) in zip(line.legs_m, pairwise(stops), strict=True)
            if m is not None
        ]
        assert sum(m for m, _ in road_legs) > sum(d for _, d in road_legs)
    features = json.loads((road_plan.directory / "routes.geojson").read_text())["features"]
    assert {f["properties"]["geometry_source"] for f in features} <= {"roads", "straight_line"}
    # Without road lines, the same plan's routes are straight and say so.
    plain = json.loads(routes_geojson(road_plan.plan))["features"]
    assert {f["properties"]["geometry_source"] for f in plain} == {"straight_line"}
    assert all(len(f["geometry"]["coordinates"]) == f["properties"]["stops"] + 2 for f in plain)


def test_map_and_exports_draw_the_roads(road_plan: RoadPlan, city: Mission) -> None:
    view = load_plan_dir(road_plan.directory, city)
    lines = read_route_lines(road_plan.directory)
    from_plan = view_from_plan(road_plan.plan, city, lines=lines)
    assert [t.path for t in from_plan.teams] == [t.path for t in view.teams]
    road_teams = [t for t in view.teams if t.on_roads]
    assert road_teams and view.travel["source"] == "roads"
    team = road_teams[0]
    assert team.path == lines[team.team_id].coordinates
    # Kilometres along the roads, leg by leg.
    legs = lines[team.team_id].legs_m
    assert [s.km for s in team.stops[1:]] == [
        round(m / 1000, 1) if m is not None else s.km
        for m, s in zip(legs, team.stops[1:], strict=True)
    ]

    html = map_html(plan_map(city, road_plan.plan, MapView(), lines=lines))
    assert "Routes along the roads" in html and "(along the roads)" in html
    lon, lat = lines[team.team_id].coordinates[len(team.path) // 2]
    assert f"[{round(lat, 5)},{round(lon, 5)}]" in html

    gpx = etree.fromstring(plan_gpx(view, team.team_id))
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    tracks = gpx.findall("g:trk", ns)
    assert len(tracks) == 1 and "along the roads" in tracks[0].findtext("g:name", namespaces=ns)
    assert len(tracks[0].findall(".//g:trkpt", ns)) == len(team.path)
    assert len(gpx.findall(".//g:rtept", ns)) == len(team.stops)

    kml = etree.fromstring(plan_kml(view, team.team_id))
    ns_kml = {"k": "http://www.opengis.net/kml/2.2"}
    coords = kml.findtext(".//k:LineString/k:coordinates", namespaces=ns_kml).split()
    assert len(coords) == len(team.path)
    assert "along the roads" in kml.findtext(
        ".//k:Placemark[k:LineString]/k:name", namespaces=ns_kml
    )

    routes = [
        f for f in json.loads(plan_geojson(view, team.team_id))["features"]
        if f["properties"]["feature"] == "route"
    ]  # fmt: skip
    assert routes[0]["properties"]["geometry_source"] == "roads"
    assert len(routes[0]["geometry"]["coordinates"]) == len(team.path)

    pdf = PdfReader(io.BytesIO(mission_pack_pdf(view)))
    cover = pdf.pages[0].extract_text()
    assert "Travel times: Roads: OpenStreetMap almaty_2012.osm.pbf" in cover
    assert "OSM data of 2012-03-13" in cover
    team_page = pdf.pages[1].extract_text()
    assert "Along the roads (OpenStreetMap)" in team_page and "km along the roads" in team_page


def test_route_mode_plans_and_checks_on_roads(almaty_roads: RoadsInfo, tmp_path: Path) -> None:
    """`planner route --roads`: the matrix comes from the road data, summary.json says so,
    and `planner check` re-reads it and checks on the same roads."""
    stations = tmp_path / "stations.csv"
    stations.write_text(
        "id,lat,lon,stay_min,open,close,weight\n"
        "kabanbay,43.250,76.950,20,09:00,12:00,1\n"
        "utepov,43.220,76.900,20,09:00,12:00,2\n"
        "center,43.238,76.945,20,09:00,16:00,1\n",
        "utf-8",
    )
    teams = tmp_path / "teams.csv"
    teams.write_text(
        "id,lat,lon,earliest_departure,latest_return\nT1,43.2364,76.9457,08:30,17:00\n"
    )
    out = tmp_path / "routes"
    result = run(
        "route", stations, teams, "--out", out, "--time-limit", 5,
        "--roads", almaty_roads.directory,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["inputs"]["roads"]["source"] == "roads"
    assert summary["stations_visited"] == 3
    checked = run("check", out)
    assert checked.exit_code == 0, checked.output
    both = run(
        "route", stations, teams, "--out", tmp_path / "x", "--time-limit", 5,
        "--roads", almaty_roads.directory, "--matrix", tmp_path / "m.csv",
    )  # fmt: skip
    assert both.exit_code == 1 and "not both" in both.output
