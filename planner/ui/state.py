"""The app's session over the mission store: which mission and plan version this browser
session looks at, as the signed-in user may see them, and a running planning job.

Everything that matters lives in the store (missions, teams, rules, targets, plan
versions, field reports); the session keeps only choices (mission, version) and caches.
Every read goes through a store call with the signed-in user, so a page only ever gets
what that user may see. Reads are cached: a mission by its edit version and the reader's
scope (shared by sessions of the same scope), a plan version per session (each session's
first view of a version is audited by the store).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from planner.datasets import DEFAULT_MISSION, GEODATA_DIR, get_path
from planner.geodata import load_mission as load_package
from planner.model import Mission
from planner.schedule import Plan
from planner.settings import read_settings
from planner.store import (
    CurrentUser,
    FieldUpdateRecord,
    MissionInfo,
    PlanningInputs,
    PlanVersionInfo,
    Role,
    Store,
    StoreError,
    diff_versions,
    field_updates,
    import_mission,
    list_missions,
    load_mission,
    load_plan,
    mission_info,
    plan_versions,
    planning_inputs,
    published_version,
    save_plan,
)
from planner.store.field import STATION_KINDS, apply_reports
from planner.ui import session
from planner.ui.jobs import SolveJob
from planner.ui.versions import plan_from_version

MISSION_KEY = "mission_id"
VERSION_KEY = "plan_version_pick"
PLAN_CACHE_KEY = "plan_cache"
COMPARE_CACHE_KEY = "compare_cache"
WORKING_KEY = "working_mission"
SAVED_KEY = "saved_version"
JOB_KEY = "solve_job"
JOB_RESULT_KEY = "solve_job_result"
RUN_MEMO_KEY = "_run_memo"


# ---------------------------------------------------------------------------------------
# Who and where
# ---------------------------------------------------------------------------------------


def per_run(name: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per script run (each rerun asks again)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return compute()
    memo = st.session_state.get(RUN_MEMO_KEY)
    if memo is None or memo[0] is not ctx.cursors:  # Streamlit starts each run afresh
        memo = (ctx.cursors, {})
        st.session_state[RUN_MEMO_KEY] = memo
    if name not in memo[1]:
        memo[1][name] = compute()
    return memo[1][name]


def forget_run_memo() -> None:
    st.session_state.pop(RUN_MEMO_KEY, None)


def store() -> Store:
    return session.get_store()


def signed_in() -> CurrentUser | None:
    """The signed-in user, checked against the store once per rerun (None: nobody)."""
    return per_run("user", lambda: session.signed_in(store()))


def user() -> CurrentUser:
    """The signed-in user, checked against the store on this rerun; a page run without
    one stops with a message (the app shows the sign-in page instead)."""
    current = signed_in()
    if current is None:
        st.warning("Sign in first.")
        st.stop()
    return current


def require(*roles: Role) -> CurrentUser:
    """The signed-in user, if their role may open this page; else a message and stop."""
    current = user()
    if current.role not in roles:
        st.error("This page is not available to your account.")
        st.stop()
    return current


# ---------------------------------------------------------------------------------------
# Missions
# ---------------------------------------------------------------------------------------


def missions() -> list[MissionInfo]:
    return list_missions(store(), user=user())


def _default_mission(visible: list[MissionInfo], who: CurrentUser) -> int:
    """The mission whose plan was published last; else the first one stored."""
    latest: tuple[Any, int] | None = None
    for m in visible:
        published = published_version(store(), m.id, user=who)
        when = published.published_at if published is not None else None
        if when is not None and (latest is None or when > latest[0]):
            latest = (when, m.id)
    return latest[1] if latest is not None else visible[0].id


def mission_id() -> int:
    """The mission this session works on (chosen, or the default); stops the page with a
    message when there is none the user may see."""
    who = user()
    chosen = st.session_state.get(MISSION_KEY)
    if chosen is not None and (who.mission_id is None or who.mission_id == chosen):
        return int(chosen)
    visible = list_missions(store(), user=who)
    if not visible:
        st.info("No mission is stored yet. A coordinator loads one on the Mission page.")
        st.stop()
    picked = who.mission_id if who.mission_id is not None else _default_mission(visible, who)
    st.session_state[MISSION_KEY] = picked
    return picked


def choose_mission(new_id: int) -> None:
    """Work on another stored mission: plan choices and caches of the old one go."""
    if st.session_state.get(MISSION_KEY) == new_id:
        return
    cancel_job()
    forget_run_memo()
    st.session_state[MISSION_KEY] = new_id
    for key in (
        VERSION_KEY,
        PLAN_CACHE_KEY,
        COMPARE_CACHE_KEY,
        WORKING_KEY,
        SAVED_KEY,
        JOB_RESULT_KEY,
    ):
        st.session_state.pop(key, None)


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
    new_id = import_mission(store(), mission, user=user())
    choose_mission(new_id)
    return new_id


def use_shipped(name: str) -> int:
    """Work on a shipped mission package: the stored copy if there is one, else it is
    stored now."""
    title = shipped_missions().get(name, name)
    stored = [m for m in missions() if m.name == title]
    if stored:
        choose_mission(stored[0].id)
        return stored[0].id
    return store_mission(load_package(get_path(name)))


def info() -> MissionInfo:
    return per_run("mission_info", lambda: mission_info(store(), mission_id(), user=user()))


def edit_version() -> int:
    """The version of the mission's teams, rules and targets now."""
    return info().teams_version


def _scope(who: CurrentUser) -> tuple:
    return (who.role.value, tuple(sorted(who.area_ids)), who.team_id, who.mission_id)


@st.cache_resource(show_spinner="Loading the mission…", max_entries=16, ttl=3600)
def _scoped_mission(
    url: str, mid: int, version: int, scope: tuple, published: int | None, _who: CurrentUser
) -> Mission:
    """The mission as everyone of `scope` sees it (the store filters it for `_who`)."""
    del url, version, scope, published  # the cache key
    return load_mission(session.get_store(), mid, user=_who)


def _mission_key() -> tuple:
    who = user()
    mid = mission_id()
    published = None
    if who.role is Role.TEAM:
        listed = versions()
        published = listed[0].id if listed else None
    return (store().url, mid, edit_version(), _scope(who), published)


def current_mission() -> Mission:
    """The mission as the signed-in user may see it (their AoRs only for an LTO; their
    own team and schedule sites for a team)."""
    return _scoped_mission(*_mission_key(), user())


def mission_name() -> str:
    return info().name


# ---------------------------------------------------------------------------------------
# Field reports (stored; closed / moved / inaccessible stations, closed roads, notes)
# ---------------------------------------------------------------------------------------


def reports(*, areas: Iterable[str] | None = None) -> list[FieldUpdateRecord]:
    """Reports that still count (open or applied), within the user's scope; none for a
    team account (which may not read them)."""
    who = user()
    if who.role is Role.TEAM:
        return []
    wanted = None if areas is None else sorted(set(areas))
    return per_run(
        f"reports:{wanted}",
        lambda: field_updates(
            store(), mission_id(), user=who, status=("open", "applied"), areas=wanted
        ),
    )


def statuses() -> dict[str, str]:
    """Station id -> closed | moved | inaccessible (the latest report wins)."""
    out: dict[str, str] = {}
    for r in sorted(reports(), key=lambda r: r.id):
        if r.station_id is not None and r.kind in STATION_KINDS:
            out[r.station_id] = STATION_KINDS[r.kind]
    return out


def working_mission() -> Mission:
    """The mission with moved stations at their reported place (the same object when no
    station was reported moved)."""
    mission = current_mission()
    found = reports()
    moved = tuple((r.id, r.lat, r.lon) for r in found if r.kind == "station_moved")
    key = (_mission_key(), moved)
    cached = st.session_state.get(WORKING_KEY)
    if cached is not None and cached[0] == key:
        return cached[1]
    working = apply_reports(mission, found)[0] if moved else mission
    st.session_state[WORKING_KEY] = (key, working)
    return working


def excluded() -> frozenset[str]:
    """Stations reported closed or inaccessible: never routed to."""
    return frozenset(s for s, status in statuses().items() if status != "moved")


def inputs(areas: Iterable[str] | None = None) -> PlanningInputs:
    """What a (re-)plan starts from, read in one snapshot."""
    return planning_inputs(store(), mission_id(), user=user(), areas=areas)


# ---------------------------------------------------------------------------------------
# Plan versions
# ---------------------------------------------------------------------------------------


def versions() -> list[PlanVersionInfo]:
    """Versions the user may see, newest first (a team: the published one, if any)."""

    def read() -> list[PlanVersionInfo]:
        who = user()
        if who.role is Role.TEAM:
            found = published_version(store(), mission_id(), user=who)
            return [found] if found is not None else []
        return plan_versions(store(), mission_id(), user=who)

    return per_run("versions", read)


def current_version(listed: list[PlanVersionInfo] | None = None) -> PlanVersionInfo | None:
    """The version this session looks at: the one picked, else the newest (a team: the
    current published one)."""
    listed = versions() if listed is None else listed
    if not listed:
        return None
    picked = st.session_state.get(VERSION_KEY)
    return next((v for v in listed if v.id == picked), listed[0])


def choose_version(version_id: int | None) -> None:
    st.session_state[VERSION_KEY] = version_id


def plan_of(version: PlanVersionInfo) -> Plan:
    """A version's plan as the user may see it; read once per session and version."""
    key = (version.id, _mission_key())
    cache: dict = st.session_state.setdefault(PLAN_CACHE_KEY, {})
    if key not in cache:
        stops = load_plan(store(), version.id, user=user())
        cache.clear()  # keep one version per session: the one looked at
        cache[key] = plan_from_version(version, stops, current_mission())
    return cache[key]


def current_plan() -> Plan | None:
    version = current_version()
    return plan_of(version) if version is not None else None


def version_by_id(version_id: int) -> PlanVersionInfo | None:
    return next((v for v in versions() if v.id == version_id), None)


def _compared(version: PlanVersionInfo, what: str, compute: Callable[[], Any]) -> Any:
    """A comparison of a version with its parent, computed once per session."""
    key = (what, version.id, version.parent_id, _mission_key())
    cache: dict = st.session_state.setdefault(COMPARE_CACHE_KEY, {})
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
        stops = load_plan(store(), parent.id, user=user(), record=False)
        return plan_from_version(parent, stops, current_mission())

    return _compared(version, "previous", read)


def changes(version: PlanVersionInfo) -> dict | None:
    """Per team, the stations and TECs added and dropped since the version's parent (as
    the user may see them)."""
    if version.parent_id is None:
        return None
    parent = version.parent_id
    return _compared(
        version, "changes", lambda: diff_versions(store(), parent, version.id, user=user())
    )


def is_stale(version: PlanVersionInfo | None) -> bool:
    """Whether teams, rules or targets were changed after the version was made."""
    if version is None:
        return False
    made_for = version.parameters.get("edit_version")
    return made_for is not None and int(made_for) != edit_version()


def last_saved() -> dict[str, Any] | None:
    """The version this session saved last: {version, parent, kind, area_id}."""
    return st.session_state.get(SAVED_KEY)


# ---------------------------------------------------------------------------------------
# The background planning job; its plan is saved as a new version when it ends
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobPlan:
    """What a job plans and how its result is saved."""

    kind: str  # plan | area
    label: str
    parent: int | None
    areas: tuple[str, ...] | None = None
    applied_updates: tuple[int, ...] = ()


def job() -> SolveJob | None:
    return st.session_state.get(JOB_KEY)


def start_job(mission: Mission, what: JobPlan, **kwargs: Any) -> SolveJob:
    cancel_job()
    st.session_state.pop(JOB_RESULT_KEY, None)
    meta = {
        "kind": what.kind,
        "label": what.label,
        "parent": what.parent,
        "areas": list(what.areas) if what.areas is not None else None,
        "area_id": what.areas[0] if what.areas else None,
        "applied_updates": list(what.applied_updates),
        "mission_id": mission_id(),
        "edit_version": edit_version(),
        "started_at": time.time(),
    }
    running = SolveJob(mission, meta=meta, **kwargs)
    st.session_state[JOB_KEY] = running
    return running


def cancel_job(*, reason: str | None = None) -> None:
    """Stop the running job, if any; with a `reason`, the page reports it as cancelled."""
    running = st.session_state.pop(JOB_KEY, None)
    if running is not None:
        status = running.cancel()
        if reason is not None:
            st.session_state[JOB_RESULT_KEY] = {
                "state": "cancelled",
                "error": reason,
                "elapsed_s": round(status.elapsed_s, 1),
                **running.meta,
            }


def job_result() -> dict[str, Any] | None:
    """How the last finished job ended (state, message, what it was), until the next one."""
    return st.session_state.get(JOB_RESULT_KEY)


def _save(plan: Plan, meta: dict[str, Any]) -> int:
    return save_plan(
        store(),
        int(meta["mission_id"]),
        plan,
        user=user(),
        parent=meta.get("parent"),
        areas=meta.get("areas"),
        applied_updates=meta.get("applied_updates") or (),
        parameters={
            "label": meta.get("label", ""),
            "kind": meta.get("kind", "plan"),
            "edit_version": meta.get("edit_version"),
        },
    )


def collect_job() -> str | None:
    """Save a finished job's plan as a new version (and look at it); returns how the job
    ended, or None while it runs. A failed solve or save stores nothing."""
    running = job()
    if running is None:
        return None
    status = running.poll()
    if not status.finished:
        return None
    st.session_state.pop(JOB_KEY, None)
    meta = running.meta
    result: dict[str, Any] = {
        "state": status.state,
        "error": status.error,
        "elapsed_s": round(status.elapsed_s, 1),
        **meta,
    }
    if status.state == "done" and status.plan is not None:
        try:
            version_id = _save(status.plan, meta)
        except (StoreError, PermissionError, ValueError) as exc:
            result["state"] = "failed"
            result["error"] = f"the plan could not be saved ({exc}); nothing was stored"
        else:
            forget_run_memo()
            result["version"] = version_id
            st.session_state[SAVED_KEY] = {
                "version": version_id,
                "parent": meta.get("parent"),
                "kind": meta.get("kind"),
                "area_id": meta.get("area_id"),
                "mission_id": meta.get("mission_id"),
            }
            if meta.get("mission_id") == st.session_state.get(MISSION_KEY):
                choose_version(version_id)
    st.session_state[JOB_RESULT_KEY] = result
    return result["state"]
