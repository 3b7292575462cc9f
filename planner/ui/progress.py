"""The live view of a running planning job: a bar per AoR, and a way to cancel."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import streamlit as st

from planner.escaping import markdown_text
from planner.ui import job_state

POLL_S = 1.0


def job_progress(area_names: Mapping[str, str]) -> None:
    """Progress of the session's running job, refreshed every second until it ends."""

    @st.fragment(run_every=POLL_S)
    def live() -> None:
        running = job_state.job()
        if running is None:
            return
        status = running.poll()
        if status.finished:
            job_state.collect_job()
            st.rerun()
        what = markdown_text(running.meta.get("label", "plan"))
        limit = running.time_limit_s
        st.info(
            f"Planning ({what}): {len(status.areas_done)} of {status.total} area(s) done, "
            f"{status.elapsed_s:.0f} s of about {limit:.0f} s."
        )
        st.progress(
            min(1.0, max(status.fraction, min(0.99, status.elapsed_s / max(limit, 1.0)))),
            text="Overall",
        )
        areas = running.areas or list(status.areas_done)
        cols = st.columns(3)
        for index, area_id in enumerate(areas):
            done = area_id in status.areas_done
            name = area_names.get(area_id, area_id)
            cols[index % 3].progress(
                1.0 if done else 0.0,
                text=f"{markdown_text(area_id)} · {markdown_text(name)}: "
                f"{'done' if done else 'waiting or solving'}",
            )
        if st.button("Cancel planning", type="secondary", key="cancel_job"):
            job_state.cancel_job(reason="cancelled by the user")
            st.rerun()

    live()


def job_outcome(viewed_version: int | None) -> None:
    """How the last job ended, with a way to dismiss it. A finished run's notice goes by
    itself once another version than the one it saved is looked at; a failure or a
    cancellation stays until dismissed or the next run starts."""
    result = job_state.job_result()
    if not result:
        return
    saved = result.get("version") if result["state"] == "done" else None
    if saved is not None and viewed_version != saved:
        job_state.take_job_result()
        return
    label = markdown_text(result.get("label", "plan"))
    cols = st.columns([5, 1], vertical_alignment="center")
    if result["state"] == "done":
        where = f"; saved as version {saved}" if saved is not None else ""
        cols[0].success(f"Planning finished ({label}) in {result['elapsed_s']:.0f} s{where}.")
    elif result["state"] == "cancelled":
        cols[0].warning(
            f"Planning cancelled ({label}); nothing was saved, the plan versions stay as they are."
        )
    else:
        cols[0].error(
            f"Planning failed ({label}): {markdown_text(result['error'])}. Nothing was saved; "
            "the plan versions stay as they are. Check teams and rules and run again."
        )
    if cols[1].button("Dismiss", key="dismiss_job_outcome"):
        job_state.take_job_result()
        st.rerun()


def interrupted_notices(area_id: str | None = None) -> None:
    """Runs that the app's stop interrupted (see `job_files`), each with a way to dismiss."""
    for run in job_state.interrupted(area_id):
        meta = run.get("meta") or {}
        started = datetime.fromtimestamp(float(run.get("started_at") or 0), UTC)
        cols = st.columns([5, 1], vertical_alignment="center")
        cols[0].warning(
            f"Planning run interrupted ({markdown_text(meta.get('label', 'plan'))}, started "
            f"{started:%Y-%m-%d %H:%M} UTC by {markdown_text(meta.get('user', '?'))}): "
            f"{markdown_text(run.get('why', 'the app stopped'))}. Nothing was saved; run it "
            "again."
        )
        if cols[1].button("Dismiss", key=f"dismiss_{run['id']}"):
            job_state.dismiss_interrupted(run["id"])
            st.rerun()
