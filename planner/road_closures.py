"""Road closures in a re-plan: which teams' routes a closure breaks.

A team's route uses a closed road when one of its legs takes longer on the closed road
data than on the open one (the fastest way between those two stops ran over the closed
stretch). Those teams are planned again on the closed roads while the others keep their
routes (`planner.repair`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import pairwise

from planner.model import Mission, Setting
from planner.schedule import Plan, Stop, is_night_leg
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
