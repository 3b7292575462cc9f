"""Who is asking, and what they may reach.

Every service function takes `user` (a `CurrentUser`, or None when nobody is signed in)
and resolves it here against the users table inside its own transaction, so a removed
account or a changed role takes effect on the next call, whatever a page kept in memory.

- coordinator: every mission it is bound to (all when not bound); manages users;
  imports missions, edits teams, saves and publishes plans.
- lto: only its areas of responsibility (AoRs): their regions, districts, TECs, stations,
  teams, plan rows and field updates; may file field updates and re-plan its own AoRs.
- team: only its own team and its schedule in the current published plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.store import models as m
from planner.store.errors import AccessDenied, NotFound


class Role(StrEnum):
    COORDINATOR = "coordinator"
    LTO = "lto"
    TEAM = "team"


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """A signed-in person as the data layer sees them (no password material).

    `id` is None only for `system_user()`, the identity of local administration commands.
    """

    id: int | None
    username: str
    role: Role
    area_ids: frozenset[str] = field(default_factory=frozenset)
    team_id: str | None = None
    mission_id: int | None = None

    @property
    def is_coordinator(self) -> bool:
        return self.role is Role.COORDINATOR


def system_user(name: str = "cli") -> CurrentUser:
    """The local administrator: whoever can run `planner` next to the data directory
    can read the database file anyway, so local commands act as a coordinator."""
    return CurrentUser(None, name, Role.COORDINATOR)


def from_row(row: m.User) -> CurrentUser:
    return CurrentUser(
        id=row.id,
        username=row.username,
        role=Role(row.role),
        area_ids=frozenset(row.area_ids or ()),
        team_id=row.team_id,
        mission_id=row.mission_id,
    )


def actor(session: Session, user: CurrentUser | None, *, action: str = "") -> CurrentUser:
    """The user as stored now; AccessDenied when nobody is signed in or the account is gone."""
    if user is None:
        raise AccessDenied("sign in first", action=action)
    if user.id is None:
        return user
    row = session.get(m.User, user.id)
    if row is None or row.username != user.username:
        raise AccessDenied("this account no longer exists; sign in again", action=action)
    return from_row(row)


def deny(user: CurrentUser, message: str, *, action: str, **detail: object) -> AccessDenied:
    exc = AccessDenied(message, action=action, detail=dict(detail))
    exc.username = user.username
    return exc


def require(user: CurrentUser, *roles: Role, action: str, **detail: object) -> None:
    if user.role not in roles:
        allowed = " or ".join(r.value for r in roles)
        raise deny(user, f"only a {allowed} may do this", action=action, **detail)


def mission_row(session: Session, user: CurrentUser, mission_id: int, *, action: str) -> m.Mission:
    """The mission, if it exists and the user is not bound to another one."""
    if user.mission_id is not None and user.mission_id != mission_id:
        raise deny(user, "this mission is not yours", action=action, mission_id=mission_id)
    row = session.get(m.Mission, mission_id)
    if row is None:
        raise NotFound(f"no mission {mission_id}")
    return row


def area_scope(user: CurrentUser) -> frozenset[str] | None:
    """Areas the user may see in full: None means every area (and stations abroad)."""
    if user.role is Role.COORDINATOR:
        return None
    if user.role is Role.LTO:
        return user.area_ids
    return frozenset()


def check_areas(
    user: CurrentUser, areas: frozenset[str] | set[str], *, action: str, **detail: object
) -> None:
    """AccessDenied unless every one of `areas` is within the user's scope."""
    scope = area_scope(user)
    if scope is None:
        return
    outside = set(areas) - scope
    if outside:
        raise deny(user, "outside your area of responsibility", action=action, **detail)


def known_user(session: Session, username: str) -> m.User | None:
    return session.scalar(select(m.User).where(m.User.username == username))
