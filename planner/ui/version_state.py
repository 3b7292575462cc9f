"""The plan versions this browser session sees: which one it looks at, and its plan.

A version's plan is read from the store at each session's first view of it (the store
audits who viewed it) and kept once on the server for every session of the same scope
(`planner.ui.shared`); a comparison with the parent version is computed once per
session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from planner.schedule import Plan
from planner.store import (
    PlanVersionInfo,
    Role,
    TeamDiff,
    diff_versions,
    load_plan,
    plan_versions,
    published_version,
)
from planner.ui import mission_state, session
from planner.ui.memo import per_run
from planner.ui.shared import hold
from planner.ui.versions import plan_from_version

VERSION_KEY = "plan_version_pick"
PUBLISHED_SEEN_KEY = "published_version_seen"
PLAN_VIEWS_KEY = "plan_views"  # the versions this session has read (and been audited for)
PLAN_SLOT = "plan"
COMPARE_CACHE_KEY = "compare_cache"
# Dropped when the session switches to another mission.
MISSION_BOUND_KEYS = (VERSION_KEY, PLAN_VIEWS_KEY, COMPARE_CACHE_KEY, PUBLISHED_SEEN_KEY)


def versions() -> list[PlanVersionInfo]:
    """Versions the user may see, newest first (a team: the published one, if any)."""

    def read() -> list[PlanVersionInfo]:
        who = session.user()
        if who.role is Role.TEAM:
            found = mission_state.published()
            return [found] if found is not None else []
        return plan_versions(session.get_store(), mission_state.mission_id(), user=who)

    return per_run("versions", read)


def current_version(listed: list[PlanVersionInfo] | None = None) -> PlanVersionInfo | None:
    """The version this session looks at: the one picked, else the published one (what
    teams see), else the newest."""
    listed = versions() if listed is None else listed
    if not listed:
        return None
    picked = st.session_state.get(VERSION_KEY)
    default = published_of(listed) or listed[0]
    return next((v for v in listed if v.id == picked), default)


def published_of(listed: list[PlanVersionInfo]) -> PlanVersionInfo | None:
    """The current published version among `listed`: the one published last."""
    return max(
        (v for v in listed if v.published and v.published_at is not None),
        key=lambda v: v.published_at or 0,
        default=None,
    )


def remember_published(listed: list[PlanVersionInfo]) -> None:
    """Note which version was published when the page was drawn (`published_changed`)."""
    found = published_of(listed)
    st.session_state[PUBLISHED_SEEN_KEY] = found.id if found is not None else None


def published_changed() -> bool:
    """Whether another version was published since the page was drawn: one small read,
    made by an open page every few seconds, so a team's schedule appears without a click."""
    if PUBLISHED_SEEN_KEY not in st.session_state:
        return False
    found = published_version(session.get_store(), mission_state.mission_id(), user=session.user())
    now = found.id if found is not None else None
    if now == st.session_state[PUBLISHED_SEEN_KEY]:
        return False
    st.session_state[PUBLISHED_SEEN_KEY] = now  # the redraw shows it: no second rerun
    return True


def choose_version(version_id: int | None) -> None:
    st.session_state[VERSION_KEY] = version_id


def plan_of(version: PlanVersionInfo) -> Plan:
    """A version's plan as the user may see it: read (and audited) at the session's first
    view of the version; one copy on the server for every session of the same scope, and
    one version held per session (the one looked at)."""
    who = session.user()
    mission = mission_state.current_mission()
    key = ("plan", version.id, mission_state.mission_key())
    views: set[tuple[Any, ...]] = st.session_state.setdefault(PLAN_VIEWS_KEY, set())
    if key in views:
        stops = None
    else:
        stops = load_plan(session.get_store(), version.id, user=who)
        views.add(key)

    def read() -> Plan:
        found = stops if stops is not None else load_plan(session.get_store(), version.id, user=who)
        return plan_from_version(version, found, mission)

    return hold(PLAN_SLOT, key, read)


def version_by_id(version_id: int) -> PlanVersionInfo | None:
    return next((v for v in versions() if v.id == version_id), None)


def _compared(version: PlanVersionInfo, what: str, compute: Callable[[], Any]) -> Any:
    """A comparison of a version with its parent, computed once per session."""
    key = (what, version.id, version.parent_id, mission_state.mission_key())
    cache: dict[tuple[Any, ...], Any] = st.session_state.setdefault(COMPARE_CACHE_KEY, {})
    if key not in cache:
        if len(cache) > 8:
            cache.clear()
        cache[key] = compute()
    return cache[key]


def previous_plan(version: PlanVersionInfo) -> Plan | None:
    """The plan the version was made from (its parent), read without a second audit."""
    parent = version_by_id(version.parent_id) if version.parent_id is not None else None
    if parent is None:
        return None

    def read() -> Plan:
        stops = load_plan(session.get_store(), parent.id, user=session.user(), record=False)
        return plan_from_version(parent, stops, mission_state.current_mission())

    return _compared(version, "previous", read)


def changes(version: PlanVersionInfo) -> dict[str, TeamDiff] | None:
    """Per team, the stations and TECs added and dropped since the version's parent (as
    the user may see them)."""
    if version.parent_id is None:
        return None
    parent = version.parent_id
    return _compared(
        version,
        "changes",
        lambda: diff_versions(session.get_store(), parent, version.id, user=session.user()),
    )


def is_stale(version: PlanVersionInfo | None) -> bool:
    """Whether teams, rules or targets were changed after the version was made."""
    if version is None:
        return False
    made_for = version.parameters.get("edit_version")
    return made_for is not None and int(made_for) != mission_state.edit_version()
