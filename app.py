"""Election observation deployment planner: `streamlit run app.py`.

Imported by the server, this file gives `app`, the web application: Streamlit plus the
routes that set and clear the session cookie (`planner.ui.web`); `streamlit run` finds
it and serves this same file as the script that draws every page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import streamlit as st

from planner.ui import web

log = logging.getLogger("planner.app")
FAVICON = Path(__file__).resolve().parent / "static" / "favicon.png"
# On a 1280 x 720 laptop five metrics share a row: their figures shrink with the window
# and labels wrap rather than end in "…".
LAYOUT_CSS = """<style>
[data-testid="stMetricValue"] { font-size: clamp(1.25rem, 2.1vw, 2.25rem); }
[data-testid="stMetricValue"] > div, [data-testid="stMetricLabel"] p,
[data-testid="stWidgetLabel"] p { white-space: normal; overflow: visible;
  text-overflow: clip; }
</style>"""


def _page(name: str, *, default: bool = False) -> st.Page:
    from planner.ui.pages import PAGES

    path, title, icon = PAGES[name]
    if default:
        # Served at "/"; Streamlit still reserves the name it would have had, so it is
        # named apart, and a hidden page answers at `name` (`_navigation`).
        return st.Page(path, title=title, icon=icon, default=True, url_path=f"{name}-start")
    return st.Page(path, title=title, icon=icon)


def _stand_ins(script: str, title: str, icon: str) -> list[st.Page]:
    """`script` at every page's path, hidden: before signing in (or while a password must
    be changed) a link to /map shows it, and afterwards /map opens."""
    from planner.ui.pages import page_names

    return [
        st.Page(script, title=title, icon=icon, url_path=name, visibility="hidden")
        for name in page_names()
    ]


def _sign_out() -> None:
    from planner.ui import job_state, session

    job_state.cancel_job()
    had_cookie = session.cookie() is not None
    session.end_session(session.get_store())
    if not had_cookie and session.oidc_configured() and st.user.get("is_logged_in"):
        st.logout()  # also end the identity provider's session here, or it signs in again
    st.rerun()


def _sidebar(user) -> None:  # type: ignore[no-untyped-def]
    from planner.escaping import markdown_text
    from planner.store import Role
    from planner.ui import job_state, mission_choice, mission_state, session, version_state
    from planner.ui.pages import PASSWORD_PAGE
    from planner.ui.versions import version_details, version_label

    with st.sidebar:
        st.html(LAYOUT_CSS)  # here, not in the page: the page's elements keep their places
        st.caption(
            f"Signed in as **{markdown_text(user.username)}** "
            f"({markdown_text(session.role_label(user))})"
        )
        if st.button("Sign out", icon=":material/logout:", key="sign_out"):
            _sign_out()
        if session.must_change_password():
            return
        st.page_link(PASSWORD_PAGE[1], label=PASSWORD_PAGE[2], icon=PASSWORD_PAGE[3])
        visible = mission_state.missions()
        current = mission_state.mission_id()
        if len(visible) > 1:
            names = {m.id: f"#{m.id} · {m.name}" for m in visible}
            ids: list[int] = list(names)
            picked = st.selectbox(
                "Mission",
                ids,
                index=ids.index(current) if current in ids else 0,
                format_func=lambda i: names[i],
            )
            if picked is not None and picked != current:
                mission_choice.choose_mission(picked)
                st.rerun()
        else:
            st.caption(f"**Mission:** {markdown_text(mission_state.mission_name())}")
        job_state.collect_job()
        running = job_state.job()
        if running is not None:
            st.caption(f"**Planning…** ({markdown_text(running.meta.get('label', 'plan'))})")
        listed = version_state.versions()
        version_state.remember_published(listed)
        version = version_state.current_version(listed)
        if user.role is Role.TEAM:
            if version is None:
                st.caption("**Schedule:** not published yet")
            else:
                st.caption(f"**Schedule:** published plan {version.name}")
            return
        if version is None:
            if running is None:
                st.caption("**Plan:** none yet")
            return
        scope = user.area_ids if user.role is Role.LTO else None
        published = version_state.published_of(listed)
        published_id = published.id if published is not None else None
        labels = {v.id: version_label(v, scope, published=published_id) for v in listed}
        versions: list[int] = list(labels)
        chosen = st.selectbox(
            "Plan version",
            versions,
            index=versions.index(version.id),
            format_func=lambda i: labels[i],
        )
        if chosen is not None and chosen != version.id:
            version_state.choose_version(chosen)
            st.rerun()
        st.caption(f"Looking at {version.name}, {version_details(version)}.")
        if published is None:
            st.caption("**Published:** none yet; teams see no schedule.")
        elif published.id == version.id:
            st.caption("**Published:** this version; teams see it.")
        else:
            st.caption(f"**Published:** {published.name}; teams see that one, not this draft.")
        if version_state.is_stale(version):
            st.caption("Made before the last change to teams, rules or targets.")


def _watch_session() -> None:
    """Every few seconds while a page is open: a session ended elsewhere (signed out in
    another tab, password changed, account removed, expired) shows the sign-in page, and
    a newly published plan version redraws the page (a team's schedule appears)."""
    from planner.ui import session, version_state
    from planner.ui.memo import forget_run_memo

    @st.fragment(run_every=session.session_check_seconds())
    def check() -> None:
        if not session.still_signed_in():
            st.rerun()
        if version_state.published_changed():
            forget_run_memo()
            st.rerun()

    check()


def _navigation() -> st.Page:
    from planner.escaping import markdown_text
    from planner.ui import session
    from planner.ui.guard import page_errors
    from planner.ui.pages import PAGES, PASSWORD_PAGE, ROLE_PAGES, SIGN_IN_PAGE

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
        if session.clear_cookie_if_signed_out():
            st.stop()
        script, title, icon = SIGN_IN_PAGE
        sign_in = st.Page(script, title=title, icon=icon, default=True)
        return st.navigation([sign_in, *_stand_ins(script, title, icon)])
    _watch_session()
    name, script, title, icon = PASSWORD_PAGE
    if session.must_change_password():
        _sidebar(user)
        first = st.Page(script, title="Choose your password", icon=icon, default=True)
        return st.navigation([first, *_stand_ins(script, "Choose your password", icon)])
    names = ROLE_PAGES[user.role]
    own = st.Page(script, title=title, icon=icon, url_path=name, visibility="hidden")
    # The start page is served at "/", and also at its own name: a link to /my_area (a
    # bookmark, or a coordinator's link sent to an LTO) opens it, not "Page not found".
    start, start_title, start_icon = PAGES[names[0]]
    start_alias = st.Page(
        start, title=start_title, icon=start_icon, url_path=names[0], visibility="hidden"
    )
    page = st.navigation(
        [*(_page(n, default=i == 0) for i, n in enumerate(names)), own, start_alias]
    )
    with page_errors("The app"):
        _sidebar(user)
    return page


@contextlib.asynccontextmanager
async def _lifespan(_app: st.App) -> AsyncIterator[None]:
    """While the server runs, closed sessions' memory is released. On shutdown, plan runs
    still going are stopped and marked interrupted (the server ends by its signal after
    this, and exit handlers do not run)."""
    from planner.ui.jobs import stop_all_runs
    from planner.ui.shared import keep_releasing

    releasing = asyncio.create_task(keep_releasing())
    try:
        yield None
    finally:
        releasing.cancel()
        await asyncio.to_thread(stop_all_runs)


def main() -> None:
    from planner.ui import session
    from planner.ui.guard import page_errors

    # The icon is served by the app itself: no page asks a font server for it.
    st.set_page_config(page_title="Deployment planner", page_icon=str(FAVICON), layout="wide")
    page = _navigation()
    session.remember_page(page.url_path)
    if session.current_user() is not None and (notice := session.take_notice()):
        st.toast(notice)
    with page_errors(page.title):
        page.run()


if __name__ == "__main__":  # a script run: draw the page
    main()
else:  # imported by the server: the web application, with the cookie routes
    from starlette.middleware import Middleware

    # The server's own notes (refused sign-in tickets and uploads, closed sessions let go)
    # go to its log next to Streamlit's.
    if not logging.getLogger("planner").handlers:
        _handler = logging.StreamHandler()
        _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger("planner").addHandler(_handler)
        logging.getLogger("planner").setLevel(logging.INFO)

    from planner.ui.caching import StaticCaching

    app = st.App(
        __file__,
        routes=web.routes(),
        middleware=[Middleware(StaticCaching, base=web.base_path)],
        lifespan=_lifespan,
    )
