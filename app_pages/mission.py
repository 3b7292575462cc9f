"""Mission (coordinators): the stored mission in numbers and on a map; load a shipped
mission or upload one, stored only once every check passes."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from planner.geodata import SUPPORTED_FORMATS, mission_warnings, summarize
from planner.maps.render import mission_map
from planner.store import Role
from planner.ui import mission_choice, mission_state, session
from planner.ui.guard import page_errors
from planner.ui.tables import problems_table
from planner.ui.uploads import (
    PACKAGE_TYPES,
    STATION_TYPES,
    Upload,
    UploadResult,
    load_package,
    replace_layers,
)

REPORT_KEY = "upload_report"


def _report(result: UploadResult, what: str) -> None:
    """Keep the outcome of an upload on the page until the next one."""
    st.session_state[REPORT_KEY] = {
        "ok": result.ok,
        "what": what,
        "message": result.message,
        "problems": problems_table(result.problems),
        "warnings": problems_table(result.warnings),
    }


def _show_report() -> None:
    report = st.session_state.get(REPORT_KEY)
    if not report:
        return
    if report["ok"]:
        st.success(f"{report['what']} stored: {report['message']}")
    else:
        n = len(report["problems"])
        st.error(
            f"{report['what']} not loaded: {n} problem(s) found. Nothing was stored or "
            "replaced; fix the file(s) and upload again."
        )
        st.dataframe(report["problems"], hide_index=True, width="stretch")
    if len(report["warnings"]):
        with st.expander(f"{len(report['warnings'])} warning(s) — not blocking"):
            st.dataframe(report["warnings"], hide_index=True, width="stretch")


session.require(Role.COORDINATOR)
mission = mission_state.current_mission()
info = mission_state.info()
st.title(mission.name)
st.caption(
    f"Stored mission #{info.id}, imported {info.created_at:%Y-%m-%d %H:%M} UTC by "
    f"{info.created_by}; teams, rules and targets at version {info.teams_version}."
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

with st.expander("Upload your own data (stored as a new mission once every check passes)"):
    package_tab, layers_tab = st.tabs(["Whole mission package", "Stations / TEC files"])
    with package_tab:
        st.caption(
            "A .zip holding mission.gpkg and mission.toml, or the .gpkg and its .toml together."
        )
        files = st.file_uploader(
            "Mission package", type=PACKAGE_TYPES, accept_multiple_files=True, key="package_files"
        )
        if st.button("Check and load package", disabled=not files):
            with page_errors("Reading the package"), st.spinner("Checking the package…"):
                result = load_package([Upload(f.name, f.getvalue()) for f in files])
                if result.ok:
                    new_id = mission_choice.store_mission(result.mission)
                    result.message = f"mission #{new_id}, {result.message}"
                _report(result, "Mission package")
                if result.ok:
                    st.rerun()
    with layers_tab:
        st.caption(
            f"Formats: {SUPPORTED_FORMATS}. Columns: see the README's data contracts. The "
            "mission with the new layers is stored as a new mission (with the same teams, "
            "rules and targets); the current one and its plans stay as they are."
        )
        stations_file = st.file_uploader("Stations file", type=STATION_TYPES, key="stations_file")
        tecs_file = st.file_uploader("TECs file", type=STATION_TYPES, key="tecs_file")
        if st.button("Check and replace", disabled=not (stations_file or tecs_file)):
            with page_errors("Reading the files"), st.spinner("Checking the files…"):
                result = replace_layers(
                    mission,
                    stations=Upload(stations_file.name, stations_file.getvalue())
                    if stations_file
                    else None,
                    commissions=Upload(tecs_file.name, tecs_file.getvalue()) if tecs_file else None,
                )
                if result.ok:
                    new_id = mission_choice.store_mission(result.mission)
                    result.message = f"mission #{new_id}, {result.message}"
                _report(result, "Stations/TECs")
                if result.ok:
                    st.rerun()
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
