"""Tables the pages show."""

from __future__ import annotations

import dataclasses

from planner.errors import Problem
from planner.model import Targets
from planner.outputs import coverage_rows
from planner.ui.tables import (
    area_stations_table,
    area_tecs_table,
    areas_table,
    compare_plans,
    mix_chart_frame,
    problems_table,
    schedule_table,
    share_chart_frame,
    site_details,
    targets_table,
    teams_table,
    unvisited,
)
from tests.support.missions import small_mission, small_plan


def test_problems_table_has_the_report_columns() -> None:
    table = problems_table(
        [Problem("a.csv", 3, "lat", "not a number"), Problem("b", None, None, "x")]
    )
    assert list(table.columns) == ["file", "row", "field", "message"]
    assert table.iloc[0].tolist() == ["a.csv", "3", "lat", "not a number"]
    assert table.iloc[1].tolist() == ["b", "", "", "x"]
    assert list(problems_table([]).columns) == ["file", "row", "field", "message"]


def test_targets_table_says_met_or_short_with_the_reason() -> None:
    plan = small_plan()
    assert list(targets_table(plan)["status"]) == ["met"] * 4
    harder = dataclasses.replace(plan, targets=Targets(opening=50, voting=10, counting=3))
    table = targets_table(harder).set_index("phase")
    assert table.loc["opening", "status"] == "short"
    assert "not enough teams" in table.loc["opening", "reason"]
    assert table.loc["voting", "status"] == "met" and table.loc["voting", "reason"] == ""


def test_comparison_counts_changes_and_lists_added_and_dropped_sites() -> None:
    """Against a plan that lost one team: its stations are 'added' in the full plan."""
    mission, plan = small_mission(), small_plan()
    fewer = dataclasses.replace(plan, stops=tuple(s for s in plan.stops if s.team_id != "STO-003"))
    comparison = compare_plans(fewer, plan, mission)
    phases = comparison.phases.set_index("phase")
    assert phases.loc["opening", "change"] == 1
    lost = {s.site_id for s in plan.stops if s.team_id == "STO-003" and s.site_type == "station"}
    lost -= {s.site_id for s in fewer.stops if s.site_type == "station"}
    assert set(comparison.added.query("type == 'station'")["site"]) == lost
    assert comparison.dropped.empty
    back = compare_plans(plan, fewer, mission)
    assert set(back.dropped.query("type == 'station'")["site"]) == lost


def test_schedule_table_is_the_day_in_order() -> None:
    mission, plan = small_mission(), small_plan()
    stops = plan.stops_of("STO-001")
    table = schedule_table(list(reversed(stops)), mission)
    assert list(table["stop"]) == sorted(table["stop"])
    assert table["phase"].iloc[0] == "base" and table["phase"].iloc[-1] == "base"
    assert table["arrive"].iloc[1] == "06:15"
    assert table["depart"].iloc[-2].endswith("+1d")  # tabulation goes past midnight
    assert table["place"].iloc[0].startswith("Base: ")


def test_area_tables() -> None:
    mission, plan = small_mission(), small_plan()
    stations = area_stations_table(mission, "AOR-01", plan, {"PS-KZ62-0001": "closed"})
    assert len(stations) == 300
    visited = {s.site_id for s in plan.stops if s.site_type == "station"}
    assert set(stations[stations["visits"] != ""]["station_id"]) == visited
    assert len(unvisited(stations)) == 300 - len(visited)
    assert "visits" not in unvisited(stations).columns
    assert stations.set_index("station_id").loc["PS-KZ62-0001", "field_report"] == "closed"
    tecs = area_tecs_table(mission, "AOR-01", plan)
    assert (tecs["tabulation"] != "").sum() == 3
    teams = teams_table(plan, mission, "AOR-01")
    assert list(teams["team"]) == ["STO-001", "STO-002", "STO-003"]
    assert (teams["voting_visits"] > 0).all()
    assert areas_table(plan, mission)["teams"].tolist() == [3]


def test_site_details_of_station_and_tec() -> None:
    mission, plan = small_mission(), small_plan()
    stop = next(s for s in plan.stops if s.phase == "counting")
    title, facts, visits = site_details(mission, plan, "station", stop.site_id, {})
    assert title.startswith("Station No. ")
    assert facts["Area"] == "AOR-01"
    assert visits["phase"].tolist() == ["counting"]
    tec = next(s for s in plan.stops if s.phase == "tabulation")
    title, facts, visits = site_details(mission, plan, "tec", tec.site_id)
    assert title.startswith("TEC · ") and visits["phase"].tolist() == ["tabulation"]


def test_chart_frames_are_percent_shares() -> None:
    rows = coverage_rows(small_plan(), small_mission())
    areas = share_chart_frame(rows, "area")
    assert set(areas["measure"]) == {"stations", "voters", "voting visits"}
    assert areas.groupby("measure")["share"].sum().round().tolist() == [100.0] * 3
    mix = mix_chart_frame(rows)
    setting = mix[(mix["group"] == "setting") & (mix["measure"] == "stations")]
    assert round(setting["share"].sum()) == 100
    assert mix_chart_frame([]).empty
