"""Field updates: what LTOs (and coordinators) report from the ground, and how a re-plan
takes them into account.

A station reported closed or inaccessible is left out of every later plan; a moved
station is planned at its new place (the latest report wins); a closed road and a note
are kept for the planner to read. A report stays `open` until a saved plan version takes
it into account (`save_plan(..., applied_updates=...)` marks it `applied`) or someone
dismisses it. Dismissed reports no longer count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from planner import model
from planner.field_status import (
    REPORT_KINDS,
    STATUS_OF_KIND,
    ReportKind,
    ReportState,
    StationStatus,
    is_never_planned,
    move_stations,
)
from planner.store import models as m
from planner.store.access import (
    CurrentUser,
    Role,
    actor,
    area_scope,
    check_areas,
    deny,
    field_update_filter,
    mission_filters,
    mission_row,
)
from planner.store.audit import Action, write_for
from planner.store.errors import NotFound
from planner.store.missions import read_mission
from planner.store.rows import record

if TYPE_CHECKING:
    from planner.store.db import Store

MAX_NOTE = 4000


@dataclass(frozen=True, slots=True)
class FieldReport:
    """A report as filed. `kind`: station_closed | station_moved | station_inaccessible
    (need `station_id`; moved also `lat`, `lon`) | road_closed (`place_a`, `place_b`:
    station or TEC ids it runs between, and/or `road_points`: (lon, lat) points along
    the closed stretch, its two ends at least, which road times close; `area_id` when
    no place is given and the filer has several AoRs) | note (`note`, and `area_id`
    unless the filer has one AoR)."""

    kind: str
    station_id: str | None = None
    lat: float | None = None
    lon: float | None = None
    place_a: str | None = None
    place_b: str | None = None
    note: str = ""
    area_id: str | None = None
    road_points: tuple[tuple[float, float], ...] | None = None


@dataclass(frozen=True, slots=True)
class FieldUpdateRecord:
    id: int
    mission_id: int
    area_id: str | None
    kind: str
    station_id: str | None
    place_a: str | None
    place_b: str | None
    lat: float | None
    lon: float | None
    note: str
    author: str
    created_at: datetime
    status: str
    resolved_version_id: int | None
    resolved_at: datetime | None
    resolved_by: str | None
    road_points: tuple[tuple[float, float], ...] | None = None

    @property
    def station_status(self) -> StationStatus | None:
        """closed | moved | inaccessible for station reports, else None."""
        return STATUS_OF_KIND.get(self.kind)


@dataclass(frozen=True)
class PlanningInputs:
    """What a re-plan needs: the mission (moved stations at their reported place), the
    stations never to route to, the reports behind them, and the open ones to mark applied."""

    mission: model.Mission
    excluded: frozenset[str]
    updates: tuple[FieldUpdateRecord, ...]
    open_update_ids: tuple[int, ...]
    road_closures: tuple[FieldUpdateRecord, ...]


def _record(row: m.FieldUpdate) -> FieldUpdateRecord:
    points = (
        tuple((float(p[0]), float(p[1])) for p in row.road_points)
        if row.road_points is not None
        else None
    )
    return record(FieldUpdateRecord, row, road_points=points)


MAX_ROAD_POINTS = 50


def _road_points(points: tuple[tuple[float, float], ...] | None) -> list[list[float]] | None:
    """A closed stretch's points, checked: 2 to MAX_ROAD_POINTS (lon, lat) positions."""
    if points is None:
        return None
    if not 2 <= len(points) <= MAX_ROAD_POINTS:
        raise ValueError(
            f"a closed stretch needs 2 to {MAX_ROAD_POINTS} points along it (its two ends at least)"
        )
    out = []
    for point in points:
        lon, lat = (float(v) for v in point)
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise ValueError(f"closed road point ({lat}, {lon}) is not a number")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(
                f"({lat}, {lon}) is not a position: latitude -90..90, longitude -180..180"
            )
        out.append([lon, lat])
    if len({(a, b) for a, b in out}) < 2:
        raise ValueError("the closed stretch's ends are the same point")
    return out


def _place_area(
    session: Session, who: CurrentUser, mission_id: int, place: str, *, action: str
) -> str | None:
    """The area of a station or TEC id, checked against the filer's scope."""
    for table, column in ((m.Station, m.Station.station_id), (m.Commission, m.Commission.tec_id)):
        found = session.execute(
            select(table.area_id).where(table.mission_id == mission_id, column == place)
        ).first()
        if found is not None:
            area = found[0]
            scope = area_scope(who)
            if scope is not None and area not in scope:
                break
            return area
    scope = area_scope(who)
    where = "" if scope is None else " in your area"
    raise deny(who, f"no station or TEC {place!r}{where}", action=action, mission_id=mission_id)


def _report_area(
    session: Session, who: CurrentUser, mission_id: int, area: str | None
) -> str | None:
    """The area a report names, or the filer's only area; None for a coordinator's
    mission-wide report."""
    scope = area_scope(who)
    if area is None and scope is not None:
        if len(scope) != 1:
            raise ValueError("say which of your areas the report is about")
        area = next(iter(scope))
    if area is not None and session.get(m.Area, (mission_id, area)) is None:
        raise NotFound(f"no area {area} in this mission")
    return area


def add_field_update(
    store: Store, mission_id: int, report: FieldReport, *, user: CurrentUser | None
) -> int:
    """File a report (coordinator, or LTO for its own AoR); returns its id."""
    action = str(Action.FIELD_UPDATE)
    if report.kind not in REPORT_KINDS:
        raise ValueError(f"unknown kind {report.kind!r}; use one of: {', '.join(REPORT_KINDS)}")
    note = report.note.strip()
    if len(note) > MAX_NOTE:
        raise ValueError(f"the note is too long (at most {MAX_NOTE} characters)")
    with store.write() as session:
        who = actor(session, user, action=action)
        mission_row(session, who, mission_id, action=action)
        if who.role is Role.TEAM:
            raise deny(who, "a team account cannot file field updates", action=action)
        area: str | None
        lat = lon = None
        points: list[list[float]] | None = None
        if report.kind in STATUS_OF_KIND:
            if not report.station_id:
                raise ValueError(f"a {report.kind} report needs the station")
            area = _place_area(session, who, mission_id, report.station_id, action=action)
            if report.kind == ReportKind.STATION_MOVED:
                lat, lon = report.lat, report.lon
                if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
                    raise ValueError("a moved station needs its new latitude and longitude")
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise ValueError(
                        f"({lat}, {lon}) is not a position: latitude -90..90, longitude -180..180"
                    )
        elif report.kind == ReportKind.ROAD_CLOSED:
            points = _road_points(report.road_points)
            places = [p for p in (report.place_a, report.place_b) if p]
            if points is None and len(places) < 2:
                raise ValueError(
                    "a closed road needs the two places it runs between, or the coordinates "
                    "of the closed stretch"
                )
            if places:
                area = _place_area(session, who, mission_id, places[0], action=action)
                for place in places[1:]:
                    _place_area(session, who, mission_id, place, action=action)
            else:
                area = _report_area(session, who, mission_id, report.area_id)
        else:
            if not note:
                raise ValueError("a note needs some text")
            area = _report_area(session, who, mission_id, report.area_id)
        check_areas(who, {area or ""}, action=action, mission_id=mission_id)
        row = m.FieldUpdate(
            mission_id=mission_id,
            area_id=area,
            kind=str(report.kind),
            station_id=report.station_id if report.kind in STATUS_OF_KIND else None,
            place_a=report.place_a if report.kind == ReportKind.ROAD_CLOSED else None,
            place_b=report.place_b if report.kind == ReportKind.ROAD_CLOSED else None,
            lat=lat,
            lon=lon,
            road_points=points if report.kind == ReportKind.ROAD_CLOSED else None,
            note=note,
            author_id=who.id,
            author=who.username,
            created_at=store.now(),
            status=ReportState.OPEN.value,
        )
        session.add(row)
        session.flush()
        write_for(
            session,
            store,
            who,
            Action.FIELD_UPDATE,
            mission_id=mission_id,
            detail={
                "id": row.id,
                "kind": str(report.kind),
                "area": area,
                "station": row.station_id,
            },
        )
        return row.id


def _scoped(
    session: Session, who: CurrentUser, mission_id: int, *, action: str
) -> Select[m.FieldUpdate]:
    """The mission's reports that `who` may read."""
    clause = field_update_filter(who, action=action)
    mission_row(session, who, mission_id, action=action)
    query = select(m.FieldUpdate).where(m.FieldUpdate.mission_id == mission_id)
    return query if clause is None else query.where(clause)


def field_updates(
    store: Store,
    mission_id: int,
    *,
    user: CurrentUser | None,
    status: str | Iterable[str] | None = None,
    areas: Iterable[str] | None = None,
) -> list[FieldUpdateRecord]:
    """Reports within the user's scope, oldest first (all statuses unless `status`)."""
    action = "field_updates_viewed"
    with store.read() as session:
        who = actor(session, user, action=action)
        query = _scoped(session, who, mission_id, action=action)
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            query = query.where(m.FieldUpdate.status.in_(wanted))
        if areas is not None:
            query = query.where(m.FieldUpdate.area_id.in_(sorted(set(areas))))
        query = query.order_by(m.FieldUpdate.id)
        return [_record(r) for r in session.scalars(query)]


def open_field_updates(
    store: Store, mission_id: int, *, user: CurrentUser | None, areas: Iterable[str] | None = None
) -> list[FieldUpdateRecord]:
    return field_updates(store, mission_id, user=user, status=ReportState.OPEN.value, areas=areas)


def dismiss_field_update(
    store: Store, update_id: int, *, user: CurrentUser | None, reason: str = ""
) -> None:
    """Withdraw a report (coordinator, or LTO of its AoR): later plans ignore it."""
    action = str(Action.FIELD_UPDATE_DISMISSED)
    with store.write() as session:
        who = actor(session, user, action=action)
        row = session.get(m.FieldUpdate, update_id)
        if row is None:
            raise NotFound(f"no field update {update_id}")
        mission_row(session, who, row.mission_id, action=action)
        if who.role is Role.TEAM:
            raise deny(who, "a team account cannot change field updates", action=action)
        check_areas(who, {row.area_id or ""}, action=action, mission_id=row.mission_id)
        row.status = ReportState.DISMISSED.value
        row.resolved_at = store.now()
        row.resolved_by = who.username
        write_for(
            session,
            store,
            who,
            Action.FIELD_UPDATE_DISMISSED,
            mission_id=row.mission_id,
            detail={"id": update_id, "reason": reason.strip()[:500]},
        )


def apply_reports(
    mission: model.Mission, updates: Iterable[FieldUpdateRecord]
) -> tuple[model.Mission, frozenset[str]]:
    """The mission with moved stations at their latest reported place, and the stations
    reported closed or inaccessible (dismissed reports are ignored)."""
    moved: dict[str, tuple[float, float]] = {}
    excluded: set[str] = set()
    for u in sorted(updates, key=lambda u: u.id):
        if u.status == ReportState.DISMISSED or u.station_id is None:
            continue
        if u.kind == ReportKind.STATION_MOVED and u.lat is not None and u.lon is not None:
            moved[u.station_id] = (u.lat, u.lon)
        elif is_never_planned(u.station_status):
            excluded.add(u.station_id)
    mission = move_stations(mission, moved)
    known = set(mission.station_by_id)
    return mission, frozenset(excluded & known)


def planning_inputs(
    store: Store,
    mission_id: int,
    *,
    user: CurrentUser | None,
    areas: Iterable[str] | None = None,
) -> PlanningInputs:
    """Everything a (re-)plan of `areas` (default: all the user may see) starts from,
    read in one snapshot. Coordinators and LTOs (own AoRs only)."""
    action = "planning_inputs"
    chosen = None if areas is None else frozenset(areas)
    with store.read() as session:
        who = actor(session, user, action=action)
        row = mission_row(session, who, mission_id, action=action)
        if who.role is Role.TEAM:
            raise deny(who, "a team account cannot plan", action=action)
        if chosen is not None:
            check_areas(who, set(chosen), action=action, mission_id=mission_id)
        mission = read_mission(session, row, mission_filters(session, who, mission_id, chosen))
        query = _scoped(session, who, mission_id, action=action)
        query = query.where(m.FieldUpdate.status != ReportState.DISMISSED.value)
        if chosen is not None:
            query = query.where(m.FieldUpdate.area_id.in_(sorted(chosen)))
        records = [_record(r) for r in session.scalars(query.order_by(m.FieldUpdate.id))]
    planned, excluded = apply_reports(mission, records)
    return PlanningInputs(
        mission=planned,
        excluded=excluded,
        updates=tuple(records),
        open_update_ids=tuple(r.id for r in records if r.status == ReportState.OPEN),
        road_closures=tuple(r for r in records if r.kind == ReportKind.ROAD_CLOSED),
    )
