"""A re-plan that changes only what field reports force.

The teams whose routes the reports break (a closed or moved station on the route, a
closed road under it) are planned again, from the area's stations that no other team
visits and with count stations whose TEC no other team follows; every other team keeps
its stops unchanged (`with_kept_routes`). A re-planned team can keep its own fixed stops
too (`fixed_stops`), so that only its voting visits change, and the voting visits it had
weigh more than new ones (`voting_visits`): each change must buy coverage. Coordinators
and teams have booked drivers and interpreters on the published plan, so a report about
one station must not move forty teams.

An election-day re-plan goes on from the teams' current positions (`resume_at`): every
stop that starts before a time of day is kept as it is, and the rest of each re-planned
team's day is planned from its last kept stop (`planner.schedule.Resume`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from itertools import takewhile

from planner.model import Mission
from planner.schedule import AreaPlan, KeptTeams, Plan, Resume, Stop, TeamAssignment


def teams_visiting(plan: Plan, stations: Iterable[str], *, teams: Iterable[str]) -> set[str]:
    """The teams (of `teams`) whose routes in `plan` include one of `stations`."""
    wanted, chosen = set(stations), set(teams)
    return {
        s.team_id
        for s in plan.stops
        if s.team_id in chosen and s.site_type == "station" and s.site_id in wanted
    }


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


def fixed_stops(plan: Plan, teams: Iterable[str]) -> dict[str, TeamAssignment]:
    """The fixed stops (opening, count, the commission followed, closing) of `teams` in
    `plan`, for a re-plan that keeps them and changes only the voting visits around them:
    teams have booked interpreters and drivers for those, and on election day a team
    cannot undo the opening it has observed."""
    chosen = set(teams)
    found: dict[str, dict[str, str]] = {t: {} for t in chosen}
    for s in plan.stops:
        if s.team_id in chosen and s.phase in ("opening", "counting", "tabulation", "closing"):
            found[s.team_id].setdefault(s.phase, s.site_id)
    return {
        team: TeamAssignment(
            team,
            stops.get("opening"),
            stops.get("counting"),
            stops.get("tabulation"),
            stops.get("closing"),
        )
        for team, stops in found.items()
        if stops
    }


def voting_visits(stops: Iterable[Stop], teams: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The stations each of `teams` visits to observe voting in `stops`, in route order:
    what a re-plan of those teams weighs keeping (`PlanOptions.keep_visit_weight`), so
    that a report about one station does not rewrite the rest of a team's day."""
    chosen = set(teams)
    found: dict[str, list[str]] = {}
    for s in sorted(stops, key=lambda s: (s.team_id, s.seq)):
        if s.team_id in chosen and s.phase == "voting" and s.site_type == "station":
            found.setdefault(s.team_id, []).append(s.site_id)
    return {team: tuple(visits) for team, visits in found.items()}


def resume_at(plan: Plan, teams: Iterable[str], at: time, election_day: date) -> Resume:
    """The re-plan of `teams` from `at` on election day: each team keeps its stops that
    start before `at` in their own local time (its base departure first), the stops it
    has made or is committed to when the re-plan is made."""
    chosen = set(teams)
    routes: dict[str, list[Stop]] = {t: [] for t in chosen}
    for s in plan.stops:
        if s.team_id in chosen:
            routes[s.team_id].append(s)

    def before(s: Stop) -> bool:
        return s.arrive < datetime.combine(election_day, at, tzinfo=s.arrive.tzinfo)

    so_far = {}
    for team, stops in routes.items():
        done = tuple(takewhile(before, sorted(stops, key=lambda s: s.seq)))
        if done:
            so_far[team] = done
    return Resume(at, so_far)


def with_stops_done(
    fixed: Mapping[str, TeamAssignment], resume: Resume
) -> dict[str, TeamAssignment]:
    """`fixed` with the fixed stops the teams made before the re-plan's time: those are
    kept whether or not the re-plan keeps the others (a team cannot undo its opening)."""
    out = dict(fixed)
    for team in resume.so_far:
        done = {s.phase: s.site_id for s in resume.done(team) if s.phase != "base"}
        if not done.keys() & {"opening", "counting", "tabulation", "closing"}:
            continue
        had = out.get(team, TeamAssignment(team, None, None, None, None))
        out[team] = TeamAssignment(
            team,
            done.get("opening", had.opening),
            done.get("counting", had.count),
            done.get("tabulation", had.tabulation_tec),
            done.get("closing", had.closing),
        )
    return out


def kept_stops(plan: Plan, mission: Mission, area_id: str, replanned: Iterable[str]) -> list[Stop]:
    """The stops of the area's teams that are not re-planned."""
    chosen = set(replanned)
    area_teams = {t.team_id for t in mission.teams if t.area_id == area_id}
    return [s for s in plan.stops if s.team_id in area_teams - chosen]


def kept_teams(kept: Sequence[Stop], area_id: str) -> KeptTeams | None:
    """What a re-plan of some of `area_id`'s teams needs of the others (their `kept`
    stops): how many they are and their voting visits; None when no team is kept."""
    if not kept:
        return None
    return KeptTeams(
        area_id,
        len({s.team_id for s in kept}),
        frozenset(s.site_id for s in kept if s.phase == "voting"),
    )


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
