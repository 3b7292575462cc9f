"""Accounts, managed by coordinators (in the app) and the local administrator
(`planner users ...`).

New accounts get a generated one-time password, shown once and flagged to be changed;
there is no default password anywhere. LTO and team accounts belong to exactly one
mission (inferred when the store holds only one); a coordinator's
account may be bound to one mission or serve all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from planner import passwords
from planner.store import models as m
from planner.store import throttle
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
from planner.store.auth import hash_password, new_password, normalize_username, password_context
from planner.store.errors import NotFound, StoreError
from planner.store.rows import record
from planner.store.throttle import RULES, ThrottleRules

if TYPE_CHECKING:
    from planner.store.db import Store


@dataclass(frozen=True, slots=True)
class UserInfo:
    username: str
    role: str
    area_ids: tuple[str, ...]
    team_id: str | None
    mission_id: int | None
    has_password: bool
    must_change_password: bool
    created_at: datetime
    last_sign_in_at: datetime | None
    recent_failures: int = 0  # wrong passwords in the last day, from anywhere
    blocked_clients: tuple[str, ...] = ()  # addresses that must wait before trying again


@dataclass(frozen=True, slots=True)
class MissionChoice:
    """The mission an account belongs to, and whether it was inferred (the only one)."""

    mission_id: int | None
    inferred: bool
    name: str = ""


def _missions(session: Session) -> list[tuple[int, str]]:
    return [(r.id, r.name) for r in session.execute(select(m.Mission.id, m.Mission.name))]


def _choose_mission(
    session: Session, role: Role, mission_id: int | None, who: CurrentUser
) -> MissionChoice:
    if mission_id is not None:
        name = session.scalar(select(m.Mission.name).where(m.Mission.id == mission_id))
        if name is None:
            raise NotFound(f"no mission {mission_id}")
        return MissionChoice(mission_id, False, name)
    if who.mission_id is not None:  # a coordinator of one mission adds to that mission
        return _choose_mission(session, role, who.mission_id, who)
    if role is Role.COORDINATOR:
        return MissionChoice(None, False)
    stored = sorted(_missions(session))
    if len(stored) == 1:
        return MissionChoice(stored[0][0], True, stored[0][1])
    if not stored:
        raise ValueError(
            f"a {role.value} account belongs to one mission, and no mission is stored yet: "
            "store the mission first, then add the account with --mission"
        )
    listed = "; ".join(f"{i} {n!r}" for i, n in stored)
    raise ValueError(
        f"a {role.value} account belongs to one mission: say which with --mission "
        f"(stored: {listed})"
    )


def _check_account(
    session: Session,
    role: Role,
    area_ids: Iterable[str],
    team_id: str | None,
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
    return areas, team


def _check_scope(
    session: Session, areas: list[str], team: str | None, mission_id: int | None
) -> None:
    """The areas or team exist in the account's mission."""
    if mission_id is None:
        return
    if areas:
        known = set(session.scalars(select(m.Area.area_id).where(m.Area.mission_id == mission_id)))
        if missing := [a for a in areas if a not in known]:
            raise ValueError(f"unknown area(s) in mission {mission_id}: {', '.join(missing)}")
    if team and (
        session.scalar(
            select(m.Team.team_id).where(m.Team.mission_id == mission_id, m.Team.team_id == team)
        )
        is None
    ):
        raise ValueError(f"unknown team {team} in mission {mission_id}")


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
    is given or `local_password=False` for identity-provider sign-in only). LTO and team
    accounts belong to `mission_id`, or to the only stored mission when it is None."""
    name = normalize_username(username)
    role = Role(role)
    generated = new_password() if (password is None and local_password) else None
    with store.write() as session:
        who = actor(session, user, action=str(Action.USER_ADDED))
        require(who, Role.COORDINATOR, action=str(Action.USER_ADDED), username=name)
        if who.mission_id is not None and mission_id not in (None, who.mission_id):
            raise deny(
                who, "you may only add accounts for your mission", action=str(Action.USER_ADDED)
            )
        if known_user(session, name) is not None:
            raise StoreError(f"user {name} exists already")
        areas, team = _check_account(session, role, area_ids, team_id)
        mission = _choose_mission(session, role, mission_id, who).mission_id
        _check_scope(session, areas, team, mission)
        if password is not None:
            context = password_context(session, None, mission)
            password = passwords.check(password, username=name, context=context)
        chosen = password if password is not None else generated
        session.add(
            m.User(
                username=name,
                password_hash=hash_password(store, chosen) if chosen is not None else None,
                role=role.value,
                area_ids=areas,
                team_id=team,
                mission_id=mission,
                must_change_password=generated is not None,
                created_at=store.now(),
            )
        )
        detail = {"role": role.value, "areas": areas, "team": team, "mission_id": mission}
        write_for(session, store, who, Action.USER_ADDED, detail={"username": name, **detail})
    return generated


def set_mission(store: Store, username: str, mission_id: int, *, user: CurrentUser | None) -> None:
    """Bind an account to one mission (its areas or team must exist there).

    Works on a store still waiting for the upgrade that binds accounts, so the accounts
    that upgrade cannot bind by itself can be fixed first.
    """
    name = username.strip().lower()
    with store.write() as session:
        who = actor(session, user, action=str(Action.ACCOUNT_MISSION_SET))
        require(who, Role.COORDINATOR, action=str(Action.ACCOUNT_MISSION_SET), username=name)
        found = session.execute(
            select(m.User.id, m.User.role, m.User.area_ids, m.User.team_id, m.User.mission_id)
            .where(m.User.username == name)
        ).first()  # fmt: skip
        if found is None:
            raise NotFound(f"no user {name}")
        if who.mission_id is not None and mission_id != who.mission_id:
            raise deny(who, "not a mission of yours", action=str(Action.ACCOUNT_MISSION_SET))
        if session.scalar(select(m.Mission.id).where(m.Mission.id == mission_id)) is None:
            raise NotFound(f"no mission {mission_id}")
        _check_scope(session, list(found.area_ids or ()), found.team_id, mission_id)
        session.execute(update(m.User).where(m.User.id == found.id).values(mission_id=mission_id))
        session.execute(delete(m.UserSession).where(m.UserSession.user_id == found.id))
        write_for(
            session, store, who, Action.ACCOUNT_MISSION_SET,
            mission_id=mission_id, detail={"username": name, "was": found.mission_id},
        )  # fmt: skip


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
        session.execute(delete(m.UserSession).where(m.UserSession.user_id == row.id))
        session.delete(row)
        write_for(session, store, who, Action.USER_REMOVED, detail={"username": name})


def reset_password(store: Store, username: str, *, user: CurrentUser | None) -> str:
    """A new one-time password for an account (also lifts its sign-in blocks, closes its
    sessions)."""
    name = username.strip().lower()
    generated = new_password()
    pw_hash = hash_password(store, generated)
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
        throttle.unlock_name(session, throttle.name_key(session, name))
        session.execute(delete(m.UserSession).where(m.UserSession.user_id == row.id))
        write_for(session, store, who, Action.PASSWORD_RESET, detail={"username": name})
    return generated


def unlock(
    store: Store,
    *,
    user: CurrentUser | None,
    username: str | None = None,
    client: str | None = None,
) -> int:
    """Lift the sign-in blocks and slow-down of an account (from every address) or of a
    client address; returns how many counts were cleared (0: nothing was blocked)."""
    if (username is None) == (client is None):
        raise ValueError("unlock an account (its name) or a client (its address), one of them")
    action = str(Action.SIGN_IN_UNLOCKED)
    with store.write() as session:
        who = actor(session, user, action=action)
        require(who, Role.COORDINATOR, action=action)
        if username is not None:
            name = username.strip().lower()
            row = known_user(session, name)
            if row is None:
                raise NotFound(f"no user {name}")
            if who.mission_id is not None and row.mission_id != who.mission_id:
                raise deny(who, "not an account of your mission", action=action)
            cleared = throttle.unlock_name(session, throttle.name_key(session, name))
            detail: dict[str, object] = {"username": name, "cleared": cleared}
        else:
            address = throttle.client_label(client)
            cleared = throttle.unlock_client(session, address)
            detail = {"client": address, "cleared": cleared}
        write_for(session, store, who, Action.SIGN_IN_UNLOCKED, detail=detail)
    return cleared


def users_list(
    store: Store, *, user: CurrentUser | None, rules: ThrottleRules = RULES
) -> list[UserInfo]:
    with store.read() as session:
        who = actor(session, user, action="users_listed")
        require(who, Role.COORDINATOR, action="users_listed")
        query = select(m.User).order_by(m.User.username)
        if (clause := user_list_filter(who)) is not None:
            query = query.where(clause)
        now = store.now()
        listed = []
        for r in session.scalars(query):
            state = throttle.name_state(session, throttle.name_key(session, r.username), now, rules)
            listed.append(
                record(
                    UserInfo,
                    r,
                    area_ids=tuple(r.area_ids or ()),
                    has_password=r.password_hash is not None,
                    recent_failures=state.failures,
                    blocked_clients=state.blocked_clients,
                )
            )
        return listed


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
    pw_hash = hash_password(store, generated)
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
            created_at=store.now(),
        )
        session.add(row)
        session.flush()
        write(session, store, Action.COORDINATOR_BOOTSTRAPPED, username=name, user_id=row.id)
    return generated
