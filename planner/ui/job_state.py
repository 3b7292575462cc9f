"""This browser session's background planning job; its plan is saved as a new version
when it ends."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import streamlit as st

from planner.check import check_plan, check_record
from planner.churn import with_churn
from planner.model import Mission
from planner.repair import merge_saved
from planner.schedule import Plan
from planner.store import StoreError, save_plan
from planner.ui import mission_state, session, version_state
from planner.ui.job_files import dismiss, interrupted_runs, jobs_root
from planner.ui.jobs import SolveJob
from planner.ui.memo import forget_run_memo

JOB_KEY = "solve_job"
JOB_RESULT_KEY = "solve_job_result"


@dataclass(frozen=True)
class JobPlan:
    """What a job plans and how its result is saved."""

    kind: str  # plan | area
    label: str
    parent: int | None
    areas: tuple[str, ...] | None = None
    applied_updates: tuple[int, ...] = ()
    # A re-plan of some of an area's teams: the other teams' stops, saved unchanged.
    kept_stops: tuple[Any, ...] = ()
    # The re-planned area's stops before the re-plan: the new version reports its churn.
    before_stops: tuple[Any, ...] = ()


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
        "kept_stops": list(what.kept_stops),
        "before_stops": list(what.before_stops),
        "mission_id": mission_state.mission_id(),
        "edit_version": mission_state.edit_version(),
        "started_at": time.time(),
        "user": session.user().username,
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


def interrupted(area_id: str | None = None) -> list[dict[str, Any]]:
    """Runs of the session's mission that never finished (the app stopped during them);
    with `area_id`, only re-plans of that area."""
    runs = interrupted_runs(jobs_root(), mission_state.mission_id())
    if area_id is not None:
        runs = [r for r in runs if (r.get("meta") or {}).get("area_id") == area_id]
    return runs


def dismiss_interrupted(job_id: str) -> None:
    dismiss(jobs_root(), job_id)


def job_result() -> dict[str, Any] | None:
    """How the last finished job ended (state, message, what it was), until the next one."""
    return st.session_state.get(JOB_RESULT_KEY)


def take_job_result() -> dict[str, Any] | None:
    """How the last finished job ended, handed out once (a page says it, then forgets)."""
    return st.session_state.pop(JOB_RESULT_KEY, None)


def _save(plan: Plan, running: SolveJob) -> int:
    """Save a finished job's plan with the independent check of what is saved (the same
    rules as `planner check`, on the job's mission and travel times)."""
    meta = running.meta
    plan = merge_saved(plan, meta)  # a re-plan of some teams: the others' routes kept
    before = meta.get("before_stops")
    if before:
        plan = with_churn(plan, str(meta.get("area_id")), before)
    checked = check_record(check_plan(plan, running.mission, running.travel))
    return save_plan(
        session.get_store(),
        int(meta["mission_id"]),
        plan,
        user=session.user(),
        parent=meta.get("parent"),
        areas=meta.get("areas"),
        applied_updates=meta.get("applied_updates") or (),
        parameters={
            "label": meta.get("label", ""),
            "kind": meta.get("kind", "plan"),
            "edit_version": meta.get("edit_version"),
            "check": checked,
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
            version_id = _save(status.plan, running)
        except (StoreError, PermissionError, ValueError) as exc:
            result["state"] = "failed"
            result["error"] = f"the plan could not be saved ({exc}); nothing was stored"
        else:
            forget_run_memo()
            result["version"] = version_id
            if meta.get("mission_id") == st.session_state.get(mission_state.MISSION_KEY):
                version_state.choose_version(version_id)
    st.session_state[JOB_RESULT_KEY] = result
    return result["state"]
