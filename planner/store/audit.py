"""The audit log: who signed in, viewed, published, downloaded or changed what, and when.

It never holds a typed secret: a failed sign-in under a name that is no account is
written as "(unknown account)" with a keyed hash of the name (it is often a password
typed into the wrong field); passwords and session tokens are never written.

Service functions write their entry in the same transaction as the change they record,
so an entry exists exactly when the change does. Refused attempts are written in a
transaction of their own (`access_denied`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.store import models as m
from planner.store.access import CurrentUser, Role, actor, require
from planner.store.errors import AccessDenied
from planner.store.rows import record

if TYPE_CHECKING:
    from planner.store.db import Store

log = logging.getLogger(__name__)


class Action(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_CHANGE_FAILED = "password_change_failed"
    SIGN_IN_UNLOCKED = "sign_in_unlocked"
    ACCOUNT_MISSION_SET = "account_mission_set"
    ACCESS_DENIED = "access_denied"
    MISSION_IMPORTED = "mission_imported"
    MISSION_VIEWED = "mission_viewed"
    TEAMS_UPDATED = "teams_updated"
    PLAN_SAVED = "plan_saved"
    PLAN_VIEWED = "plan_viewed"
    PLAN_PUBLISHED = "plan_published"
    EXPORT_DOWNLOADED = "export_downloaded"
    FIELD_UPDATE = "field_update"
    FIELD_UPDATE_DISMISSED = "field_update_dismissed"
    USER_ADDED = "user_added"
    USER_REMOVED = "user_removed"
    PASSWORD_RESET = "password_reset"
    COORDINATOR_BOOTSTRAPPED = "coordinator_bootstrapped"


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: datetime
    username: str
    action: str
    mission_id: int | None
    detail: dict[str, Any]


def write(
    session: Session,
    store: Store,
    action: Action | str,
    *,
    username: str,
    user_id: int | None = None,
    mission_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Add an entry to the current transaction."""
    session.add(
        m.AuditEntry(
            at=store.now(),
            user_id=user_id,
            username=username,
            action=str(action),
            mission_id=mission_id,
            detail=dict(detail or {}),
        )
    )


def write_for(
    session: Session,
    store: Store,
    user: CurrentUser,
    action: Action | str,
    *,
    mission_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    write(
        session,
        store,
        action,
        username=user.username,
        user_id=user.id,
        mission_id=mission_id,
        detail=detail,
    )


def audit(
    store: Store,
    action: Action | str,
    *,
    user: CurrentUser | None,
    mission_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Record something the signed-in user did outside the store, e.g. an export download
    (`Action.EXPORT_DOWNLOADED`, detail: format, plan version, team)."""
    with store.write() as session:
        who = actor(session, user, action=str(action))
        write_for(session, store, who, action, mission_id=mission_id, detail=detail)


def record_denial(store: Store, exc: AccessDenied) -> None:
    """Log a refused attempt; a failure to log never hides the refusal itself."""
    try:
        with store.write() as session:
            user_id = None
            if exc.username is not None:
                row = session.scalar(select(m.User.id).where(m.User.username == exc.username))
                user_id = row
            write(
                session,
                store,
                Action.ACCESS_DENIED,
                username=exc.username or "anonymous",
                user_id=user_id,
                mission_id=exc.detail.get("mission_id"),
                detail={"attempt": exc.action, "reason": str(exc), **exc.detail},
            )
    except Exception:  # the refusal is what matters; the log entry is best effort
        log.exception("could not write the audit entry for a refused %s", exc.action)


def audit_log(
    store: Store,
    *,
    user: CurrentUser | None,
    limit: int = 200,
    action: Action | str | None = None,
    mission_id: int | None = None,
    username: str | None = None,
) -> list[AuditRecord]:
    """The newest entries first (coordinators only)."""
    with store.read() as session:
        who = actor(session, user, action="audit_viewed")
        require(who, Role.COORDINATOR, action="audit_viewed")
        query = select(m.AuditEntry).order_by(m.AuditEntry.id.desc()).limit(limit)
        if action is not None:
            query = query.where(m.AuditEntry.action == str(action))
        if mission_id is not None:
            query = query.where(m.AuditEntry.mission_id == mission_id)
        if username is not None:
            query = query.where(m.AuditEntry.username == username)
        return [record(AuditRecord, e, detail=dict(e.detail or {})) for e in session.scalars(query)]
