"""Export: the plan as files, one download button per format."""

from __future__ import annotations

import streamlit as st

from planner.ui import state
from planner.ui.downloads import DOWNLOADS

mission = state.current_mission()
plan = state.current_plan()
st.title("Export")
if plan is None:
    st.info("No plan yet: run one on the Plan page, then download it here.")
    st.stop()
record = state.current_record()
st.caption(
    f"Plan {record.label}, made at {record.made_at_text}. Same files as `planner plan --out`."
)
if state.plan_is_stale():
    st.warning("Teams, rules or targets changed after this plan was made.")

for download in DOWNLOADS:
    with st.container(border=True):
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(f"**{download.label}** — `{download.file_name}`  \n{download.description}")
        try:
            data = download.build(plan, mission)
        except Exception as exc:  # one broken format must not hide the others
            left.error(f"Cannot build {download.file_name}: {exc}")
            continue
        right.download_button(
            f"Download {download.file_name}",
            data=data,
            file_name=download.file_name,
            mime=download.mime,
            key=f"download_{download.file_name}",
            width="stretch",
        )
