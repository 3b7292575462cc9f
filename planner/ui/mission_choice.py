"""Switching the mission this browser session works on: a stored one, a new upload, or a
shipped package. A switch drops what the session kept of the old mission: its plan
version choice, cached plans and comparisons, and a planning job still running."""

from __future__ import annotations

import streamlit as st

from planner.datasets import DEFAULT_MISSION, GEODATA_DIR, get_path
from planner.geodata import load_mission as load_package
from planner.model import Mission
from planner.settings import read_settings
from planner.store import import_mission
from planner.ui import job_state, mission_state, report_state, session, version_state
from planner.ui.memo import forget_run_memo
from planner.ui.shared import let_go


def choose_mission(new_id: int) -> None:
    """Work on another stored mission: plan choices and caches of the old one go."""
    if st.session_state.get(mission_state.MISSION_KEY) == new_id:
        return
    job_state.cancel_job()
    forget_run_memo()
    st.session_state[mission_state.MISSION_KEY] = new_id
    for key in version_state.MISSION_BOUND_KEYS:
        st.session_state.pop(key, None)
    let_go(*report_state.MISSION_BOUND_SLOTS)
    st.session_state.pop(job_state.JOB_RESULT_KEY, None)


@st.cache_data(show_spinner=False)
def shipped_missions() -> dict[str, str]:
    """Shipped mission packages: directory name -> mission name (default first)."""
    names: dict[str, str] = {}
    for gpkg in sorted(GEODATA_DIR.glob("*/mission.gpkg")):
        try:
            title = read_settings(gpkg.parent / "mission.toml").name
        except ValueError:
            title = gpkg.parent.name
        names[gpkg.parent.name] = title
    ordered = sorted(names, key=lambda n: (n != DEFAULT_MISSION, n))
    return {n: names[n] for n in ordered}


def store_mission(mission: Mission) -> int:
    """Store a checked mission (one transaction: all of it or nothing) and work on it."""
    new_id = import_mission(session.get_store(), mission, user=session.user())
    choose_mission(new_id)
    return new_id


def use_shipped(name: str) -> int:
    """Work on a shipped mission package: the stored copy if there is one, else it is
    stored now."""
    title = shipped_missions().get(name, name)
    stored = [m for m in mission_state.missions() if m.name == title]
    if stored:
        choose_mission(stored[0].id)
        return stored[0].id
    return store_mission(load_package(get_path(name)))
