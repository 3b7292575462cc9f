"""Signing in with a password or the organisation's identity provider, and changing one's
own password.

Passwords are stored only as Argon2id hashes of their NFKC form (`planner.passwords`).
Every password sign-in does the same work whatever the name: one Argon2 verification
(against a dummy hash when the account does not exist, has no password or must wait),
the same reads and writes, and the same answer, so neither the message nor its timing
tells who has an account. Wrong passwords are throttled per client, per account and
client, and per account (`planner.store.throttle`): nobody can lock anyone else out.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner import passwords
from planner.store import models as m
from planner.store import throttle
from planner.store.access import CurrentUser, actor, from_row, known_user
from planner.store.audit import Action, write, write_for
from planner.store.errors import AuthError
from planner.store.sessions import end_other_sessions, open_session
from planner.store.throttle import RULES, Attempt, ThrottleRules, client_label

if TYPE_CHECKING:
    from planner.store.db import Store

GENERATED_LENGTH = 16
# No 0/O, 1/l/I: generated passwords are read off a screen and typed on a phone.
_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{1,200}$")
WRONG = "wrong username or password"
UNKNOWN_ACCOUNT = "(unknown account)"


@dataclass(frozen=True, slots=True)
class SignIn:
    """A new session: keep `token` (e.g. in the browser session), never store it in clear."""

    token: str
    user: CurrentUser
    expires_at: datetime
    must_change_password: bool


def new_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(GENERATED_LENGTH))


def normalize_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise ValueError(
            f"invalid username {username!r}: use letters, digits and . _ @ + - (at most 200)"
        )
    return name


def _typed_name(username: str) -> str:
    """What was typed as a name, in the form names are stored (never refused here)."""
    return passwords.normalize(username).strip().lower()[:200]


def hash_password(store: Store, password: str) -> str:
    return store.hasher.hash(passwords.normalize(password))


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when there is no account to check (same work, same time)."""
    return hasher.hash(secrets.token_hex(16))


def _matches(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return bool(hasher.verify(stored, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _verify(store: Store, stored: str | None, password: str) -> bool:
    """The same work whether or not the account exists or has a password: the NFKC form,
    then (only when it differs) the password as typed, as set before normalisation."""
    candidate = stored or _dummy_hash(store.hasher)
    typed = passwords.normalize(password)
    ok = _matches(store.hasher, candidate, typed)
    if not ok and typed != password:
        ok = _matches(store.hasher, candidate, password)
    return ok and stored is not None


def _minutes(delta: timedelta) -> int:
    return max(1, int(-(-delta.total_seconds() // 60)))


def _wait_message(blocked: timedelta) -> str:
    return (
        "too many failed sign-ins from this connection: try again in "
        f"{_minutes(blocked)} minute(s), or ask a coordinator to unlock it"
    )


def _record_failure(
    session: Session,
    store: Store,
    row: m.User | None,
    attempt: Attempt,
    *,
    reason: str,
    action: Action = Action.SIGN_IN_FAILED,
) -> None:
    """Audit a refused attempt: a known account by name; an unknown one by a keyed hash
    only, since what was typed may be a password typed into the wrong field."""
    detail: dict[str, object] = {"reason": reason, "client": attempt.client}
    if row is None:
        detail["name_key"] = attempt.name_key[:16]
    write(
        session,
        store,
        action,
        username=row.username if row is not None else UNKNOWN_ACCOUNT,
        user_id=row.id if row is not None else None,
        detail=detail,
    )


def authenticate(
    store: Store,
    username: str,
    password: str,
    *,
    client: str | None = None,
    rules: ThrottleRules = RULES,
    pause: Callable[[float], None] = time.sleep,
) -> SignIn:
    """Check a password and open a session; AuthError (audited) when refused.

    `client`: the network address of the browser (throttling counts per client);
    `pause`: how a slowed-down attempt waits.
    """
    name = _typed_name(username)
    where = client_label(client)
    with store.read() as session:
        attempt = Attempt(throttle.name_key(session, name), where)
        verdict = throttle.assess(session, attempt, store.now(), rules)
        row = known_user(session, name)
        stored = row.password_hash if row is not None else None
    if verdict.delay_s:
        pause(verdict.delay_s)
    ok = _verify(store, stored, password)
    with store.write() as session:
        row = session.scalar(select(m.User).where(m.User.username == name).with_for_update())
        if row is not None and row.password_hash != stored:
            ok = False  # the password changed while this one was being checked
        now = store.now()
        blocked = throttle.assess(session, attempt, now, rules).blocked_for
        failure: AuthError | None = None
        if blocked:
            _record_failure(session, store, row, attempt, reason="waiting after failures")
            failure = AuthError(_wait_message(blocked))
        elif row is None or not ok:
            after = throttle.record_failure(session, attempt, now, rules)
            _record_failure(session, store, row, attempt, reason=WRONG)
            message = WRONG
            if after.blocked_for:
                message = f"{WRONG}; {_wait_message(after.blocked_for)}"
            failure = AuthError(message)
        else:
            throttle.record_success(session, attempt)
            row.last_sign_in_at = now
            if row.password_hash and store.hasher.check_needs_rehash(row.password_hash):
                row.password_hash = hash_password(store, password)
            token, expires = open_session(session, store, row, method="password")
            write(
                session,
                store,
                Action.SIGN_IN,
                username=name,
                user_id=row.id,
                detail={"client": where},
            )
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
            token, expires = open_session(session, store, row, method=method)
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


def password_context(session: Session, row: m.User | None, mission_id: int | None) -> list[str]:
    """Phrases a guesser of this account's password knows: its mission's name (every
    stored mission's for an account of all missions)."""
    query = select(m.Mission.name)
    bound = row.mission_id if row is not None else mission_id
    if bound is not None:
        query = query.where(m.Mission.id == bound)
    return list(session.scalars(query))


def change_password(
    store: Store,
    *,
    user: CurrentUser | None,
    old: str,
    new: str,
    keep_token: str | None = None,
    client: str | None = None,
    rules: ThrottleRules = RULES,
) -> None:
    """Change one's own password; every other session of the account is closed (the one
    of `keep_token` stays open). Wrong current passwords count like wrong sign-ins."""
    with store.read() as session:
        who = actor(session, user, action=str(Action.PASSWORD_CHANGED))
        row = session.get(m.User, who.id) if who.id is not None else None
        stored = row.password_hash if row is not None else None
        context = password_context(session, row, who.mission_id)
        attempt = Attempt(throttle.name_key(session, who.username), client_label(client))
        blocked = throttle.assess(session, attempt, store.now(), rules).blocked_for
    chosen = passwords.check(new, username=who.username, context=context)
    if chosen == passwords.normalize(old):
        raise passwords.PasswordRejected("the new password must differ from the old one")
    if blocked:
        raise AuthError(_wait_message(blocked))
    if who.id is None or not _verify(store, stored, old):
        with store.write() as session:
            row = session.get(m.User, who.id) if who.id is not None else None
            throttle.record_failure(session, attempt, store.now(), rules)
            _record_failure(
                session, store, row, attempt, reason="wrong current password",
                action=Action.PASSWORD_CHANGE_FAILED,
            )  # fmt: skip
        raise AuthError("the current password is wrong")
    new_hash = store.hasher.hash(chosen)
    with store.write() as session:
        row = session.get(m.User, who.id)
        if row is None:
            raise AuthError("this account no longer exists")
        row.password_hash = new_hash
        row.must_change_password = False
        end_other_sessions(session, row.id, keep_token)
        throttle.record_success(session, attempt)
        write_for(session, store, who, Action.PASSWORD_CHANGED)
