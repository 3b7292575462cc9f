"""Export: the plan as files, one download button per format — the whole mission for a
coordinator, their own areas' teams for an LTO."""

from __future__ import annotations

import streamlit as st

from planner.store import Action, Role, audit
from planner.ui import mission_state, session, travel_state, version_state
from planner.ui.downloads import ExportSource, downloads_for
from planner.ui.widgets import download_buttons

who = session.require(Role.COORDINATOR, Role.LTO)
mission = mission_state.current_mission()
version = version_state.current_version()
plan = version_state.plan_of(version) if version is not None else None
st.title("Export")
if plan is None:
    st.info("No plan yet: once a plan is made, download it here.")
    st.stop()
teams = sorted({s.team_id for s in plan.stops})
scope = "every area" if who.role is Role.COORDINATOR else ", ".join(sorted(who.area_ids))
st.caption(
    f"Plan {version.name} ({'published' if version.published else 'not published'}), "
    f"{len(teams)} team(s) of {scope}. The packs are prepared as this page opens, the other "
    "files when you click; all are confidential until election day, and each download is "
    "logged."
)
if version_state.is_stale(version):
    st.warning("Teams, rules or targets changed after this plan was made.")

store, mission_id = session.get_store(), mission_state.mission_id()


def record(detail: dict) -> None:
    audit(store, Action.EXPORT_DOWNLOADED, user=who, mission_id=mission_id, detail=detail)


download_buttons(
    downloads_for(who.role.value),
    ExportSource(
        plan,
        mission,
        version_id=version.id,
        digest=version.digest,
        lines=travel_state.version_lines(version, plan),
    ),
    record,
    key=f"download_v{version.id}",
)
