"""The mission this browser session works on, as the signed-in user may see it.

The session keeps only the choice (`mission_id`); the mission itself is read from the
store and shared by its edit version and the reader's scope (`planner.ui.shared`), so
sessions of the same scope share one copy, released when the last of them closes, and
an edit by anyone is seen at the next rerun.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from planner.model import Mission
from planner.store import (
    CurrentUser,
    MissionInfo,
    PlanVersionInfo,
    Role,
    list_missions,
    load_mission,
    mission_info,
    published_version,
)
from planner.ui import session
from planner.ui.memo import per_run
from planner.ui.shared import hold

MISSION_KEY = "mission_id"
MISSION_SLOT = "mission"


def missions() -> list[MissionInfo]:
    return list_missions(session.get_store(), user=session.user())


def _default_mission(visible: list[MissionInfo], who: CurrentUser) -> int:
    """The mission whose plan was published last; else the first one stored."""
    latest: tuple[Any, int] | None = None
    for m in visible:
        published = published_version(session.get_store(), m.id, user=who)
        when = published.published_at if published is not None else None
        if when is not None and (latest is None or when > latest[0]):
            latest = (when, m.id)
    return latest[1] if latest is not None else visible[0].id


def mission_id() -> int:
    """The mission this session works on (chosen, or the default); stops the page with a
    message when there is none the user may see."""
    who = session.user()
    chosen = st.session_state.get(MISSION_KEY)
    if chosen is not None and (who.mission_id is None or who.mission_id == chosen):
        return int(chosen)
    visible = list_missions(session.get_store(), user=who)
    if not visible:
        st.info("No mission is stored yet. A coordinator loads one on the Mission page.")
        st.stop()
    picked = who.mission_id if who.mission_id is not None else _default_mission(visible, who)
    st.session_state[MISSION_KEY] = picked
    return picked


def info() -> MissionInfo:
    return per_run(
        "mission_info",
        lambda: mission_info(session.get_store(), mission_id(), user=session.user()),
    )


def mission_name() -> str:
    return info().name


def edit_version() -> int:
    """The version of the mission's teams, rules and targets now."""
    return info().teams_version


def published() -> PlanVersionInfo | None:
    """The mission's current published plan version, as the user may see it."""
    return per_run(
        "published",
        lambda: published_version(session.get_store(), mission_id(), user=session.user()),
    )


def _scope(who: CurrentUser) -> tuple[Any, ...]:
    return (who.role.value, tuple(sorted(who.area_ids)), who.team_id, who.mission_id)


def mission_key() -> tuple[Any, ...]:
    """What the user's view of the mission depends on: store, mission, edit version,
    scope, and for a team the published version (its schedule's sites)."""
    who = session.user()
    mid = mission_id()
    version = None
    if who.role is Role.TEAM:
        current = published()
        version = current.id if current is not None else None
    return (session.get_store().url, mid, edit_version(), _scope(who), version)


def current_mission() -> Mission:
    """The mission as the signed-in user may see it (their AoRs only for an LTO; their
    own team and schedule sites for a team)."""
    key = mission_key()
    who = session.user()
    return hold(
        MISSION_SLOT,
        ("mission", *key),
        lambda: load_mission(session.get_store(), key[1], user=who),
        spinner="Loading the mission…",
    )
