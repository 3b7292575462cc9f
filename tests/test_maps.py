"""Maps: what each view selects, how it travels to the browser, and how heavy it is."""

from __future__ import annotations

import json
import re

from planner.maps.layers import PointLayer, RouteLayer
from planner.maps.payloads import (
    PHASE_COLOURS,
    TEAM_COLOURS,
    legend_items,
    routes_payload,
    stations_payload,
    team_colours,
)
from planner.maps.render import map_html, plan_map
from planner.maps.selection import (
    MapView,
    area_commissions,
    area_stations,
    stops_by_team,
    team_areas,
    visible_teams,
    visits_by_site,
)
from tests.support.missions import small_mission, small_plan


def _layers(fmap, kind):
    return [c for c in fmap._children.values() if isinstance(c, kind)]


def test_views_select_teams_by_area_and_choice() -> None:
    """All teams by default; an area's teams; chosen teams only; none without a plan."""
    plan = small_plan()
    assert visible_teams(plan, MapView()) == ["STO-001", "STO-002", "STO-003"]
    assert visible_teams(plan, MapView(area_id="AOR-01")) == ["STO-001", "STO-002", "STO-003"]
    assert visible_teams(plan, MapView(area_id="AOR-99")) == []
    assert visible_teams(plan, MapView(team_ids=frozenset({"STO-002"}))) == ["STO-002"]
    assert visible_teams(None, MapView()) == []
    assert team_areas(plan) == dict.fromkeys(["STO-001", "STO-002", "STO-003"], "AOR-01")


def test_numbers_only_when_an_area_or_teams_are_chosen() -> None:
    assert not MapView().show_numbers
    assert MapView(area_id="AOR-01").show_numbers
    assert MapView(team_ids=frozenset({"STO-001"})).show_numbers
    assert not MapView(area_id="AOR-01", numbered=False).show_numbers


def test_routes_are_in_stop_order_and_visits_by_phase() -> None:
    plan = small_plan()
    routes = stops_by_team(plan, ["STO-001"])
    seqs = [s.seq for s in routes["STO-001"]]
    assert seqs == sorted(seqs) and seqs[0] == 0
    openings = visits_by_site(routes, ["opening"], "station")
    assert len(openings) == 1
    assert all(s.phase == "opening" for stops in openings.values() for s in stops)
    assert visits_by_site(routes, ["tabulation"], "station") == {}
    assert len(visits_by_site(routes, ["tabulation"], "tec")) == 1


def test_area_selection_of_stations_and_tecs() -> None:
    mission = small_mission()
    assert len(area_stations(mission, "AOR-01")) == 300
    assert len(area_stations(mission, None)) == 300
    assert area_stations(mission, "AOR-99") == []
    assert len(area_commissions(mission, "AOR-01")) == len(mission.commissions)


def test_station_rows_are_compact_visited_last_and_escaped() -> None:
    """One row per station; visited ones drawn last, in their phase colour; names escaped;
    the hover text ends in the station id (what a click reports back)."""
    mission = small_mission()
    plan = small_plan()
    stations = list(mission.stations[:5])
    evil = stations[0].__class__(
        **{**{f: getattr(stations[0], f) for f in stations[0].__slots__}, "name": "<b>x</b>"}
    )
    stations[0] = evil
    first = next(s for s in plan.stops if s.phase == "voting")
    visited = next(s for s in mission.stations if s.station_id == first.site_id)
    payload = stations_payload(
        [*stations, visited], {}, {visited.station_id: [first]}, {stations[1].station_id: "closed"}
    )
    rows = payload["points"]
    assert len(rows) == 6
    assert rows[-1][8] == stations[1].station_id  # reported: drawn on top
    assert rows[-2][8] == visited.station_id  # visited next
    style = payload["styles"][rows[-2][2]]
    assert style[3] == PHASE_COLOURS["voting"]
    assert any(r[4] == "&lt;b&gt;x&lt;/b&gt;" for r in rows)
    assert "STO-" in rows[-2][-1][0] and "voting" in rows[-2][-1][0]
    assert payload["tip"][1] == 5 and payload["fields"][5][0] == "Id"


def test_route_payload_numbers_stops_only_when_asked() -> None:
    mission, plan = small_mission(), small_plan()
    routes = stops_by_team(plan, ["STO-001", "STO-002"])
    colours = team_colours(plan)
    plain = routes_payload(routes, colours, mission, numbered=False)
    assert len(plain["teams"]) == 2 and plain["stops"] == []
    numbered = routes_payload(routes, colours, mission, numbered=True)
    route = routes["STO-001"]
    # every stop but the return to base, the departure shown as B
    assert len([s for s in numbered["stops"] if s[2] == 0]) == len(route) - 1
    assert numbered["stops"][0][3] == "B"
    facts = numbered["stops"][1][4]
    first = route[1]
    assert facts[:3] == [f"{first.seq} · {first.phase}", f"{first.arrive:%H:%M}", facts[2]]
    assert "Voters" in facts[3::2] and numbered["labels"][2] == "Arrive"
    assert not any("<" in f for s in numbered["stops"] for f in s[4])  # values, not HTML
    counting = routes_payload(routes, colours, mission, numbered=True, phases=["counting"])
    assert {s[3] for s in counting["stops"]} - {"B"} == {
        str(s.seq) for t in routes.values() for s in t if s.phase == "counting"
    }


def test_team_colours_differ_within_an_area() -> None:
    colours = team_colours(small_plan())
    assert len(set(colours.values())) == 3
    assert set(colours.values()) <= set(TEAM_COLOURS)


def test_plan_map_has_one_layer_each_and_a_legend() -> None:
    """Stations and TECs are two compact layers, routes one more; the legend names the
    phases and, for a few teams, each team."""
    mission, plan = small_mission(), small_plan()
    fmap = plan_map(mission, plan, MapView(area_id="AOR-01"))
    assert len(_layers(fmap, PointLayer)) == 2
    assert len(_layers(fmap, RouteLayer)) == 1
    html = map_html(fmap)
    assert "planner-legend" in html and "Route STO-002" in html and "Visited: counting" in html
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    mission_only = plan_map(mission, None)
    assert not _layers(mission_only, RouteLayer)


def test_unvisited_toggle_keeps_only_visited_and_reported_stations() -> None:
    mission, plan = small_mission(), small_plan()
    fmap = plan_map(mission, plan, MapView(unvisited=False))
    stations = _layers(fmap, PointLayer)[0]
    rows = json.loads(stations.payload)["points"]
    visited = {s.site_id for s in plan.stops if s.site_type == "station"}
    assert {r[8] for r in rows} == visited


def test_payload_cannot_close_its_script_element() -> None:
    """Text such as `</script>` in a station name stays inside the data."""
    mission = small_mission()
    station = mission.stations[0]
    odd = station.__class__(
        **{**{f: getattr(station, f) for f in station.__slots__}, "address": "</script><x>"}
    )
    layer = PointLayer(stations_payload([odd], {}), name="x")
    assert "</script>" not in layer.payload
    assert (
        json.loads(layer.payload.replace("<\\/", "</"))["points"][0][5]
        == "&lt;/script&gt;&lt;x&gt;"
    )


def test_legend_lists_teams_one_by_one_only_when_few() -> None:
    few = legend_items(phases=["voting"], teams={"A": "#000", "B": "#111"})
    assert ("Route A", "#000", "line") in few
    many = legend_items(phases=[], teams={f"T{i}": "#000" for i in range(40)})
    assert any(re.match(r"Team routes \(40", label) for label, _, _ in many)
    assert not any(label.startswith("Visited") for label, _, _ in many)


def test_small_mission_map_is_light() -> None:
    """The 300-station demo with its routes weighs well under 1 MB."""
    html = map_html(plan_map(small_mission(), small_plan(), MapView(area_id="AOR-01")))
    assert len(html.encode()) < 1_000_000
