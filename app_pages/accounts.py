"""Accounts (coordinators): who may sign in, to which mission and role, and who has to
wait after wrong passwords; a coordinator lifts such a wait here (as
`planner users unlock` does)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner.store import NotFound, Role, unlock, users_list
from planner.ui import session

who = session.require(Role.COORDINATOR)
store = session.get_store()
st.title("Accounts")
accounts = users_list(store, user=who)
st.caption(
    "Wrong passwords make the address they came from wait (a minute, doubling up to an "
    "hour), never the account itself; many from everywhere only slow its sign-in down."
)
table = pd.DataFrame(
    {
        "user": [a.username for a in accounts],
        "role": [a.role for a in accounts],
        "mission": ["all" if a.mission_id is None else str(a.mission_id) for a in accounts],
        "areas / team": [", ".join(a.area_ids) or (a.team_id or "") for a in accounts],
        "password": [
            "one-time" if a.must_change_password else ("set" if a.has_password else "SSO")
            for a in accounts
        ],
        "wrong passwords (24 h)": [a.recent_failures for a in accounts],
        "waiting addresses": [", ".join(a.blocked_clients) for a in accounts],
        "last sign-in (UTC)": [
            "" if a.last_sign_in_at is None else f"{a.last_sign_in_at:%Y-%m-%d %H:%M}"
            for a in accounts
        ],
    }
)
st.dataframe(table, hide_index=True, width="stretch")

st.subheader("Lift a wait")
names = [a.username for a in accounts]
left, right = st.columns(2)
with left:
    name = st.selectbox("Account", names, key="unlock_account")
    if st.button("Unlock this account", disabled=not names) and name:
        try:
            cleared = unlock(store, user=who, username=name)
        except NotFound as exc:
            st.error(f"Not found: {exc}.")
        else:
            st.success(f"{name}: {cleared} count(s) of wrong passwords cleared.")
with right:
    address = st.text_input("Or a client address", key="unlock_client", max_chars=64)
    if st.button("Unlock this address", disabled=not address.strip()):
        cleared = unlock(store, user=who, client=address.strip())
        st.success(f"{address.strip()}: {cleared} count(s) of wrong passwords cleared.")
