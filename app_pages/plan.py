"""Plan: run the planner (seed, time limit, workers), watch it per AoR, compare with the
previous plan."""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from planner.ui import state
from planner.ui.editing import plan_blockers, target_warnings, team_warnings
from planner.ui.progress import job_outcome, job_progress
from planner.ui.replan import planned_areas
from planner.ui.tables import areas_table, compare_plans, targets_table

STATUS_COLOURS = {"met": "background-color: #d7f5dd", "short": "background-color: #ffe2c2"}


def styled_targets(frame: pd.DataFrame):
    return frame.style.map(lambda v: STATUS_COLOURS.get(v, ""), subset=["status"])


mission = state.current_mission()
working = state.working_mission()
excluded = state.excluded()
names = {a.area_id: a.name for a in mission.areas}
st.title("Plan")
st.caption(
    f"{mission.name}: {len(mission.stations):,} stations, {len(mission.sto_teams)} STO teams "
    f"in {len(planned_areas(mission))} of {len(mission.areas)} areas."
)

blockers = plan_blockers(working, excluded)
for problem in blockers:
    st.error(problem)
for note in team_warnings(mission) + target_warnings(mission):
    st.info(note)
if excluded:
    st.caption(f"{len(excluded)} station(s) reported closed or inaccessible are left out.")

running = state.job()
with st.form("plan"):
    cols = st.columns(3)
    seed = cols[0].number_input(
        "Seed",
        min_value=0,
        max_value=2**31 - 1,
        value=int(mission.seed),
        step=1,
        help="Same seed, same plan; a new seed draws other stations.",
    )
    default_limit = 60 if len(mission.stations) > 2000 else 10
    time_limit = cols[1].number_input(
        "Time limit (s)",
        min_value=1,
        max_value=3600,
        value=default_limit,
        step=5,
        help="Wall time for the whole plan; larger areas get more of it.",
    )
    cpus = os.cpu_count() or 1
    workers = cols[2].number_input(
        "Workers (processes)",
        min_value=1,
        max_value=max(1, cpus),
        value=min(2, cpus),
        step=1,
        help="Areas solved in parallel.",
    )
    submitted = st.form_submit_button(
        "Run planner", type="primary", disabled=bool(blockers) or running is not None
    )
if submitted and not blockers:
    state.start_job(
        working,
        time_limit_s=float(time_limit),
        seed=int(seed),
        workers=int(workers),
        excluded=excluded,
        areas=planned_areas(working),
        meta={
            "kind": "plan",
            "label": f"seed {int(seed)}, {int(time_limit)} s",
            "mission_version": state.mission_version(),
        },
    )
    st.rerun()

if state.job() is not None:
    job_progress(names)
job_outcome()

record = state.current_record()
if record is None:
    if state.job() is None:
        st.info("No plan yet: set the seed and time limit and run the planner.")
    st.stop()

plan = record.plan
st.header(f"Current plan: {record.label}")
if state.plan_is_stale():
    st.warning("Teams, rules or targets changed after this plan was made: run the planner again.")
achieved = plan.achieved
cols = st.columns(5)
routed = len({s.team_id for s in plan.stops})
cols[0].metric(
    "Teams routed",
    f"{routed} of {int(plan.stats.get('teams', routed))}",
    help="Teams the planner could not route are named in the per-area notes below.",
)
for col, phase in zip(cols[1:], ("opening", "voting", "counting", "tabulation"), strict=True):
    col.metric(f"{phase.capitalize()} (target {getattr(plan.targets, phase)})", achieved[phase])
st.caption(
    f"Made at {record.made_at_text}; seed {plan.seed}; "
    f"solver wall time {plan.stats.get('wall_s', '?')} s."
)

st.subheader("Coverage against targets")
targets = targets_table(plan)
st.dataframe(styled_targets(targets), hide_index=True, width="stretch")
if (targets["status"] == "met").all():
    st.success("Every target is met.")

with st.expander("Per area"):
    st.dataframe(areas_table(plan, mission), hide_index=True, width="stretch")

previous = state.previous_record()
st.subheader("Compared with the previous plan")
if previous is None:
    st.caption("This is the first plan of this session.")
else:
    comparison = compare_plans(previous.plan, plan, mission)
    st.caption(f"Previous: {previous.label}, made at {previous.made_at_text}.")
    st.dataframe(comparison.phases, hide_index=True, width="stretch")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Added:** {len(comparison.added)} station(s)/TEC(s)")
        st.dataframe(comparison.added, hide_index=True, width="stretch", height=240)
    with right:
        st.markdown(f"**Dropped:** {len(comparison.dropped)} station(s)/TEC(s)")
        st.dataframe(comparison.dropped, hide_index=True, width="stretch", height=240)
