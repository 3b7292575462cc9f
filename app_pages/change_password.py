"""Change password, for every role at any time; required before anything else while an
account has a one-time password (a new account, or one whose password was reset).
Changing it closes the account's sessions in every other browser."""

from __future__ import annotations

import streamlit as st

from planner.passwords import MAX_LENGTH, MIN_LENGTH, PasswordRejected
from planner.store import AuthError, BusyError, change_password
from planner.ui import session
from planner.ui.guard import BUSY

who = session.user()
store = session.get_store()
forced = session.must_change_password()
if forced:
    st.title("Choose your password")
    st.info(
        f"**{who.username}**, your account still has a one-time password. Choose your own "
        "before you continue."
    )
else:
    st.title("Change password")
st.caption(
    f"At least {MIN_LENGTH} characters; a few unrelated words are easy to remember and hard "
    "to guess. Common passwords, your username and the mission's name are refused. Your "
    "other signed-in browsers are signed out."
)
with st.form("change_password", clear_on_submit=True):
    old = st.text_input(
        "One-time password" if forced else "Current password",
        type="password",
        key="pw_old",
        autocomplete="current-password",
        max_chars=MAX_LENGTH,
    )
    new = st.text_input(
        "New password", type="password", key="pw_new", autocomplete="new-password",
        max_chars=MAX_LENGTH,
    )  # fmt: skip
    again = st.text_input(
        "New password again", type="password", key="pw_again", autocomplete="new-password",
        max_chars=MAX_LENGTH,
    )  # fmt: skip
    submitted = st.form_submit_button("Change password", type="primary")

if submitted:
    if new != again:
        st.error("The two new passwords differ; type them again.")
    else:
        try:
            change_password(
                store,
                user=who,
                old=old,
                new=new,
                keep_token=session.token(),
                client=session.client_address(),
            )
        except (PasswordRejected, AuthError) as exc:
            st.error(f"{str(exc).capitalize()}.")
        except BusyError:
            st.warning(BUSY)
        else:
            st.session_state[session.NOTICE_KEY] = "Password changed."
            st.rerun()
