"""Map clicks and filter choices."""

from __future__ import annotations

from planner.ui.filters import (
    area_options,
    clicked_site,
    clicked_station,
    make_view,
    station_at,
    team_options,
    tooltip_id,
)
from tests.support.missions import small_mission, small_plan


def test_station_at_picks_the_nearest_station() -> None:
    stations = small_mission().stations
    target = stations[10]
    assert station_at(stations, target.lat + 1e-5, target.lon - 1e-5) is target
    assert station_at([], 47.0, 67.0) is None


def test_station_at_respects_the_click_tolerance_at_a_zoom() -> None:
    """A click 12 px away counts; far away (at that zoom) it does not."""
    target = small_mission().stations[10]
    # at zoom 10 one pixel is about 0.0014 degrees of longitude
    assert station_at([target], target.lat, target.lon + 0.005, zoom=10) is target
    assert station_at([target], target.lat, target.lon + 0.5, zoom=10) is None
    assert station_at([target], target.lat, target.lon + 0.5, zoom=3) is target


def test_tooltip_id_reads_the_id_at_the_end() -> None:
    assert tooltip_id("No. 12 · Школа № 3 (PS-KZ62-0012)") == "PS-KZ62-0012"
    assert tooltip_id("TEC: Satpaev city TEC (TEC-KZ62-02) ") == "TEC-KZ62-02"
    assert tooltip_id("no id here") is None
    assert tooltip_id(None) is None


def test_clicked_site_from_hover_text_then_position() -> None:
    """Station and TEC markers are known by their hover text; anything else (a numbered
    stop) by the nearest station to where it was clicked."""
    mission = small_mission()
    station, tec = mission.stations[5], mission.commissions[0]
    assert clicked_site(
        {"last_object_clicked_tooltip": f"No. 6 · x ({station.station_id})"}, mission
    ) == ("station", station)
    assert clicked_site({"last_object_clicked_tooltip": f"TEC: y ({tec.tec_id})"}, mission) == (
        "tec",
        tec,
    )
    by_position = {
        "last_object_clicked": {"lat": station.lat, "lng": station.lon},
        "last_object_clicked_tooltip": "STO-001: 14 stops",
    }
    assert clicked_site(by_position, mission, mission.stations) == ("station", station)
    assert clicked_site(None, mission, mission.stations) is None
    assert clicked_site({"last_object_clicked": None}, mission, mission.stations) is None


def test_clicked_station_ignores_malformed_returns() -> None:
    stations = small_mission().stations
    assert clicked_station({"last_object_clicked": {"lat": "x", "lng": 1}}, stations) is None
    assert clicked_station({"last_object_clicked": [1, 2]}, stations) is None


def test_filter_choices() -> None:
    mission, plan = small_mission(), small_plan()
    assert area_options(mission) == {"AOR-01": "AOR-01 · Ulytau"}
    assert team_options(plan, "AOR-01") == ["STO-001", "STO-002", "STO-003"]
    assert team_options(None, "AOR-01") == []
    view = make_view(
        area_id="AOR-01",
        team_ids=["STO-001", "STO-999"],
        phases=["voting", "bogus"],
        plan=plan,
    )
    assert view.team_ids == frozenset({"STO-001"})
    assert view.phases == frozenset({"voting"})
    assert make_view(area_id=None, team_ids=[]).team_ids is None
