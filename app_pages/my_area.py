"""My area: the LTO's view of one AoR — teams, routes, schedules, stations, field reports,
and a re-plan of that area alone, saved as a new plan version."""

from __future__ import annotations

import streamlit as st

from planner.escaping import markdown_text
from planner.field_status import (
    KIND_LABELS,
    KIND_OF_STATUS,
    STATION_STATUSES,
    STATUS_HELP,
    ReportKind,
    ReportState,
    StationStatus,
)
from planner.maps.selection import MapView
from planner.store import FieldReport, Role, add_field_update, dismiss_field_update
from planner.ui import (
    job_state,
    mission_state,
    report_state,
    session,
    travel_state,
    version_state,
)
from planner.ui.field import FieldUpdate, check_update
from planner.ui.filters import area_options
from planner.ui.guard import page_errors
from planner.ui.progress import interrupted_notices, job_outcome, job_progress
from planner.ui.replan import keep_before_time
from planner.ui.tables import (
    area_stations_table,
    area_tecs_table,
    teams_table,
    unvisited,
    without_empty_estimates,
)
from planner.ui.versions import diff_table
from planner.ui.widgets import map_with_details, schedules

AREA_KEY = "my_area"
REPORT_NOTICE_KEY = "my_area_notice"

user = session.require(Role.COORDINATOR, Role.LTO)
mission = report_state.working_mission()
version = version_state.current_version()
plan = version_state.plan_of(version) if version is not None else None
statuses = report_state.statuses()
areas = area_options(mission)
st.title("My area")
if notice := st.session_state.pop(REPORT_NOTICE_KEY, None):
    st.success(notice)
if not areas:
    st.info("Your account has no area of this mission.")
    st.stop()

remembered = st.session_state.get(AREA_KEY) or st.query_params.get("area")
if remembered not in areas and len(areas) == 1:
    remembered = next(iter(areas))  # an LTO of one area starts in it
area_id = st.pills(
    "Your area of responsibility" if user.role is Role.LTO else "Area of responsibility",
    list(areas),
    format_func=lambda a: markdown_text(areas[a]),
    default=remembered if remembered in areas else None,
    key="my_area_pick",
)
if area_id is None:
    st.info("Pick your area above to see its teams, routes and schedules.")
    st.stop()
st.session_state[AREA_KEY] = area_id
st.query_params["area"] = area_id
area = mission.area_by_id[area_id]

table = area_stations_table(mission, area_id, plan, statuses)
tecs = area_tecs_table(mission, area_id, plan)
routed = teams_table(plan, mission, area_id) if plan is not None else None
cols = st.columns(5)
cols[0].metric("Stations", f"{len(table):,}")
cols[1].metric("Voters", f"{int(table['voters'].sum()):,}")
cols[2].metric("TECs", len(tecs))
cols[3].metric("Teams routed", 0 if routed is None else len(routed))
cols[4].metric("Stations visited", int((table["visits"] != "").sum()))

if plan is None:
    st.info("No plan yet: the coordinator runs it on the Plan page. The map shows your area.")
else:
    st.caption(
        f"Plan {version.name}"
        + (" (published)" if version.published else " (not published)")
        + f", made {version.created_at:%Y-%m-%d %H:%M} UTC by {markdown_text(version.author)}."
    )
    if version_state.is_stale(version):
        st.warning("Teams, rules or targets changed after this plan was made.")

if plan is not None and routed is not None and len(routed):
    st.subheader("Teams")
    st.dataframe(routed.drop(columns=["area"]), hide_index=True, width="stretch")

st.subheader(f"{markdown_text(area.name)}: map")
map_with_details(
    mission,
    plan,
    MapView(area_id=area_id, statuses=statuses),
    key=f"area_map_{area_id}",
    height=520,
    statuses=statuses,
    lines=travel_state.version_lines(version, plan) if plan is not None else None,
)

if plan is not None:
    st.subheader("Team schedules")
    schedules(mission, plan, area_id)

stations_tab, unvisited_tab, tecs_tab = st.tabs(
    [f"Stations ({len(table)})", f"Unvisited ({len(unvisited(table))})", f"TECs ({len(tecs)})"]
)
stations_tab.dataframe(without_empty_estimates(table), hide_index=True, width="stretch")
unvisited_tab.dataframe(without_empty_estimates(unvisited(table)), hide_index=True, width="stretch")
tecs_tab.dataframe(without_empty_estimates(tecs), hide_index=True, width="stretch")

# --- Field reports and re-planning ----------------------------------------------------
st.subheader("Field reports")
st.caption(
    "Saved for the whole mission team. Closed and inaccessible stations are left out of "
    "every new plan; moved stations are planned at their new place; a closed road given by "
    "its ends is closed in road travel times (when the mission plans on road data); notes "
    "are kept for the planners."
)
options = {
    row.station_id: f"No. {row.no} · {row.name} ({row.station_id})" for row in table.itertuples()
}
places = {
    **options,
    **{row.tec_id: f"TEC · {row.name} ({row.tec_id})" for row in tecs.itertuples()},
}


def _file(report: FieldReport) -> None:
    with page_errors("Saving the report"):
        add_field_update(session.get_store(), mission_state.mission_id(), report, user=user)
        st.session_state[REPORT_NOTICE_KEY] = f"Report saved: {KIND_LABELS[report.kind]}."
        st.rerun()


station_tab, road_tab, note_tab = st.tabs(["Station", "Road closed", "Note"])
with station_tab, st.form(f"report_{area_id}", clear_on_submit=True):
    cols = st.columns([3, 1.2, 1, 1])
    station_id = cols[0].selectbox(
        "Station", list(options), format_func=options.get, index=None, placeholder="Choose…"
    )
    status = cols[1].selectbox(
        "Status", STATION_STATUSES, format_func=lambda s: f"{s}: {STATUS_HELP[s]}"
    )
    lat = cols[2].number_input("New latitude", value=None, format="%.5f", help="moved only")
    lon = cols[3].number_input("New longitude", value=None, format="%.5f", help="moved only")
    note = st.text_input("Note (what the field said)")
    if st.form_submit_button("Save report"):
        if station_id is None:
            st.error("Choose the station the report is about.")
        else:
            update = FieldUpdate(station_id, status, note.strip(), lat, lon)
            problems = check_update(update, mission)
            if problems:
                st.error("The report was not saved: " + markdown_text("; ".join(problems)))
            else:
                _file(
                    FieldReport(
                        KIND_OF_STATUS[status],
                        station_id=station_id,
                        lat=lat if status == StationStatus.MOVED else None,
                        lon=lon if status == StationStatus.MOVED else None,
                        note=note.strip(),
                    )
                )
with road_tab, st.form(f"road_{area_id}", clear_on_submit=True):
    cols = st.columns(2)
    place_a = cols[0].selectbox(
        "From", list(places), format_func=places.get, index=None, placeholder="Choose…"
    )
    place_b = cols[1].selectbox(
        "To", list(places), format_func=places.get, index=None, placeholder="Choose…"
    )
    st.caption(
        "Where the road is closed: its two ends (latitude, longitude). Road travel times "
        "close that stretch in the next re-plan; without them the report is kept for the "
        "planners."
    )
    cols = st.columns(4)
    ends = [
        cols[i].number_input(label, value=None, format="%.5f", key=f"road_{area_id}_{i}")
        for i, label in enumerate(
            ("Start latitude", "Start longitude", "End latitude", "End longitude")
        )
    ]
    road_note = st.text_input("Note (which road, until when)")
    if st.form_submit_button("Save road report"):
        given = [v for v in ends if v is not None]
        points = (
            ((float(ends[1]), float(ends[0])), (float(ends[3]), float(ends[2])))
            if len(given) == 4
            else None
        )
        if given and points is None:
            st.error("Give both ends of the closed stretch: four numbers, or none.")
        elif points is None and (place_a is None or place_b is None or place_a == place_b):
            st.error(
                "Choose the two different places the closed road runs between, or give the "
                "ends of the closed stretch."
            )
        elif points is not None and (problem := travel_state.closure_problem(points)):
            st.error(f"The report was not saved: {markdown_text(str(problem))}")
        else:
            _file(
                FieldReport(
                    ReportKind.ROAD_CLOSED,
                    place_a=place_a,
                    place_b=place_b,
                    note=road_note.strip(),
                    area_id=area_id,
                    road_points=points,
                )
            )
with note_tab, st.form(f"note_{area_id}", clear_on_submit=True):
    text = st.text_area("Note for the planners")
    if st.form_submit_button("Save note"):
        if not text.strip():
            st.error("Write the note first.")
        else:
            _file(FieldReport(ReportKind.NOTE, note=text.strip(), area_id=area_id))

reports = report_state.reports(areas=[area_id])
if reports:
    st.dataframe(
        [
            {
                "report": r.id,
                "kind": KIND_LABELS.get(r.kind, r.kind),
                "where": places.get(r.station_id or "", r.station_id or "")
                if r.station_id
                else (f"{r.place_a} – {r.place_b}" if r.place_a else "")
                + (
                    f" (closed {r.road_points[0][1]:.5f}, {r.road_points[0][0]:.5f} – "
                    f"{r.road_points[-1][1]:.5f}, {r.road_points[-1][0]:.5f})"
                    if r.road_points
                    else ""
                ),
                "new position": f"{r.lat:.5f}, {r.lon:.5f}" if r.lat is not None else "",
                "note": r.note,
                "by": r.author,
                "when": f"{r.created_at:%Y-%m-%d %H:%M} UTC",
                "status": r.status
                + (f" (in v{r.resolved_version_id})" if r.resolved_version_id else ""),
            }
            for r in reports
        ],
        hide_index=True,
        width="stretch",
    )
    by_id = {r.id: r for r in reports}
    remove = st.selectbox(
        "Withdraw a report",
        [None, *by_id],
        format_func=lambda i: (
            "—"
            if i is None
            else f"#{i} · {KIND_LABELS.get(by_id[i].kind, by_id[i].kind)} · "
            + (places.get(by_id[i].station_id or "", "") or by_id[i].note[:40])
        ),
    )
    if remove is not None and st.button("Withdraw"):
        with page_errors("Withdrawing the report"):
            dismiss_field_update(
                session.get_store(), remove, user=user, reason="withdrawn in the app"
            )
            st.session_state[REPORT_NOTICE_KEY] = f"Report #{remove} withdrawn."
            st.rerun()
else:
    st.caption("No field reports for this area.")

st.subheader("Re-plan this area")
running = job_state.job()
if plan is None:
    st.caption("Re-planning needs a plan for the whole mission first.")
else:
    open_reports = sum(1 for r in reports if r.status == ReportState.OPEN)
    st.caption(
        f"Solves {markdown_text(area_id)} again from version {version.id}, taking the field "
        "reports into "
        f"account ({open_reports} not yet in a plan); the other areas keep their routes. "
        "The result is saved as a new version; this one stays readable."
    )
    affecting = [
        r
        for r in reports
        if r.status != ReportState.DISMISSED
        and (r.station_id is not None or r.road_points is not None)
    ]
    with st.form(f"replan_{area_id}"):
        cols = st.columns(2)
        seed = cols[0].number_input("Seed", min_value=0, value=int(plan.seed), step=1)
        limit = cols[1].number_input("Time limit (s)", min_value=1, max_value=600, value=10, step=1)
        only_affected = bool(affecting) and st.checkbox(
            "Only the teams whose routes the reports affect (a closed or moved station on "
            "the route, a closed road under it); the area's other teams keep their routes",
            value=True,
        )
        keep_fixed = st.checkbox(
            "Keep the re-planned teams' openings, counts and commissions where they are still "
            "open: only their voting visits change",
            value=True,
        )
        keep_before_text = st.text_input(
            "Keep every stop before (HH:MM, election day)",
            placeholder="e.g. 11:00; empty: re-plan the whole day",
            help="Each re-planned team keeps every stop that starts before this time (local "
            "time at the stop) exactly as it is, and its day goes on from its last stop "
            "before it: an election-day re-plan from the teams' current positions.",
        )
        go = st.form_submit_button(
            f"Re-plan {markdown_text(area_id)} only", type="primary", disabled=running is not None
        )
    if go:
        with page_errors("Starting the re-plan"):
            inputs = report_state.inputs(areas=[area_id])
            try:
                keep_before = keep_before_time(keep_before_text)
                replan = travel_state.area_replan(
                    inputs,
                    plan,
                    area_id,
                    only_affected=only_affected,
                    keep_fixed=keep_fixed,
                    keep_before=keep_before,
                )
            except ValueError as exc:
                st.error(f"Cannot re-plan: {markdown_text(exc)}")
            else:
                if replan.unplaced:
                    st.session_state[REPORT_NOTICE_KEY] = (
                        f"{len(replan.unplaced)} road report(s) without the closed stretch's "
                        "ends do not change travel times."
                    )
                which = (
                    f"{', '.join(replan.replanned)} re-planned after field reports"
                    if replan.kept
                    else "re-planned"
                )
                if keep_before is not None:
                    which += f" from {keep_before:%H:%M}"
                job_state.start_job(
                    replan.mission,
                    job_state.JobPlan(
                        "area",
                        f"{area_id} {which}, seed {int(seed)}",
                        parent=version.id,
                        areas=(area_id,),
                        applied_updates=inputs.open_update_ids,
                        kept_stops=replan.kept,
                        before_stops=replan.before,
                    ),
                    time_limit_s=float(limit),
                    seed=int(seed),
                    workers=1,
                    excluded=replan.excluded,
                    kept=replan.fixed,
                    resume=replan.resume,
                    kept_teams=replan.others,
                    previous_visits=replan.previous_visits,
                    areas=[area_id],
                    travel=replan.travel,
                )
                st.rerun()
if job_state.job() is not None:
    job_progress(areas)
job_outcome(version.id if version is not None else None)
interrupted_notices(area_id)

if version is not None and version.parent_id is not None:
    changed = diff_table(version_state.changes(version) or {}, mission)
    changed = changed[changed["area"] == area_id] if len(changed) else changed
    st.subheader(f"What changed in version {version.id} (from version {version.parent_id})")
    moved = ((version.stats.get("areas") or {}).get(area_id) or {}).get("churn")
    if moved:
        st.caption(
            f"{moved['teams_changed']} of {moved['teams_compared']} teams changed: "
            f"{moved['stops_added']} stops added, {moved['stops_dropped']} dropped, "
            f"{moved['stops_retimed']} retimed by more than {moved['retimed_after_min']} min, "
            f"{moved['stops_reordered']} reordered (of {moved['stops_before']})."
        )
    kept_before = ((version.stats.get("areas") or {}).get(area_id) or {}).get("kept_before")
    if kept_before:
        per_team = ", ".join(f"{team}: {n}" for team, n in kept_before["teams"].items())
        st.caption(
            f"Kept as they were because they start before {kept_before['time']}: "
            f"{kept_before['stops']} stops ({per_team or 'none'})."
        )
    if len(changed):
        st.dataframe(changed, hide_index=True, width="stretch")
    else:
        st.caption("No team of this area has a changed stop.")
