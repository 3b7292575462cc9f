"""Publishing a plan version, confirmed: teams see it the moment it is published, so the
coordinator first sees what changes for them against the version they see now."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from planner import store
from planner.model import Mission
from planner.schedule import PHASES, Plan
from planner.store import PlanVersionInfo
from planner.ui import session
from planner.ui.guard import page_errors
from planner.ui.versions import diff_table

CONFIRM_KEY = "confirm_publish"


def publish_summary(
    plan: Plan, published_plan: Plan | None, changed_teams: int, teams: int
) -> list[str]:
    """Lines that say what publishing changes: which teams get another schedule and how
    coverage moves, phase by phase."""
    if published_plan is None:
        return [f"Nothing is published yet: all {teams} planned teams will see a schedule."]
    lines = [f"{changed_teams} of {teams} teams will see a changed schedule."]
    now, before = plan.achieved, published_plan.achieved
    moves = [
        f"{phase} {before.get(phase, 0)} → {now.get(phase, 0)}"
        for phase in PHASES
        if now.get(phase, 0) != before.get(phase, 0)
    ]
    lines.append("Coverage: " + ", ".join(moves) if moves else "Coverage stays as published.")
    return lines


def publish_controls(
    version: PlanVersionInfo,
    plan: Plan,
    published: PlanVersionInfo | None,
    published_plan: Plan | None,
    mission: Mission,
    *,
    button_at: DeltaGenerator,
) -> None:
    """A "Publish version N…" button (placed in `button_at`) that asks first, showing what
    changes for the teams against the published version; "Publish now" publishes,
    "Cancel" leaves all as it was."""
    user = session.user()
    if st.session_state.get(CONFIRM_KEY) != version.id:
        if button_at.button(f"Publish version {version.id}…", type="primary", width="stretch"):
            st.session_state[CONFIRM_KEY] = version.id
            st.rerun()
        return
    with st.container(border=True):
        st.markdown(f"**Publish version {version.id}?** Teams see it as soon as it is published.")
        diffs = (
            store.diff_versions(session.get_store(), published.id, version.id, user=user)
            if published is not None
            else {}
        )
        teams = len({s.team_id for s in plan.stops})
        for line in publish_summary(plan, published_plan, len(diffs), teams):
            st.markdown(line)
        if diffs:
            with st.expander(f"Teams with a changed schedule ({len(diffs)})"):
                st.dataframe(pd.DataFrame(diff_table(diffs, mission)), hide_index=True)
        go, cancel = st.columns(2)
        if go.button("Publish now", type="primary", width="stretch"):
            st.session_state.pop(CONFIRM_KEY, None)
            with page_errors("Publishing"):
                store.publish(session.get_store(), version.id, user=user)
                st.rerun()
        if cancel.button("Cancel", width="stretch"):
            st.session_state.pop(CONFIRM_KEY, None)
            st.rerun()
