"""Plan versions: saved once, never changed (only published), read within the reader's scope.

A version holds every stop of every team as rows. A re-plan of some areas names them
(`areas=`) and its `parent`: the new version gets the new stops for those areas and a
copy of the parent's stops for every other area, so each version is complete on its own
and the parent stays readable as it was.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Integer, func, insert, literal, select
from sqlalchemy.orm import Session

from planner.field_status import ReportState
from planner.model import Mission
from planner.schedule import PHASES, Plan, Stop
from planner.store import models as m
from planner.store.access import (
    CurrentUser,
    Role,
    actor,
    area_scope,
    check_areas,
    deny,
    mission_row,
    plan_stop_filter,
    published_version_id,
    require,
)
from planner.store.audit import Action, write_for
from planner.store.errors import NotFound
from planner.store.rows import STOPS, record

if TYPE_CHECKING:
    from planner.store.db import Store

# What a re-plan copies of each parent stop it keeps: everything but the version.
COPIED_COLUMNS = ("area_id", *STOPS.columns)


@dataclass(frozen=True, slots=True)
class PlanVersionInfo:
    """A plan version's metadata, as the reader may see it (stats trimmed to its scope)."""

    id: int
    mission_id: int
    parent_id: int | None
    seed: int
    time_limit_s: float
    areas: tuple[str, ...] | None
    parameters: dict[str, Any]
    stats: dict[str, Any]
    stop_count: int
    author: str
    created_at: datetime
    published: bool
    published_at: datetime | None
    published_by: str | None


@dataclass(frozen=True, slots=True)
class TeamDiff:
    """What changed for one team between two plan versions (site ids, sorted)."""

    team_id: str
    added: tuple[str, ...]
    dropped: tuple[str, ...]


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _summary(plan: Plan) -> dict[str, Any]:
    return _json_safe(
        {
            "solver": dict(plan.stats),
            "achieved": plan.achieved,
            "shortfalls": [asdict(s) for s in plan.shortfalls],
            "areas": {
                a.area_id: dict(a.stats) | {"notes": list(a.sample.notes)} for a in plan.areas
            },
        }
    )


def _team_areas(session: Session, mission_id: int, plan: Plan) -> dict[str, str | None]:
    """Each planned team's area: as the solver placed it, else as the teams table says."""
    stored = dict(
        session.execute(
            select(m.Team.team_id, m.Team.area_id).where(m.Team.mission_id == mission_id)
        ).all()
    )
    placed = {s.team_id: a.area_id for a in plan.areas for s in a.stops}
    return {t: placed.get(t, stored.get(t)) for t in {s.team_id for s in plan.stops}}


def _resolve_updates(
    session: Session,
    store: Store,
    who: CurrentUser,
    mission_id: int,
    version_id: int,
    update_ids: Sequence[int],
    action: str,
) -> None:
    if not update_ids:
        return
    rows = list(
        session.scalars(
            select(m.FieldUpdate).where(m.FieldUpdate.id.in_(list(update_ids))).with_for_update()
        )
    )
    found = {r.id for r in rows if r.mission_id == mission_id}
    missing = sorted(set(update_ids) - found)
    if missing:
        raise NotFound(f"no field update(s) {missing} in this mission")
    check_areas(who, {r.area_id or "" for r in rows}, action=action, mission_id=mission_id)
    for r in rows:
        if r.status == ReportState.OPEN:
            r.status = ReportState.APPLIED.value
            r.resolved_version_id = version_id
            r.resolved_at = store.now()
            r.resolved_by = who.username


def _achieved(session: Session, version_id: int) -> dict[str, int]:
    """Coverage of a stored version, counted like `Plan.achieved`."""
    counts = dict.fromkeys(PHASES, 0)
    found = session.execute(
        select(m.PlanStop.phase, func.count(), func.count(m.PlanStop.site_id.distinct()))
        .where(m.PlanStop.version_id == version_id, m.PlanStop.phase.in_(PHASES))
        .group_by(m.PlanStop.phase)
    ).all()
    for phase, rows, sites in found:
        counts[phase] = int(sites if phase == "tabulation" else rows)
    return counts


def _merged_stats(
    session: Session, version: m.PlanVersion, parent: m.PlanVersion, plan: Plan, areas: list[str]
) -> dict[str, Any]:
    """Statistics of a re-plan: the new areas' own, the parent's for the areas copied
    from it, and coverage counted over the whole version."""
    new = _summary(plan)
    kept = {a: v for a, v in (parent.stats or {}).get("areas", {}).items() if a not in areas}
    achieved = _achieved(session, version.id)
    shortfalls = [
        {"phase": p, "target": getattr(plan.targets, p), "achieved": achieved[p]}
        for p in PHASES
        if achieved[p] < getattr(plan.targets, p)
    ]
    return {
        "solver": new["solver"],
        "achieved": achieved,
        "shortfalls": shortfalls,
        "areas": kept | new["areas"],
    }


def save_plan(
    store: Store,
    mission_id: int,
    plan: Plan,
    *,
    user: CurrentUser | None,
    parent: int | None = None,
    areas: Iterable[str] | None = None,
    applied_updates: Sequence[int] = (),
    parameters: Mapping[str, Any] | None = None,
) -> int:
    """Save `plan` as a new version; returns its id.

    Coordinators save whole plans, or re-plans of `areas` on top of `parent`. An LTO may
    only save a re-plan of its own AoR(s) (`areas` required). `applied_updates`: field
    updates this plan took into account, marked applied in the same transaction. If
    anything fails, nothing is saved.
    """
    action = str(Action.PLAN_SAVED)
    chosen = None if areas is None else sorted(set(areas))
    with store.write() as session:
        who = actor(session, user, action=action)
        mission_row(session, who, mission_id, action=action)
        if who.role is Role.TEAM:
            raise deny(who, "a team account cannot save plans", action=action)
        if who.role is Role.LTO:
            if not chosen:
                raise deny(
                    who,
                    "an LTO may only save a re-plan of its own area",
                    action=action,
                    mission_id=mission_id,
                )
            check_areas(who, set(chosen), action=action, mission_id=mission_id, asked=chosen)
        parent_row = None
        if parent is not None:
            parent_row = session.get(m.PlanVersion, parent)
            if parent_row is None or parent_row.mission_id != mission_id:
                raise NotFound(f"no plan version {parent} in mission {mission_id}")
        team_area = _team_areas(session, mission_id, plan)
        if chosen is not None:
            outside = sorted(t for t, a in team_area.items() if a not in chosen)
            if outside:
                raise ValueError(
                    f"the plan has routes for team(s) outside the re-planned area(s) "
                    f"{', '.join(chosen)}: {', '.join(outside[:10])}"
                )
        params = _json_safe(
            {
                "mission_name": plan.mission_name,
                "seed": plan.seed,
                "time_limit_s": plan.time_limit_s,
                "targets": asdict(plan.targets),
                "areas": chosen,
                "parent": parent,
                "applied_updates": sorted(applied_updates),
            }
            | dict(parameters or {})
        )
        version = m.PlanVersion(
            mission_id=mission_id,
            parent_id=parent,
            seed=int(plan.seed),
            time_limit_s=float(plan.time_limit_s),
            areas=chosen,
            parameters=params,
            stats=_summary(plan),
            stop_count=0,
            author_id=who.id,
            author=who.username,
            created_at=store.now(),
            published=False,
        )
        session.add(version)
        session.flush()
        if parent is not None and chosen is not None:
            columns = [getattr(m.PlanStop, c) for c in COPIED_COLUMNS]
            source = (
                select(literal(version.id, Integer).label("version_id"), *columns)
                .where(m.PlanStop.version_id == parent)
                .where(m.PlanStop.area_id.is_(None) | m.PlanStop.area_id.not_in(chosen))
                .order_by(m.PlanStop.id)
            )
            session.execute(insert(m.PlanStop).from_select(["version_id", *COPIED_COLUMNS], source))
        rows = STOPS.rows(
            plan.stops,
            each={"area_id": [team_area.get(s.team_id) for s in plan.stops]},
            version_id=version.id,
        )
        if rows:
            session.execute(insert(m.PlanStop), rows)
        version.stop_count = int(
            session.scalar(
                select(func.count())
                .select_from(m.PlanStop)
                .where(m.PlanStop.version_id == version.id)
            )
            or 0
        )
        if parent_row is not None and chosen is not None:
            version.stats = _merged_stats(session, version, parent_row, plan, chosen)
        _resolve_updates(session, store, who, mission_id, version.id, applied_updates, action)
        write_for(
            session,
            store,
            who,
            Action.PLAN_SAVED,
            mission_id=mission_id,
            detail={
                "version": version.id,
                "parent": parent,
                "areas": chosen,
                "stops": version.stop_count,
            },
        )
        return version.id


def _version(session: Session, who: CurrentUser, version_id: int, *, action: str) -> m.PlanVersion:
    row = session.get(m.PlanVersion, version_id)
    if row is None:
        raise NotFound(f"no plan version {version_id}")
    mission_row(session, who, row.mission_id, action=action)
    return row


def _visible_info(
    session: Session, who: CurrentUser, row: m.PlanVersion, clause: ColumnElement[bool] | None
) -> PlanVersionInfo:
    stats = dict(row.stats or {})
    count = row.stop_count
    if clause is not None:
        scope = area_scope(who) or frozenset()
        # The travel source (without the road report, which names every area's places).
        travel = {k: v for k, v in _travel(stats).items() if k != "report"}
        stats = {"areas": {a: v for a, v in (stats.get("areas") or {}).items() if a in scope}}
        if who.role is Role.TEAM:
            stats = {}
        if travel:
            stats["solver"] = {"travel": travel}
        count = int(
            session.scalar(
                select(func.count())
                .select_from(m.PlanStop)
                .where(m.PlanStop.version_id == row.id, clause)
            )
            or 0
        )
    return record(
        PlanVersionInfo,
        row,
        areas=tuple(row.areas) if row.areas is not None else None,
        parameters=dict(row.parameters or {}),
        stats=stats,
        stop_count=count,
    )


def _travel(stats: Mapping[str, Any]) -> dict[str, Any]:
    travel = (stats.get("solver") or {}).get("travel")
    return dict(travel) if isinstance(travel, Mapping) else {}


def plan_version(store: Store, version_id: int, *, user: CurrentUser | None) -> PlanVersionInfo:
    action = str(Action.PLAN_VIEWED)
    with store.read() as session:
        who = actor(session, user, action=action)
        row = _version(session, who, version_id, action=action)
        clause = plan_stop_filter(session, who, row, action=action)
        return _visible_info(session, who, row, clause)


def plan_versions(
    store: Store, mission_id: int, *, user: CurrentUser | None
) -> list[PlanVersionInfo]:
    """Versions of a mission, newest first; a team sees only the current published one."""
    action = str(Action.PLAN_VIEWED)
    with store.read() as session:
        who = actor(session, user, action=action)
        mission_row(session, who, mission_id, action=action)
        query = (
            select(m.PlanVersion)
            .where(m.PlanVersion.mission_id == mission_id)
            .order_by(m.PlanVersion.id.desc())
        )
        if who.role is Role.TEAM:
            current = published_version_id(session, mission_id)
            query = query.where(m.PlanVersion.id == (current if current is not None else -1))
        out = []
        for row in session.scalars(query):
            clause = plan_stop_filter(session, who, row, action=action)
            out.append(_visible_info(session, who, row, clause))
        return out


def published_version(
    store: Store, mission_id: int, *, user: CurrentUser | None
) -> PlanVersionInfo | None:
    """The current published version (the one published last), if any."""
    action = str(Action.PLAN_VIEWED)
    with store.read() as session:
        who = actor(session, user, action=action)
        mission_row(session, who, mission_id, action=action)
        current = published_version_id(session, mission_id)
        if current is None:
            return None
        row = session.get(m.PlanVersion, current)
        assert row is not None
        return _visible_info(session, who, row, plan_stop_filter(session, who, row, action=action))


def load_plan(
    store: Store, version_id: int, *, user: CurrentUser | None, record: bool = True
) -> list[Stop]:
    """The stops of a version that `user` may see, ordered by team and sequence.

    coordinator: all; lto: its AoRs' teams; team: its own stops, and only from the
    current published version. Each read is audited (`plan_viewed`) unless `record=False`
    (for internal re-reads, e.g. a diff already audited).
    """
    action = str(Action.PLAN_VIEWED)
    with store.read() as session:
        who = actor(session, user, action=action)
        row = _version(session, who, version_id, action=action)
        clause = plan_stop_filter(session, who, row, action=action)
        query = (
            STOPS.select()
            .where(m.PlanStop.version_id == version_id)
            .order_by(m.PlanStop.team_id, m.PlanStop.seq)
        )
        if clause is not None:
            query = query.where(clause)
        stops = STOPS.build(session.execute(query).all())
        mission_id = row.mission_id
    if record:
        with store.write() as session:
            write_for(
                session,
                store,
                who,
                Action.PLAN_VIEWED,
                mission_id=mission_id,
                detail={"version": version_id, "stops": len(stops)},
            )
    return stops


def publish(store: Store, version_id: int, *, user: CurrentUser | None) -> None:
    """Make a version the current published plan (coordinators only)."""
    action = str(Action.PLAN_PUBLISHED)
    with store.write() as session:
        who = actor(session, user, action=action)
        require(who, Role.COORDINATOR, action=action, version=version_id)
        row = _version(session, who, version_id, action=action)
        row.published = True
        row.published_at = store.now()
        row.published_by = who.username
        write_for(
            session,
            store,
            who,
            Action.PLAN_PUBLISHED,
            mission_id=row.mission_id,
            detail={"version": version_id},
        )


def _field(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


def plan_diff(old_rows: Iterable[Any], new_rows: Iterable[Any]) -> dict[str, TeamDiff]:
    """Per team, the sites (stations and TECs) added and dropped from `old_rows` to
    `new_rows`; teams without a change are left out. Rows are `Stop`s or dicts such as
    `read_visits` gives; base rows are ignored."""

    def sites(rows: Iterable[Any]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            if _field(r, "site_type") != "base":
                out[str(_field(r, "team_id"))].add(str(_field(r, "site_id")))
        return out

    old, new = sites(old_rows), sites(new_rows)
    diffs = {}
    for team in sorted(old.keys() | new.keys()):
        added = tuple(sorted(new.get(team, set()) - old.get(team, set())))
        dropped = tuple(sorted(old.get(team, set()) - new.get(team, set())))
        if added or dropped:
            diffs[team] = TeamDiff(team, added, dropped)
    return diffs


def diff_versions(
    store: Store, old_id: int, new_id: int, *, user: CurrentUser | None
) -> dict[str, TeamDiff]:
    """`plan_diff` of two versions, each read within the user's scope."""
    return plan_diff(
        load_plan(store, old_id, user=user, record=False),
        load_plan(store, new_id, user=user),
    )


def as_plan(info: PlanVersionInfo, stops: Sequence[Stop], mission: Mission) -> Plan:
    """A stored version as a `Plan` for the exporters and maps (no per-area solver detail)."""
    return Plan(
        mission.name,
        info.seed,
        info.time_limit_s,
        tuple(stops),
        (),
        mission.targets,
        dict(info.stats.get("solver") or {}),
    )
