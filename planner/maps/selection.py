"""What one map shows: pure selection over a mission and a plan, shared by the maps and
the tables beside them (a role's areas, a chosen area, chosen teams, chosen phases)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from planner.model import Commission, Mission, Station
from planner.schedule import PHASES

if TYPE_CHECKING:
    from planner.schedule import Plan, Stop


@dataclass(frozen=True)
class MapView:
    """What one map shows.

    `area_id`: one AoR (its stations, TECs and teams) or the whole mission; `team_ids`:
    only these teams' routes (None: every team of the area); `phases`: visits highlighted
    and stops numbered; `unvisited`: also draw stations no shown team visits; `numbered`:
    numbered stop markers (None: only when an area or teams are chosen); `statuses`:
    station id -> field-report status (closed | moved | inaccessible).
    """

    area_id: str | None = None
    team_ids: frozenset[str] | None = None
    phases: frozenset[str] = frozenset(PHASES)
    unvisited: bool = True
    numbered: bool | None = None
    statuses: Mapping[str, str] = field(default_factory=dict)

    @property
    def show_numbers(self) -> bool:
        if self.numbered is not None:
            return self.numbered
        return self.area_id is not None or bool(self.team_ids)


def team_areas(plan: Plan) -> dict[str, str]:
    """Team id -> the AoR it was planned in (from the plan itself, so edits to the
    mission's team list after planning do not lose routes)."""
    return {s.team_id: area.area_id for area in plan.areas for s in area.stops}


def plan_teams(plan: Plan) -> list[str]:
    """Every team with a route, in plan order."""
    return list(dict.fromkeys(s.team_id for s in plan.stops))


def visible_teams(plan: Plan | None, view: MapView) -> list[str]:
    if plan is None:
        return []
    areas = team_areas(plan)
    teams = plan_teams(plan)
    if view.area_id is not None:
        teams = [t for t in teams if areas.get(t) == view.area_id]
    if view.team_ids is not None:
        teams = [t for t in teams if t in view.team_ids]
    return teams


def stops_by_team(plan: Plan | None, teams: Iterable[str]) -> dict[str, list[Stop]]:
    """Each team's stops in route order."""
    wanted = set(teams)
    out: dict[str, list[Stop]] = defaultdict(list)
    if plan is not None:
        for s in plan.stops:
            if s.team_id in wanted:
                out[s.team_id].append(s)
    for stops in out.values():
        stops.sort(key=lambda s: s.seq)
    return dict(out)


def visits_by_site(
    routes: Mapping[str, Sequence[Stop]], phases: Iterable[str], site_type: str
) -> dict[str, list[Stop]]:
    """Site id -> the stops at that site, for the given phases and site type."""
    wanted = set(phases)
    out: dict[str, list[Stop]] = defaultdict(list)
    for stops in routes.values():
        for s in stops:
            if s.site_type == site_type and s.phase in wanted:
                out[s.site_id].append(s)
    return dict(out)


def area_stations(mission: Mission, area_id: str | None) -> list[Station]:
    """The stations of one AoR, or all in-country stations (all, if none is in an area)."""
    if area_id is not None:
        return [s for s in mission.stations if mission.area_of_station(s) == area_id]
    in_country = [s for s in mission.stations if mission.area_of_station(s) is not None]
    return in_country or list(mission.stations)


def area_commissions(mission: Mission, area_id: str | None) -> list[Commission]:
    if area_id is None:
        return list(mission.commissions)
    return [c for c in mission.commissions if mission.area_of_commission(c) == area_id]
