"""Coverage: how the plan's visits spread over regions, AoRs, urban/rural and station kinds,
against their shares of stations and voters; and the targets."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from planner.escaping import markdown_text
from planner.outputs import coverage_rows
from planner.store import Role
from planner.ui import mission_state, session, version_state
from planner.ui.tables import mix_chart_frame, share_chart_frame, targets_table

# Axis labels up to this wide are drawn whole ("Almaty city & Almaty region").
LABEL_PX = 320
MEASURE_COLOURS = alt.Scale(
    domain=["stations", "voters", "voting visits"], range=["#9ecae1", "#3182bd", "#e6550d"]
)


def share_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    names = list(dict.fromkeys(frame["name"]))
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=LABEL_PX)),
            x=alt.X("share:Q", title="share of the mission (%)"),
            yOffset=alt.YOffset("measure:N", sort=["stations", "voters", "voting visits"]),
            color=alt.Color(
                "measure:N", scale=MEASURE_COLOURS, title=None, legend=alt.Legend(orient="top")
            ),
            tooltip=["name", "measure", alt.Tooltip("share:Q", format=".1f")],
        )
        .properties(height=alt.Step(11))  # per bar: a fixed height draws nothing here
    )


who = session.require(Role.COORDINATOR, Role.LTO)
mission = mission_state.current_mission()
version = version_state.current_version()
plan = version_state.plan_of(version) if version is not None else None
st.title("Coverage")
if plan is None:
    st.info("No plan yet: its coverage appears here once a plan is made.")
    st.stop()
if version_state.is_stale(version):
    st.warning("Teams, rules or targets changed after this plan was made.")
st.caption(f"Plan {version.name}.")

if who.role is Role.COORDINATOR:
    st.subheader("Targets")
    st.dataframe(targets_table(plan), hide_index=True, width="stretch")
else:
    st.info(
        f"Your area(s) only: {markdown_text(', '.join(sorted(who.area_ids)))}. Targets are set for "
        "the whole "
        "mission, so they are on the coordinators' pages; shares below are of your area(s)."
    )

rows = coverage_rows(plan, mission)
total = next(r for r in rows if r["level"] == "total")
cols = st.columns(4)
cols[0].metric("Voting visits", total["voting"])
cols[1].metric("Urban share of stations", f"{100 * total['urban_share_stations']:.0f} %")
cols[2].metric("Urban share of voting visits", f"{100 * total['urban_share_visits']:.0f} %")
special = total["voting_special"] / total["voting"] if total["voting"] else 0.0
cols[3].metric(
    "Special-needs share of visits",
    f"{100 * special:.1f} %",
    help=f"{100 * total['special_stations'] / max(1, total['stations']):.1f} % of stations",
)

mix = mix_chart_frame(rows)
if len(mix):
    st.subheader("Urban/rural and station kind")
    for column, group in zip(st.columns(2), ("setting", "kind"), strict=True):
        part = mix[mix["group"] == group]
        column.altair_chart(
            alt.Chart(part, title=f"By {group}: share of stations and of voting visits")
            .mark_bar()
            .encode(
                x=alt.X("share:Q", title="share (%)", scale=alt.Scale(domain=[0, 100])),
                y=alt.Y("category:N", title=None, axis=alt.Axis(labelLimit=LABEL_PX)),
                yOffset=alt.YOffset("measure:N", sort=["stations", "voting visits"]),
                color=alt.Color(
                    "measure:N",
                    scale=alt.Scale(
                        domain=["stations", "voting visits"], range=["#9ecae1", "#e6550d"]
                    ),
                    title=None,
                    legend=alt.Legend(orient="top"),
                ),
                tooltip=["category", "measure", alt.Tooltip("share:Q", format=".1f")],
            )
            .properties(height=alt.Step(22)),
            width="stretch",
        )

st.subheader("Regions and areas")
st.caption("Each bar is a share of the mission: its stations, its voters, its voting visits.")
areas = share_chart_frame(rows, "area")
regions = share_chart_frame(rows, "region")
if len(areas):
    st.altair_chart(share_chart(areas, "Areas of responsibility"), width="stretch")
if len(regions):
    st.altair_chart(share_chart(regions, "Regions"), width="stretch")

with st.expander("Coverage table (as in coverage.csv)"):
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
