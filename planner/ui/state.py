"""The app's session: which mission is loaded, cached so moving between pages is instant."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from planner.datasets import get_path
from planner.geodata import load_mission
from planner.model import Mission

MISSION_KEY = "mission"
MISSION_SOURCE_KEY = "mission_source"


@st.cache_resource(show_spinner="Loading mission…")
def _load_cached(path: str, mtime: float) -> Mission:
    del mtime  # part of the cache key: a changed file is reloaded
    return load_mission(Path(path))


def load_shipped(path: Path) -> Mission:
    gpkg = path / "mission.gpkg"
    return _load_cached(str(path), gpkg.stat().st_mtime)


def current_mission() -> Mission:
    """The mission this session works on; the Kazakhstan default until one is uploaded."""
    if MISSION_KEY not in st.session_state:
        st.session_state[MISSION_KEY] = load_shipped(get_path())
        st.session_state[MISSION_SOURCE_KEY] = "Kazakhstan 2022 (default)"
    return st.session_state[MISSION_KEY]


def set_mission(mission: Mission, source: str) -> None:
    st.session_state[MISSION_KEY] = mission
    st.session_state[MISSION_SOURCE_KEY] = source


def mission_source() -> str:
    return st.session_state.get(MISSION_SOURCE_KEY, "")
