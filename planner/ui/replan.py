"""Re-plan one area after field reports, and put its new routes into the whole plan."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import time

from planner.model import Mission
from planner.schedule import Plan


def planned_areas(mission: Mission) -> list[str]:
    """AoRs the planner will solve: those with an STO team that has a base position."""
    with_teams = {
        t.area_id
        for t in mission.sto_teams
        if t.area_id is not None and t.lon is not None and t.lat is not None
    }
    return [a.area_id for a in mission.areas if a.area_id in with_teams]


def keep_before_time(text: str) -> time | None:
    """The re-plan form's "keep every stop before" field: None when left empty, else a
    time of day written HH:MM (24-hour). ValueError saying what is wrong otherwise."""
    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(
            f"keep every stop before: {text[:20]!r} is not a time of day; write HH:MM "
            "(24-hour, e.g. 11:00), or leave it empty to re-plan the whole day"
        )
    return time(int(match[1]), int(match[2]))


def restrict_to_area(mission: Mission, area_id: str) -> Mission:
    """The mission with only `area_id`'s teams, so solving it plans that area alone.

    Areas, stations and TECs stay as they are: the area keeps its place in the mission
    (and with it its seed), and the other areas are skipped because they have no teams.
    """
    if area_id not in mission.area_by_id:
        raise ValueError(f"no area {area_id!r} in this mission")
    teams = tuple(t for t in mission.teams if t.area_id == area_id)
    if not any(t.kind.value == "sto" for t in teams):
        raise ValueError(f"area {area_id} has no STO team to plan")
    return replace(mission, teams=teams)


def splice(plan: Plan, area_plan: Plan, area_id: str) -> Plan:
    """`plan` with `area_id`'s routes replaced by those of `area_plan` (a one-area plan).

    Teams of other areas keep their stops; the area's old teams are dropped (also those
    the new plan no longer routes). Solver statistics say which area was re-planned.
    """
    new_area = next((a for a in area_plan.areas if a.area_id == area_id), None)
    if new_area is None:
        raise ValueError(f"the new plan has no routes for area {area_id}")
    old_teams = {s.team_id for a in plan.areas if a.area_id == area_id for s in a.stops} | {
        s.team_id for s in new_area.stops
    }
    areas = []
    placed = False
    for a in plan.areas:
        if a.area_id == area_id:
            areas.append(new_area)
            placed = True
        else:
            areas.append(a)
    if not placed:
        areas.append(new_area)
    stops = tuple(s for a in areas for s in a.stops)
    # Stops of teams outside any area plan (none today) are kept as they were.
    known = {s.team_id for a in areas for s in a.stops} | old_teams
    stops += tuple(s for s in plan.stops if s.team_id not in known)
    replanned = [*plan.stats.get("replanned_areas", []), area_id]
    stats = {**plan.stats, "replanned_areas": replanned}
    return replace(plan, stops=stops, areas=tuple(areas), stats=stats)
