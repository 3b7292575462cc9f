"""A plan as plain data: stops, each area's plan and sample, the whole plan, shortfalls.

What the solver produces and everything else reads: the store, the exports, the checker,
the maps and the app import these types from here, never from the solver modules, so
reading a plan never loads a solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from planner.model import Targets

# The election day's phases in order; every coverage count and target is per phase.
PHASES = ("opening", "voting", "closing", "counting", "tabulation")
# Legs driven in the dark: from the base before dawn, and everything after the close
# (`base` rows are the team's departure and return).
NIGHT_FROM = frozenset({"base", "closing", "counting", "tabulation"})
NIGHT_TO = frozenset({"base"})


def is_night_leg(from_phase: str, to_phase: str) -> bool:
    """Whether the leg between stops of these phases is driven at night speeds."""
    return from_phase in NIGHT_FROM or to_phase in NIGHT_TO


@dataclass(frozen=True)
class Stop:
    """One line of a team's schedule (one row of visits.csv)."""

    team_id: str
    seq: int
    phase: str  # base | opening | voting | closing | counting | tabulation
    site_id: str
    site_type: str  # station | tec | base
    arrive: datetime
    depart: datetime
    travel_min: int
    lat: float
    lon: float


@dataclass(frozen=True)
class TeamAssignment:
    """A team's fixed stops, chosen before routing, each None when its phase is not
    observed: its opening station, its count (a station, or a commission when counting at
    the commission), the commission it follows the tabulation to (also None when others
    fill that commission) and its closing station."""

    team_id: str
    opening: str | None
    count: str | None
    tabulation_tec: str | None
    closing: str | None = None


@dataclass(frozen=True)
class AreaSample:
    """What the sampler chose for one area: the teams' fixed stations, the voting pool the
    router picks from, each station's random weight (its prize) and the district caps."""

    assignments: tuple[TeamAssignment, ...]
    pool: tuple[str, ...]
    weights: dict[str, float]
    district_caps: dict[str, int]
    notes: tuple[str, ...] = ()
    # Teams left without fixed stops, each with why (`UNPLANNED_CAUSES` key, then detail).
    unplanned: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AreaPlan:
    """One area's schedules, the sample they came from and the solver's statistics."""

    area_id: str
    stops: tuple[Stop, ...]
    sample: AreaSample
    stats: dict[str, Any]


@dataclass(frozen=True)
class Shortfall:
    phase: str
    target: int
    achieved: int
    reason: str


@dataclass(frozen=True)
class Plan:
    mission_name: str
    seed: int
    time_limit_s: float
    stops: tuple[Stop, ...]
    areas: tuple[AreaPlan, ...]
    targets: Targets
    stats: dict[str, Any] = field(default_factory=dict)

    def stops_of(self, team_id: str) -> list[Stop]:
        return [s for s in self.stops if s.team_id == team_id]

    @property
    def achieved(self) -> dict[str, int]:
        """Observations per phase: stops, a tabulation being one team at one commission
        (with one team per commission, the commissions followed)."""
        counts = dict.fromkeys(PHASES, 0)
        for s in self.stops:
            if s.phase in counts:
                counts[s.phase] += 1
        return counts

    @property
    def shortfalls(self) -> list[Shortfall]:
        achieved = self.achieved
        out = []
        for phase in PHASES:
            target = getattr(self.targets, phase)
            if achieved[phase] < target:
                out.append(Shortfall(phase, target, achieved[phase], self._reason(phase)))
        return out

    @property
    def notes(self) -> list[str]:
        return [f"{a.area_id}: {note}" for a in self.areas for note in a.sample.notes]

    def _reason(self, phase: str) -> str:
        teams = int(self.stats.get("teams", 0))
        planned = len({s.team_id for s in self.stops})
        if planned < teams:
            first = "; ".join(self.notes[:3])
            return f"{teams - planned} of {teams} team(s) could not be planned: {first}"
        if phase in ("opening", "counting"):
            return (
                f"each team observes one {phase}; {teams} team(s) planned"
                " — add teams to reach the target"
            )
        if phase == "tabulation":
            reachable = int(self.stats.get("tecs_reachable", 0))
            return (
                f"one team per TEC and count stations within the count-to-TEC limit: "
                f"{reachable} TEC(s) reachable by {teams} team(s)"
            )
        per_team = self.achieved["voting"] / teams if teams else 0.0
        return (
            f"{per_team:.1f} voting visits per team fit the day (stays, travel, meal break,"
            " per-team cap); add teams, shorten stays or lengthen the day"
        )
