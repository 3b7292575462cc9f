"""Server-side sessions: random tokens, stored only as SHA-256 hashes, that expire after
the store's `session_ttl` and end on sign-out, on a password change or reset (the
account's other sessions) and with the account.

A browser gets its session in two steps, so that the token never passes through the
page: signing in opens the session and a one-time ticket (valid `TICKET_TTL`); the
browser swaps the ticket for a new token in an HttpOnly cookie (`redeem_ticket`), which
leaves the token the page saw worthless.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from planner.store import models as m
from planner.store.access import CurrentUser, from_row
from planner.store.audit import Action, write
from planner.store.errors import AuthError

if TYPE_CHECKING:
    from planner.store.db import Store

TICKET_TTL = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class ActiveSession:
    """A valid session: who it is, and whether they must choose a password first."""

    user: CurrentUser
    must_change_password: bool
    expires_at: datetime
    method: str


@dataclass(frozen=True, slots=True)
class Handoff:
    """A redeemed ticket: the new token for the browser's cookie."""

    token: str
    user: CurrentUser
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    session: Session, store: Store, row: m.User, *, method: str
) -> tuple[str, datetime]:
    """A new session of `row` in the current transaction (expired ones are dropped)."""
    now = store.now()
    session.execute(delete(m.UserSession).where(m.UserSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    expires = now + store.session_ttl
    session.add(
        m.UserSession(
            token_hash=token_hash(token),
            user_id=row.id,
            method=method,
            created_at=now,
            expires_at=expires,
        )
    )
    return token, expires


def end_other_sessions(session: Session, user_id: int, keep_token: str | None) -> None:
    """Close every session of an account but the one of `keep_token`."""
    query = delete(m.UserSession).where(m.UserSession.user_id == user_id)
    if keep_token:
        query = query.where(m.UserSession.token_hash != token_hash(keep_token))
    session.execute(query)


def check_session(store: Store, token: str | None) -> ActiveSession:
    """The session of a token; AuthError when missing, unknown, closed or expired."""
    if not token:
        raise AuthError("not signed in")
    digest = token_hash(token)
    with store.read() as session:
        found = session.execute(
            select(m.UserSession, m.User)
            .join(m.User, m.User.id == m.UserSession.user_id)
            .where(m.UserSession.token_hash == digest)
        ).first()
        if found is None:
            raise AuthError("not signed in (the session was closed or is unknown)")
        sess, row = found
        if sess.expires_at > store.now():
            return ActiveSession(
                from_row(row), bool(row.must_change_password), sess.expires_at, sess.method
            )
    with store.write() as session:
        session.execute(delete(m.UserSession).where(m.UserSession.token_hash == digest))
    raise AuthError("your session has expired; sign in again")


def session_user(store: Store, token: str | None) -> CurrentUser:
    """The user of a session token; AuthError when missing, unknown or expired."""
    return check_session(store, token).user


def issue_ticket(store: Store, token: str, *, ttl: timedelta = TICKET_TTL) -> str:
    """A one-time ticket for the browser to swap for this session's cookie."""
    ticket = secrets.token_urlsafe(32)
    with store.write() as session:
        row = session.scalar(
            select(m.UserSession).where(m.UserSession.token_hash == token_hash(token))
        )
        if row is None or row.expires_at <= store.now():
            raise AuthError("not signed in (the session was closed or is unknown)")
        row.ticket_hash = token_hash(ticket)
        row.ticket_expires_at = min(store.now() + ttl, row.expires_at)
    return ticket


def redeem_ticket(store: Store, ticket: str) -> Handoff:
    """Swap a ticket, once and in time, for a new token of its session."""
    if not ticket:
        raise AuthError("no sign-in ticket")
    with store.write() as session:
        found = session.execute(
            select(m.UserSession, m.User)
            .join(m.User, m.User.id == m.UserSession.user_id)
            .where(m.UserSession.ticket_hash == token_hash(ticket))
        ).first()
        if found is None:
            raise AuthError("this sign-in link was used already or is unknown")
        sess, row = found
        sess.ticket_hash = None
        now = store.now()
        if (
            sess.ticket_expires_at is None
            or sess.ticket_expires_at <= now
            or (sess.expires_at <= now)
        ):
            failure: AuthError | None = AuthError("this sign-in link has expired; sign in again")
        else:
            failure = None
            token = secrets.token_urlsafe(32)
            sess.token_hash = token_hash(token)
            sess.ticket_expires_at = None
            result = Handoff(token, from_row(row), sess.expires_at)
    if failure is not None:
        raise failure
    return result


def sign_out(store: Store, token: str) -> None:
    """Close a session (unknown or closed ones: nothing to do)."""
    digest = token_hash(token)
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
