"""Field reports as this browser session sees them (stored; closed / moved / inaccessible
stations, closed roads, notes), and what a plan or re-plan starts from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from planner.field_status import STATUS_OF_KIND, ReportKind, ReportState, is_never_planned
from planner.model import Mission
from planner.store import (
    FieldUpdateRecord,
    PlanningInputs,
    Role,
    apply_reports,
    field_updates,
    planning_inputs,
)
from planner.ui import mission_state, session
from planner.ui.memo import per_run
from planner.ui.shared import hold, let_go

WORKING_KEY = "working_mission"  # a slot of `planner.ui.shared`
# Let go when the session switches to another mission.
MISSION_BOUND_SLOTS = (WORKING_KEY,)


def reports(*, areas: Iterable[str] | None = None) -> list[FieldUpdateRecord]:
    """Reports that still count (open or applied), within the user's scope; none for a
    team account (which may not read them)."""
    who = session.user()
    if who.role is Role.TEAM:
        return []
    wanted = None if areas is None else sorted(set(areas))
    counted = (ReportState.OPEN.value, ReportState.APPLIED.value)
    return per_run(
        f"reports:{wanted}",
        lambda: field_updates(
            session.get_store(),
            mission_state.mission_id(),
            user=who,
            status=counted,
            areas=wanted,
        ),
    )


def statuses() -> dict[str, str]:
    """Station id -> closed | moved | inaccessible (the latest report wins)."""
    out: dict[str, str] = {}
    for r in sorted(reports(), key=lambda r: r.id):
        if r.station_id is not None and r.kind in STATUS_OF_KIND:
            out[r.station_id] = STATUS_OF_KIND[r.kind].value
    return out


def working_mission() -> Mission:
    """The mission with moved stations at their reported place (the same object when no
    station was reported moved)."""
    mission = mission_state.current_mission()
    found = reports()
    moved = tuple((r.id, r.lat, r.lon) for r in found if r.kind == ReportKind.STATION_MOVED)
    if not moved:
        let_go(WORKING_KEY)
        return mission
    key: tuple[Any, ...] = ("working", mission_state.mission_key(), moved)
    return hold(WORKING_KEY, key, lambda: apply_reports(mission, found)[0])


def excluded() -> frozenset[str]:
    """Stations reported closed or inaccessible: never routed to."""
    return frozenset(s for s, status in statuses().items() if is_never_planned(status))


def inputs(areas: Iterable[str] | None = None) -> PlanningInputs:
    """What a (re-)plan starts from, read in one snapshot."""
    return planning_inputs(
        session.get_store(), mission_state.mission_id(), user=session.user(), areas=areas
    )
