"""Map: AoRs, stations (visited ones by phase), TECs and every team's route."""

from __future__ import annotations

import streamlit as st

from planner.maps import PHASES
from planner.ui import state
from planner.ui.filters import area_options, make_view, team_options
from planner.ui.widgets import map_with_details

mission = state.working_mission()
plan = state.current_plan()
st.title("Map")
if plan is None:
    st.info("No plan yet: the map shows the mission. Run one on the Plan page to see routes.")
elif state.plan_is_stale():
    st.warning("Teams, rules or targets changed after this plan was made.")

areas = area_options(mission)
cols = st.columns([2, 3, 3, 1.4])
area_id = cols[0].selectbox(
    "Area (AoR)",
    [None, *areas],
    format_func=lambda a: "All areas" if a is None else areas[a],
    key="map_area",
)
teams = cols[1].multiselect(
    "Teams",
    team_options(plan, area_id),
    placeholder="All teams" + (" of the area" if area_id else ""),
    key=f"map_teams_{area_id}",
    disabled=plan is None,
)
phases = cols[2].multiselect(
    "Phases", list(PHASES), default=list(PHASES), key="map_phases", disabled=plan is None
)
unvisited = cols[3].toggle(
    "Unvisited", value=True, key="map_unvisited", help="Also draw stations no team visits"
)

view = make_view(
    area_id=area_id,
    team_ids=teams,
    phases=phases,
    unvisited=unvisited,
    statuses=state.statuses(),
    plan=plan,
)
if plan is not None and not view.show_numbers:
    st.caption("Numbered stops appear when you choose an area or teams.")
map_with_details(mission, plan, view, key="plan_map", statuses=state.statuses())
