"""My schedule (team accounts): the team's own day in the current published plan, as a
table and a small map, and its own files."""

from __future__ import annotations

import streamlit as st

from planner.escaping import markdown_text
from planner.maps.selection import MapView
from planner.store import Action, Role, audit
from planner.ui import mission_state, session, travel_state, version_state
from planner.ui.downloads import ExportSource, downloads_for
from planner.ui.tables import schedule_table, without_empty_estimates
from planner.ui.widgets import download_buttons, map_with_details

who = session.require(Role.TEAM)
team_id = who.team_id or ""
st.title("My schedule")
version = version_state.current_version()
if version is None:
    st.info(
        f"No plan has been published yet, so team {markdown_text(team_id)} has no schedule. It "
        "appears "
        "here as soon as the coordinator publishes the plan."
    )
    st.stop()

mission = mission_state.current_mission()
plan = version_state.plan_of(version)
stops = sorted(plan.stops_of(team_id), key=lambda s: s.seq)
published = f"{version.published_at:%Y-%m-%d %H:%M} UTC" if version.published_at else ""
st.caption(
    f"Team {markdown_text(team_id)} · published plan {markdown_text(version.name)} · "
    f"published {published}"
)
if not stops:
    st.info(
        f"Team {markdown_text(team_id)} has no stops in the published plan. Ask your coordinator."
    )
    st.stop()

team = next((t for t in mission.teams if t.team_id == team_id), None)
visits = [s for s in stops if s.site_type != "base"]
cols = st.columns(4)
cols[0].metric("Stops", len(visits))
cols[1].metric("Voting visits", sum(1 for s in stops if s.phase == "voting"))
cols[2].metric("Leave base", f"{stops[0].depart:%H:%M}")
back = stops[-1].arrive
next_day = " (+1 day)" if back.date() > stops[0].depart.date() else ""
cols[3].metric("Back at base", f"{back:%H:%M}{next_day}")
if team is not None:
    st.caption(f"Base: {markdown_text(team.base_name)}. Times are local to each stop.")

table = without_empty_estimates(schedule_table(stops, mission))
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=35 * (len(table) + 1) + 3,
    column_config={"stop": st.column_config.NumberColumn("#", width=40)},
)

st.subheader("Route")
map_with_details(
    mission,
    plan,
    MapView(team_ids=frozenset({team_id}), numbered=True),
    key="team_map",
    height=420,
    lines=travel_state.version_lines(version, plan),
)

st.subheader("Files")
store, mission_id = session.get_store(), mission_state.mission_id()


def record(detail: dict) -> None:
    audit(store, Action.EXPORT_DOWNLOADED, user=who, mission_id=mission_id, detail=detail)


download_buttons(
    downloads_for(who.role.value),
    ExportSource(
        plan,
        mission,
        team_id=team_id,
        version_id=version.id,
        digest=version.digest,
        lines=travel_state.version_lines(version, plan),
    ),
    record,
    key=f"team_download_v{version.id}",
)
