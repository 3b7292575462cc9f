"""Mission overview: what is loaded, in numbers and on a map."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from planner.geodata import mission_warnings, summarize
from planner.maps import mission_map
from planner.ui.state import current_mission, mission_source

mission = current_mission()
summary = summarize(mission)
st.title(mission.name)
st.caption(f"Source: {mission_source()}")

cols = st.columns(5)
cols[0].metric("Regions", summary.regions)
cols[1].metric("TECs", summary.commissions)
cols[2].metric("Polling stations", f"{summary.stations:,}")
cols[3].metric("Voters", f"{summary.voters:,}")
cols[4].metric("Teams", summary.teams)

st_folium(mission_map(mission), height=560, use_container_width=True, returned_objects=[])

left, right = st.columns(2)
with left:
    st.subheader("Stations by kind and setting")
    st.dataframe(
        pd.DataFrame(
            {
                "count": {**summary.stations_by_kind, **summary.stations_by_setting},
            }
        ),
        use_container_width=True,
    )
with right:
    st.subheader("Stations by region")
    st.dataframe(
        pd.DataFrame(
            {
                "stations": summary.stations_by_region,
                "voters": summary.voters_by_region,
            }
        ),
        use_container_width=True,
    )
warnings = mission_warnings(mission)
if warnings:
    with st.expander(f"{len(warnings)} warning(s) — not blocking"):
        st.dataframe(
            pd.DataFrame(
                [{"station": w.row, "field": w.field, "message": w.message} for w in warnings]
            ),
            use_container_width=True,
        )
