"""Missions in the store: import one in a single transaction, read it back within the
reader's scope, and edit its teams table, rules and targets under an optimistic lock.

A mission's editable part (teams table, rules, targets) has one version number,
`teams_version`: every saved edit of any of them bumps it, and an edit that started from
an older version is refused with ConflictError, so nobody's change is overwritten silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import shapely
from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner import model
from planner.model import Rules, Targets
from planner.settings import MissionSettings, dump_settings, parse_settings
from planner.store import models as m
from planner.store import rows
from planner.store.access import (
    CurrentUser,
    MissionFilters,
    Role,
    actor,
    deny,
    mission_filters,
    mission_list_filter,
    mission_row,
    require,
)
from planner.store.audit import Action, write_for
from planner.store.errors import ConflictError, StoreError
from planner.travel_source import TravelSettings

if TYPE_CHECKING:
    from planner.store.db import Store


@dataclass(frozen=True, slots=True)
class MissionInfo:
    id: int
    name: str
    country: str
    created_at: datetime
    created_by: str
    teams_version: int


# --- import ----------------------------------------------------------------------------------


def _insert[T](
    session: Session,
    part: rows.RowMap[T],
    items: Sequence[T],
    mission_id: int,
    *,
    area_ids: Sequence[str | None] | None = None,
) -> None:
    """Insert one part of a mission, keeping its order in `position`; `area_ids` is the
    area of each item, for tables whose model does not carry it."""
    each: dict[str, Sequence[Any]] = {"position": range(len(items))}
    if area_ids is not None:
        each["area_id"] = area_ids
    found = part.rows(items, each=each, mission_id=mission_id)
    if found:
        session.execute(insert(part.table), found)


def _insert_regions(session: Session, mission_id: int, mission: model.Mission) -> None:
    area_of = mission.area_of_region
    areas = [area_of.get(r.region_id) for r in mission.regions]
    _insert(session, rows.REGIONS, mission.regions, mission_id, area_ids=areas)


def _insert_districts(session: Session, mission_id: int, mission: model.Mission) -> None:
    by_district, by_region = mission.area_of_district, mission.area_of_region
    areas = [by_district.get(d.district_id, by_region.get(d.region_id)) for d in mission.districts]
    _insert(session, rows.DISTRICTS, mission.districts, mission_id, area_ids=areas)


def _insert_areas(session: Session, mission_id: int, mission: model.Mission) -> None:
    _insert(session, rows.AREAS, mission.areas, mission_id)


def _insert_commissions(session: Session, mission_id: int, mission: model.Mission) -> None:
    areas = [mission.area_of_commission(c) for c in mission.commissions]
    _insert(session, rows.COMMISSIONS, mission.commissions, mission_id, area_ids=areas)


def _insert_stations(session: Session, mission_id: int, mission: model.Mission) -> None:
    areas = [mission.area_of_station(s) for s in mission.stations]
    _insert(session, rows.STATIONS, mission.stations, mission_id, area_ids=areas)


def _insert_teams(session: Session, mission_id: int, mission: model.Mission) -> None:
    _insert(session, rows.TEAMS, mission.teams, mission_id)


# The order matters: rows are inserted after the rows they refer to.
_IMPORT_STEPS = (
    "_insert_regions",
    "_insert_districts",
    "_insert_areas",
    "_insert_commissions",
    "_insert_stations",
    "_insert_teams",
)


def _settings_toml(mission: model.Mission) -> str:
    return dump_settings(
        MissionSettings(mission.name, mission.country, mission.seed, mission.rules, mission.targets)
    )


def import_mission(store: Store, mission: model.Mission, *, user: CurrentUser | None) -> int:
    """Store a whole mission (coordinators only); returns its id.

    One transaction: if any step fails, nothing of the mission is stored.
    """
    action = str(Action.MISSION_IMPORTED)
    with store.write() as session:
        who = actor(session, user, action=action)
        require(who, Role.COORDINATOR, action=action)
        if who.mission_id is not None:
            raise deny(who, "your account is bound to one mission", action=action)
        row = m.Mission(
            name=mission.name,
            country=mission.country,
            settings_toml=_settings_toml(mission),
            outline_wkb=rows.to_wkb([mission.outline])[0] if mission.outline is not None else None,
            teams_version=1,
            created_at=store.now(),
            created_by=who.username,
        )
        session.add(row)
        session.flush()
        try:
            for step in _IMPORT_STEPS:
                # Looked up by name at call time, so a test can make one step fail.
                globals()[step](session, row.id, mission)
        except IntegrityError as exc:
            raise StoreError(f"the mission could not be stored: {exc.orig}") from exc
        detail = {
            "name": mission.name,
            "stations": len(mission.stations),
            "commissions": len(mission.commissions),
            "areas": len(mission.areas),
            "teams": len(mission.teams),
        }
        write_for(session, store, who, Action.MISSION_IMPORTED, mission_id=row.id, detail=detail)
        return row.id


# --- reading ----------------------------------------------------------------------------------


def _info(row: m.Mission) -> MissionInfo:
    return rows.record(MissionInfo, row)


def list_missions(store: Store, *, user: CurrentUser | None) -> list[MissionInfo]:
    with store.read() as session:
        who = actor(session, user, action="missions_listed")
        query = select(m.Mission).order_by(m.Mission.id)
        if (clause := mission_list_filter(who)) is not None:
            query = query.where(clause)
        return [_info(r) for r in session.scalars(query)]


def mission_info(store: Store, mission_id: int, *, user: CurrentUser | None) -> MissionInfo:
    with store.read() as session:
        who = actor(session, user, action=str(Action.MISSION_VIEWED))
        return _info(mission_row(session, who, mission_id, action=str(Action.MISSION_VIEWED)))


def read_mission(session: Session, row: m.Mission, filters: MissionFilters) -> model.Mission:
    """The stored mission `row`, each part narrowed by its filter, in mission order."""
    settings = parse_settings(row.settings_toml, file=f"store: mission {row.id}")

    def part[T](rowmap: rows.RowMap[T], clause: ColumnElement[bool] | None) -> tuple[T, ...]:
        table: Any = rowmap.table
        query = rowmap.select().where(table.mission_id == row.id).order_by(table.position)
        if clause is not None:
            query = query.where(clause)
        return tuple(rowmap.build(session.execute(query).all()))

    return model.Mission(
        name=settings.name,
        country=settings.country,
        regions=part(rows.REGIONS, filters.regions),
        districts=part(rows.DISTRICTS, filters.districts),
        commissions=part(rows.COMMISSIONS, filters.commissions),
        stations=part(rows.STATIONS, filters.stations),
        areas=part(rows.AREAS, filters.areas),
        teams=part(rows.TEAMS, filters.teams),
        rules=settings.rules,
        targets=settings.targets,
        seed=settings.seed,
        outline=shapely.from_wkb(row.outline_wkb) if row.outline_wkb is not None else None,
    )


def load_mission(
    store: Store,
    mission_id: int,
    *,
    user: CurrentUser | None,
    areas: Iterable[str] | None = None,
) -> model.Mission:
    """The mission as `user` may see it.

    coordinator: everything (or only `areas`); lto: its AoRs' regions, districts, TECs,
    stations and teams (stations abroad belong to no AoR); team: its own team and the
    stations/TECs of its schedule in the current published plan. Areas are kept in
    mission order, so the result is what `planner.geodata.load_mission` gave at import.
    """
    action = str(Action.MISSION_VIEWED)
    with store.read() as session:
        who = actor(session, user, action=action)
        row = mission_row(session, who, mission_id, action=action)
        return read_mission(session, row, mission_filters(session, who, mission_id, areas))


def teams_version(store: Store, mission_id: int, *, user: CurrentUser | None) -> int:
    return mission_info(store, mission_id, user=user).teams_version


def _check_teams(session: Session, mission_id: int, teams: Sequence[model.Team]) -> None:
    problems = []
    seen: set[str] = set()
    for t in teams:
        if not t.team_id.strip():
            problems.append("a team has no team_id")
        elif t.team_id in seen:
            problems.append(f"team {t.team_id} appears twice")
        seen.add(t.team_id)
    known = set(session.scalars(select(m.Area.area_id).where(m.Area.mission_id == mission_id)))
    for t in teams:
        if t.area_id is not None and t.area_id not in known:
            problems.append(f"team {t.team_id}: no area {t.area_id}")
        if (t.lon is None) != (t.lat is None):
            problems.append(f"team {t.team_id}: give both lat and lon, or neither")
    if problems:
        raise ValueError("; ".join(problems))


def update_teams(
    store: Store,
    mission_id: int,
    teams: Sequence[model.Team],
    *,
    user: CurrentUser | None,
    expected_version: int,
) -> int:
    """Replace the mission's teams table (coordinators only); returns the new version.

    `expected_version` is the `teams_version` the edit started from: if someone saved
    the table since, ConflictError is raised and nothing changes.
    """
    action = str(Action.TEAMS_UPDATED)
    with store.write() as session:
        who = actor(session, user, action=action)
        require(who, Role.COORDINATOR, action=action, mission_id=mission_id)
        mission_row(session, who, mission_id, action=action)
        _check_teams(session, mission_id, teams)
        bumped = session.execute(
            update(m.Mission)
            .where(m.Mission.id == mission_id, m.Mission.teams_version == expected_version)
            .values(teams_version=m.Mission.teams_version + 1)
            .execution_options(synchronize_session=False)
        )
        if bumped.rowcount != 1:  # type: ignore[attr-defined]
            current = session.scalar(
                select(m.Mission.teams_version).where(m.Mission.id == mission_id)
            )
            raise ConflictError(
                f"the teams table was changed by someone else (version {current}, your edit "
                f"started from version {expected_version}); reload it and make your change "
                "again",
                expected=expected_version,
                current=int(current or 0),
            )
        session.execute(delete(m.Team).where(m.Team.mission_id == mission_id))
        _insert(session, rows.TEAMS, teams, mission_id)
        new_version = expected_version + 1
        write_for(
            session,
            store,
            who,
            Action.TEAMS_UPDATED,
            mission_id=mission_id,
            detail={"version": new_version, "teams": len(teams)},
        )
        return new_version


def update_settings(
    store: Store,
    mission_id: int,
    *,
    user: CurrentUser | None,
    expected_version: int,
    rules: Rules | None = None,
    targets: Targets | None = None,
    travel: TravelSettings | None = None,
) -> int:
    """Replace the mission's election-day rules, coverage targets and/or travel settings
    (coordinators only); returns the new version.

    Shares the optimistic version of the teams table (`teams_version`): if anyone saved
    teams, rules or targets since `expected_version`, ConflictError and nothing changes.
    """
    action = str(Action.TEAMS_UPDATED)
    with store.write() as session:
        who = actor(session, user, action=action)
        require(who, Role.COORDINATOR, action=action, mission_id=mission_id)
        row = mission_row(session, who, mission_id, action=action)
        if row.teams_version != expected_version:
            raise ConflictError(
                f"the mission's teams, rules or targets were changed by someone else (version "
                f"{row.teams_version}, your edit started from version {expected_version}); "
                "reload them and make your change again",
                expected=expected_version,
                current=int(row.teams_version),
            )
        settings = parse_settings(row.settings_toml, file=f"store: mission {mission_id}")
        changed = []
        if rules is not None:
            settings = replace(settings, rules=rules)
            changed.append("rules")
        if targets is not None:
            settings = replace(settings, targets=targets)
            changed.append("targets")
        if travel is not None:
            settings = replace(settings, travel=travel)
            changed.append("travel")
        row.settings_toml = dump_settings(settings)
        row.teams_version = expected_version + 1
        write_for(
            session,
            store,
            who,
            Action.TEAMS_UPDATED,
            mission_id=mission_id,
            detail={"version": expected_version + 1, "changed": changed},
        )
        return expected_version + 1
