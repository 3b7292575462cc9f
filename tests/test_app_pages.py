"""Every app page runs headless (Streamlit AppTest): figures, forms, errors shown as messages.

Pages are run one by one with the session state a real session would have; planning runs
go through the real background job on the small demo mission.
"""

from __future__ import annotations

import io
import time
import zipfile
from datetime import time as clock
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from ui_support import small_mission, small_plan

from planner.datasets import SMALL_MISSION, get_path
from planner.ui.state import PlanRecord

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def page(name: str, *, mission=None, plan=None, previous=None) -> AppTest:
    """A page with a session already on `mission` (default: the Kazakhstan default)
    and holding `plan`."""
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=60)
    if mission is not None:
        at.session_state["mission"] = mission
        at.session_state["mission_source"] = "test"
        at.session_state["mission_version"] = 1
    if plan is not None:
        at.session_state["plan_record"] = PlanRecord(plan, 1, "test plan")
    if previous is not None:
        at.session_state["previous_plan_record"] = PlanRecord(previous, 1, "earlier plan")
    return at


def wait_for_job(at: AppTest, timeout_s: float = 90) -> None:
    """Rerun the page, as its live fragment does, until the planning job has ended."""
    deadline = time.monotonic() + timeout_s
    at.run()
    while "solve_job" in at.session_state:
        assert time.monotonic() < deadline, "planning did not finish"
        time.sleep(0.5)
        at.run()
    at.run()


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


# --- Whole app ----------------------------------------------------------------------------


def test_app_lists_every_page_and_opens_on_mission() -> None:
    """app.py registers the seven pages and opens on the Mission page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Kazakhstan early presidential election 2022"
    assert "none yet" in texts(at.sidebar.caption)
    for target in ("teams", "plan", "map", "my_area", "coverage", "export"):
        at.switch_page(f"app_pages/{target}.py").run()
        assert not at.exception, target


# --- Mission ------------------------------------------------------------------------------


def test_mission_page_summarises_default_mission() -> None:
    """The default mission's headline figures are on the Mission page."""
    at = page("mission").run()
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["Regions"] == "20"
    assert values["TECs"] == "239"
    assert values["Polling stations"] == "10,101"
    assert values["Voters"] == "11,950,485"
    assert values["Areas (AoRs)"] == "15"


def test_mission_page_switches_to_shipped_demo() -> None:
    """Choosing the shipped small mission replaces the default in the session."""
    at = page("mission").run()
    at.selectbox(key="shipped_choice").set_value(SMALL_MISSION)
    button(at, "Load shipped mission").click().run()
    assert not at.exception
    assert at.title[0].value == "Ulytau demo"
    assert {m.label: m.value for m in at.metric}["Polling stations"] == "300"


def test_bad_station_upload_is_reported_and_replaces_nothing() -> None:
    """A stations file with broken coordinates: a file/row/field/message table, an error,
    and the mission unchanged."""
    at = page("mission").run()
    data = (FIXTURES / "bad_coordinates.csv").read_bytes()
    at.file_uploader(key="stations_file").set_value(("bad_coordinates.csv", data, "text/csv"))
    at.run()
    button(at, "Check and replace").click().run()
    assert not at.exception
    assert "Nothing was replaced" in texts(at.error)
    report = at.dataframe[0].value
    assert list(report.columns) == ["file", "row", "field", "message"]
    assert set(report["file"]) == {"bad_coordinates.csv"}
    assert {"1", "2"} <= set(report["row"])
    assert at.session_state["mission"].name == "Kazakhstan early presidential election 2022"
    assert len(at.session_state["mission"].stations) == 10_101


def test_bad_package_upload_is_reported() -> None:
    """A .zip without a GeoPackage is refused with a message, not a traceback."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("readme.txt", "no data here")
    at = page("mission", mission=small_mission()).run()
    at.file_uploader(key="package_files").set_value(
        [("mission.zip", buffer.getvalue(), "application/zip")]
    )
    at.run()
    button(at, "Check and load package").click().run()
    assert not at.exception
    assert "not loaded" in texts(at.error)
    assert "GeoPackage" in at.dataframe[0].value["message"].iloc[0]
    assert at.session_state["mission"] is small_mission()


def test_mission_package_upload_replaces_mission() -> None:
    """A zipped mission package that passes every check becomes the session's mission."""
    folder = get_path(SMALL_MISSION)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in ("mission.gpkg", "mission.toml"):
            zf.write(folder / name, f"ulytau/{name}")
    at = page("mission").run()
    at.file_uploader(key="package_files").set_value(
        [("ulytau.zip", buffer.getvalue(), "application/zip")]
    )
    at.run()
    button(at, "Check and load package").click().run()
    assert not at.exception
    assert at.title[0].value == "Ulytau demo"
    assert "Mission package loaded" in texts(at.success)


# --- Teams & rules ------------------------------------------------------------------------


def test_rules_with_polls_closing_before_opening_are_refused() -> None:
    """An infeasible day (polls close 06:00, open 07:00) is explained; rules unchanged."""
    at = page("teams", mission=small_mission()).run()
    at.time_input(key="rule_polls_close_1").set_value(clock(6, 0))
    button(at, "Apply rules").click().run()
    assert not at.exception
    assert "Polls close (06:00) must be after polls open (07:00)" in texts(at.error)
    assert at.session_state["mission"].rules.polls_close == clock(20, 0)


def test_allocating_zero_teams_is_refused() -> None:
    """Zero STO teams cannot cover any area: a clear message, teams unchanged."""
    at = page("teams", mission=small_mission()).run()
    at.number_input[0].set_value(0)
    button(at, "Allocate teams to AoRs automatically").click().run()
    assert not at.exception
    assert "cannot cover" in texts(at.error)
    assert len(at.session_state["mission"].sto_teams) == 3


def test_allocating_teams_spreads_them_over_areas() -> None:
    """Twenty teams on the default mission: every area gets one, bases placed."""
    at = page("teams").run()
    at.number_input[0].set_value(20)
    at.checkbox[0].check()
    button(at, "Allocate teams to AoRs automatically").click().run()
    assert not at.exception
    mission = at.session_state["mission"]
    assert len(mission.sto_teams) == 20
    assert {t.area_id for t in mission.sto_teams} == {a.area_id for a in mission.areas}
    assert all(t.lat is not None for t in mission.sto_teams)
    assert "20 STO teams allocated" in texts(at.success)


def test_targets_are_applied() -> None:
    """New targets replace the mission's, and the page says they were applied."""
    at = page("teams", mission=small_mission()).run()
    at.number_input(key="target_voting_1").set_value(40)
    button(at, "Apply targets").click().run()
    assert not at.exception
    assert at.session_state["mission"].targets.voting == 40


# --- Plan ---------------------------------------------------------------------------------


def test_plan_page_with_no_teams_explains_and_cannot_run() -> None:
    """A mission without STO teams: an error that says what to do, Run disabled."""
    import dataclasses

    mission = dataclasses.replace(
        small_mission(), teams=tuple(t for t in small_mission().teams if t.kind.value != "sto")
    )
    at = page("plan", mission=mission).run()
    assert not at.exception
    assert "no STO teams" in texts(at.error)
    assert button(at, "Run planner").disabled


def test_plan_page_runs_planner_and_compares_with_previous_plan() -> None:
    """Run on the small mission: progress, coverage against every target (met), and the
    comparison with the plan made before."""
    at = page("plan", mission=small_mission(), plan=small_plan()).run()
    at.number_input[1].set_value(3)  # time limit
    button(at, "Run planner").click().run()
    assert "solve_job" in at.session_state
    assert at.get("progress"), "no progress bar while planning"
    wait_for_job(at)
    assert not at.exception
    assert "Planning finished" in texts(at.success)
    targets = at.dataframe[0].value
    assert list(targets["status"]) == ["met"] * 4
    assert "Compared with the previous plan" in texts(at.subheader)
    comparison = at.dataframe[2].value
    assert list(comparison.columns) == ["phase", "previous", "current", "change"]


def test_failed_solve_is_shown_as_a_message() -> None:
    """A solve that raises (a station in an unknown time zone) ends in an error message."""
    import dataclasses

    mission = small_mission()
    broken = dataclasses.replace(
        mission,
        stations=tuple(dataclasses.replace(s, tz="Nowhere/Atlantis") for s in mission.stations),
    )
    at = page("plan", mission=broken).run()
    at.number_input[1].set_value(2)
    button(at, "Run planner").click().run()
    wait_for_job(at)
    assert not at.exception
    assert "Planning failed" in texts(at.error)
    assert "plan_record" not in at.session_state


def test_cancel_stops_a_running_plan() -> None:
    """Cancel ends the run at once and keeps the previous plan."""
    at = page("plan", mission=small_mission(), plan=small_plan()).run()
    at.number_input[1].set_value(60)
    button(at, "Run planner").click().run()
    button(at, "Cancel planning").click().run()
    assert not at.exception
    assert "solve_job" not in at.session_state
    assert "cancelled" in texts(at.warning)
    assert at.session_state["plan_record"].plan is small_plan()


# --- Map, My area, Coverage, Export ------------------------------------------------------


def test_map_page_draws_plan_with_filters() -> None:
    """The Map page runs with a plan, for all areas and for one area and team."""
    at = page("map", mission=small_mission(), plan=small_plan()).run()
    assert not at.exception
    assert "Numbered stops appear" in texts(at.caption)
    at.selectbox(key="map_area").set_value("AOR-01").run()
    at.multiselect(key="map_teams_AOR-01").set_value(["STO-001"]).run()
    at.multiselect(key="map_phases").set_value(["opening", "counting"]).run()
    assert not at.exception


def test_my_area_shows_teams_schedules_and_unvisited_stations() -> None:
    """Picking the AoR shows its teams, each team's schedule and the unvisited stations."""
    at = page("my_area", mission=small_mission(), plan=small_plan()).run()
    assert "Pick your area" in texts(at.info)
    at.button_group[0].set_value("AOR-01").run()
    assert not at.exception
    assert "Team schedules" in texts(at.subheader)
    markdown = texts(at.markdown)
    for team in ("STO-001", "STO-002", "STO-003"):
        assert f"**{team}**" in markdown
    schedule = at.dataframe[1].value
    assert list(schedule.columns[:4]) == ["stop", "phase", "arrive", "depart"]
    assert schedule["phase"].iloc[1] == "opening"
    assert at.tabs[1].label.startswith("Unvisited (")


def test_my_area_field_report_and_area_replan() -> None:
    """A station reported closed is kept for the session, and re-planning the area
    leaves it out and splices the new routes into the plan."""
    plan = small_plan()
    visited = next(s.site_id for s in plan.stops if s.phase == "voting")
    at = page("my_area", mission=small_mission(), plan=plan).run()
    at.button_group[0].set_value("AOR-01").run()
    next(s for s in at.selectbox if s.label == "Station").set_value(visited)
    button(at, "Save report").click().run()
    assert not at.exception
    assert at.session_state["field_updates"][visited].status == "closed"

    button(at, "Re-plan AOR-01 only").click().run()
    wait_for_job(at)
    assert not at.exception
    assert "Planning finished" in texts(at.success)
    new = at.session_state["plan_record"].plan
    assert visited not in {s.site_id for s in new.stops if s.site_type == "station"}
    assert new.stats["replanned_areas"] == ["AOR-01"]


def test_coverage_page_draws_charts_and_targets() -> None:
    at = page("coverage", mission=small_mission(), plan=small_plan()).run()
    assert not at.exception
    assert list(at.dataframe[0].value["phase"]) == ["opening", "voting", "counting", "tabulation"]
    assert len(at.get("vega_lite_chart")) == 4  # setting, kind, areas, regions


def test_export_page_offers_every_format() -> None:
    at = page("export", mission=small_mission(), plan=small_plan()).run()
    assert not at.exception
    labels = {b.proto.label for b in at.get("download_button")}
    assert labels >= {
        "Download visits.csv",
        "Download coverage.csv",
        "Download routes.geojson",
        "Download plan.json",
    }


@pytest.mark.parametrize("name", ["map", "my_area", "coverage", "export"])
def test_pages_without_a_plan_say_so(name: str) -> None:
    """Before any plan, each plan page explains what to do instead of failing."""
    at = page(name, mission=small_mission()).run()
    assert not at.exception
    assert at.info, name
