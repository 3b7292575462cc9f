"""Local accounts, sign-in, sessions and throttling.

Passwords are stored only as Argon2id hashes. New accounts get a generated one-time
password, shown once and flagged to be changed; there is no default password anywhere.
After `MAX_FAILURES` wrong passwords in a row an account is locked for `LOCK_BASE`,
doubling with every further failure up to `LOCK_MAX`; a correct password while locked is
refused too. Sessions are random tokens stored as SHA-256 hashes, expiring after the
store's `session_ttl`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from planner.store import models as m
from planner.store.access import (
    CurrentUser,
    Role,
    actor,
    deny,
    from_row,
    known_user,
    require,
    user_list_filter,
)
from planner.store.audit import Action, write, write_for
from planner.store.errors import AuthError, NotFound, StoreError
from planner.store.rows import record

if TYPE_CHECKING:
    from planner.store.db import Store

MAX_FAILURES = 5
LOCK_BASE = timedelta(minutes=1)
LOCK_MAX = timedelta(hours=1)
MIN_PASSWORD_LENGTH = 12
GENERATED_LENGTH = 16
# No 0/O, 1/l/I: generated passwords are read off a screen and typed on a phone.
_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{1,200}$")
WRONG = "wrong username or password"


@dataclass(frozen=True, slots=True)
class SignIn:
    """A new session: keep `token` (e.g. in the browser session), never store it in clear."""

    token: str
    user: CurrentUser
    expires_at: datetime
    must_change_password: bool


@dataclass(frozen=True, slots=True)
class UserInfo:
    username: str
    role: str
    area_ids: tuple[str, ...]
    team_id: str | None
    mission_id: int | None
    has_password: bool
    must_change_password: bool
    locked_until: datetime | None
    created_at: datetime
    last_sign_in_at: datetime | None


def new_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(GENERATED_LENGTH))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise ValueError(
            f"invalid username {username!r}: use letters, digits and . _ @ + - (at most 200)"
        )
    return name


def lock_duration(failures: int) -> timedelta:
    """How long an account stays locked after its `failures`-th wrong password in a row."""
    if failures < MAX_FAILURES:
        return timedelta(0)
    return min(LOCK_BASE * 2 ** (failures - MAX_FAILURES), LOCK_MAX)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the account does not exist (same work, same time)."""
    return hasher.hash(secrets.token_hex(16))


def _verify(store: Store, stored: str | None, password: str) -> bool:
    """Constant work whether or not the account exists or has a password."""
    candidate = stored or _dummy_hash(store.hasher)
    try:
        ok = store.hasher.verify(candidate, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return bool(ok) and stored is not None


def _minutes(delta: timedelta) -> int:
    return max(1, int(-(-delta.total_seconds() // 60)))


def _new_session(
    session: Session, store: Store, row: m.User, *, method: str
) -> tuple[str, datetime]:
    now = store.now()
    session.execute(delete(m.UserSession).where(m.UserSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    expires = now + store.session_ttl
    session.add(
        m.UserSession(
            token_hash=_token_hash(token),
            user_id=row.id,
            method=method,
            created_at=now,
            expires_at=expires,
        )
    )
    return token, expires


def _locked_for(store: Store, row: m.User) -> timedelta | None:
    if row.locked_until is not None and row.locked_until > store.now():
        return row.locked_until - store.now()
    return None


def authenticate(store: Store, username: str, password: str) -> SignIn:
    """Check a password and open a session; AuthError (audited) when refused."""
    try:
        name = normalize_username(username)
    except ValueError:
        name = username.strip().lower()[:200]
    with store.read() as session:
        row = known_user(session, name)
        stored = row.password_hash if row is not None else None
        locked = _locked_for(store, row) if row is not None else None
    if locked is not None:
        with store.write() as session:
            write(session, store, Action.SIGN_IN_FAILED, username=name, detail={"reason": "locked"})
        raise AuthError(
            f"too many wrong passwords: this account is locked for {_minutes(locked)} more "
            "minute(s)"
        )
    ok = _verify(store, stored, password)
    with store.write() as session:
        row = session.scalar(select(m.User).where(m.User.username == name).with_for_update())
        if row is not None and row.password_hash != stored:
            ok = False  # the password changed while this one was being checked
        if row is None or not ok:
            message = WRONG
            detail: dict[str, object] = {"reason": "wrong password"}
            if row is not None:
                row.failed_attempts += 1
                lock = lock_duration(row.failed_attempts)
                if lock:
                    row.locked_until = store.now() + lock
                    detail["locked_min"] = _minutes(lock)
                    message = (
                        f"{WRONG}; too many wrong passwords: this account is locked for "
                        f"{_minutes(lock)} minute(s)"
                    )
            write(
                session,
                store,
                Action.SIGN_IN_FAILED,
                username=name,
                user_id=row.id if row is not None else None,
                detail=detail,
            )
            failure: AuthError | None = AuthError(message)
        else:
            failure = None
            if (locked := _locked_for(store, row)) is not None:
                failure = AuthError(
                    "too many wrong passwords: this account is locked for "
                    f"{_minutes(locked)} more minute(s)"
                )
                write(
                    session,
                    store,
                    Action.SIGN_IN_FAILED,
                    username=name,
                    user_id=row.id,
                    detail={"reason": "locked"},
                )
            else:
                row.failed_attempts = 0
                row.locked_until = None
                row.last_sign_in_at = store.now()
                if row.password_hash and store.hasher.check_needs_rehash(row.password_hash):
                    row.password_hash = store.hasher.hash(password)
                token, expires = _new_session(session, store, row, method="password")
                write(session, store, Action.SIGN_IN, username=name, user_id=row.id)
                result = SignIn(token, from_row(row), expires, row.must_change_password)
    if failure is not None:
        raise failure
    return result


def sign_in_external(store: Store, username: str, *, method: str = "oidc") -> SignIn:
    """Open a session for someone the organisation's identity provider has signed in
    (e.g. Streamlit's `st.login`): the account must exist here; its role comes from here."""
    name = username.strip().lower()
    with store.write() as session:
        row = known_user(session, name)
        if row is None:
            write(
                session,
                store,
                Action.SIGN_IN_FAILED,
                username=name,
                detail={"reason": "no account", "method": method},
            )
            failure: AuthError | None = AuthError(f"no account for {name}; ask a coordinator")
        else:
            failure = None
            row.last_sign_in_at = store.now()
            token, expires = _new_session(session, store, row, method=method)
            write(
                session,
                store,
                Action.SIGN_IN,
                username=name,
                user_id=row.id,
                detail={"method": method},
            )
            result = SignIn(token, from_row(row), expires, False)
    if failure is not None:
        raise failure
    return result


def session_user(store: Store, token: str | None) -> CurrentUser:
    """The user of a session token; AuthError when missing, unknown or expired."""
    if not token:
        raise AuthError("not signed in")
    digest = _token_hash(token)
    with store.read() as session:
        found = session.execute(
            select(m.UserSession, m.User)
            .join(m.User, m.User.id == m.UserSession.user_id)
            .where(m.UserSession.token_hash == digest)
        ).first()
        if found is None:
            raise AuthError("not signed in (the session is unknown or was closed)")
        sess, row = found
        if sess.expires_at > store.now():
            return from_row(row)
    with store.write() as session:
        session.execute(delete(m.UserSession).where(m.UserSession.token_hash == digest))
    raise AuthError("your session has expired; sign in again")


def sign_out(store: Store, token: str) -> None:
    digest = _token_hash(token)
    with store.write() as session:
        found = session.execute(
            select(m.UserSession.id, m.User.id, m.User.username)
            .join(m.User, m.User.id == m.UserSession.user_id)
            .where(m.UserSession.token_hash == digest)
        ).first()
        if found is None:
            return
        session.execute(delete(m.UserSession).where(m.UserSession.id == found[0]))
        write(session, store, Action.SIGN_OUT, username=found[2], user_id=found[1])


def change_password(store: Store, *, user: CurrentUser | None, old: str, new: str) -> None:
    """Change one's own password; every other session of the account is closed."""
    if len(new) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the new password needs at least {MIN_PASSWORD_LENGTH} characters")
    if new == old:
        raise ValueError("the new password must differ from the old one")
    with store.read() as session:
        who = actor(session, user, action=str(Action.PASSWORD_CHANGED))
        row = session.get(m.User, who.id) if who.id is not None else None
        stored = row.password_hash if row is not None else None
    if who.id is None or not _verify(store, stored, old):
        raise AuthError("the current password is wrong")
    new_hash = store.hasher.hash(new)
    with store.write() as session:
        row = session.get(m.User, who.id)
        if row is None:
            raise AuthError("this account no longer exists")
        row.password_hash = new_hash
        row.must_change_password = False
        session.execute(delete(m.UserSession).where(m.UserSession.user_id == row.id))
        write_for(session, store, who, Action.PASSWORD_CHANGED)


# --- account management (coordinators) -----------------------------------------------------


def _check_account(
    session: Session,
    role: Role,
    area_ids: Iterable[str],
    team_id: str | None,
    mission_id: int | None,
) -> tuple[list[str], str | None]:
    areas = sorted({a.strip() for a in area_ids if a.strip()})
    team = team_id.strip() if team_id else None
    if role is Role.LTO and not areas:
        raise ValueError("an lto account needs at least one area (--area)")
    if role is Role.TEAM and not team:
        raise ValueError("a team account needs its team (--team)")
    if role is not Role.LTO and areas:
        raise ValueError(f"a {role.value} account takes no areas")
    if role is not Role.TEAM and team:
        raise ValueError(f"a {role.value} account takes no team")
    if mission_id is not None and session.get(m.Mission, mission_id) is None:
        raise NotFound(f"no mission {mission_id}")
    missions = [mission_id] if mission_id is not None else None
    if areas:
        query = select(m.Area.area_id).distinct()
        if missions:
            query = query.where(m.Area.mission_id.in_(missions))
        known = set(session.scalars(query))
        if session.scalar(select(func.count()).select_from(m.Mission)) and (
            missing := [a for a in areas if a not in known]
        ):
            raise ValueError(f"unknown area(s): {', '.join(missing)}")
    if team:
        query = select(m.Team.team_id).where(m.Team.team_id == team)
        if missions:
            query = query.where(m.Team.mission_id.in_(missions))
        if session.scalar(select(func.count()).select_from(m.Mission)) and (
            session.scalar(query) is None
        ):
            raise ValueError(f"unknown team {team}")
    return areas, team


def users_add(
    store: Store,
    username: str,
    *,
    role: Role | str,
    user: CurrentUser | None,
    area_ids: Iterable[str] = (),
    team_id: str | None = None,
    mission_id: int | None = None,
    password: str | None = None,
    local_password: bool = True,
) -> str | None:
    """Create an account; returns the generated one-time password (None when `password`
    is given or `local_password=False` for identity-provider sign-in only)."""
    name = normalize_username(username)
    role = Role(role)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    generated = new_password() if (password is None and local_password) else None
    chosen = password if password is not None else generated
    pw_hash = store.hasher.hash(chosen) if chosen is not None else None
    with store.write() as session:
        who = actor(session, user, action=str(Action.USER_ADDED))
        require(who, Role.COORDINATOR, action=str(Action.USER_ADDED), username=name)
        if who.mission_id is not None and mission_id != who.mission_id:
            raise deny(
                who, "you may only add accounts for your mission", action=str(Action.USER_ADDED)
            )
        if known_user(session, name) is not None:
            raise StoreError(f"user {name} exists already")
        areas, team = _check_account(session, role, area_ids, team_id, mission_id)
        session.add(
            m.User(
                username=name,
                password_hash=pw_hash,
                role=role.value,
                area_ids=areas,
                team_id=team,
                mission_id=mission_id,
                must_change_password=generated is not None,
                failed_attempts=0,
                created_at=store.now(),
            )
        )
        detail = {"role": role.value, "areas": areas, "team": team, "mission_id": mission_id}
        write_for(session, store, who, Action.USER_ADDED, detail={"username": name, **detail})
    return generated


def users_remove(store: Store, username: str, *, user: CurrentUser | None) -> None:
    """Delete an account and its sessions (its audit entries stay, under its name)."""
    name = username.strip().lower()
    with store.write() as session:
        who = actor(session, user, action=str(Action.USER_REMOVED))
        require(who, Role.COORDINATOR, action=str(Action.USER_REMOVED), username=name)
        row = known_user(session, name)
        if row is None:
            raise NotFound(f"no user {name}")
        if who.mission_id is not None and row.mission_id != who.mission_id:
            raise deny(who, "not an account of your mission", action=str(Action.USER_REMOVED))
        if row.role == Role.COORDINATOR.value:
            others = session.scalar(
                select(func.count())
                .select_from(m.User)
                .where(m.User.role == Role.COORDINATOR.value, m.User.id != row.id)
            )
            if not others:
                raise StoreError("cannot remove the last coordinator")
        session.delete(row)
        write_for(session, store, who, Action.USER_REMOVED, detail={"username": name})


def reset_password(store: Store, username: str, *, user: CurrentUser | None) -> str:
    """A new one-time password for an account (also lifts a lock, closes its sessions)."""
    name = username.strip().lower()
    generated = new_password()
    pw_hash = store.hasher.hash(generated)
    with store.write() as session:
        who = actor(session, user, action=str(Action.PASSWORD_RESET))
        require(who, Role.COORDINATOR, action=str(Action.PASSWORD_RESET), username=name)
        row = known_user(session, name)
        if row is None:
            raise NotFound(f"no user {name}")
        if who.mission_id is not None and row.mission_id != who.mission_id:
            raise deny(who, "not an account of your mission", action=str(Action.PASSWORD_RESET))
        row.password_hash = pw_hash
        row.must_change_password = True
        row.failed_attempts = 0
        row.locked_until = None
        session.execute(delete(m.UserSession).where(m.UserSession.user_id == row.id))
        write_for(session, store, who, Action.PASSWORD_RESET, detail={"username": name})
    return generated


def users_list(store: Store, *, user: CurrentUser | None) -> list[UserInfo]:
    with store.read() as session:
        who = actor(session, user, action="users_listed")
        require(who, Role.COORDINATOR, action="users_listed")
        query = select(m.User).order_by(m.User.username)
        if (clause := user_list_filter(who)) is not None:
            query = query.where(clause)
        return [
            record(
                UserInfo,
                r,
                area_ids=tuple(r.area_ids or ()),
                has_password=r.password_hash is not None,
            )
            for r in session.scalars(query)
        ]


def get_user(store: Store, username: str) -> CurrentUser:
    """The account as a `CurrentUser` (for local tools and tests; pages use sessions)."""
    with store.read() as session:
        row = known_user(session, username.strip().lower())
        if row is None:
            raise NotFound(f"no user {username}")
        return from_row(row)


def has_users(store: Store) -> bool:
    with store.read() as session:
        return bool(session.scalar(select(func.count()).select_from(m.User)))


def bootstrap_coordinator(store: Store, username: str = "coordinator") -> str:
    """First run: create the first coordinator and return its one-time password.

    Refused once any account exists, so it can never hand out a second way in.
    """
    name = normalize_username(username)
    generated = new_password()
    pw_hash = store.hasher.hash(generated)
    with store.write() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(720221121)"))
        if session.scalar(select(func.count()).select_from(m.User)):
            raise StoreError("accounts exist already; a coordinator adds users with `users add`")
        row = m.User(
            username=name,
            password_hash=pw_hash,
            role=Role.COORDINATOR.value,
            area_ids=[],
            must_change_password=True,
            failed_attempts=0,
            created_at=store.now(),
        )
        session.add(row)
        session.flush()
        write(session, store, Action.COORDINATOR_BOOTSTRAPPED, username=name, user_id=row.id)
    return generated
