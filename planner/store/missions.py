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

import numpy as np
import shapely
from sqlalchemy import ColumnElement, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner import model
from planner.model import Rules, Targets
from planner.settings import MissionSettings, dump_settings, parse_settings
from planner.store import models as m
from planner.store.access import (
    CurrentUser,
    Role,
    actor,
    area_scope,
    deny,
    mission_row,
    require,
)
from planner.store.audit import Action, write_for
from planner.store.errors import ConflictError, StoreError

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


def _wkb(geometries: Sequence[Any]) -> list[bytes | None]:
    if not geometries:
        return []
    array = np.empty(len(geometries), dtype=object)
    array[:] = list(geometries)
    return [None if b is None else bytes(b) for b in shapely.to_wkb(array)]


def _shapes(blobs: Sequence[bytes | None]) -> list[Any]:
    if not blobs:
        return []
    array = np.empty(len(blobs), dtype=object)
    array[:] = list(blobs)
    return list(shapely.from_wkb(array))


def _bulk(session: Session, table: type[m.Base], rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), rows)


def _insert_regions(session: Session, mission_id: int, mission: model.Mission) -> None:
    area_of = mission.area_of_region
    wkb = _wkb([r.geometry for r in mission.regions])
    rows = [
        {
            "mission_id": mission_id,
            "region_id": r.region_id,
            "position": i,
            "name_en": r.name_en,
            "name_kk": r.name_kk,
            "name_ru": r.name_ru,
            "tz": r.tz,
            "area_id": area_of.get(r.region_id),
            "geometry_wkb": wkb[i],
        }
        for i, r in enumerate(mission.regions)
    ]
    _bulk(session, m.Region, rows)


def _insert_districts(session: Session, mission_id: int, mission: model.Mission) -> None:
    area_of = mission.area_of_region
    wkb = _wkb([d.geometry for d in mission.districts])
    rows = [
        {
            "mission_id": mission_id,
            "district_id": d.district_id,
            "position": i,
            "region_id": d.region_id,
            "name_en": d.name_en,
            "name_kk": d.name_kk,
            "name_ru": d.name_ru,
            "area_id": area_of.get(d.region_id),
            "geometry_wkb": wkb[i],
        }
        for i, d in enumerate(mission.districts)
    ]
    _bulk(session, m.District, rows)


def _insert_areas(session: Session, mission_id: int, mission: model.Mission) -> None:
    wkb = _wkb([a.geometry for a in mission.areas])
    rows = [
        {
            "mission_id": mission_id,
            "area_id": a.area_id,
            "position": i,
            "name": a.name,
            "region_ids": list(a.region_ids),
            "geometry_wkb": wkb[i],
        }
        for i, a in enumerate(mission.areas)
    ]
    _bulk(session, m.Area, rows)


def _insert_commissions(session: Session, mission_id: int, mission: model.Mission) -> None:
    area_of = mission.area_of_region
    rows = [
        {
            "mission_id": mission_id,
            "tec_id": c.tec_id,
            "position": i,
            "name": c.name,
            "level": c.level.value,
            "parent_id": c.parent_id,
            "region": c.region,
            "district": c.district,
            "tz": c.tz,
            "lon": c.lon,
            "lat": c.lat,
            "area_id": area_of.get(c.region),
        }
        for i, c in enumerate(mission.commissions)
    ]
    _bulk(session, m.Commission, rows)


def _insert_stations(session: Session, mission_id: int, mission: model.Mission) -> None:
    rows = [
        {
            "mission_id": mission_id,
            "station_id": s.station_id,
            "position": i,
            "number": s.number,
            "name": s.name,
            "address": s.address,
            "region": s.region,
            "district": s.district,
            "tec_id": s.tec_id,
            "voters": int(s.voters),
            "kind": s.kind.value,
            "setting": s.setting.value,
            "tz": s.tz,
            "lon": s.lon,
            "lat": s.lat,
            "area_id": mission.area_of_station(s),
        }
        for i, s in enumerate(mission.stations)
    ]
    _bulk(session, m.Station, rows)


def _team_rows(mission_id: int, teams: Iterable[model.Team]) -> list[dict[str, Any]]:
    return [
        {
            "mission_id": mission_id,
            "team_id": t.team_id,
            "position": i,
            "kind": t.kind.value,
            "area_id": t.area_id,
            "base_name": t.base_name,
            "lon": t.lon,
            "lat": t.lat,
        }
        for i, t in enumerate(teams)
    ]


def _insert_teams(session: Session, mission_id: int, mission: model.Mission) -> None:
    _bulk(session, m.Team, _team_rows(mission_id, mission.teams))


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
            outline_wkb=_wkb([mission.outline])[0] if mission.outline is not None else None,
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
    return MissionInfo(
        row.id, row.name, row.country, row.created_at, row.created_by, row.teams_version
    )


def list_missions(store: Store, *, user: CurrentUser | None) -> list[MissionInfo]:
    with store.read() as session:
        who = actor(session, user, action="missions_listed")
        query = select(m.Mission).order_by(m.Mission.id)
        if who.mission_id is not None:
            query = query.where(m.Mission.id == who.mission_id)
        return [_info(r) for r in session.scalars(query)]


def mission_info(store: Store, mission_id: int, *, user: CurrentUser | None) -> MissionInfo:
    with store.read() as session:
        who = actor(session, user, action=str(Action.MISSION_VIEWED))
        return _info(mission_row(session, who, mission_id, action=str(Action.MISSION_VIEWED)))


def _in_areas(column: Any, areas: frozenset[str] | None) -> ColumnElement[bool] | None:
    """The WHERE clause for an area scope (None: no restriction)."""
    if areas is None:
        return None
    return column.in_(sorted(areas))


def _where(query: Any, clause: ColumnElement[bool] | None) -> Any:
    return query if clause is None else query.where(clause)


def published_version_id(session: Session, mission_id: int) -> int | None:
    """The current published plan version: the one published last."""
    return session.scalar(
        select(m.PlanVersion.id)
        .where(m.PlanVersion.mission_id == mission_id, m.PlanVersion.published.is_(True))
        .order_by(m.PlanVersion.published_at.desc(), m.PlanVersion.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class _Filters:
    regions: ColumnElement[bool] | None
    districts: ColumnElement[bool] | None
    areas: ColumnElement[bool] | None
    commissions: ColumnElement[bool] | None
    stations: ColumnElement[bool] | None
    teams: ColumnElement[bool] | None


def _area_filters(mission_id: int, areas: frozenset[str] | None) -> _Filters:
    if areas is None:
        return _Filters(None, None, None, None, None, None)
    station_tecs = select(m.Station.tec_id).where(
        m.Station.mission_id == mission_id, m.Station.area_id.in_(sorted(areas))
    )
    return _Filters(
        regions=_in_areas(m.Region.area_id, areas),
        districts=_in_areas(m.District.area_id, areas),
        areas=_in_areas(m.Area.area_id, areas),
        commissions=or_(
            m.Commission.area_id.in_(sorted(areas)), m.Commission.tec_id.in_(station_tecs)
        ),
        stations=_in_areas(m.Station.area_id, areas),
        teams=_in_areas(m.Team.area_id, areas),
    )


def _team_filters(session: Session, mission_id: int, team_id: str | None) -> _Filters:
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
    return _Filters(
        regions=m.Region.region_id.in_(station_regions),
        districts=m.District.district_id.in_(station_districts),
        areas=m.Area.area_id.in_(team_area),
        commissions=m.Commission.tec_id.in_(sites),
        stations=m.Station.station_id.in_(sites),
        teams=m.Team.team_id == (team_id or ""),
    )


def _read_mission(session: Session, row: m.Mission, filters: _Filters) -> model.Mission:
    mid = row.id
    settings = parse_settings(row.settings_toml, file=f"store: mission {mid}")

    def rows(table: Any, clause: ColumnElement[bool] | None, *columns: Any) -> list[Any]:
        query = select(*columns).where(table.mission_id == mid).order_by(table.position)
        return list(session.execute(_where(query, clause)).all())

    regions = rows(
        m.Region,
        filters.regions,
        m.Region.region_id,
        m.Region.name_en,
        m.Region.name_kk,
        m.Region.name_ru,
        m.Region.tz,
        m.Region.geometry_wkb,
    )
    region_shapes = _shapes([r[5] for r in regions])
    districts = rows(
        m.District,
        filters.districts,
        m.District.district_id,
        m.District.region_id,
        m.District.name_en,
        m.District.name_kk,
        m.District.name_ru,
        m.District.geometry_wkb,
    )
    district_shapes = _shapes([d[5] for d in districts])
    areas = rows(
        m.Area, filters.areas, m.Area.area_id, m.Area.name, m.Area.region_ids, m.Area.geometry_wkb
    )
    area_shapes = _shapes([a[3] for a in areas])
    commissions = rows(
        m.Commission,
        filters.commissions,
        m.Commission.tec_id,
        m.Commission.name,
        m.Commission.level,
        m.Commission.parent_id,
        m.Commission.region,
        m.Commission.tz,
        m.Commission.lon,
        m.Commission.lat,
        m.Commission.district,
    )
    stations = rows(
        m.Station,
        filters.stations,
        m.Station.station_id,
        m.Station.number,
        m.Station.name,
        m.Station.address,
        m.Station.region,
        m.Station.district,
        m.Station.tec_id,
        m.Station.voters,
        m.Station.kind,
        m.Station.setting,
        m.Station.tz,
        m.Station.lon,
        m.Station.lat,
    )
    teams = rows(
        m.Team,
        filters.teams,
        m.Team.team_id,
        m.Team.kind,
        m.Team.area_id,
        m.Team.base_name,
        m.Team.lon,
        m.Team.lat,
    )
    level = {c.value: c for c in model.CommissionLevel}
    kind = {k.value: k for k in model.StationKind}
    setting = {s.value: s for s in model.Setting}
    team_kind = {k.value: k for k in model.TeamKind}
    return model.Mission(
        name=settings.name,
        country=settings.country,
        regions=tuple(
            model.Region(r[0], r[1], r[2], r[3], r[4], g)
            for r, g in zip(regions, region_shapes, strict=True)
        ),
        districts=tuple(
            model.District(d[0], d[1], d[2], d[3], d[4], g)
            for d, g in zip(districts, district_shapes, strict=True)
        ),
        commissions=tuple(
            model.Commission(c[0], c[1], level[c[2]], c[3], c[4], c[5], c[6], c[7], c[8])
            for c in commissions
        ),
        stations=tuple(model.Station(*s[:8], kind[s[8]], setting[s[9]], *s[10:]) for s in stations),
        areas=tuple(
            model.Area(a[0], a[1], tuple(a[2] or ()), g)
            for a, g in zip(areas, area_shapes, strict=True)
        ),
        teams=tuple(model.Team(t[0], team_kind[t[1]], t[2], t[3], t[4], t[5]) for t in teams),
        rules=settings.rules,
        targets=settings.targets,
        seed=settings.seed,
        outline=shapely.from_wkb(row.outline_wkb) if row.outline_wkb is not None else None,
    )


def mission_filters(
    session: Session, who: CurrentUser, mission_id: int, areas: Iterable[str] | None = None
) -> _Filters:
    """The row filters for what `who` may see of a mission, narrowed to `areas` if given."""
    if who.role is Role.TEAM:
        return _team_filters(session, mission_id, who.team_id)
    scope = area_scope(who)
    if areas is not None:
        wanted = frozenset(areas)
        scope = wanted if scope is None else scope & wanted
    return _area_filters(mission_id, scope)


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
        return _read_mission(session, row, mission_filters(session, who, mission_id, areas))


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
        _bulk(session, m.Team, _team_rows(mission_id, teams))
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
) -> int:
    """Replace the mission's election-day rules and/or coverage targets (coordinators only);
    returns the new version.

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
