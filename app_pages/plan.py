"""Plan (coordinators): run the planner (seed, time limit, workers or the deployment's Dask
cluster), watch it per AoR; each plan is saved as a new version, compared with the one it
replaces, and published when ready. A plan the time limit cut says so."""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from planner.escaping import markdown_text
from planner.execution import SCHEDULER_ENV, configured_scheduler
from planner.schedule import PHASES
from planner.store import Role
from planner.travel_source import travel_label
from planner.ui import job_state, mission_state, report_state, session, travel_state, version_state
from planner.ui.editing import plan_blockers, target_warnings, team_warnings
from planner.ui.guard import page_errors
from planner.ui.progress import interrupted_notices, job_outcome, job_progress
from planner.ui.publishing import publish_controls
from planner.ui.replan import planned_areas
from planner.ui.tables import areas_table, compare_plans, targets_table
from planner.ui.versions import diff_table, version_label

STATUS_COLOURS = {"met": "background-color: #d7f5dd", "short": "background-color: #ffe2c2"}


def styled_targets(frame: pd.DataFrame):
    return frame.style.map(lambda v: STATUS_COLOURS.get(v, ""), subset=["status"])


def cut_areas(stats: dict) -> list[str]:
    """Areas of a stored version whose searches the time limit stopped early."""
    return sorted(a for a, s in (stats.get("areas") or {}).items() if s.get("cut_by_time"))


user = session.require(Role.COORDINATOR)
mission = mission_state.current_mission()
working = report_state.working_mission()
excluded = report_state.excluded()
names = {a.area_id: a.name for a in mission.areas}
listed = version_state.versions()
version = version_state.current_version(listed)
st.title("Plan")
st.caption(
    f"{markdown_text(mission.name)}: {len(mission.stations):,} stations, "
    f"{len(mission.sto_teams)} STO teams "
    f"in {len(planned_areas(mission))} of {len(mission.areas)} areas."
)

blockers = plan_blockers(working, excluded)
for problem in blockers:
    st.error(markdown_text(problem))
for note in team_warnings(mission) + target_warnings(mission):
    st.info(markdown_text(note))
if excluded:
    st.caption(f"{len(excluded)} station(s) reported closed or inaccessible are left out.")
st.caption(
    f"Travel times: {markdown_text(travel_state.label(travel_state.settings(), mission.rules))}."
)

running = job_state.job()
cluster = configured_scheduler()
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
        help="Wall time of the whole run, from its start to the plan. A safety net: areas "
        "stop on counts of work, so the same seed gives the same plan; an area the limit "
        "cuts is named, and that plan is not reproducible.",
    )
    cpus = os.cpu_count() or 1
    workers = cols[2].number_input(
        "Workers (processes)",
        min_value=1,
        max_value=max(1, cpus),
        value=min(2, cpus),
        step=1,
        help="Areas solved in parallel on this server (1: one after the other, in the "
        "planning process itself).",
    )
    on_cluster = cluster is not None and st.checkbox(
        f"Run on the Dask cluster at {cluster}",
        value=True,
        help=f"The deployment's cluster (set by {SCHEDULER_ENV} on the server); the same "
        "plan as on this server, sooner when it has more workers.",
    )
    submitted = st.form_submit_button(
        "Run planner", type="primary", disabled=bool(blockers) or running is not None
    )
if submitted and not blockers:
    with page_errors("Starting the planner"):
        inputs = report_state.inputs()  # one snapshot: mission, field reports, open report ids
        travel, _ = travel_state.planning_travel(inputs.mission.rules, inputs.updates)
        job_state.start_job(
            inputs.mission,
            job_state.JobPlan(
                "plan",
                f"seed {int(seed)}, {int(time_limit)} s",
                parent=version.id if version is not None else None,
                applied_updates=inputs.open_update_ids,
            ),
            time_limit_s=float(time_limit),
            seed=int(seed),
            workers=int(workers),
            scheduler=cluster if on_cluster else None,
            excluded=inputs.excluded,
            areas=planned_areas(inputs.mission),
            travel=travel,
        )
        st.rerun()

if job_state.job() is not None:
    job_progress(names)
job_outcome(version.id if version is not None else None)
interrupted_notices()

if version is None:
    if job_state.job() is None:
        st.info("No plan yet: set the seed and time limit and run the planner.")
    st.stop()

plan = version_state.plan_of(version)
st.header(f"Plan {version.name}")
st.caption(markdown_text(version_label(version) + f" · {version.parameters.get('label', '')}"))
if version_state.is_stale(version):
    st.warning("Teams, rules or targets changed after this plan was made: run the planner again.")

current_published = version_state.published_of(listed)
left, right = st.columns([3, 1], vertical_alignment="center")
if current_published is not None and current_published.id == version.id:
    left.success(
        f"Published {version.published_at:%Y-%m-%d %H:%M} UTC by "
        f"{markdown_text(version.published_by)}: "
        "teams see this version."
    )
else:
    where = (
        f"Teams now see {current_published.name}."
        if current_published is not None
        else "Nothing is published yet: teams see no schedule."
    )
    left.info(f"This version is not the published one. {where}")
    publish_controls(
        version,
        plan,
        current_published,
        version_state.plan_of(current_published) if current_published is not None else None,
        mission,
        button_at=right,
    )

achieved = plan.achieved
shown = [p for p in PHASES if getattr(plan.targets, p) or achieved[p]]
cols = st.columns(1 + len(shown))
routed = len({s.team_id for s in plan.stops})
cols[0].metric(
    "Teams routed",
    f"{routed} of {int(plan.stats.get('teams', routed))}",
    help="Teams the planner could not route are named in the per-area notes below.",
)
for col, phase in zip(cols[1:], shown, strict=True):
    col.metric(f"{phase.capitalize()} (target {getattr(plan.targets, phase)})", achieved[phase])
st.caption(
    f"Seed {plan.seed}; solver wall time {plan.stats.get('wall_s', '?')} s; "
    f"{version.stop_count:,} stops."
)
cut = cut_areas(version.stats)
if cut:
    st.warning(
        f"The time limit cut {len(cut)} area(s): {', '.join(cut)}. Their searches stopped "
        "on the clock before their counts of work, so this plan is not reproducible: the "
        "same seed may give another plan. Run again with a longer time limit (or more "
        "workers) for a plan that does not depend on the machine's load."
    )
st.caption(
    f"Travel times of this version: {markdown_text(travel_label(plan.stats.get('travel')))}."
)
checked = version.parameters.get("check")
if checked:
    where = f"{checked['teams']} team(s), {checked['stops']:,} stops"
    if checked["violations"] == 0:
        st.success(f"Independent check: no violations in {where}.", icon=":material/verified:")
    else:
        st.error(
            f"Independent check: {checked['violations']:,} violation(s) in {where}. The "
            "first are listed; do not publish this version before they are understood."
        )
        st.dataframe(
            pd.DataFrame({"violation": checked["listed"]}), hide_index=True, width="stretch"
        )

st.subheader("Coverage against targets")
targets = targets_table(plan)
st.dataframe(styled_targets(targets), hide_index=True, width="stretch")
if (targets["status"] == "met").all():
    st.success("Every target is met.")

with st.expander("Per area"):
    st.dataframe(areas_table(plan, mission), hide_index=True, width="stretch")

st.subheader("Compared with the previous version")
previous = version_state.previous_plan(version)
if previous is None:
    st.caption("This version was not made from an earlier one.")
else:
    comparison = compare_plans(previous, plan, mission)
    st.caption(f"Version {version.id} was made from version {version.parent_id}.")
    st.dataframe(comparison.phases, hide_index=True, width="stretch")
    changed = diff_table(version_state.changes(version) or {}, mission)
    st.markdown(f"**Teams with changed stops:** {len(changed)}")
    if len(changed):
        st.dataframe(changed, hide_index=True, width="stretch", height=240)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Added:** {len(comparison.added)} station(s)/TEC(s)")
        st.dataframe(comparison.added, hide_index=True, width="stretch", height=240)
    with right:
        st.markdown(f"**Dropped:** {len(comparison.dropped)} station(s)/TEC(s)")
        st.dataframe(comparison.dropped, hide_index=True, width="stretch", height=240)

with st.expander(f"All versions ({len(listed)})"):
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "version": v.id,
                    "made": f"{v.created_at:%Y-%m-%d %H:%M}",
                    "by": v.author,
                    "from": v.parent_id,
                    "areas": ", ".join(v.areas or ()) or "all",
                    "seed": v.seed,
                    "stops": v.stop_count,
                    "published": f"{v.published_at:%Y-%m-%d %H:%M}" if v.published_at else "",
                }
                for v in listed
            ]
        ),
        hide_index=True,
        width="stretch",
    )
