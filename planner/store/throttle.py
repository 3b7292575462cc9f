"""Throttling of wrong passwords that nobody outside can turn into a lock-out.

Three counts of wrong passwords, each forgotten `forget_after` after its last failure:

- per client (the network address): after `client_free` failures from one address, for
  any names, that address waits `first_wait`, doubling with each further failure up to
  `longest_wait`;
- per account and client: after `pair_free` failures for one name from one address, that
  pair waits the same way; the right password clears it;
- per account, from every address: after `account_soft` failures each attempt on the name
  is slowed down (1 s, doubling up to `slowest_s`) but never refused.

So a guesser locks out only their own address; the coordinator, signing in from another
one, at worst waits a few seconds. A lock is lifted with `planner users unlock` or on the
Accounts page. Names are counted under a keyed hash of what was typed, and unknown names
exactly like known ones, so neither the answers nor their timing tell who has an account.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from planner.store import models as m

LOCAL = "local"  # the client of a connection from this machine (no address given)
NAME_KEY = "name_key"


@dataclass(frozen=True, slots=True)
class ThrottleRules:
    """The throttling rules, listed once (see the module's docstring)."""

    client_free: int = 20
    pair_free: int = 5
    account_soft: int = 10
    first_wait: timedelta = timedelta(minutes=1)
    longest_wait: timedelta = timedelta(hours=1)
    slowest_s: float = 8.0
    forget_after: timedelta = timedelta(hours=24)

    def wait(self, failures: int, free: int) -> timedelta:
        """How long a client (or pair) waits after its `failures`-th failure in a row."""
        if failures < free:
            return timedelta(0)
        return min(self.first_wait * 2 ** min(failures - free, 30), self.longest_wait)

    def delay_s(self, account_failures: int) -> float:
        """Seconds every attempt on an account waits after many failures from anywhere."""
        if account_failures < self.account_soft:
            return 0.0
        return min(2.0 ** min(account_failures - self.account_soft, 30), self.slowest_s)


RULES = ThrottleRules()


@dataclass(frozen=True, slots=True)
class Attempt:
    """Who is trying: a keyed hash of the typed name, and the client's address."""

    name_key: str
    client: str


@dataclass(frozen=True, slots=True)
class Verdict:
    blocked_for: timedelta | None
    delay_s: float


def client_label(address: str | None) -> str:
    return (address or "").strip()[:64] or LOCAL


def name_key(session: Session, name: str) -> str:
    """A keyed hash of a typed name: the store's random key, so the name cannot be read
    back from it by trying a list of names without the key."""
    key = session.scalar(select(m.StoreKey.value).where(m.StoreKey.name == NAME_KEY)) or ""
    return hmac.new(key.encode(), name.encode(), hashlib.sha256).hexdigest()[:32]


def _rows(attempt: Attempt) -> list[tuple[str, str, str]]:
    return [
        ("client", "", attempt.client),
        ("pair", attempt.name_key, attempt.client),
        ("account", attempt.name_key, ""),
    ]


def _where(keys: list[tuple[str, str, str]]) -> ColumnElement[bool]:
    t = m.SignInFailure
    return or_(*(and_(t.scope == s, t.name_key == k, t.client == c) for s, k, c in keys))


def assess(session: Session, attempt: Attempt, now: datetime, rules: ThrottleRules) -> Verdict:
    """Whether the attempt must wait (blocked) or be slowed down, before checking it."""
    blocked = timedelta(0)
    delay = 0.0
    for row in session.scalars(select(m.SignInFailure).where(_where(_rows(attempt)))):
        if row.last_failure_at < now - rules.forget_after:
            continue
        if row.scope == "account":
            delay = rules.delay_s(row.failures)
        elif row.blocked_until is not None and row.blocked_until > now:
            blocked = max(blocked, row.blocked_until - now)
    return Verdict(blocked or None, delay)


def _insert(session: Session) -> Callable[..., Any]:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def record_failure(
    session: Session, attempt: Attempt, now: datetime, rules: ThrottleRules
) -> Verdict:
    """Count a wrong password for the client, the pair and the account; returns what the
    next attempt will meet."""
    keys = _rows(attempt)
    insert = _insert(session)
    # Counts forgotten long ago go, so names sprayed by a guesser do not pile up.
    session.execute(
        delete(m.SignInFailure).where(m.SignInFailure.last_failure_at < now - rules.forget_after)
    )
    for scope, key, client in keys:
        session.execute(
            insert(m.SignInFailure)
            .values(scope=scope, name_key=key, client=client, failures=0, last_failure_at=now)
            .on_conflict_do_nothing(index_elements=["scope", "name_key", "client"])
        )
    free = {"client": rules.client_free, "pair": rules.pair_free}
    for row in session.scalars(select(m.SignInFailure).where(_where(keys)).with_for_update()).all():
        if row.last_failure_at < now - rules.forget_after:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        if row.scope in free:
            wait = rules.wait(row.failures, free[row.scope])
            row.blocked_until = now + wait if wait else None
    session.flush()
    return assess(session, attempt, now, rules)


def record_success(session: Session, attempt: Attempt) -> None:
    """The right password: this name from this client starts afresh (the client's and
    the account's counts stay, so one known password does not reset a guesser's)."""
    session.execute(delete(m.SignInFailure).where(_where([_rows(attempt)[1]])))


def unlock_name(session: Session, key: str) -> int:
    """Lift every block and slow-down on a name; the number of counts cleared."""
    t = m.SignInFailure
    return session.execute(delete(t).where(t.name_key == key)).rowcount or 0  # type: ignore[attr-defined]


def unlock_client(session: Session, client: str) -> int:
    """Lift every block on a client address; the number of counts cleared."""
    t = m.SignInFailure
    return session.execute(delete(t).where(t.client == client)).rowcount or 0  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class NameState:
    """What the throttle holds about an account, for the coordinators' list."""

    failures: int
    blocked_clients: tuple[str, ...]


def name_state(session: Session, key: str, now: datetime, rules: ThrottleRules) -> NameState:
    t = m.SignInFailure
    failures = 0
    blocked: list[str] = []
    for row in session.scalars(select(t).where(t.name_key == key)):
        if row.last_failure_at < now - rules.forget_after:
            continue
        if row.scope == "account":
            failures = row.failures
        elif row.blocked_until is not None and row.blocked_until > now:
            blocked.append(row.client)
    return NameState(failures, tuple(sorted(blocked)))
