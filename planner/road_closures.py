"""Road closures in a re-plan: which teams' routes a closure breaks, and a re-plan of
those teams alone while every other team keeps its route.

A team's route uses a closed road when one of its legs takes longer on the closed road
data than on the open one (the fastest way between those two stops ran over the closed
stretch). Those teams are planned again on the closed roads, from the area's stations
that no kept team visits and with count stations whose TEC no kept team follows; the
kept teams' stops are put back unchanged (`with_kept_routes`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import pairwise

from planner.model import Mission, Setting
from planner.schedule import AreaPlan, Plan, Stop, is_night_leg
from planner.travel import Place, TravelModel


def _place(stop: Stop, mission: Mission) -> Place:
    station = mission.station_by_id.get(stop.site_id) if stop.site_type == "station" else None
    urban = station.setting is Setting.URBAN if station is not None else True
    return Place(f"{stop.team_id}:{stop.seq}", stop.lon, stop.lat, urban)


def leg_seconds(stops: Sequence[Stop], mission: Mission, travel: TravelModel) -> list[int]:
    """Each leg's driving seconds on `travel` (night legs at night), in route order."""
    out = []
    for a, b in pairwise(stops):
        night = is_night_leg(a.phase, b.phase)
        seconds = travel.durations([_place(a, mission)], [_place(b, mission)], night=night)
        out.append(int(seconds[0, 0]))
    return out


def teams_crossing(
    plan: Plan,
    mission: Mission,
    open_travel: TravelModel,
    closed_travel: TravelModel,
    *,
    teams: Iterable[str] | None = None,
) -> set[str]:
    """The teams (of `teams`, default all) with a leg that is slower on the closed roads."""
    wanted = None if teams is None else set(teams)
    by_team: dict[str, list[Stop]] = defaultdict(list)
    for s in plan.stops:
        if wanted is None or s.team_id in wanted:
            by_team[s.team_id].append(s)
    crossing = set()
    for team_id, stops in by_team.items():
        stops.sort(key=lambda s: s.seq)
        before = leg_seconds(stops, mission, open_travel)
        after = leg_seconds(stops, mission, closed_travel)
        if any(b > a for a, b in zip(before, after, strict=True)):
            crossing.add(team_id)
    return crossing


def repair_mission(
    mission: Mission, plan: Plan, area_id: str, replanned: Iterable[str]
) -> tuple[Mission, frozenset[str]]:
    """The mission for re-planning `replanned` teams of `area_id` alone: only those
    teams; the stations the area's other teams visit are excluded (returned), and the
    TECs they follow are left out, so no station or TEC gets two teams."""
    chosen = set(replanned)
    area_teams = {t.team_id for t in mission.teams if t.area_id == area_id}
    if not chosen <= area_teams:
        raise ValueError(f"team(s) {sorted(chosen - area_teams)} are not in area {area_id}")
    kept = [s for s in plan.stops if s.team_id in area_teams - chosen]
    visited = frozenset(s.site_id for s in kept if s.site_type == "station")
    followed = {s.site_id for s in kept if s.site_type == "tec"}
    restricted = replace(
        mission,
        teams=tuple(t for t in mission.teams if t.team_id in chosen),
        commissions=tuple(c for c in mission.commissions if c.tec_id not in followed),
    )
    return restricted, visited


def kept_stops(plan: Plan, mission: Mission, area_id: str, replanned: Iterable[str]) -> list[Stop]:
    """The stops of the area's teams that are not re-planned."""
    chosen = set(replanned)
    area_teams = {t.team_id for t in mission.teams if t.area_id == area_id}
    return [s for s in plan.stops if s.team_id in area_teams - chosen]


def with_kept_routes(plan: Plan, kept: Sequence[Stop], area_id: str) -> Plan:
    """`plan` (a re-plan of some teams of `area_id`) with the kept teams' stops put
    back, unchanged, into that area."""
    if not kept:
        return plan
    replanned = {s.team_id for s in plan.stops}
    clash = sorted({s.team_id for s in kept} & replanned)
    if clash:
        raise ValueError(f"team(s) {clash} are both kept and re-planned")
    areas = list(plan.areas)
    index = next((i for i, a in enumerate(areas) if a.area_id == area_id), None)
    if index is None:
        raise ValueError(f"the re-plan has no routes for area {area_id}")
    area = areas[index]
    stats = {**area.stats, "kept_teams": len({s.team_id for s in kept})}
    areas[index] = AreaPlan(area_id, (*area.stops, *kept), area.sample, stats)
    stops = tuple(s for a in areas for s in a.stops)
    return replace(plan, stops=stops, areas=tuple(areas))


def merge_saved(plan: Plan, meta: Mapping[str, object]) -> Plan:
    """A finished job's plan with the routes its re-plan kept (`meta["kept_stops"]`,
    `meta["area_id"]`), ready to save; the plan itself when nothing was kept."""
    kept = meta.get("kept_stops")
    area = meta.get("area_id")
    if not kept or not isinstance(area, str):
        return plan
    return with_kept_routes(plan, list(kept), area)  # type: ignore[call-overload]
