"""The travel side of a stored mission: its travel settings (`[travel]` of its settings,
changed with `update_settings(travel=...)`), and each plan version's route lines.

Route lines are derived data: made once from the travel source a version recorded, the
first time anyone draws that version, and kept here so that maps and exports never
recompute them. Reading and writing them follows the version's stops: a user reads and
stores the lines of the teams whose stops they may read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.orm import Session

from planner.settings import parse_settings
from planner.store import models as m
from planner.store.access import CurrentUser, actor, mission_row, plan_stop_filter
from planner.store.errors import NotFound
from planner.travel_source import TravelSettings

if TYPE_CHECKING:
    from planner.store.db import Store


def travel_settings(store: Store, mission_id: int, *, user: CurrentUser | None) -> TravelSettings:
    """The mission's `[travel]` settings (the straight-line model when it has none)."""
    action = "mission_viewed"
    with store.read() as session:
        who = actor(session, user, action=action)
        row = mission_row(session, who, mission_id, action=action)
        return parse_settings(row.settings_toml, file=f"store: mission {mission_id}").travel


def _visible_teams(
    session: Session, who: CurrentUser, version_id: int, *, action: str
) -> Select[Any]:
    """The teams of a version whose stops `who` may read (a subquery)."""
    row = session.get(m.PlanVersion, version_id)
    if row is None:
        raise NotFound(f"no plan version {version_id}")
    mission_row(session, who, row.mission_id, action=action)
    clause = plan_stop_filter(session, who, row, action=action)
    query = select(m.PlanStop.team_id).where(m.PlanStop.version_id == version_id).distinct()
    return query if clause is None else query.where(clause)


def route_lines(
    store: Store, version_id: int, *, user: CurrentUser | None
) -> dict[str, dict[str, Any]]:
    """Team id -> stored line (`TeamLine.to_json()`) of a version, for the teams `user`
    may see; teams without a stored line are left out."""
    action = "plan_viewed"
    with store.read() as session:
        who = actor(session, user, action=action)
        teams = _visible_teams(session, who, version_id, action=action)
        found = session.execute(
            select(m.PlanRouteLine.team_id, m.PlanRouteLine.line).where(
                m.PlanRouteLine.version_id == version_id, m.PlanRouteLine.team_id.in_(teams)
            )
        ).all()
        return {team: dict(line) for team, line in found}


def save_route_lines(
    store: Store,
    version_id: int,
    lines: Mapping[str, Mapping[str, Any]],
    *,
    user: CurrentUser | None,
) -> int:
    """Keep the lines (`TeamLine.to_json()` by team id) of a version's teams that `user`
    may see (others are ignored); a team's earlier line is replaced. Returns how many
    were stored."""
    action = "plan_viewed"
    with store.write() as session:
        who = actor(session, user, action=action)
        visible = set(session.scalars(_visible_teams(session, who, version_id, action=action)))
        wanted = {team: line for team, line in lines.items() if team in visible}
        if not wanted:
            return 0
        session.execute(
            delete(m.PlanRouteLine).where(
                m.PlanRouteLine.version_id == version_id,
                m.PlanRouteLine.team_id.in_(sorted(wanted)),
            )
        )
        session.execute(
            insert(m.PlanRouteLine),
            [
                {
                    "version_id": version_id,
                    "team_id": team,
                    "geometry": str(line.get("geometry", "straight_line")),
                    "line": dict(line),
                }
                for team, line in wanted.items()
            ],
        )
        return len(wanted)
