"""Election observation deployment planner: `streamlit run app.py`."""

from __future__ import annotations

import streamlit as st

from planner.ui import state
from planner.ui.guard import page_errors

st.set_page_config(page_title="Deployment planner", page_icon=":material/map:", layout="wide")

# Pages live in app_pages/, not pages/: Streamlit treats a pages/ folder as an old-style
# multipage app, and a session opened on /map then bypasses this navigation.
# Material icons ship with Streamlit (no emoji font needed on the laptop).
pages = [
    st.Page("app_pages/mission.py", title="Mission", icon=":material/description:", default=True),
    st.Page("app_pages/teams.py", title="Teams & rules", icon=":material/groups:"),
    st.Page("app_pages/plan.py", title="Plan", icon=":material/route:"),
    st.Page("app_pages/map.py", title="Map", icon=":material/map:"),
    st.Page("app_pages/my_area.py", title="My area", icon=":material/my_location:"),
    st.Page("app_pages/coverage.py", title="Coverage", icon=":material/bar_chart:"),
    st.Page("app_pages/export.py", title="Export", icon=":material/download:"),
]
page = st.navigation(pages)

with page_errors("The app"):
    state.collect_job()
    with st.sidebar:
        mission = state.current_mission()
        st.caption(f"**Mission:** {mission.name}")
        running = state.job()
        record = state.current_record()
        if running is not None:
            st.caption(f"**Planning…** ({running.meta.get('label', 'plan')}; see the Plan page)")
        if record is not None:
            stale = " (made before the last change)" if state.plan_is_stale() else ""
            st.caption(f"**Plan:** {record.label}, {record.made_at_text}{stale}")
        elif running is None:
            st.caption("**Plan:** none yet")

with page_errors(page.title):
    page.run()
