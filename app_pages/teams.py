"""Teams & rules (coordinators): who goes where, under which rules, aiming at which targets.

Edits are saved to the store against the version this page was opened at: if another
coordinator saved teams, rules or targets since, the edit is refused with a message and
nothing is overwritten.
"""

from __future__ import annotations

from datetime import date, time

import pandas as pd
import streamlit as st

from planner.store import ConflictError, Role, update_settings, update_teams
from planner.travel_source import calibration_fields
from planner.ui import mission_state, session, travel_state, version_state
from planner.ui.editing import (
    RULE_FIELDS,
    allocate,
    allocation_table,
    rule_values,
    rules_from_values,
    target_warnings,
    targets_from_values,
    team_warnings,
    teams_frame,
    teams_from_rows,
)
from planner.ui.guard import CONFLICT, page_errors
from planner.ui.roads import MAX_EXTRACT_BYTES, available_roads, builds, roads_root, start_build

CONFLICT_SETTINGS = (
    "someone else changed the teams, rules or targets since you opened this page; reload "
    "to see their changes"
)
NOTICE_KEY = "teams_notice"
BASE_KEY = "teams_edit_base"  # (mission id, version, mission) the page's edits start from
CONFLICT_KEY = "teams_conflict"


def _done(message: str) -> None:
    st.session_state[NOTICE_KEY] = message
    st.session_state.pop(BASE_KEY, None)  # open the saved version next
    st.rerun()


def _reload() -> None:
    st.session_state.pop(BASE_KEY, None)
    st.session_state.pop(CONFLICT_KEY, None)


def _save(what: str, save, *, teams: bool = False) -> None:
    """Run one store write; a conflict is kept on the page until the user reloads."""
    try:
        save()
    except ConflictError:
        why = CONFLICT if teams else CONFLICT_SETTINGS
        st.session_state[CONFLICT_KEY] = f"{what} not saved: {why}."
        st.rerun()


user = session.require(Role.COORDINATOR)
mission_id = mission_state.mission_id()
now = mission_state.edit_version()
base = st.session_state.get(BASE_KEY)
if base is None or base[0] != mission_id:
    base = (mission_id, now, mission_state.current_mission())
    st.session_state[BASE_KEY] = base
_, version, mission = base

st.title("Teams & rules")
if notice := st.session_state.pop(NOTICE_KEY, None):
    st.success(notice)
if conflict := st.session_state.get(CONFLICT_KEY):
    st.error(conflict)
    st.button("Reload", on_click=_reload, type="primary", key="reload_conflict")
elif now != version:
    st.warning(
        f"Someone else saved teams, rules or targets (version {now}) since you opened this "
        f"page (version {version}). Reload to see their changes before you edit."
    )
    st.button("Reload", on_click=_reload, key="reload_newer")
if version_state.current_version() is not None:
    st.caption("Changes here apply to the next plan; saved plan versions stay as they are.")

# --- Teams --------------------------------------------------------------------------
st.header("Teams")
area_ids = [a.area_id for a in mission.areas]
edited = st.data_editor(
    teams_frame(mission),
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    key=f"teams_editor_{mission_id}_{version}",
    column_config={
        "team_id": st.column_config.TextColumn("Team", required=True),
        "kind": st.column_config.SelectboxColumn("Kind", options=["sto", "lto"], required=True),
        "area_id": st.column_config.SelectboxColumn("Area (AoR)", options=["", *area_ids]),
        "base_name": st.column_config.TextColumn("Base"),
        "lat": st.column_config.NumberColumn("Base latitude", format="%.5f"),
        "lon": st.column_config.NumberColumn("Base longitude", format="%.5f"),
    },
)
if st.button("Apply team changes"):
    with page_errors("Applying the team changes"):
        teams, problems = teams_from_rows(edited.to_dict("records"), mission)
        if problems:
            st.error(f"The teams table has {len(problems)} problem(s); nothing was changed.")
            st.dataframe(
                pd.DataFrame(problems, columns=["row", "field", "message"]),
                hide_index=True,
                width="stretch",
            )
        else:
            _save(
                "Your team changes were",
                lambda: update_teams(
                    session.get_store(), mission_id, teams, user=user, expected_version=version
                ),
                teams=True,
            )
            _done(f"Teams saved: {len(teams)} team(s).")

for note in team_warnings(mission):
    st.warning(note)

st.subheader("Allocate teams to AoRs automatically")
st.caption(
    "Spreads STO teams over the areas in proportion to voters (at least one per area) and "
    "puts their bases in each area's largest towns."
)
with st.form("allocate"):
    cols = st.columns([1, 2])
    count = cols[0].number_input(
        "STO teams", min_value=0, max_value=2000, value=len(mission.sto_teams), step=1
    )
    reallocate = cols[1].checkbox(
        "Re-allocate every STO team (otherwise only teams without an area or base move)",
        value=False,
    )
    if st.form_submit_button("Allocate teams to AoRs automatically"):
        with page_errors("Allocating teams"):
            try:
                allocated = allocate(mission, count=int(count), reallocate=reallocate)
            except ValueError as exc:
                st.error(f"Cannot allocate: {exc}")
            else:
                _save(
                    "The allocation was",
                    lambda: update_teams(
                        session.get_store(),
                        mission_id,
                        allocated.teams,
                        user=user,
                        expected_version=version,
                    ),
                    teams=True,
                )
                _done(
                    f"{len(allocated.sto_teams)} STO teams allocated to {len(mission.areas)} areas."
                )
with st.expander("Teams per area against voters"):
    st.dataframe(allocation_table(mission), hide_index=True, width="stretch")

# --- Rules --------------------------------------------------------------------------
st.header("Election-day rules")
values = rule_values(mission.rules)
with st.form("rules"):
    cols = st.columns(3)
    entered = {}
    for index, (name, (label, help_text)) in enumerate(RULE_FIELDS.items()):
        column = cols[index % 3]
        value = values[name]
        key = f"rule_{name}_{version}"
        if isinstance(value, bool):
            entered[name] = column.checkbox(label, value=value, help=help_text or None, key=key)
        elif isinstance(value, time):
            entered[name] = column.time_input(
                label, value=value, step=300, help=help_text or None, key=key
            )
        elif isinstance(value, date):
            entered[name] = column.date_input(label, value=value, help=help_text or None, key=key)
        elif isinstance(value, int):
            entered[name] = column.number_input(
                label, value=value, step=1, help=help_text or None, key=key
            )
        else:
            entered[name] = column.number_input(
                label, value=float(value), step=0.05, format="%.2f", help=help_text or None, key=key
            )
    if st.form_submit_button("Apply rules"):
        with page_errors("Applying the rules"):
            rules, problems = rules_from_values(entered, mission.rules)
            if problems:
                st.error(
                    "These rules cannot be used; nothing was changed:\n\n"
                    + "\n".join(f"- {p}" for p in problems)
                )
            else:
                _save(
                    "Your rules were",
                    lambda: update_settings(
                        session.get_store(),
                        mission_id,
                        rules=rules,
                        user=user,
                        expected_version=version,
                    ),
                )
                _done("Rules saved.")

# --- Travel -------------------------------------------------------------------------
st.header("Travel times")
current = travel_state.settings()
st.caption(f"Now: {travel_state.label(current, mission.rules)}.")
known = available_roads()


def _source(name: str | None) -> str:
    if name is None:
        return "Straight line (great circle × detour at the speeds of the rules above)"
    info = known.get(name)
    if info is None:
        return f"Road data {name} (not on this server)"
    return f"Roads: {name} · {info.source_file} · OSM data of {info.osm_date or 'unknown date'}"


with st.form("travel"):
    choices: list[str | None] = [None, *known]
    if current.roads is not None and current.roads not in known:
        choices.append(current.roads)
    source = st.selectbox(
        "Travel source",
        choices,
        index=choices.index(current.roads),
        format_func=_source,
        help="Road data is an OpenStreetMap extract built on this server (add one below).",
        key=f"travel_source_{version}",
    )
    factors = {**calibration_fields(), **current.factors}
    cols = st.columns(3)
    entered_factors = {
        name: cols[index % 3].number_input(
            label,
            value=float(factors[name]),
            step=0.05 if name.endswith("factor") else 10.0,
            help=help_text,
            key=f"travel_{name}_{version}",
        )
        for index, (name, (label, help_text)) in enumerate(travel_state.CALIBRATION_FIELDS.items())
    }
    st.caption(
        "Road times are OSRM's free-flow times × these factors (a leg with one urban end "
        "takes the mean), plus parking minutes from the rules; pairs without a road use the "
        "straight line."
    )
    if st.form_submit_button("Apply travel settings"):
        with page_errors("Applying the travel settings"):
            travel, problems = travel_state.travel_from_values(source, entered_factors)
            if problems:
                st.error("These travel settings cannot be used: " + "; ".join(problems))
            else:
                _save(
                    "Your travel settings were",
                    lambda: update_settings(
                        session.get_store(),
                        mission_id,
                        travel=travel,
                        user=user,
                        expected_version=version,
                    ),
                )
                _done("Travel settings saved.")

with st.expander("Add road data (an OpenStreetMap extract)"):
    st.caption(
        f"Upload a .osm.pbf extract (at most {MAX_EXTRACT_BYTES // 2**20} MB; e.g. a "
        "country from an OSM extract service). It is built with OSRM in the background and "
        f"kept on the server under {roads_root()}. Larger extracts: build them on the "
        "server with `planner roads build EXTRACT.osm.pbf --out "
        f"{roads_root()}/NAME`."
    )
    with st.form("roads_upload", clear_on_submit=True):
        cols = st.columns([2, 1])
        upload = cols[0].file_uploader("Extract", type=["pbf"])
        name = cols[1].text_input("Name", placeholder="e.g. almaty-2012")
        if st.form_submit_button("Build road data"):
            with page_errors("Building road data"):
                if upload is None or not name.strip():
                    st.error("Choose an extract and give the road data a name.")
                else:
                    start_build(name.strip(), upload.name, upload.getvalue())
                    st.rerun()

    @st.fragment(run_every=1.0)
    def _builds() -> None:
        for status in builds():
            what = f"Road data {status.name}"
            if status.state == "running":
                st.progress(
                    status.fraction,
                    text=f"{what}: step {status.number} of {status.total}, {status.step} "
                    f"({status.elapsed_s:.0f} s)",
                )
            elif status.state == "done":
                st.success(f"{what} built in {status.elapsed_s:.0f} s: choose it above.")
            else:
                st.error(f"{what} could not be built: {status.error}")

    if builds():
        _builds()

# --- Targets ------------------------------------------------------------------------
st.header("Coverage targets")
with st.form("targets"):
    cols = st.columns(4)
    targets = {
        phase: cols[i].number_input(
            f"{phase.capitalize()} ({'TECs' if phase == 'tabulation' else 'stations'})",
            min_value=0,
            value=int(getattr(mission.targets, phase)),
            step=1,
            key=f"target_{phase}_{version}",
        )
        for i, phase in enumerate(("opening", "voting", "counting", "tabulation"))
    }
    if st.form_submit_button("Apply targets"):
        with page_errors("Applying the targets"):
            new_targets, problems = targets_from_values(targets)
            if problems:
                st.error("These targets cannot be used: " + "; ".join(problems))
            else:
                _save(
                    "Your targets were",
                    lambda: update_settings(
                        session.get_store(),
                        mission_id,
                        targets=new_targets,
                        user=user,
                        expected_version=version,
                    ),
                )
                _done("Targets saved.")
for note in target_warnings(mission):
    st.info(f"Will be short: {note}")
