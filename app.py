"""Election observation deployment planner: `streamlit run app.py`."""

from __future__ import annotations

import logging

import streamlit as st

from planner.escaping import markdown_text
from planner.store import Role
from planner.ui import job_state, mission_choice, mission_state, session, version_state
from planner.ui.guard import page_errors
from planner.ui.versions import version_label

log = logging.getLogger("planner.app")

st.set_page_config(page_title="Deployment planner", page_icon=":material/map:", layout="wide")

# Pages live in app_pages/, not pages/: Streamlit treats a pages/ folder as an old-style
# multipage app, and a session opened on /map then bypasses this navigation.
# Material icons ship with Streamlit (no emoji font needed on the laptop).
PAGES = {
    "mission": ("app_pages/mission.py", "Mission", ":material/description:"),
    "teams": ("app_pages/teams.py", "Teams & rules", ":material/groups:"),
    "plan": ("app_pages/plan.py", "Plan", ":material/route:"),
    "map": ("app_pages/map.py", "Map", ":material/map:"),
    "my_area": ("app_pages/my_area.py", "My area", ":material/my_location:"),
    "coverage": ("app_pages/coverage.py", "Coverage", ":material/bar_chart:"),
    "export": ("app_pages/export.py", "Export", ":material/download:"),
    "my_schedule": ("app_pages/my_schedule.py", "My schedule", ":material/event_note:"),
}
# What each role may open, the first page being where it starts.
ROLE_PAGES = {
    Role.COORDINATOR: ["mission", "teams", "plan", "map", "my_area", "coverage", "export"],
    Role.LTO: ["my_area", "map", "coverage", "export"],
    Role.TEAM: ["my_schedule"],
}


def _page(name: str, *, default: bool = False) -> st.Page:
    path, title, icon = PAGES[name]
    return st.Page(path, title=title, icon=icon, default=default)


def _sign_out() -> None:
    job_state.cancel_job()
    session.end_session(session.get_store())
    if session.oidc_configured() and st.user.get("is_logged_in"):
        st.logout()  # also end the identity provider's session here, or it signs in again
    st.rerun()


def _sidebar(user) -> None:
    with st.sidebar:
        st.caption(
            f"Signed in as **{markdown_text(user.username)}** "
            f"({markdown_text(session.role_label(user))})"
        )
        if st.button("Sign out", icon=":material/logout:", key="sign_out"):
            _sign_out()
        if session.must_change_password():
            return
        visible = mission_state.missions()
        current = mission_state.mission_id()
        if len(visible) > 1:
            names = {m.id: f"#{m.id} · {m.name}" for m in visible}
            ids = list(names)
            picked = st.selectbox(
                "Mission",
                ids,
                index=ids.index(current) if current in ids else 0,
                format_func=names.get,
            )
            if picked != current:
                mission_choice.choose_mission(picked)
                st.rerun()
        else:
            st.caption(f"**Mission:** {markdown_text(mission_state.mission_name())}")
        job_state.collect_job()
        running = job_state.job()
        if running is not None:
            st.caption(f"**Planning…** ({markdown_text(running.meta.get('label', 'plan'))})")
        listed = version_state.versions()
        version = version_state.current_version(listed)
        if user.role is Role.TEAM:
            if version is None:
                st.caption("**Schedule:** not published yet")
            else:
                st.caption(f"**Schedule:** published plan v{version.id}")
            return
        if version is None:
            if running is None:
                st.caption("**Plan:** none yet")
            return
        scope = user.area_ids if user.role is Role.LTO else None
        labels = {v.id: version_label(v, scope) for v in listed}
        ids = list(labels)
        picked = st.selectbox(
            "Plan version", ids, index=ids.index(version.id), format_func=labels.get
        )
        if picked != version.id:
            version_state.choose_version(picked)
            st.rerun()
        if version_state.is_stale(version):
            st.caption("Made before the last change to teams, rules or targets.")


def _navigation() -> st.navigation:
    try:
        session.get_store()
    except Exception as exc:  # no database to talk to: say so, never a traceback
        log.exception("the mission store cannot be opened")
        st.error(
            "The mission store cannot be opened: " + markdown_text(f"{type(exc).__name__}: {exc}")
        )
        st.stop()
    user = session.current_user()
    if user is None:
        return st.navigation(
            [st.Page("app_pages/sign_in.py", title="Sign in", icon=":material/login:")]
        )
    if session.must_change_password():
        _sidebar(user)
        return st.navigation(
            [
                st.Page(
                    "app_pages/change_password.py",
                    title="Change password",
                    icon=":material/password:",
                )
            ]
        )
    names = ROLE_PAGES[user.role]
    page = st.navigation([_page(n, default=i == 0) for i, n in enumerate(names)])
    with page_errors("The app"):
        _sidebar(user)
    return page


page = _navigation()
if session.current_user() is not None and (notice := session.take_notice()):
    st.toast(notice)
with page_errors(page.title):
    page.run()
