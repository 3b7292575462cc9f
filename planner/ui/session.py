"""The app's store and who is signed in.

One store per server process (`st.cache_resource`): SQLite under `$PLANNER_DATA_DIR` by
default, PostgreSQL when `$PLANNER_DATABASE_URL` is set. On the first start with an
empty store the app stores the default mission and creates the first coordinator; its
one-time password goes to the server console only, never to a page.

A sign-in keeps only the session token in `st.session_state`; the user behind it is
looked up in the store once on every rerun (`current_user`), so an expired session, a
closed one or a removed account sends the browser back to the sign-in page at once.
Pages start with `require(role, ...)`.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import streamlit as st

from planner.store import (
    AuthError,
    CurrentUser,
    Role,
    SignIn,
    Store,
    StoreError,
    authenticate,
    bootstrap_coordinator,
    database_url,
    has_users,
    import_mission,
    list_missions,
    open_store,
    session_user,
    sign_in_external,
    sign_out,
    system_user,
    users_list,
)
from planner.ui.memo import per_run

log = logging.getLogger("planner.app")

TOKEN_KEY = "auth_token"
MUST_CHANGE_KEY = "auth_must_change"
NOTICE_KEY = "auth_notice"
FIRST_COORDINATOR = "coordinator"
APP_OPERATOR = "app"

_bootstrap_lock = threading.Lock()


# ---------------------------------------------------------------------------------------
# The store, and the first start
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstStart:
    """What the first start of the app did to an empty store."""

    mission_id: int | None
    coordinator: str | None


def bootstrap(
    store: Store, *, mission_path: Path | None = None, out: TextIO | None = None
) -> FirstStart:
    """Make an empty store usable: store the default mission if there is none, and create
    the first coordinator if there is no account, printing its one-time password to `out`
    (the server console). Does nothing to a store that has both."""
    out = out or sys.stderr
    operator = system_user(APP_OPERATOR)
    mission_id = None
    with _bootstrap_lock:
        if not list_missions(store, user=operator):
            from planner.datasets import get_path
            from planner.geodata import load_mission

            path = mission_path or get_path()
            mission = load_mission(path)
            mission_id = import_mission(store, mission, user=operator)
            print(
                f"planner: stored the mission {mission.name!r} ({len(mission.stations):,} "
                f"stations) from {path}",
                file=out,
                flush=True,
            )
        coordinator = None
        if not has_users(store):
            try:
                password = bootstrap_coordinator(store, FIRST_COORDINATOR)
            except StoreError:  # another server process created it a moment ago
                password = None
            if password is not None:
                coordinator = FIRST_COORDINATOR
                print(_banner(FIRST_COORDINATOR, password, store.url), file=out, flush=True)
    return FirstStart(mission_id, coordinator)


def _banner(username: str, password: str, where: str) -> str:
    rule = "=" * 72
    return "\n".join(
        [
            "",
            rule,
            "  FIRST START: a coordinator account was created (shown only this once)",
            "",
            f"    user:               {username}",
            f"    one-time password:  {password}",
            "",
            "  Sign in with it in the browser; you will be asked for a new password.",
            f"  Lost it? Run:  planner users reset-password {username}",
            f"  Store: {where}",
            rule,
            "",
        ]
    )


@st.cache_resource(show_spinner="Opening the mission store…")
def _opened(url: str) -> Store:
    store = open_store(url)
    bootstrap(store)
    return store


def get_store() -> Store:
    """The store of this server (opened, migrated and bootstrapped once per process)."""
    return _opened(database_url())


def first_start_accounts(store: Store) -> list[str]:
    """Coordinators still on the one-time password printed at first start (for the hint
    on the sign-in page): only while the store has that single account."""
    accounts = users_list(store, user=system_user(APP_OPERATOR))
    if len(accounts) != 1:
        return []
    only = accounts[0]
    if only.role == Role.COORDINATOR.value and only.must_change_password:
        return [only.username]
    return []


# ---------------------------------------------------------------------------------------
# Signing in and out
# ---------------------------------------------------------------------------------------


def token() -> str | None:
    return st.session_state.get(TOKEN_KEY)


def signed_in(store: Store | None = None) -> CurrentUser | None:
    """The signed-in user, checked against the store now; None (and the token dropped,
    with the reason kept for the sign-in page) when the session is not valid."""
    current = token()
    if not current:
        return None
    try:
        return session_user(store or get_store(), current)
    except AuthError as exc:
        forget(notice=str(exc).capitalize())
        return None


def current_user() -> CurrentUser | None:
    """The signed-in user, checked against the store once per rerun (None: nobody)."""
    return per_run("user", lambda: signed_in(get_store()))


def user() -> CurrentUser:
    """The signed-in user, checked against the store on this rerun; a page run without
    one stops with a message (the app shows the sign-in page instead)."""
    current = current_user()
    if current is None:
        st.warning("Sign in first.")
        st.stop()
    return current


def require(*roles: Role) -> CurrentUser:
    """The signed-in user, if their role may open this page; else a message and stop."""
    current = user()
    if current.role not in roles:
        st.error("This page is not available to your account.")
        st.stop()
    return current


def must_change_password() -> bool:
    return bool(st.session_state.get(MUST_CHANGE_KEY))


def remember(sign_in: SignIn) -> CurrentUser:
    """Keep a new session in this browser session (only its token)."""
    forget()
    st.session_state[TOKEN_KEY] = sign_in.token
    st.session_state[MUST_CHANGE_KEY] = bool(sign_in.must_change_password)
    return sign_in.user


def sign_in_with_password(store: Store, username: str, password: str) -> CurrentUser:
    """AuthError (wrong password, locked) or BusyError are left to the caller to show."""
    return remember(authenticate(store, username, password))


def sign_in_with_identity_provider(store: Store, email: str) -> CurrentUser:
    return remember(sign_in_external(store, email, method="oidc"))


def forget(*, notice: str | None = None) -> None:
    """Drop the session and everything this browser session kept of the signed-in user."""
    keep = {NOTICE_KEY}
    for key in list(st.session_state.keys()):
        if key not in keep and not str(key).startswith("FormSubmitter:"):
            del st.session_state[key]
    if notice:
        st.session_state[NOTICE_KEY] = notice


def end_session(store: Store) -> None:
    """Sign out: the store closes the session, this browser session forgets it."""
    current = token()
    if current:
        try:
            sign_out(store, current)
        except StoreError:
            log.exception("could not close the session in the store")
    forget(notice="You are signed out.")


def take_notice() -> str | None:
    return st.session_state.pop(NOTICE_KEY, None)


def oidc_configured() -> bool:
    """Whether single sign-on (`st.login`) is set up: an `[auth]` section in secrets."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def role_label(user: CurrentUser) -> str:
    if user.role is Role.LTO:
        return f"LTO · {', '.join(sorted(user.area_ids))}"
    if user.role is Role.TEAM:
        return f"team · {user.team_id}"
    return "coordinator"
