"""Who is asking, and what they may reach.

Every service function takes `user` (a `CurrentUser`, or None when nobody is signed in)
and resolves it here against the users table inside its own transaction, so a removed
account or a changed role takes effect on the next call, whatever a page kept in memory.
Every query that reads scoped data takes its WHERE clauses from the filters below
(`mission_filters`, `plan_stop_filter`, `field_update_filter`, `mission_list_filter`,
`user_list_filter`).

- coordinator: every mission it is bound to (all when not bound); manages users;
  imports missions, edits teams, saves and publishes plans.
- lto: only its areas of responsibility (AoRs): their regions, districts, TECs, stations,
  teams, plan rows and field updates; may file field updates and re-plan its own AoRs.
- team: only its own team and its schedule in the current published plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import ColumnElement, or_, select
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


# --- what each role may read: WHERE clauses (None: every row) ---------------------------------


def mission_list_filter(user: CurrentUser) -> ColumnElement[bool] | None:
    """Missions the user may list: the one its account is bound to, else all."""
    return None if user.mission_id is None else m.Mission.id == user.mission_id


def user_list_filter(user: CurrentUser) -> ColumnElement[bool] | None:
    """Accounts a coordinator may list: those of the mission it is bound to, else all."""
    return None if user.mission_id is None else m.User.mission_id == user.mission_id


def published_version_id(session: Session, mission_id: int) -> int | None:
    """The current published plan version: the one published last."""
    return session.scalar(
        select(m.PlanVersion.id)
        .where(m.PlanVersion.mission_id == mission_id, m.PlanVersion.published.is_(True))
        .order_by(m.PlanVersion.published_at.desc(), m.PlanVersion.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class MissionFilters:
    """For each part of a mission, which rows a user may see (None: all of them)."""

    regions: ColumnElement[bool] | None
    districts: ColumnElement[bool] | None
    areas: ColumnElement[bool] | None
    commissions: ColumnElement[bool] | None
    stations: ColumnElement[bool] | None
    teams: ColumnElement[bool] | None


def _area_filters(mission_id: int, areas: frozenset[str] | None) -> MissionFilters:
    """The rows of some areas; a TEC or a region counts when it or one of its stations is
    in them (a region split among areas made of districts belongs to none of them)."""
    if areas is None:
        return MissionFilters(None, None, None, None, None, None)
    chosen = sorted(areas)
    station_tecs = select(m.Station.tec_id).where(
        m.Station.mission_id == mission_id, m.Station.area_id.in_(chosen)
    )
    station_regions = select(m.Station.region).where(
        m.Station.mission_id == mission_id, m.Station.area_id.in_(chosen)
    )
    return MissionFilters(
        regions=or_(m.Region.area_id.in_(chosen), m.Region.region_id.in_(station_regions)),
        districts=m.District.area_id.in_(chosen),
        areas=m.Area.area_id.in_(chosen),
        commissions=or_(m.Commission.area_id.in_(chosen), m.Commission.tec_id.in_(station_tecs)),
        stations=m.Station.area_id.in_(chosen),
        teams=m.Team.area_id.in_(chosen),
    )


def _team_filters(session: Session, mission_id: int, team_id: str | None) -> MissionFilters:
    """A team sees its own team and the sites of its current published schedule."""
    version = published_version_id(session, mission_id)
    sites = select(m.PlanStop.site_id).where(
        m.PlanStop.version_id == (version if version is not None else -1),
        m.PlanStop.team_id == (team_id or ""),
    )
    station_regions = select(m.Station.region).where(
        m.Station.mission_id == mission_id, m.Station.station_id.in_(sites)
    )
    station_districts = select(m.Station.district).where(
        m.Station.mission_id == mission_id, m.Station.station_id.in_(sites)
    )
    team_area = select(m.Team.area_id).where(
        m.Team.mission_id == mission_id, m.Team.team_id == (team_id or "")
    )
    return MissionFilters(
        regions=m.Region.region_id.in_(station_regions),
        districts=m.District.district_id.in_(station_districts),
        areas=m.Area.area_id.in_(team_area),
        commissions=m.Commission.tec_id.in_(sites),
        stations=m.Station.station_id.in_(sites),
        teams=m.Team.team_id == (team_id or ""),
    )


def mission_filters(
    session: Session, user: CurrentUser, mission_id: int, areas: Iterable[str] | None = None
) -> MissionFilters:
    """What `user` may see of a mission, narrowed to `areas` if given.

    coordinator: everything; lto: its areas' regions, districts, TECs (also those of
    its stations), stations and teams; team: its own team and the stations and TECs of
    its schedule in the current published plan.
    """
    if user.role is Role.TEAM:
        return _team_filters(session, mission_id, user.team_id)
    scope = area_scope(user)
    if areas is not None:
        wanted = frozenset(areas)
        scope = wanted if scope is None else scope & wanted
    return _area_filters(mission_id, scope)


def plan_stop_filter(
    session: Session, user: CurrentUser, version: m.PlanVersion, *, action: str
) -> ColumnElement[bool] | None:
    """Which of a version's stops `user` may read: a coordinator all, an lto its areas'
    teams', a team its own, and only in the current published version (AccessDenied for
    any other)."""
    if user.role is Role.TEAM:
        if not version.published or published_version_id(session, version.mission_id) != (
            version.id
        ):
            raise deny(
                user,
                "a team sees only the current published plan",
                action=action,
                mission_id=version.mission_id,
                version=version.id,
            )
        return m.PlanStop.team_id == (user.team_id or "")
    scope = area_scope(user)
    if scope is None:
        return None
    return m.PlanStop.area_id.in_(sorted(scope))


def field_update_filter(user: CurrentUser, *, action: str) -> ColumnElement[bool] | None:
    """Which field reports `user` may read: a coordinator all, an lto its areas'; a team
    none (AccessDenied)."""
    if user.role is Role.TEAM:
        raise deny(user, "a team account cannot read field updates", action=action)
    scope = area_scope(user)
    if scope is None:
        return None
    return m.FieldUpdate.area_id.in_(sorted(scope))
