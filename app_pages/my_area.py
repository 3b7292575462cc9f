"""My area: the LTO's view of one AoR — teams, routes, schedules, stations, field reports,
and a re-plan of that area alone."""

from __future__ import annotations

import streamlit as st

from planner.maps import MapView
from planner.ui import state
from planner.ui.field import STATUS_HELP, STATUSES, FieldUpdate, check_update
from planner.ui.filters import area_options
from planner.ui.progress import job_outcome, job_progress
from planner.ui.replan import restrict_to_area
from planner.ui.tables import area_stations_table, area_tecs_table, teams_table, unvisited
from planner.ui.widgets import map_with_details, schedules

AREA_KEY = "my_area"

mission = state.working_mission()
plan = state.current_plan()
areas = area_options(mission)
st.title("My area")

remembered = st.session_state.get(AREA_KEY) or st.query_params.get("area")
area_id = st.pills(
    "Your area of responsibility",
    list(areas),
    format_func=lambda a: areas[a],
    default=remembered if remembered in areas else None,
    key="my_area_pick",
)
if area_id is None:
    st.info("Pick your area above to see its teams, routes and schedules.")
    st.stop()
st.session_state[AREA_KEY] = area_id
st.query_params["area"] = area_id
area = mission.area_by_id[area_id]

table = area_stations_table(mission, area_id, plan, state.statuses())
tecs = area_tecs_table(mission, area_id, plan)
routed = teams_table(plan, mission, area_id) if plan is not None else None
cols = st.columns(5)
cols[0].metric("Stations", f"{len(table):,}")
cols[1].metric("Voters", f"{int(table['voters'].sum()):,}")
cols[2].metric("TECs", len(tecs))
cols[3].metric("Teams routed", 0 if routed is None else len(routed))
cols[4].metric("Stations visited", int((table["visits"] != "").sum()))

if plan is None:
    st.info("No plan yet: the coordinator runs it on the Plan page. The map shows your area.")
elif state.plan_is_stale():
    st.warning("Teams, rules or targets changed after this plan was made.")

if plan is not None and routed is not None and len(routed):
    st.subheader("Teams")
    st.dataframe(routed.drop(columns=["area"]), hide_index=True, width="stretch")

st.subheader(f"{area.name}: map")
map_with_details(
    mission,
    plan,
    MapView(area_id=area_id, statuses=state.statuses()),
    key=f"area_map_{area_id}",
    height=520,
    statuses=state.statuses(),
)

if plan is not None:
    st.subheader("Team schedules")
    schedules(mission, plan, area_id)

stations_tab, unvisited_tab, tecs_tab = st.tabs(
    [f"Stations ({len(table)})", f"Unvisited ({len(unvisited(table))})", f"TECs ({len(tecs)})"]
)
stations_tab.dataframe(table, hide_index=True, width="stretch")
unvisited_tab.dataframe(unvisited(table), hide_index=True, width="stretch")
tecs_tab.dataframe(tecs, hide_index=True, width="stretch")

# --- Field reports and re-planning ----------------------------------------------------
st.subheader("Field reports")
st.caption(
    "Kept for this session. Closed and inaccessible stations are left out of every new "
    "plan; moved stations are planned at their new place."
)
options = {
    row.station_id: f"No. {row.no} · {row.name} ({row.station_id})" for row in table.itertuples()
}
with st.form(f"report_{area_id}", clear_on_submit=True):
    cols = st.columns([3, 1.2, 1, 1])
    station_id = cols[0].selectbox(
        "Station", list(options), format_func=options.get, index=None, placeholder="Choose…"
    )
    status = cols[1].selectbox("Status", STATUSES, format_func=lambda s: f"{s}: {STATUS_HELP[s]}")
    lat = cols[2].number_input("New latitude", value=None, format="%.5f", help="moved only")
    lon = cols[3].number_input("New longitude", value=None, format="%.5f", help="moved only")
    note = st.text_input("Note (what the field said)")
    if st.form_submit_button("Save report"):
        if station_id is None:
            st.error("Choose the station the report is about.")
        else:
            update = FieldUpdate(station_id, status, note.strip(), lat, lon)
            problems = check_update(update, state.current_mission())
            if problems:
                st.error("The report was not saved: " + "; ".join(problems))
            else:
                state.set_field_update(update)
                st.rerun()

reports = {sid: u for sid, u in state.field_updates().items() if sid in options}
if reports:
    st.dataframe(
        [
            {
                "station": options[sid],
                "status": u.status,
                "note": u.note,
                "new position": f"{u.lat:.5f}, {u.lon:.5f}" if u.lat is not None else "",
            }
            for sid, u in reports.items()
        ],
        hide_index=True,
        width="stretch",
    )
    remove = st.selectbox(
        "Withdraw a report",
        [None, *reports],
        format_func=lambda s: "—" if s is None else options[s],
    )
    if remove is not None and st.button("Withdraw"):
        state.clear_field_update(remove)
        st.rerun()

st.subheader("Re-plan this area")
running = state.job()
if plan is None:
    st.caption("Re-planning needs a plan for the whole mission first (Plan page).")
else:
    with st.form(f"replan_{area_id}"):
        cols = st.columns(2)
        seed = cols[0].number_input("Seed", min_value=0, value=int(plan.seed), step=1)
        limit = cols[1].number_input("Time limit (s)", min_value=1, max_value=600, value=10, step=1)
        go = st.form_submit_button(
            f"Re-plan {area_id} only", type="primary", disabled=running is not None
        )
    if go:
        try:
            restricted = restrict_to_area(mission, area_id)
        except ValueError as exc:
            st.error(f"Cannot re-plan: {exc}")
        else:
            state.start_job(
                restricted,
                time_limit_s=float(limit),
                seed=int(seed),
                workers=1,
                excluded=state.excluded(),
                areas=[area_id],
                meta={
                    "kind": "area",
                    "area_id": area_id,
                    "label": f"{area_id} re-planned, seed {int(seed)}",
                    "mission_version": state.mission_version(),
                },
            )
            st.rerun()
if state.job() is not None:
    job_progress(areas)
job_outcome()
