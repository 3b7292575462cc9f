"""Mission (coordinators): the stored mission in numbers and on a map; load a shipped
mission, upload one, or make a new one from a country's station list; stored only once
every check passes."""

from __future__ import annotations

from datetime import date, time

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from planner.escaping import markdown_text
from planner.estimates import estimates_summary
from planner.geodata import SUPPORTED_FORMATS, mission_warnings, summarize
from planner.maps.render import mission_map
from planner.store import Role
from planner.ui import mission_choice, mission_state, session
from planner.ui.guard import page_errors
from planner.ui.new_mission import (
    NewMissionPreview,
    NewMissionRequest,
    move_districts,
    preview_new_mission,
)
from planner.ui.tables import problems_table
from planner.ui.upload_memory import large_buffers_from_the_system, release
from planner.ui.uploads import (
    PACKAGE_TYPES,
    STATION_TYPES,
    Upload,
    UploadResult,
    load_package,
    replace_layers,
    upload_limits,
)

REPORT_KEY = "upload_report"
PREVIEW_KEY = "new_mission_preview"
LIST_TYPES = ["csv", "xlsx", "xls", "geojson", "json", "gpkg", "zip"]
SHAPE_TYPES = ["geojson", "json", "gpkg", "zip"]
VOTERS_CHOICES = ("1,000 per station", "Voters per station", "Total voters, shared")
MOVES_KEY = "new_mission_moves"  # edits of the areas so far
MOVED_KEY = "new_mission_moved"  # what the last edit did
UPLOADER_KEY = "uploaders"  # a new number gives new, empty uploaders


def _report(result: UploadResult, what: str) -> None:
    """Keep the outcome of an upload on the page until the next one, and empty the
    uploaders (Streamlit keeps an uploaded file in memory while its uploader holds it)."""
    st.session_state[REPORT_KEY] = {
        "ok": result.ok,
        "what": what,
        "message": result.message,
        "problems": problems_table(result.problems),
        "problem_count": result.problem_count,
        "warnings": problems_table(result.warnings),
        "warning_count": result.warning_count,
    }
    st.session_state[UPLOADER_KEY] = st.session_state.get(UPLOADER_KEY, 0) + 1


def _listed(shown: int, total: int) -> str:
    return f"; the first {shown:,} are listed" if total > shown else ""


def _show_report() -> None:
    report = st.session_state.get(REPORT_KEY)
    if not report:
        return
    if report["ok"]:
        st.success(f"{report['what']} stored: {markdown_text(report['message'])}")
    else:
        n = report["problem_count"]
        st.error(
            f"{report['what']} not loaded: {n:,} problem(s) found"
            f"{_listed(len(report['problems']), n)}. Nothing was stored or replaced; fix the "
            "file(s) and upload again."
        )
        st.dataframe(report["problems"], hide_index=True, width="stretch")
    if len(report["warnings"]):
        n = report["warning_count"]
        with st.expander(f"{n:,} warning(s) — not blocking{_listed(len(report['warnings']), n)}"):
            st.dataframe(report["warnings"], hide_index=True, width="stretch")


def _new_mission_request() -> NewMissionRequest | None:
    """The form of a new mission; None (with a message) while the date is not a date."""
    left, mid, right = st.columns([2, 1, 1])
    name = left.text_input("Mission name", key="new_name")
    day_text = mid.text_input("Election day", placeholder="YYYY-MM-DD", key="new_date")
    seed = right.number_input("Seed", min_value=0, value=0, step=1, key="new_seed")
    left, mid, right, last = st.columns(4)
    opens = left.time_input("Polls open", time(7, 0), key="new_polls_open")
    closes = mid.time_input("Polls close", time(20, 0), key="new_polls_close")
    teams = right.number_input(
        "STO teams (0: one per ~67 stations)", min_value=0, value=0, step=1, key="new_teams"
    )
    areas = last.number_input(
        "Areas (0: one per 10 teams)", min_value=0, value=0, step=1, key="new_areas"
    )
    left, right = st.columns([2, 1])
    voters_rule = left.radio(
        "Voters of stations the list gives none for", VOTERS_CHOICES, horizontal=True,
        key="new_voters_rule",
    )  # fmt: skip
    voters = right.number_input(
        "Voters", min_value=0, value=1000, step=100, key="new_voters",
        disabled=voters_rule == VOTERS_CHOICES[0],
    )  # fmt: skip
    columns = st.text_input(
        "Column mapping: role=column, … (blank: recognised from the headers; roles: "
        "station_id, number, name, address, region, district, subdistrict, commission, "
        "voters, lat, lon, coordinates, kind, setting, settlement, tz, name_<lang>)",
        key="new_columns",
    )
    try:
        day = date.fromisoformat(day_text.strip())
    except ValueError:
        if day_text.strip():
            st.warning(f"Election day {day_text!r} is not a date such as 2026-03-15.")
        return None
    return NewMissionRequest(
        name=name,
        election_date=day,
        polls_open=opens,
        polls_close=closes,
        columns=columns.strip(),
        teams=int(teams) or None,
        areas=int(areas) or None,
        voters_default=int(voters) if voters_rule == VOTERS_CHOICES[1] else None,
        voters_total=int(voters) if voters_rule == VOTERS_CHOICES[2] else None,
        seed=int(seed),
    )


def _show_preview(preview: NewMissionPreview) -> None:
    """How the columns were read, what was inferred, and the button that stores it."""
    if preview.problems:
        st.error(
            f"The mission cannot be made: {len(preview.problems)} problem(s). Nothing was "
            "stored. Fix the column mapping or the file(s) and preview again."
        )
        st.dataframe(problems_table(preview.problems), hide_index=True, width="stretch")
    if preview.mapping or preview.columns:
        st.subheader("Column mapping")
        mapping = pd.DataFrame(preview.mapping, columns=["meaning", "column", "recognised by"])
        mapping["recognised by"] = mapping["recognised by"].replace("--columns", "your mapping")
        st.dataframe(mapping, hide_index=True, width="stretch")
        st.caption("Columns not used: " + (", ".join(preview.ignored) or "none"))
        if preview.sample:
            st.caption("The first rows as read:")
            st.dataframe(pd.DataFrame(preview.sample), hide_index=True, width="stretch")
    mission = preview.mission
    if mission is None or not preview.ok:
        return
    summary = summarize(mission)
    cols = st.columns(5)
    cols[0].metric("Regions", summary.regions)
    cols[1].metric("Districts", len(mission.districts))
    cols[2].metric("Commissions", summary.commissions)
    cols[3].metric("Stations", f"{summary.stations:,}")
    cols[4].metric("Areas / teams", f"{summary.areas} / {summary.teams}")
    st_folium(
        mission_map(mission), height=420, use_container_width=True, returned_objects=[],
        key="new_mission_map",
    )  # fmt: skip
    with st.container(height=420):
        st.markdown(preview.report_markdown)
    _areas_editor(preview)
    if st.button(f"Store “{mission.name}” as a new mission", type="primary"):
        with page_errors("Storing the mission"):
            new_id = mission_choice.store_mission(mission)
            result = UploadResult(mission, message=f"mission #{new_id}, {mission.name}")
            _report(result, "New mission")
            st.session_state.pop(PREVIEW_KEY, None)
            st.rerun()


def _areas_editor(preview: NewMissionPreview) -> None:
    """The areas as inferred, and districts moved between them before the mission is
    stored: teams and report follow; an edit that empties an area is refused."""
    from planner.init.regroup import area_table, district_table  # only when previewing

    mission = preview.mission
    assert mission is not None
    st.subheader("Areas of responsibility")
    st.dataframe(area_table(mission), hide_index=True, width="stretch")
    districts = district_table(mission)
    with st.expander(f"Districts and their areas ({len(districts):,})"):
        st.dataframe(districts, hide_index=True, width="stretch")
    area_of = dict(zip(districts["district_id"], districts["area_id"], strict=True))
    names = dict(zip(districts["district_id"], districts["district"], strict=True))
    round_ = st.session_state.get(MOVES_KEY, 0)  # a new number empties the choice
    left, mid, right = st.columns([3, 1, 1], vertical_alignment="bottom")
    chosen = left.multiselect(
        "Districts to move",
        list(area_of),
        format_func=lambda d: f"{names[d]} ({d}, now {area_of[d]})",
        key=f"move_districts_{round_}",
    )
    target = mid.selectbox(
        "To area", [a.area_id for a in mission.areas], key=f"move_to_area_{round_}"
    )
    if right.button("Move districts", disabled=not chosen, width="stretch"):
        problems = move_districts(preview, {**area_of, **dict.fromkeys(chosen, target)})
        if problems:
            st.error("Not moved: " + " ".join(markdown_text(p.message) + "." for p in problems))
        else:
            st.session_state[MOVES_KEY] = round_ + 1
            st.session_state[MOVED_KEY] = f"{len(chosen)} district(s) moved to {target}."
            st.rerun()
    moved = st.session_state.pop(MOVED_KEY, None)
    if moved:
        st.success(moved + " Teams and the report follow the new areas.")


def _new_mission_section() -> None:
    """A new mission from the country's own station list(s): `planner init` in the app."""
    with st.expander(
        "New mission from a country's station list",
        expanded=PREVIEW_KEY in st.session_state,
    ):
        st.caption(
            "The election administration's list(s) of polling stations (CSV, XLSX, "
            "GeoJSON, GeoPackage, zipped Shapefile): columns are recognised from their "
            "headers, and what the list does not say is inferred and reported. Preview, "
            "check the column mapping and the report, then store it as a new mission."
        )
        lists = st.file_uploader(
            "Station list(s)", type=LIST_TYPES, accept_multiple_files=True,
            key="new_station_files",
        )  # fmt: skip
        seats = st.file_uploader(
            "Commission positions (optional)", type=LIST_TYPES, key="new_commission_file"
        )
        shapes = st.file_uploader(
            "Region or district boundaries (optional)",
            type=SHAPE_TYPES,
            key="new_boundaries_file",
            help="Polygons matched to the list's regions or districts by name, or by the "
            "stations inside; without them the shapes on the map are derived.",
        )
        request = _new_mission_request()
        if st.button("Preview the new mission", disabled=not lists or request is None):
            assert request is not None
            with page_errors("Reading the list"), st.spinner("Reading the list…"):
                st.session_state[PREVIEW_KEY] = preview_new_mission(
                    [Upload(f.name, f.getvalue()) for f in lists or []],
                    request,
                    commissions=Upload(seats.name, seats.getvalue()) if seats else None,
                    boundaries=Upload(shapes.name, shapes.getvalue()) if shapes else None,
                )
        preview = st.session_state.get(PREVIEW_KEY)
        if isinstance(preview, NewMissionPreview):
            _show_preview(preview)


session.require(Role.COORDINATOR)
mission = mission_state.current_mission()
info = mission_state.info()
st.title(markdown_text(mission.name))
st.caption(
    f"Stored mission #{info.id}, imported {info.created_at:%Y-%m-%d %H:%M} UTC by "
    f"{markdown_text(info.created_by)}; teams, rules and targets at version "
    f"{info.teams_version}."
)

shipped = mission_choice.shipped_missions()
left, right = st.columns([3, 1], vertical_alignment="bottom")
choice = left.selectbox(
    "Shipped missions",
    list(shipped),
    format_func=lambda name: f"{shipped[name]} ({name})",
    key="shipped_choice",
)
if right.button("Load shipped mission", width="stretch"):
    with page_errors("Loading the mission"):
        mission_choice.use_shipped(choice)
        st.session_state.pop(REPORT_KEY, None)
        st.rerun()

large_buffers_from_the_system()  # before any upload arrives
limits = upload_limits()
uploaders = st.session_state.get(UPLOADER_KEY, 0)
with st.expander("Upload your own data (stored as a new mission once every check passes)"):
    package_tab, layers_tab = st.tabs(["Whole mission package", "Stations / TEC files"])
    with package_tab:
        st.caption(
            "A .zip holding mission.gpkg and mission.toml, or the .gpkg and its .toml together."
        )
        files = st.file_uploader(
            "Mission package",
            type=PACKAGE_TYPES,
            accept_multiple_files=True,
            key=f"package_files_{uploaders}",
            max_upload_size=limits.max_upload_mb,
        )
        if st.button("Check and load package", disabled=not files):
            with page_errors("Reading the package"), st.spinner("Checking the package…"):
                result = load_package([Upload(f.name, f.getvalue()) for f in files], limits=limits)
                if result.ok:
                    new_id = mission_choice.store_mission(result.mission)
                    result.message = f"mission #{new_id}, {result.message}"
                _report(result, "Mission package")
                release(files)
                st.rerun()  # the report, and empty uploaders
    with layers_tab:
        st.caption(
            f"Formats: {SUPPORTED_FORMATS}. Columns: see the README's data contracts. The "
            "mission with the new layers is stored as a new mission (with the same teams, "
            "rules and targets); the current one and its plans stay as they are."
        )
        stations_file = st.file_uploader(
            "Stations file",
            type=STATION_TYPES,
            key=f"stations_file_{uploaders}",
            max_upload_size=limits.max_upload_mb,
        )
        tecs_file = st.file_uploader(
            "TECs file",
            type=STATION_TYPES,
            key=f"tecs_file_{uploaders}",
            max_upload_size=limits.max_upload_mb,
        )
        if st.button("Check and replace", disabled=not (stations_file or tecs_file)):
            with page_errors("Reading the files"), st.spinner("Checking the files…"):
                result = replace_layers(
                    mission,
                    stations=Upload(stations_file.name, stations_file.getvalue())
                    if stations_file
                    else None,
                    commissions=Upload(tecs_file.name, tecs_file.getvalue()) if tecs_file else None,
                    limits=limits,
                )
                if result.ok:
                    new_id = mission_choice.store_mission(result.mission)
                    result.message = f"mission #{new_id}, {result.message}"
                _report(result, "Stations/TECs")
                release([stations_file, tecs_file])
                st.rerun()  # the report, and empty uploaders
_new_mission_section()
_show_report()

summary = summarize(mission)
cols = st.columns([1, 1, 1.3, 1.7, 1.2, 1])
cols[0].metric("Regions", summary.regions)
cols[1].metric("TECs", summary.commissions)
cols[2].metric("Polling stations", f"{summary.stations:,}")
cols[3].metric("Voters", f"{summary.voters:,}")
cols[4].metric("Areas (AoRs)", summary.areas)
by_kind = summary.teams_by_kind
cols[5].metric(
    "STO teams",
    by_kind.get("sto", 0),
    help=f"Short-term observer teams, planned for election day; LTO teams: {by_kind.get('lto', 0)}",
)

estimated = estimates_summary(mission)
if estimated:
    st.caption(
        f"Estimated, not given: {estimated} (the station and TEC tables, map popups and "
        "team schedules say which)."
    )

st_folium(
    mission_map(mission), height=520, use_container_width=True, returned_objects=[], key="mission"
)

left, mid, right = st.columns(3)
with left:
    st.subheader("By kind and setting")
    st.dataframe(
        pd.DataFrame({"stations": {**summary.stations_by_kind, **summary.stations_by_setting}}),
        width="stretch",
    )
with mid:
    st.subheader("By region")
    region_names = {r.region_id: r.name_en for r in mission.regions}
    by_region = pd.DataFrame(
        {"stations": summary.stations_by_region, "voters": summary.voters_by_region}
    )
    by_region.insert(0, "region", [region_names.get(r, r) for r in by_region.index])
    st.dataframe(by_region, width="stretch")
with right:
    st.subheader("Teams")
    st.dataframe(pd.DataFrame({"teams": summary.teams_by_kind}), width="stretch")
    st.caption(
        f"TECs by level: {', '.join(f'{k} {v}' for k, v in summary.commissions_by_level.items())}"
    )

warnings = mission_warnings(mission)
if warnings:
    with st.expander(f"{len(warnings)} warning(s) in the mission data — not blocking"):
        st.dataframe(
            pd.DataFrame(
                [{"station": w.row, "field": w.field, "message": w.message} for w in warnings]
            ),
            hide_index=True,
            width="stretch",
        )
