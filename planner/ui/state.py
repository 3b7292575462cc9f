"""The app's session: the mission, the plans, field reports and a running planning job.

Everything lives in `st.session_state`, so moving between pages never reloads or
re-solves: shipped missions are loaded once per server (`st.cache_resource`), a plan is
made once and kept until the coordinator makes another. Each change to the mission bumps
a version; a plan remembers the version it was made for, so pages can say it is stale.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from planner.datasets import DEFAULT_MISSION, GEODATA_DIR, get_path
from planner.geodata import load_mission
from planner.model import Mission
from planner.plan import Plan
from planner.settings import read_settings
from planner.ui.field import FieldUpdate, apply_updates, excluded_stations
from planner.ui.jobs import SolveJob
from planner.ui.replan import splice

MISSION_KEY = "mission"
MISSION_SOURCE_KEY = "mission_source"
MISSION_VERSION_KEY = "mission_version"
PLAN_KEY = "plan_record"
PREVIOUS_PLAN_KEY = "previous_plan_record"
FIELD_KEY = "field_updates"
JOB_KEY = "solve_job"
JOB_RESULT_KEY = "solve_job_result"


@dataclass(frozen=True)
class PlanRecord:
    """A plan and what it was made from."""

    plan: Plan
    mission_version: int
    label: str
    made_at: float = field(default_factory=time.time)

    @property
    def made_at_text(self) -> str:
        return time.strftime("%H:%M:%S", time.localtime(self.made_at))


# ---------------------------------------------------------------------------------------
# Mission
# ---------------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Loading mission…")
def _load_cached(path: str, mtime: float) -> Mission:
    del mtime  # part of the cache key: a changed file is reloaded
    return load_mission(Path(path))


def load_shipped(path: Path) -> Mission:
    gpkg = path / "mission.gpkg"
    return _load_cached(str(path), gpkg.stat().st_mtime)


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


def current_mission() -> Mission:
    """The mission this session works on; the Kazakhstan default until another is chosen."""
    if MISSION_KEY not in st.session_state:
        st.session_state[MISSION_KEY] = load_shipped(get_path())
        st.session_state[MISSION_SOURCE_KEY] = "Kazakhstan 2022 (default)"
        st.session_state[MISSION_VERSION_KEY] = 1
    return st.session_state[MISSION_KEY]


def mission_version() -> int:
    current_mission()
    return int(st.session_state.get(MISSION_VERSION_KEY, 1))


def use_shipped(name: str) -> Mission:
    """Switch to a shipped mission package (clears plans and field reports)."""
    mission = load_shipped(get_path(name))
    set_mission(mission, f"{shipped_missions().get(name, name)} (shipped: {name})")
    return mission


def set_mission(mission: Mission, source: str) -> None:
    """A different mission: plans, reports and any running job belong to the old one."""
    cancel_job()
    st.session_state[MISSION_KEY] = mission
    st.session_state[MISSION_SOURCE_KEY] = source
    st.session_state[MISSION_VERSION_KEY] = mission_version_next()
    for key in (PLAN_KEY, PREVIOUS_PLAN_KEY, FIELD_KEY, JOB_RESULT_KEY):
        st.session_state.pop(key, None)


def update_mission(mission: Mission) -> None:
    """The same mission with edited teams, rules or targets: plans are kept (marked stale)."""
    st.session_state[MISSION_KEY] = mission
    st.session_state[MISSION_VERSION_KEY] = mission_version_next()


def mission_version_next() -> int:
    return int(st.session_state.get(MISSION_VERSION_KEY, 0)) + 1


def mission_source() -> str:
    return st.session_state.get(MISSION_SOURCE_KEY, "")


# ---------------------------------------------------------------------------------------
# Field reports (closed / moved / inaccessible stations), kept for this session
# ---------------------------------------------------------------------------------------


def field_updates() -> dict[str, FieldUpdate]:
    return st.session_state.setdefault(FIELD_KEY, {})


def set_field_update(update: FieldUpdate) -> None:
    updates = dict(field_updates())
    updates[update.station_id] = update
    st.session_state[FIELD_KEY] = updates


def clear_field_update(station_id: str) -> None:
    updates = dict(field_updates())
    updates.pop(station_id, None)
    st.session_state[FIELD_KEY] = updates


def working_mission() -> Mission:
    """The mission with the field reports applied (moved stations at their new place)."""
    return apply_updates(current_mission(), field_updates())


def excluded() -> frozenset[str]:
    """Stations reported closed or inaccessible: never routed to."""
    return excluded_stations(field_updates())


def statuses() -> dict[str, str]:
    return {sid: u.status for sid, u in field_updates().items()}


# ---------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------


def current_record() -> PlanRecord | None:
    return st.session_state.get(PLAN_KEY)


def previous_record() -> PlanRecord | None:
    return st.session_state.get(PREVIOUS_PLAN_KEY)


def current_plan() -> Plan | None:
    record = current_record()
    return record.plan if record else None


def plan_is_stale() -> bool:
    record = current_record()
    return record is not None and record.mission_version != mission_version()


def set_plan(plan: Plan, label: str, *, version: int | None = None) -> PlanRecord:
    """Keep `plan` as the current plan; the one it replaces becomes the previous plan.

    `version`: the mission version the plan was made for (default: the current one).
    """
    old = current_record()
    if old is not None:
        st.session_state[PREVIOUS_PLAN_KEY] = old
    record = PlanRecord(plan, mission_version() if version is None else version, label)
    st.session_state[PLAN_KEY] = record
    return record


# ---------------------------------------------------------------------------------------
# The background planning job
# ---------------------------------------------------------------------------------------


def job() -> SolveJob | None:
    return st.session_state.get(JOB_KEY)


def start_job(mission: Mission, **kwargs: Any) -> SolveJob:
    cancel_job()
    st.session_state.pop(JOB_RESULT_KEY, None)
    running = SolveJob(mission, **kwargs)
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


def collect_job() -> str | None:
    """Take a finished job's plan into the session; returns its end state, or None."""
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
        if meta.get("mission_version") != mission_version() and meta.get("kind") == "area":
            result["state"] = "failed"
            result["error"] = "the mission changed while this area was re-planned; run it again"
        elif meta.get("kind") == "area":
            base = current_plan()
            if base is None:
                result["state"] = "failed"
                result["error"] = "there is no plan to put the area's new routes into"
            else:
                record = current_record()
                set_plan(
                    splice(base, status.plan, meta["area_id"]),
                    meta.get("label", "area"),
                    version=record.mission_version if record else None,
                )
        else:
            set_plan(status.plan, meta.get("label", "plan"), version=meta.get("mission_version"))
    st.session_state[JOB_RESULT_KEY] = result
    return result["state"]
