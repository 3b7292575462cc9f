"""How many visits a team's day holds, and what teams and commissions can give at most.

The sampler sizes its voting pool and the router its per-team cap from
`visits_per_team`; `target_warnings` tells the coordinator (in `planner validate` and
the app) which targets the mission's teams and commissions cannot reach.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from planner.model import OWN_COMMISSION, CountingPlace, Mission, commission_at_level
from planner.problem import AreaProblem
from planner.schedule import PHASES
from planner.travel import TravelModel


def visits_per_team(problem: AreaProblem, travel: TravelModel) -> tuple[int, int]:
    """(most voting visits a team may make, visits a team is expected to make)."""
    options = problem.options
    if not problem.rules.phases.voting:
        return 0, 0
    return options.max_voting_per_team, options.expected_visits_per_team


@dataclass(frozen=True)
class PhaseCapacity:
    """The most each phase can give, area by area summed: each team observes one of each
    fixed phase, and at most `teams_per_commission` teams share a commission."""

    teams: int
    stations: int
    most: dict[str, int]
    # Per phase at commissions: the areas with more teams than their commissions take,
    # each (area, teams, commissions).
    short_of_commissions: dict[str, list[tuple[str, int, int]]]


def phase_capacity(mission: Mission) -> PhaseCapacity:
    phases = mission.phases
    per = phases.teams_per_commission
    by_id = mission.commission_by_id
    teams_in: Counter[str] = Counter(
        t.area_id
        for t in mission.sto_teams
        if t.area_id is not None and t.lat is not None and t.lon is not None
    )
    stations_in: Counter[str] = Counter()
    counted: dict[str, set[str]] = defaultdict(set)
    followed: dict[str, set[str]] = defaultdict(set)
    for s in mission.stations:
        area = mission.area_of_station(s)
        if area is None or area not in teams_in:
            continue
        stations_in[area] += 1
        counted[area].add(s.tec_id)
        above = commission_at_level(s.tec_id, phases.tabulation_level, by_id)
        if above is not None and by_id[above].region in mission.area_by_id[area].region_ids:
            followed[area].add(above)
    most = dict.fromkeys(PHASES, 0)
    short: dict[str, list[tuple[str, int, int]]] = defaultdict(list)

    def shared(phase: str, area: str, teams: int, commissions: int) -> int:
        if teams > per * commissions:
            short[phase].append((area, teams, commissions))
        return min(teams, per * commissions)

    for area, teams in sorted(teams_in.items()):
        if phases.opening:
            most["opening"] += teams
        if phases.voting:
            most["voting"] += stations_in[area]
        if phases.closing:
            most["closing"] += teams
        if phases.counting is CountingPlace.STATION:
            most["counting"] += min(teams, stations_in[area])
        elif phases.counting is CountingPlace.COMMISSION:
            most["counting"] += shared("counting", area, teams, len(counted[area]))
        if phases.tabulation:
            most["tabulation"] += shared("tabulation", area, teams, len(followed[area]))
    return PhaseCapacity(
        teams=sum(teams_in.values()),
        stations=sum(stations_in.values()),
        most=most,
        short_of_commissions=dict(short),
    )


def target_warnings(mission: Mission) -> list[str]:
    """Targets the mission cannot reach, said before anyone waits for a plan: a phase
    switched off while its target asks for it, and targets above what the teams and
    commissions can give (`phase_capacity`)."""
    switches, phases, targets = mission.rules.phases, mission.phases, mission.targets
    notes: list[str] = []
    for phase in PHASES:
        target = getattr(targets, phase)
        if target > 0 and phase not in phases.names:
            why = (
                'counting = "none" in [phases]'
                if phase == "counting"
                else f"{phase} is switched off in [phases]"
            )
            notes.append(f"{phase} target {target} is not planned for: {why}")
    if switches.closing and targets.closing == 0:
        notes.append("closing is switched on in [phases] but its target is 0: not observed")
    cap = phase_capacity(mission)
    per = phases.teams_per_commission
    sharing = f"{per} team(s) per commission" if per > 1 else "one team per commission"
    level = (
        "commissions"
        if phases.tabulation_level == OWN_COMMISSION
        else f"{phases.tabulation_level} commissions"
    )
    for phase in phases.names:
        target, most = getattr(targets, phase), cap.most[phase]
        if target <= most:
            continue
        areas = cap.short_of_commissions.get(phase, [])
        if phase == "voting":
            why = f"the areas with teams hold {cap.stations} stations"
        elif areas:
            named = ", ".join(f"{a} {t} teams for {c}" for a, t, c in areas[:3])
            more = f" and {len(areas) - 3} more" if len(areas) > 3 else ""
            what = level if phase == "tabulation" else "commissions"
            why = (
                f"{len(areas)} area(s) have more teams than {what} to share at "
                f"{sharing} ({named}{more}); raise teams_per_commission in [phases]"
            )
        else:
            why = f"{cap.teams} plannable team(s), each observing one {phase}"
        notes.append(f"{phase} target {target} is more than the {most} possible: {why}")
    return notes
