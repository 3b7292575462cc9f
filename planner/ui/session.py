"""The app's store and who is signed in.

One store per server process (`st.cache_resource`): SQLite under `$PLANNER_DATA_DIR` by
default, PostgreSQL when `$PLANNER_DATABASE_URL` is set. On the first start with an
empty store the app stores the default mission and creates the first coordinator; its
one-time password goes to the server console only, never to a page.

A browser keeps its session in an HttpOnly cookie (set by the `/auth/session` route,
`planner.ui.web`), so a reload or a link to a page keeps it; a Streamlit session that
has just signed in also keeps the token in `st.session_state` until the browser has the
cookie. The session is checked in the store once on every rerun (`current_user`) and
every `SESSION_CHECK_SECONDS` while a page is open, so an expired session, a sign-out in
another tab, a password change elsewhere or a removed account sends the browser back to
the sign-in page. Pages start with `require(role, ...)`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TextIO

import streamlit as st

from planner.store import (
    ActiveSession,
    AuthError,
    CurrentUser,
    Role,
    SignIn,
    Store,
    StoreError,
    authenticate,
    bootstrap_coordinator,
    check_session,
    database_url,
    has_users,
    import_mission,
    issue_ticket,
    list_missions,
    open_store,
    sign_in_external,
    sign_out,
    system_user,
    users_list,
)
from planner.ui import web
from planner.ui.memo import per_run

log = logging.getLogger("planner.app")

TOKEN_KEY = "auth_token"
NOTICE_KEY = "auth_notice"
ENDED_KEY = "auth_ended"  # hashes of tokens found dead in this browser session
SIGNED_OUT_KEY = "auth_signed_out"  # this tab signed out: clear the cookie on the next run
PAGE_KEY = "auth_page"  # the page path this run draws (the sign-in page's next page)
SESSION_HOURS_ENV = "PLANNER_SESSION_HOURS"
SESSION_CHECK_ENV = "PLANNER_SESSION_CHECK_SECONDS"
SESSION_HOURS = 12.0
SESSION_CHECK_SECONDS = 30.0
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


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        number = float(value) if value else default
    except ValueError:
        raise ValueError(f"${name} must be a number, not {value!r}") from None
    if number <= 0:
        raise ValueError(f"${name} must be more than 0, not {value!r}")
    return number


def session_hours() -> float:
    """How long a session lasts: `$PLANNER_SESSION_HOURS`, default 12."""
    return _env_number(SESSION_HOURS_ENV, SESSION_HOURS)


def session_check_seconds() -> float:
    """How often an open page checks that its session still holds:
    `$PLANNER_SESSION_CHECK_SECONDS`, default 30."""
    return _env_number(SESSION_CHECK_ENV, SESSION_CHECK_SECONDS)


@st.cache_resource(show_spinner="Opening the mission store…")
def _opened(url: str) -> Store:
    store = open_store(url, session_ttl=timedelta(hours=session_hours()))
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


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cookie() -> str | None:
    """The browser's session cookie, as sent when the page was opened (None: none)."""
    value = st.context.cookies.get(web.COOKIE)
    return value if isinstance(value, str) and value else None


def _cookie_token() -> str | None:
    """The session token of the browser's cookie, unless this browser session found it
    dead already."""
    token = cookie()
    if token is None or _digest(token) in st.session_state.get(ENDED_KEY, ()):
        return None
    return token


def token() -> str | None:
    """The token of this browser session: the one it signed in with, else the cookie's."""
    return st.session_state.get(TOKEN_KEY) or _cookie_token()


def client_address() -> str | None:
    """The browser's network address, as the server sees it (None: this machine)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def _active(store: Store) -> ActiveSession | None:
    """The session checked against the store now; None (and the token dropped, with the
    reason kept for the sign-in page) when it is not valid."""
    current = token()
    if not current:
        return None
    try:
        return check_session(store, current)
    except AuthError as exc:
        ended = set(st.session_state.get(ENDED_KEY, ()))
        st.session_state[ENDED_KEY] = ended | {_digest(current)}
        forget(notice=str(exc).capitalize())
        return None


def active_session() -> ActiveSession | None:
    """The signed-in session, checked against the store once per rerun."""
    return per_run("session", lambda: _active(get_store()))


def signed_in(store: Store | None = None) -> CurrentUser | None:
    """The signed-in user, checked against the store now (None: nobody)."""
    found = _active(store or get_store())
    return found.user if found is not None else None


def current_user() -> CurrentUser | None:
    """The signed-in user, checked against the store once per rerun (None: nobody)."""
    found = active_session()
    return found.user if found is not None else None


def still_signed_in() -> bool:
    """Whether the session still holds right now (for the periodic check of an open page)."""
    current = token()
    if not current:
        return False
    try:
        check_session(get_store(), current)
    except AuthError:
        return False
    return True


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
    found = active_session()
    return bool(found and found.must_change_password)


def remember(sign_in: SignIn) -> CurrentUser:
    """Keep a new session in this browser session (only its token; what a previous user
    kept was dropped when their session ended)."""
    st.session_state[TOKEN_KEY] = sign_in.token
    return sign_in.user


def hand_off(store: Store, page: str = "") -> None:
    """Send the browser to swap a one-time ticket for its session cookie, then to `page`.

    Until the browser has loaded that, this browser session stays signed in by itself.
    """
    current = st.session_state.get(TOKEN_KEY)
    if not current:
        return
    url = web.handoff_url(issue_ticket(store, current), page)
    st.info("Signing in…")
    navigate(url, "Continue")


def navigate(url: str, label: str) -> None:
    """Send the browser to `url` (one of the app's own routes), with a link as well for a
    browser that runs no script."""
    st.html(
        f"<script>window.location.replace({json.dumps(url)});</script>",
        unsafe_allow_javascript=True,
    )
    st.markdown(f"[{label}]({url})")


def sign_in_with_password(store: Store, username: str, password: str) -> CurrentUser:
    """AuthError (wrong password, waiting) or BusyError are left to the caller to show."""
    return remember(authenticate(store, username, password, client=client_address()))


def sign_in_with_identity_provider(store: Store, email: str) -> CurrentUser:
    return remember(sign_in_external(store, email, method="oidc"))


def forget(*, notice: str | None = None) -> None:
    """Drop the session and everything this browser session kept of the signed-in user."""
    keep = {NOTICE_KEY, ENDED_KEY, SIGNED_OUT_KEY, PAGE_KEY}
    for key in list(st.session_state.keys()):
        if key not in keep and not str(key).startswith("FormSubmitter:"):
            del st.session_state[key]
    if notice:
        st.session_state[NOTICE_KEY] = notice


def end_session(store: Store) -> None:
    """Sign out: the store closes the session (other tabs notice on their next check),
    this browser session forgets it, and the next run clears the cookie."""
    current = token()
    if current:
        try:
            sign_out(store, current)
        except StoreError:
            log.exception("could not close the session in the store")
    had_cookie = cookie() is not None
    forget(notice="You are signed out.")
    if had_cookie:
        st.session_state[SIGNED_OUT_KEY] = True


def clear_cookie_if_signed_out() -> bool:
    """After signing out in this tab: send the browser to clear its cookie (and the
    identity provider's sign-in). True when it was sent."""
    if not st.session_state.pop(SIGNED_OUT_KEY, False):
        return False
    navigate(web.sign_out_url(), "Finish signing out")
    return True


def remember_page(url_path: str) -> None:
    """The page path this run draws: where a sign-in on it goes next."""
    st.session_state[PAGE_KEY] = url_path


def requested_page() -> str:
    return str(st.session_state.get(PAGE_KEY) or "")


def take_notice() -> str | None:
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice is None and st.query_params.get(web.SIGNED_OUT):
        notice = "You are signed out."
    return notice


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
