"""Sign in: a local account (username and password), or the organisation's single sign-on
when it is configured (`[auth]` in `.streamlit/secrets.toml`). Opened on a page's path
(a bookmark, a shared link), it opens that page once signed in."""

from __future__ import annotations

import streamlit as st
import streamlit.components.v1 as components

from planner.escaping import markdown_text
from planner.passwords import MAX_LENGTH
from planner.store import AuthError, BusyError
from planner.ui import session, web
from planner.ui.guard import BUSY
from planner.ui.prefetch import prefetch_links

store = session.get_store()
target = session.requested_page()
column = st.columns([2, 3])[0]  # a form of a readable width on a wide screen
# While the form is filled in, the browser fetches what the first page will need (in a
# frame of no height: the page's own HTML would lose the link tags to its sanitizer).
components.html(prefetch_links(web.base_path()), height=0)
with column:
    st.title("Sign in")
    st.caption("Deployment planner for election observation missions. The plan is confidential.")

    if notice := session.take_notice():
        st.info(notice)

    for name in session.first_start_accounts(store):
        st.info(
            f"**First start.** A one-time password for the coordinator account **{name}** was "
            "printed in the terminal that started the app (it is never shown here). Sign in "
            "with it; you will then choose your own password. Lost it? On the server, run "
            f"`planner users reset-password {name}` for a new one."
        )

    if session.oidc_configured():
        if st.user.get("is_logged_in"):
            email = str(st.user.get("email") or "")
            # After a session ended in this browser, signing in again is a choice.
            automatic = not st.session_state.get(session.ENDED_KEY)
            if automatic or st.button(f"Continue as {markdown_text(email)}", type="primary"):
                try:
                    session.sign_in_with_identity_provider(store, email)
                except AuthError as exc:
                    st.error(f"{markdown_text(str(exc).capitalize())}.")
                    st.button("Sign out of the organisation account", on_click=st.logout)
                except BusyError:
                    st.warning(BUSY)
                else:
                    session.hand_off(store, target)
                    st.stop()
        else:
            st.button(
                "Sign in with your organisation account",
                on_click=st.login,
                type="primary",
                icon=":material/badge:",
            )
            st.caption("Or with a local account:")

    with st.form("sign_in"):
        username = st.text_input(
            "Username", key="signin_username", autocomplete="username", max_chars=200
        )
        password = st.text_input(
            "Password",
            type="password",
            key="signin_password",
            autocomplete="current-password",
            max_chars=MAX_LENGTH,
        )
        submitted = st.form_submit_button("Sign in", type="primary")

    if submitted:
        if not username.strip() or not password:
            st.error("Enter your username and password.")
        else:
            try:
                session.sign_in_with_password(store, username, password)
            except AuthError as exc:
                st.error(f"{markdown_text(str(exc).capitalize())}.")
            except BusyError:
                st.warning(BUSY)
            else:
                session.hand_off(store, target)
