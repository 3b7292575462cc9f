"""Map: AoRs, stations (visited ones by phase), TECs and every team's route — of the whole
mission for a coordinator, of their own areas for an LTO."""

from __future__ import annotations

import streamlit as st

from planner.maps.selection import area_commissions, area_stations
from planner.schedule import PHASES
from planner.store import Role
from planner.ui import report_state, session, travel_state, version_state
from planner.ui.filters import area_options, make_view, team_options
from planner.ui.widgets import map_with_details

session.require(Role.COORDINATOR, Role.LTO)
mission = report_state.working_mission()
version = version_state.current_version()
plan = version_state.plan_of(version) if version is not None else None
statuses = report_state.statuses()
st.title("Map")
if plan is None:
    st.info("No plan yet: the map shows the mission. Routes appear once a plan is made.")
elif version_state.is_stale(version):
    st.warning("Teams, rules or targets changed after this plan was made.")

areas = area_options(mission)
# Phases get a row of their own: five chips do not fit a quarter of a laptop screen.
cols = st.columns([3, 4, 2], vertical_alignment="bottom")
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
unvisited = cols[2].toggle(
    "Unvisited", value=True, key="map_unvisited", help="Also draw stations no team visits"
)
phases = st.multiselect(
    "Phases", list(PHASES), default=list(PHASES), key="map_phases", disabled=plan is None
)

view = make_view(
    area_id=area_id,
    team_ids=teams,
    phases=phases,
    unvisited=unvisited,
    statuses=statuses,
    plan=plan,
)
shown = area_stations(mission, area_id) if area_id else mission.stations
abroad = sum(1 for s in mission.stations if mission.area_of_station(s) is None)
routed = len(team_options(plan, area_id))
st.caption(
    f"Stations: {len(shown):,}"
    + (f" ({abroad} abroad, not on the map)" if abroad and area_id is None else "")
    + f" · TECs: {len(area_commissions(mission, area_id))} · Areas: "
    + f"{1 if area_id else len(mission.areas)} · Teams routed: {routed}"
)
if plan is not None and not view.show_numbers:
    st.caption("Numbered stops appear when you choose an area or teams.")
lines = travel_state.version_lines(version, plan) if version is not None and plan else None
map_with_details(mission, plan, view, key="plan_map", statuses=statuses, lines=lines)
