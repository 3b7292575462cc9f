"""Change password: required before anything else while an account has a one-time
password (a new account, or one whose password was reset)."""

from __future__ import annotations

import streamlit as st

from planner.store import AuthError, BusyError, change_password
from planner.store.auth import MIN_PASSWORD_LENGTH
from planner.ui import session
from planner.ui.guard import BUSY

who = session.user()
store = session.get_store()
st.title("Choose your password")
st.info(
    f"**{who.username}**, your account still has a one-time password. Choose your own "
    f"(at least {MIN_PASSWORD_LENGTH} characters) before you continue."
)
with st.form("change_password"):
    old = st.text_input("One-time password", type="password", key="pw_old")
    new = st.text_input("New password", type="password", key="pw_new")
    again = st.text_input("New password again", type="password", key="pw_again")
    submitted = st.form_submit_button("Change password", type="primary")

if submitted:
    if new != again:
        st.error("The two new passwords differ; type them again.")
    else:
        try:
            change_password(store, user=who, old=old, new=new)
            # Changing the password closes every session of the account: open a new one.
            session.sign_in_with_password(store, who.username, new)
        except ValueError as exc:
            st.error(f"{str(exc).capitalize()}.")
        except AuthError as exc:
            st.error(f"{str(exc).capitalize()}.")
        except BusyError:
            st.warning(BUSY)
        else:
            st.session_state[session.NOTICE_KEY] = "Password changed."
            st.rerun()
