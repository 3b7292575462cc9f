"""How many visits a team's day holds, and what teams and commissions can give at most.

The sampler sizes its voting pool and the router its per-team cap from
`visits_per_team`; `target_warnings` tells the coordinator (in `planner validate` and
the app) which targets the mission's teams and commissions cannot reach.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

import numpy as np

from planner.model import (
    OWN_COMMISSION,
    CountingPlace,
    Mission,
    Phases,
    Rules,
    Setting,
    Station,
    StationKind,
    commission_at_level,
)
from planner.problem import AreaProblem
from planner.schedule import PHASES
from planner.travel import Place, TravelModel, great_circle_km


def voting_window_min(rules: Rules, phases: Phases) -> int:
    """Minutes of a team's day free for voting visits: from the end of the opening stay
    (or the polls opening) to the evening stop (the count or closing station's arrival, or
    the close), less the meal break."""
    start = _minutes(rules.polls_open)
    if phases.opening:
        start += rules.opening_stay_after_open_min
    end = _minutes(rules.polls_close)
    if phases.evening_station == "counting":
        end -= rules.count_arrive_before_close_min
    elif phases.evening_station == "closing":
        end -= rules.closing_arrive_before_close_min
    meal = rules.meal_break_min if rules.meal_break(phases) else 0
    return max(0, end - start - meal)


def visits_per_team(problem: AreaProblem, travel: TravelModel) -> tuple[int, int]:
    """(most voting visits a team may make, visits a team is expected to make).

    Each is `PlanOptions`' when set. Otherwise the most is what fits the day when every
    leg is the drive to a neighbouring station (`voting_window_min`, stays of
    `voting_stay_min`, one leg more to the evening stop): a cap the router rarely meets.
    The expected number is what fits with legs to the station as far as the pool's
    density makes them (a pool of teams x most x `pool_factor` stations out of the area's:
    every k-th station, so legs to about the k-th nearest).
    """
    rules, options = problem.rules, problem.options
    if not rules.phases.voting:
        return 0, 0
    window = voting_window_min(rules, rules.phases)
    stations = [
        s
        for s in problem.stations
        if s.station_id not in problem.excluded and s.kind is not StationKind.ABROAD
    ]
    if options.max_voting_per_team is not None:
        most = options.max_voting_per_team
    else:
        legs = _legs_min(stations, travel, 1)
        most = _fits(window, rules.voting_stay_min, float(np.median(legs)) if legs.size else 0.0)
    if options.expected_visits_per_team is not None:
        return most, min(most, options.expected_visits_per_team)
    pool = max(1.0, len(problem.teams) * most * options.pool_factor)
    rank = max(1, round(len(stations) / pool))
    legs = _legs_min(stations, travel, rank)
    expected = _fits(window, rules.voting_stay_min, float(legs.mean()) if legs.size else 0.0)
    return most, max(1, min(most, expected))


def _fits(window_min: int, stay_min: int, leg_min: float) -> int:
    """Visits of `stay_min` with a leg of `leg_min` before each, and one after the last,
    in `window_min` (at least 1)."""
    return max(1, math.floor((window_min - leg_min) / (stay_min + leg_min)))


# Stations whose neighbours are looked at, at most (evenly spread over the id order).
LEG_SAMPLE = 64


def _legs_min(stations: Sequence[Station], travel: TravelModel, rank: int) -> np.ndarray:
    """Drives, in minutes, from a sample of stations to their `rank`-th nearest station
    (nearest by straight line; the drive by the travel model)."""
    if len(stations) < 2:
        return np.zeros(0)
    ordered = sorted(stations, key=lambda s: s.station_id)
    step = max(1, len(ordered) // LEG_SAMPLE)
    origins = ordered[::step][:LEG_SAMPLE]
    lon = np.array([s.lon for s in ordered])
    lat = np.array([s.lat for s in ordered])
    o_lon = np.array([s.lon for s in origins])
    o_lat = np.array([s.lat for s in origins])
    km = great_circle_km(o_lon[:, None], o_lat[:, None], lon[None, :], lat[None, :])
    rank = min(rank, len(ordered) - 1)
    # Column `rank` of each row sorted: rank 0 is the station itself (or a twin).
    nearest = np.argpartition(km, rank, axis=1)[:, rank]
    to = [ordered[int(j)] for j in nearest]
    seconds = travel.durations([_place(s) for s in origins], [_place(s) for s in to])
    return np.diag(seconds) / 60.0


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
        if above is not None and mission.area_of_commission(by_id[above]) == area:
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


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def _place(s: Station) -> Place:
    return Place(s.station_id, s.lon, s.lat, s.setting is Setting.URBAN)
