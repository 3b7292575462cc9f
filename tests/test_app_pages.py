"""Every app page runs headless (Streamlit AppTest) on a mission store of its own, signed in
as a coordinator, an LTO or a team: figures, forms, errors shown as messages, everything
saved in the store, and each role seeing only its own data.

Planning runs go through the real background job on small missions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import tempfile
import time
import zipfile
from datetime import date
from datetime import time as clock
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from planner import synthetic
from planner.datasets import SMALL_MISSION, get_path
from planner.init.regroup import district_table
from planner.store import (
    BusyError,
    field_updates,
    get_user,
    list_missions,
    load_mission,
    load_plan,
    open_store,
    plan_version,
    plan_versions,
    published_version,
    system_user,
)
from planner.ui import built_files
from planner.ui.built_files import BuiltFiles
from planner.ui.new_mission import NewMissionRequest, preview_new_mission
from planner.ui.uploads import Upload
from tests.support.app import ROOT, app, build, button, shown, texts, two_area_mission
from tests.support.missions import small_mission

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ADMIN = system_user("test")


def wait_for_job(at: AppTest, timeout_s: float = 90) -> None:
    """Rerun the page, as its live fragment does, until the planning job has ended."""
    deadline = time.monotonic() + timeout_s
    at.run()
    while "solve_job" in at.session_state:
        assert time.monotonic() < deadline, "planning did not finish"
        time.sleep(0.5)
        at.run()
    at.run()


def opened(seeded, username: str, page: str | None = None) -> AppTest:
    at = app(seeded.folder, username).run()
    if page is not None:
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception
    return at


def stored(seeded):
    return open_store(data_dir=seeded.folder)


# --- Mission ------------------------------------------------------------------------------


def test_mission_page_summarises_default_mission(app_store) -> None:
    """The stored default mission's headline figures are on the Mission page."""
    at = opened(app_store("kazakhstan"), "coord")
    assert at.title[0].value == "Kazakhstan early presidential election 2022"
    values = {m.label: m.value for m in at.metric}
    assert values["Regions"] == "20"
    assert values["TECs"] == "239"
    assert values["Polling stations"] == "10,101"
    assert values["Voters"] == "11,950,485"
    assert values["Areas (AoRs)"] == "15"
    assert values["STO teams"] == "150"  # the 15 LTO teams are not counted as STO teams
    by_region = at.dataframe[1].value
    assert "Almaty" in set(by_region["region"]) and "KZ75" not in set(by_region["region"])


def test_loading_a_shipped_mission_stores_it_once(app_store) -> None:
    """Choosing the shipped demo stores it and works on it; choosing it again reuses it."""
    seeded = app_store("two_areas")
    at = opened(seeded, "coord")
    at.selectbox(key="shipped_choice").set_value(SMALL_MISSION)
    button(at, "Load shipped mission").click().run()
    assert not at.exception
    assert at.title[0].value == "Ulytau demo"
    assert {m.label: m.value for m in at.metric}["Polling stations"] == "300"
    button(at, "Load shipped mission").click().run()
    with stored(seeded) as store:
        assert [m.name for m in list_missions(store, user=ADMIN)] == [
            "Multi-area test mission",
            "Ulytau demo",
        ]


def test_bad_station_upload_is_reported_and_stores_nothing(app_store) -> None:
    """A stations file with broken coordinates: a file/row/field/message table, an error,
    and the store unchanged."""
    seeded = app_store("ulytau")
    at = opened(seeded, "coord")
    data = (FIXTURES / "bad_coordinates.csv").read_bytes()
    at.file_uploader(key="stations_file_0").set_value(("bad_coordinates.csv", data, "text/csv"))
    at.run()
    button(at, "Check and replace").click().run()
    assert not at.exception
    assert "Nothing was stored or replaced" in texts(at.error)
    report = at.dataframe[0].value
    assert list(report.columns) == ["file", "row", "field", "message"]
    assert set(report["file"]) == {"bad_coordinates.csv"}
    assert {"1", "2"} <= set(report["row"])
    assert at.title[0].value == "Ulytau demo"
    with stored(seeded) as store:
        assert len(list_missions(store, user=ADMIN)) == 1


def test_bad_package_upload_is_reported(app_store) -> None:
    """A .zip without a GeoPackage is refused with a message, not a traceback."""
    seeded = app_store("ulytau")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("readme.txt", "no data here")
    at = opened(seeded, "coord")
    at.file_uploader(key="package_files_0").set_value(
        [("mission.zip", buffer.getvalue(), "application/zip")]
    )
    at.run()
    button(at, "Check and load package").click().run()
    assert not at.exception
    assert "not loaded" in texts(at.error)
    assert "GeoPackage" in at.dataframe[0].value["message"].iloc[0]
    with stored(seeded) as store:
        assert len(list_missions(store, user=ADMIN)) == 1


def test_mission_package_upload_is_stored_as_a_new_mission(app_store) -> None:
    """A zipped mission package that passes every check is stored and worked on."""
    seeded = app_store("two_areas")
    folder = get_path(SMALL_MISSION)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in ("mission.gpkg", "mission.toml"):
            zf.write(folder / name, f"ulytau/{name}")
    at = opened(seeded, "coord")
    at.file_uploader(key="package_files_0").set_value(
        [("ulytau.zip", buffer.getvalue(), "application/zip")]
    )
    at.run()
    button(at, "Check and load package").click().run()
    assert not at.exception
    assert at.title[0].value == "Ulytau demo"
    assert "Mission package stored: mission #2" in texts(at.success)
    with stored(seeded) as store:
        assert len(load_mission(store, 2, user=ADMIN).stations) == 300


def test_new_mission_districts_move_between_areas_before_storing(app_store) -> None:
    """The previewed mission's districts move to another area (teams follow); an edit that
    empties an area is refused with its reason; the stored mission has the edited areas."""
    seeded = app_store("ulytau")
    country = synthetic.generate(300, seed=2)
    with tempfile.TemporaryDirectory() as tmp:
        listed = synthetic.write_lists(country, Path(tmp)).read_bytes()
    request = NewMissionRequest("Moved", date(2026, 3, 15), teams=6, areas=2)
    preview = preview_new_mission([Upload("stations.csv", listed)], request)
    assert preview.ok and preview.mission is not None
    table = district_table(preview.mission)
    first = table[table["area_id"] == "AOR-01"]["district_id"].tolist()
    at = opened(seeded, "coord")
    at.session_state["new_mission_preview"] = preview
    at.run()
    # Every district of AOR-01 to AOR-02: refused, nothing changes.
    at.multiselect(key="move_districts_0").set_value(first).run()
    at.selectbox(key="move_to_area_0").set_value("AOR-02").run()
    button(at, "Move districts").click().run()
    assert not at.exception
    assert "area 'AOR-01' would have no district left" in texts(at.error)
    # One district moves: the areas table, the teams and the report follow.
    at.multiselect(key="move_districts_0").set_value(first[:1]).run()
    button(at, "Move districts").click().run()
    assert not at.exception
    assert "1 district(s) moved to AOR-02." in texts(at.success)
    areas = next(d.value for d in at.dataframe if "LTO team" in d.value.columns)
    moved = at.session_state["new_mission_preview"].mission
    assert moved.area_of_district[first[0]] == "AOR-02"
    assert areas["districts"].tolist() == [len(first) - 1, len(table) - len(first) + 1]
    assert areas["STO teams"].sum() == 6
    button(at, "Store “Moved” as a new mission").click().run()
    assert not at.exception
    # The stored mission says what in it was estimated.
    assert "Estimated, not given: voters of 300 stations" in texts(at.caption)
    with stored(seeded) as store:
        kept = load_mission(store, 2, user=ADMIN)
    assert kept.area_of_district == moved.area_of_district
    assert {t.team_id: t.area_id for t in kept.teams} == {t.team_id: t.area_id for t in moved.teams}


# --- Teams & rules ------------------------------------------------------------------------


def test_rules_with_polls_closing_before_opening_are_refused(app_store) -> None:
    """An infeasible day (polls close 06:00, open 07:00) is explained; nothing is stored."""
    seeded = app_store("ulytau")
    at = opened(seeded, "coord", "teams")
    at.time_input(key="rule_polls_close_1").set_value(clock(6, 0))
    button(at, "Apply rules").click().run()
    assert not at.exception
    assert "Polls close: 06:00 must be after polls open (07:00)" in texts(at.error)
    with stored(seeded) as store:
        assert load_mission(store, 1, user=ADMIN).rules.polls_close == clock(20, 0)


def test_rules_are_saved_in_the_store(app_store) -> None:
    seeded = app_store("ulytau")
    at = opened(seeded, "coord", "teams")
    at.time_input(key="rule_polls_close_1").set_value(clock(21, 0))
    button(at, "Apply rules").click().run()
    assert not at.exception
    assert "Rules saved." in texts(at.success)
    with stored(seeded) as store:
        assert load_mission(store, 1, user=ADMIN).rules.polls_close == clock(21, 0)


def test_allocating_zero_teams_is_refused(app_store) -> None:
    """Zero STO teams cannot cover any area: a clear message, teams unchanged."""
    seeded = app_store("ulytau")
    at = opened(seeded, "coord", "teams")
    at.number_input[0].set_value(0)
    button(at, "Allocate teams to AoRs automatically").click().run()
    assert not at.exception
    assert "cannot cover" in texts(at.error)
    with stored(seeded) as store:
        assert len(load_mission(store, 1, user=ADMIN).sto_teams) == 3


def test_allocating_teams_spreads_them_over_areas(app_store) -> None:
    """Twenty teams on the default mission: every area gets one, bases placed, stored."""
    seeded = app_store("kazakhstan")
    at = opened(seeded, "coord", "teams")
    at.number_input[0].set_value(20)
    at.checkbox[0].check()
    button(at, "Allocate teams to AoRs automatically").click().run()
    assert not at.exception
    assert "20 STO teams allocated" in texts(at.success)
    with stored(seeded) as store:
        mission = load_mission(store, 1, user=ADMIN)
    assert len(mission.sto_teams) == 20
    assert {t.area_id for t in mission.sto_teams} == {a.area_id for a in mission.areas}
    assert all(t.lat is not None for t in mission.sto_teams)


def test_targets_are_saved(app_store) -> None:
    seeded = app_store("ulytau")
    at = opened(seeded, "coord", "teams")
    at.number_input(key="target_voting_1").set_value(40)
    button(at, "Apply targets").click().run()
    assert not at.exception
    with stored(seeded) as store:
        assert load_mission(store, 1, user=ADMIN).targets.voting == 40


def test_two_sessions_editing_the_teams_table_conflict_cleanly(app_store) -> None:
    """Two coordinators open Teams & rules; the first saves, the second's save is refused
    with a message (nothing overwritten) until they reload."""
    seeded = app_store("ulytau")
    first = opened(seeded, "coord", "teams")
    second = opened(seeded, "coord", "teams")

    first.number_input[0].set_value(4)
    button(first, "Allocate teams to AoRs automatically").click().run()
    assert "4 STO teams allocated" in texts(first.success)

    button(second, "Apply team changes").click().run()
    assert not second.exception
    assert (
        "someone else changed the teams table since you opened it; reload to see their changes"
        in texts(second.error)
    )
    with stored(seeded) as store:
        assert len(load_mission(store, 1, user=ADMIN).sto_teams) == 4  # the first one's

    # Targets refused as well, for the same reason; then a reload shows the saved teams.
    second.number_input(key="target_voting_1").set_value(10)
    button(second, "Apply targets").click().run()
    assert "reload to see their changes" in texts(second.error)
    button(second, "Reload").click().run()
    assert not second.error
    button(second, "Apply team changes").click().run()
    with stored(seeded) as store:
        mission = load_mission(store, 1, user=ADMIN)
    assert f"Teams saved: {len(mission.teams)} team(s)." in texts(second.success)
    assert len(mission.sto_teams) == 4 and mission.targets.voting != 10


def test_a_newer_version_is_announced_before_editing(app_store) -> None:
    seeded = app_store("ulytau")
    first = opened(seeded, "coord", "teams")
    second = opened(seeded, "coord", "teams")
    first.number_input(key="target_voting_1").set_value(40)
    button(first, "Apply targets").click().run()
    second.run()
    assert "Someone else saved teams, rules or targets (version 2)" in texts(second.warning)


# --- Plan ---------------------------------------------------------------------------------


def test_plan_page_with_no_teams_explains_and_cannot_run(tmp_path, monkeypatch) -> None:
    """A mission without STO teams: an error that says what to do, Run disabled."""
    mission = dataclasses.replace(
        small_mission(), teams=tuple(t for t in small_mission().teams if t.kind.value != "sto")
    )
    seeded = build(tmp_path / "data", mission, {"coord": {"role": "coordinator"}})
    monkeypatch.setenv("PLANNER_DATA_DIR", str(seeded.folder))
    at = opened(seeded, "coord", "plan")
    assert "no STO teams" in texts(at.error)
    assert button(at, "Run planner").disabled


def test_plan_page_reports_a_run_the_app_stopped(app_store) -> None:
    """A run whose server is gone (killed mid-run): on the next start its data is removed
    and the Plan page says it was interrupted, until dismissed."""
    from planner.ui import job_files

    seeded = app_store("ulytau_planned")
    root = job_files.jobs_root(seeded.folder)
    meta = {"label": "seed 7, 3 s", "mission_id": seeded.mission_id, "user": "coord"}
    folder = job_files.new_job_folder(root, meta)
    job_files.write_private(folder / "input.pickle", b"the mission")
    marker = job_files.read_marker(folder) or {}
    job_files.write_marker(folder, {**marker, "server": {"pid": 2**22 + 1, "start": "0"}})
    job_files._swept.clear()  # the app starts again
    at = opened(seeded, "coord", "plan")
    assert "Planning run interrupted (seed 7, 3 s, started" in texts(at.warning)
    assert [p.name for p in folder.iterdir()] == [job_files.MARKER]
    button(at, "Dismiss").click().run()
    assert not folder.exists()
    assert "interrupted" not in texts(at.warning)


def test_plan_page_saves_a_new_version_compares_and_publishes(app_store) -> None:
    """Run on the small mission: progress, a new stored version made from the previous
    one, coverage against every target, the comparison per team; then publish it."""
    seeded = app_store("ulytau_planned")
    at = opened(seeded, "coord", "plan")
    assert "Plan version 1 · " in texts(at.header)
    at.number_input[0].set_value(7)  # another seed
    at.number_input[1].set_value(60)  # time limit: a safety net, the plan ends on its counts
    button(at, "Run planner").click().run()
    assert "solve_job" in at.session_state
    assert at.get("progress"), "no progress bar while planning"
    wait_for_job(at)
    assert not at.exception
    assert "saved as version 2" in texts(at.success)
    assert "Plan version 2 · " in texts(at.header)
    targets = at.dataframe[0].value
    assert list(targets["status"]) == ["met"] * 4
    assert "Compared with the previous version" in texts(at.subheader)
    comparison = at.dataframe[2].value
    assert list(comparison.columns) == ["phase", "previous", "current", "change"]
    changed = at.dataframe[3].value
    assert list(changed.columns[:4]) == ["team", "area", "added", "dropped"]
    assert set(changed["team"]) <= {"STO-001", "STO-002", "STO-003"} and len(changed)
    with stored(seeded) as store:
        info = plan_version(store, 2, user=ADMIN)
        assert info.parent_id == 1 and info.seed == 7 and not info.published

    button(at, "Publish version 2…").click().run()
    assert not at.exception
    assert "Publish version 2?" in texts(at.markdown)  # asked first, nothing published yet
    assert "all 3 planned teams will see a schedule" in texts(at.markdown)
    with stored(seeded) as store:
        assert published_version(store, 1, user=ADMIN) is None
    button(at, "Publish now").click().run()
    assert not at.exception
    assert "teams see this version" in texts(at.success)
    with stored(seeded) as store:
        assert published_version(store, 1, user=ADMIN).id == 2
    # The run's notice stays with the version it saved; looking at another one ends it.
    assert "saved as version 2" in texts(at.success)
    versions = next(b for b in at.sidebar.selectbox if b.label == "Plan version")
    versions.set_value(1).run()
    assert "Plan version 1 · " in texts(at.header)
    versions = next(b for b in at.sidebar.selectbox if b.label == "Plan version")
    versions.set_value(2).run()
    assert not at.exception
    assert "Planning finished" not in texts(at.success)


def test_plan_page_says_which_areas_the_time_limit_cut(tmp_path, monkeypatch) -> None:
    """A version whose areas the time limit cut: the page names them and says the plan is
    not reproducible."""
    from planner.plan import solve
    from tests.support.app import two_area_mission

    mission = two_area_mission()
    cut = solve(mission, time_limit_s=5, seed=5, workers=1, deadline=time.time())
    seeded = build(tmp_path / "data", mission, {"coord": {"role": "coordinator"}}, cut)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(seeded.folder))
    at = opened(seeded, "coord", "plan")
    assert not at.exception
    warning = texts(at.warning)
    assert "The time limit cut 2 area(s): A1, A2" in warning
    assert "not reproducible" in warning


def test_plan_page_offers_the_deployments_dask_cluster(app_store, monkeypatch) -> None:
    """With PLANNER_SCHEDULER set on the server, the page offers that cluster (by its
    address, which the page cannot change)."""
    monkeypatch.setenv("PLANNER_SCHEDULER", "tcp://10.1.2.3:8786")
    at = opened(app_store("ulytau_planned"), "coord", "plan")
    (choice,) = (c for c in at.checkbox if "Dask cluster" in c.label)
    assert "tcp://10.1.2.3:8786" in choice.label and choice.value is True
    monkeypatch.delenv("PLANNER_SCHEDULER")
    at = opened(app_store("ulytau_planned"), "coord", "plan")
    assert not [c for c in at.checkbox if "Dask cluster" in c.label]


def test_publishing_asks_first_and_can_be_cancelled(app_store) -> None:
    """The first publication says every planned team will see a schedule; Cancel
    publishes nothing and brings the button back."""
    seeded = app_store("ulytau_planned")
    at = opened(seeded, "coord", "plan")
    button(at, "Publish version 1…").click().run()
    assert "all 3 planned teams will see a schedule" in texts(at.markdown)
    button(at, "Cancel").click().run()
    assert not at.exception
    assert not [b for b in at.button if b.label == "Publish now"]
    with stored(seeded) as store:
        assert published_version(store, 1, user=ADMIN) is None


def test_store_errors_are_shown_not_thrown(app_store, monkeypatch) -> None:
    """A busy database while publishing: a plain warning, nothing published."""
    import planner.store

    def busy(*_args, **_kwargs):
        raise BusyError("the database is busy; nothing was saved, try again")

    seeded = app_store("ulytau_planned")
    at = opened(seeded, "coord", "plan")
    monkeypatch.setattr(planner.store, "publish", busy)
    button(at, "Publish version 1…").click().run()
    button(at, "Publish now").click().run()
    assert not at.exception
    assert "busy" in texts(at.warning)
    with stored(seeded) as store:
        assert published_version(store, 1, user=ADMIN) is None


def test_failed_solve_is_shown_and_stores_nothing(tmp_path, monkeypatch) -> None:
    """A solve that raises (a station in an unknown time zone) ends in an error message."""
    mission = small_mission()
    broken = dataclasses.replace(
        mission,
        stations=tuple(dataclasses.replace(s, tz="Nowhere/Atlantis") for s in mission.stations),
    )
    seeded = build(tmp_path / "data", broken, {"coord": {"role": "coordinator"}})
    monkeypatch.setenv("PLANNER_DATA_DIR", str(seeded.folder))
    at = opened(seeded, "coord", "plan")
    at.number_input[1].set_value(60)
    button(at, "Run planner").click().run()
    wait_for_job(at)
    assert not at.exception
    assert "Planning failed" in texts(at.error)
    with stored(seeded) as store:
        assert plan_versions(store, 1, user=ADMIN) == []


def test_cancel_stops_a_running_plan(app_store) -> None:
    """Cancel ends the run at once; no version is saved."""
    seeded = app_store("ulytau_planned")
    at = opened(seeded, "coord", "plan")
    at.number_input[1].set_value(60)
    button(at, "Run planner").click().run()
    button(at, "Cancel planning").click().run()
    assert not at.exception
    assert "solve_job" not in at.session_state
    assert "cancelled" in texts(at.warning)
    with stored(seeded) as store:
        assert [v.id for v in plan_versions(store, 1, user=ADMIN)] == [1]
    at.run()  # the notice stays until dismissed
    assert "cancelled" in texts(at.warning)
    button(at, "Dismiss").click().run()
    assert "cancelled" not in texts(at.warning)


def test_a_restarted_server_shows_the_same_plan(app_store) -> None:
    """Everything is in the store: with the server's caches gone, a new session signs in
    and finds the same version and plan."""
    seeded = app_store("ulytau_planned")
    before = opened(seeded, "coord", "plan")
    figures = {m.label: m.value for m in before.metric}
    st.cache_resource.clear()  # what a restart loses
    after = opened(seeded, "coord", "plan")
    assert "Plan version 1 · " in texts(after.header)
    assert {m.label: m.value for m in after.metric} == figures


# --- Map, My area, Coverage, Export, My schedule -----------------------------------------


def test_map_page_draws_plan_with_filters(app_store) -> None:
    """The Map page runs with a plan, for all areas and for one area and team."""
    at = opened(app_store("ulytau_planned"), "coord", "map")
    assert "Numbered stops appear" in texts(at.caption)
    assert "Stations: 300" in texts(at.caption)
    at.selectbox(key="map_area").set_value("AOR-01").run()
    at.multiselect(key="map_teams_AOR-01").set_value(["STO-001"]).run()
    at.multiselect(key="map_phases").set_value(["opening", "counting"]).run()
    assert not at.exception


def test_lto_map_has_only_its_area(app_store) -> None:
    """An LTO of A1 gets A1's 40 stations and its two teams, nothing of A2."""
    at = opened(app_store("two_areas"), "lto-a1", "map")
    assert "Stations: 40 · TECs: 3 · Areas: 1 · Teams routed: 2" in texts(at.caption)
    assert at.selectbox(key="map_area").options == ["All areas", "A1 · Area 1"]
    assert set(at.multiselect(key="map_teams_None").options) == {"STO-01", "STO-03"}


def test_my_area_shows_teams_schedules_and_unvisited_stations(app_store) -> None:
    """Picking the AoR shows its teams, each team's schedule and the unvisited stations."""
    at = opened(app_store("ulytau_planned"), "coord", "my_area")
    # One area only: it is chosen already.
    assert "Team schedules" in texts(at.subheader)
    markdown = texts(at.markdown)
    for team in ("STO-001", "STO-002", "STO-003"):
        assert f"**{team}**" in markdown
    schedule = at.dataframe[1].value
    assert list(schedule.columns[:4]) == ["stop", "phase", "arrive", "depart"]
    assert schedule["phase"].iloc[1] == "opening"
    assert at.tabs[1].label.startswith("Unvisited (")


def test_lto_field_report_and_area_replan(app_store) -> None:
    """The LTO of A1 reports a visited station closed (stored), re-plans A1 only: a new
    version made from the old one without that station, in which only the team that
    visited it changes (A1's other teams and A2's routes untouched; that team keeps its
    opening, count and commission), and what changed per team, with the churn, on the
    page."""
    seeded = app_store("two_areas")
    with stored(seeded) as store:
        old = load_plan(store, 1, user=ADMIN, record=False)
    visit = next(s for s in old if s.phase == "voting" and s.site_id.startswith("R1"))
    visited = visit.site_id
    at = opened(seeded, "lto-a1")
    assert at.title[0].value == "My area"
    assert {m.label: m.value for m in at.metric}["Stations"] == "40"
    next(s for s in at.selectbox if s.label == "Station").set_value(visited)
    button(at, "Save report").click().run()
    assert not at.exception
    assert "Report saved: station closed." in texts(at.success)
    with stored(seeded) as store:
        lto = get_user(store, "lto-a1")
        (report,) = field_updates(store, 1, user=lto)
    assert report.station_id == visited and report.status == "open" and report.area_id == "A1"

    at.number_input[-1].set_value(30)
    button(at, "Re-plan A1 only").click().run()
    wait_for_job(at)
    assert not at.exception
    assert "saved as version 2" in texts(at.success)
    assert "What changed in version 2 (from version 1)" in texts(at.subheader)
    changed = at.dataframe[-1].value
    assert set(changed["area"]) == {"A1"} and len(changed)
    assert visited in " ".join(changed["stations dropped"])
    assert set(changed["team"]) == {visit.team_id}
    assert "1 of 2 teams changed: " in texts(at.caption)

    with stored(seeded) as store:
        info = plan_version(store, 2, user=ADMIN)
        assert info.areas == ("A1",) and info.parent_id == 1 and info.author == "lto-a1"
        new = load_plan(store, 2, user=ADMIN, record=False)
        (report,) = field_updates(store, 1, user=ADMIN)
    assert visited not in {s.site_id for s in new if s.site_type == "station"}
    unchanged = {s.team_id for s in old} - {visit.team_id}
    assert [s for s in new if s.team_id in unchanged] == [s for s in old if s.team_id in unchanged]
    assert info.stats["areas"]["A1"]["churn"]["teams_changed"] == 1
    assert report.status == "applied" and report.resolved_version_id == 2
    # Kept by default: the team's opening, count and commission; only its voting changed.
    fixed = ("opening", "counting", "tabulation")
    for phase in fixed:
        before = [s.site_id for s in old if s.team_id == visit.team_id and s.phase == phase]
        after = [s.site_id for s in new if s.team_id == visit.team_id and s.phase == phase]
        assert after == before, phase


def test_lto_replan_from_a_time_keeps_the_stops_before_it(app_store) -> None:
    """ "Keep every stop before": a value that is not HH:MM is refused, saying so; with
    11:00 every stop of the area's teams that starts before 11:00 is in the new version
    unchanged, and the page says what was kept and why."""
    seeded = app_store("two_areas")
    with stored(seeded) as store:
        old = load_plan(store, 1, user=ADMIN, record=False)
    at = opened(seeded, "lto-a1")

    def keep_before():
        return next(t for t in at.text_input if t.label.startswith("Keep every stop before"))

    keep_before().set_value("25:00")
    button(at, "Re-plan A1 only").click().run()
    assert not at.exception
    assert "Cannot re-plan: keep every stop before: '25:00' is not a time of day" in texts(at.error)
    assert "solve_job" not in at.session_state  # nothing started

    keep_before().set_value("11:00")
    at.number_input[-1].set_value(30)
    button(at, "Re-plan A1 only").click().run()
    wait_for_job(at)
    assert not at.exception
    assert "saved as version 2" in texts(at.success)
    with stored(seeded) as store:
        new = load_plan(store, 2, user=ADMIN, record=False)
        info = plan_version(store, 2, user=ADMIN)
    a1 = {t.team_id for t in two_area_mission().teams if t.area_id == "A1"}
    day = next(s for s in old if s.phase == "opening").arrive.date()

    def morning(stops):
        cut = {s: dt.datetime.combine(day, clock(11, 0), tzinfo=s.arrive.tzinfo) for s in stops}
        return [s for s in stops if s.team_id in a1 and s.arrive < cut[s]]

    kept = morning(old)
    assert kept and morning(new) == kept
    assert [s for s in kept if s.phase != "base"]
    stats = info.stats["areas"]["A1"]["kept_before"]
    assert stats["time"] == "11:00"
    assert stats["stops"] == sum(1 for s in kept if s.phase != "base")
    assert "because they start before 11:00" in texts(at.caption)


def test_coverage_page_draws_charts_and_targets(app_store) -> None:
    at = opened(app_store("ulytau_planned"), "coord", "coverage")
    assert list(at.dataframe[0].value["phase"]) == ["opening", "voting", "counting", "tabulation"]
    assert len(at.get("vega_lite_chart")) == 4  # setting, kind, areas, regions


def test_lto_coverage_is_of_its_area(app_store) -> None:
    at = opened(app_store("two_areas"), "lto-a1", "coverage")
    assert "Your area(s) only: A1" in texts(at.info)
    assert "Targets" not in texts(at.subheader)
    table = at.dataframe[-1].value
    assert set(table.loc[table["level"] == "area", "id"]) == {"A1"}


def test_export_page_makes_the_slow_files_in_the_background_then_offers_every_format(
    app_store, monkeypatch
) -> None:
    """The mission pack, team packs and master plan start building when the page opens,
    with their progress shown; once made, every format has its button."""
    monkeypatch.setattr(built_files, "_shared", BuiltFiles(limit=1 << 28))
    at = opened(app_store("ulytau_planned"), "coord", "export")
    slow = {"mission-pack.pdf", "team-packs.zip", "master-plan.xlsx"}
    quick = {shown(b.proto.label) for b in at.get("download_button")}
    assert not any(name in label for label in quick for name in slow)
    assert len(at.get("progress")) == 3
    assert all("Preparing" in p.proto.text for p in at.get("progress"))
    deadline = time.monotonic() + 120
    while any(s.state == "building" for s in built_files.shared().statuses()):
        assert time.monotonic() < deadline, "the background builds did not finish"
        time.sleep(0.2)
    assert {s.state for s in built_files.shared().statuses()} == {"ready"}
    at.run()
    assert not at.get("progress")
    labels = {shown(b.proto.label) for b in at.get("download_button")}
    assert labels >= {
        "Download visits.csv",
        "Download coverage.csv",
        "Download routes.geojson",
        "Download plan.json",
        "Download mission-pack.pdf",
        "Download team-packs.zip",
        "Download master-plan.xlsx",
        "Download plan.gpx",
        "Download plan.kml",
        "Download plan.ics",
    }


def test_lto_export_is_of_its_teams(app_store) -> None:
    at = opened(app_store("two_areas"), "lto-a1", "export")
    assert "2 team(s) of A1" in texts(at.caption)


def test_team_sees_only_its_own_schedule(app_store) -> None:
    """A team account: its stops as a table, its own files, no other team anywhere."""
    at = opened(app_store("two_areas"), "team-01")
    assert at.title[0].value == "My schedule"
    table = at.dataframe[0].value
    assert list(table.columns[:4]) == ["stop", "phase", "arrive", "depart"]
    labels = {shown(b.proto.label) for b in at.get("download_button")}
    assert labels == {
        "Download STO-01-visits.csv",
        "Download STO-01.pdf",
        "Download STO-01.gpx",
        "Download STO-01.ics",
    }
    page = (
        "\n".join(
            texts(getattr(at, kind)) for kind in ("markdown", "caption", "info", "title", "metric")
        )
        + table.to_csv()
    )
    for other in ("STO-02", "STO-03", "STO-04"):
        assert other not in page


def test_team_without_a_published_plan_is_told_so(app_store) -> None:
    at = opened(app_store("two_areas_unpublished"), "team-01")
    assert "No plan has been published yet" in texts(at.info)
    assert not at.dataframe and not at.get("download_button")


@pytest.mark.parametrize("name", ["map", "my_area", "coverage", "export"])
def test_pages_without_a_plan_say_so(app_store, name: str) -> None:
    """Before any plan, each plan page explains what to do instead of failing."""
    at = opened(app_store("two_areas_no_plan"), "coord", name)
    assert at.info, name


def test_each_page_run_on_its_own_needs_a_sign_in(app_store) -> None:
    app_store("two_areas")
    for name in ("mission", "map", "my_area", "export", "my_schedule"):
        at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=60).run()
        assert "Sign in first." in texts(at.warning), name
        assert not at.dataframe and not at.title, name
