"""Election observation deployment planner: `streamlit run app.py`."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Deployment planner", page_icon="🗺️", layout="wide")

pages = [
    st.Page("pages/mission.py", title="Mission", icon="📋", default=True),
]
st.navigation(pages).run()
