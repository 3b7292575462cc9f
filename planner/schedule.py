"""A plan as plain data: stops, each area's plan and sample, the whole plan, shortfalls.

What the solver produces and everything else reads: the store, the exports, the checker,
the maps and the app import these types from here, never from the solver modules, so
reading a plan never loads a solver.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from planner.model import Targets

# The election day's phases in order; every coverage count and target is per phase.
PHASES = ("opening", "voting", "closing", "counting", "tabulation")
# Legs driven in the dark: from the base before dawn, and everything after the close
# (`base` rows are the team's departure and return).
NIGHT_FROM = frozenset({"base", "closing", "counting", "tabulation"})
NIGHT_TO = frozenset({"base"})


# Why a team has no day: the values of `AreaSample.unplanned`, which shortfall reasons
# group and count. The sampler's first (no candidates, or all taken), then routing's.
NO_OPENING = "no opening station in reach of the base before the opening"
NO_EVENING = "no count or closing station in reach"
NO_COMMISSION = "no commission in reach to observe the count at"
TAKEN = "its candidate stations were all taken by other teams"
UNFIT = "its fixed stops do not fit the day"
NO_ROUTE = "routing found no plan for its area or part"
TIME_CUT = "the time limit ended its area's routing before a plan was found"


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
class Resume:
    """An election-day re-plan from the teams' current positions at `at` (a local clock
    time): each team's stops that start before it (`so_far`, base departure first, route
    order) are kept exactly as they are, and its day goes on from the last of them at
    its departure (from the base when only the departure is kept); nothing new starts
    before `at`, in the local time where it happens. A team without stops before `at`
    is planned afresh, leaving its base no earlier than `at`. The same data serve a
    re-plan made ahead of time that must keep every stop before a time of day."""

    at: time
    so_far: Mapping[str, tuple[Stop, ...]] = field(default_factory=dict)

    def done(self, team_id: str) -> tuple[Stop, ...]:
        """The team's kept stops (empty when it keeps none)."""
        return tuple(self.so_far.get(team_id, ()))

    def phases_done(self, team_id: str) -> frozenset[str]:
        return frozenset(s.phase for s in self.done(team_id) if s.phase != "base")

    @property
    def stations_done(self) -> frozenset[str]:
        """Stations some team has visited before `at`: never visited again."""
        return frozenset(
            s.site_id for stops in self.so_far.values() for s in stops if s.site_type == "station"
        )


@dataclass(frozen=True)
class KeptTeams:
    """The teams of one area that a re-plan of its other teams leaves as they are
    (`planner.repair.kept_teams`): how many, so that the re-planned teams' voting pool is
    as dense around them as the whole area's plan drew it, and their voting visits, which
    the area's urban/rural and district rules count with the new ones."""

    area_id: str
    teams: int
    voting: frozenset[str]


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
    # Teams without a day, each with why (`NO_OPENING`, ..., `TIME_CUT`); notes say more.
    unplanned: dict[str, str] = field(default_factory=dict)
    # Per phase at commissions (tabulation, counting): how many commissions some team
    # could go to.
    commissions_in_reach: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AreaPlan:
    """One area's schedules, the sample they came from and the solver's statistics (or
    one part's, `part` naming it, until `combine_parts` puts the area together)."""

    area_id: str
    stops: tuple[Stop, ...]
    sample: AreaSample
    stats: dict[str, Any]
    part: str = ""

    @property
    def key(self) -> str:
        """The problem it answers (`AreaProblem.key`): its area, and its part if any."""
        return f"{self.area_id}/{self.part}" if self.part else self.area_id


# Statistics of parts that add up to the area's.
_SUMMED = (
    "teams",
    "planned_teams",
    "routed_teams",
    "pool",
    "voting_visits",
    "dropped_for_balance",
    "travel_s",
    "lns_rounds",
    "no_tabulation",
)


def combine_parts(plans: Iterable[AreaPlan]) -> tuple[AreaPlan, ...]:
    """Plans of areas and of parts of areas, put together into one plan per area, in the
    order areas first appear; parts in the order of their names.

    An area's stops, fixed stops, pools, weights and notes are its parts' together (notes
    name their part); counts add up; the district caps are the sum of the parts' (each
    part caps its own stations); `parts` lists each part's own statistics.
    """
    by_area: dict[str, list[AreaPlan]] = {}
    for plan in plans:
        by_area.setdefault(plan.area_id, []).append(plan)
    out = []
    for area_id, group in by_area.items():
        if len(group) == 1 and not group[0].part:
            out.append(group[0])
            continue
        group.sort(key=lambda p: p.part)
        caps: Counter[str] = Counter()
        for plan in group:
            caps.update(plan.sample.district_caps)
        sample = AreaSample(
            tuple(a for p in group for a in p.sample.assignments),
            tuple(s for p in group for s in p.sample.pool),
            {k: v for p in group for k, v in p.sample.weights.items()},
            dict(caps),
            tuple(f"part {p.part}: {note}" for p in group for note in p.sample.notes),
            unplanned={k: v for p in group for k, v in p.sample.unplanned.items()},
            commissions_in_reach=dict(
                sum((Counter(p.sample.commissions_in_reach) for p in group), Counter())
            ),
        )
        stats: dict[str, Any] = {
            key: sum(p.stats[key] for p in group if key in p.stats)
            for key in _SUMMED
            if any(key in p.stats for p in group)
        }
        stats["solved"] = float(all(p.stats.get("solved", 0.0) for p in group))
        stats["status"] = "; ".join(sorted({str(p.stats.get("status", "")) for p in group}))
        stats["search_s"] = round(sum(float(p.stats.get("search_s", 0.0)) for p in group), 2)
        stats["cpu_s"] = round(sum(float(p.stats.get("cpu_s", 0.0)) for p in group), 2)
        stats["cut_by_time"] = any(p.stats.get("cut_by_time") for p in group)
        kept = [p.stats["kept_before"] for p in group if "kept_before" in p.stats]
        if kept:  # a re-plan from a time of day: what each part kept before it
            stats["kept_before"] = {
                "time": kept[0]["time"],
                "stops": sum(k["stops"] for k in kept),
                "teams": dict(sorted({t: n for k in kept for t, n in k["teams"].items()}.items())),
            }
        stats["parts"] = {p.part: dict(p.stats) for p in group}
        stops = tuple(s for p in group for s in p.stops)
        out.append(AreaPlan(area_id, stops, sample, stats))
    return tuple(out)


@dataclass(frozen=True)
class Shortfall:
    phase: str
    target: int
    achieved: int
    reason: str


@dataclass(frozen=True)
class TargetScope:
    """A plan seen by the reader of some areas only: its `targets` are these areas' share
    of the mission's targets (in proportion to their teams), not the mission's own."""

    areas: tuple[str, ...]
    teams: int  # the areas' teams the plan was made for
    mission_teams: int  # every team the plan was made for
    mission_targets: dict[str, int]

    def describe(self) -> str:
        """'Targets are AOR-07's share of the mission's: 5 of 150 teams (mission: ...)'."""
        mission = ", ".join(f"{p} {v}" for p, v in self.mission_targets.items())
        return (
            f"Targets are {', '.join(self.areas)}'s share of the mission's, in proportion "
            f"to teams: {self.teams} of {self.mission_teams} teams (mission targets: {mission})."
        )


@dataclass(frozen=True)
class Plan:
    mission_name: str
    seed: int
    time_limit_s: float
    stops: tuple[Stop, ...]
    areas: tuple[AreaPlan, ...]
    targets: Targets
    stats: dict[str, Any] = field(default_factory=dict)
    # Set when the plan is a part of a larger one and `targets` that part's share.
    scope: TargetScope | None = None

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
        """Why `phase` is short, every cause that applies with its numbers: teams without
        a day (grouped by why), too few teams, too few commissions in reach, or a day
        that holds no more voting visits."""
        teams = int(self.stats.get("teams", 0))
        target = int(getattr(self.targets, phase))
        achieved = self.achieved[phase]
        observed = self.stats.get("phases")
        if observed is not None and phase not in observed:
            if phase == "counting":
                return 'not observed: counting = "none" in [phases]'
            return f"not observed: {phase} is switched off in [phases]"
        causes: list[str] = []
        planned = len({s.team_id for s in self.stops})
        if planned < teams:
            why = Counter(c for a in self.areas for c in a.sample.unplanned.values())
            named = "; ".join(f"{n}: {cause}" for cause, n in why.most_common())
            detail = f" ({named})" if named else ""
            causes.append(f"{teams - planned} of {teams} team(s) have no day{detail}")
        per = int(self.stats.get("teams_per_commission", 1))
        at_commission = phase == "tabulation" or (
            phase == "counting" and self.stats.get("counting") == "commission"
        )
        if at_commission:
            reach = sum(int(a.sample.commissions_in_reach.get(phase, 0)) for a in self.areas)
            if reach * per < target:
                within = (
                    "count or closing stations and of a night drive home afterwards"
                    if phase == "tabulation"
                    else "bases"
                )
                causes.append(
                    f"not enough commissions: {reach} in reach of the teams' {within}, "
                    f"{per} team(s) per commission give at most {reach * per}"
                    + ("; raise teams_per_commission" if reach * per < min(target, teams) else "")
                )
        late = sum(int(a.stats.get("no_tabulation", 0)) for a in self.areas)
        if phase == "tabulation" and late:
            causes.append(
                f"{late} team(s) cannot fit the tabulation into their day (the count ends "
                "too late to reach the commission, or the stay to the end of the tabulation "
                "leaves no time to be back at the base)"
            )
        if phase != "voting" and target > teams:
            causes.append(f"not enough teams: {teams} team(s), each observes one {phase}")
        if phase == "voting" and planned:
            per_team = achieved / planned
            causes.append(
                f"{per_team:.1f} voting visits per team fit the day (stays, travel, meal break,"
                " per-team cap); add teams, shorten stays or lengthen the day"
            )
        if not causes and at_commission:
            causes.append(
                f"{achieved} of {planned} planned team(s) have a commission of their own: the "
                "others' stations lead to commissions other teams already fill (teams near the "
                "same commissions)"
            )
        elif not causes:
            causes.append(f"{achieved} of {planned} planned team(s) got a {phase} stop")
        notes = self.notes
        if planned < teams and notes:
            causes.append("notes: " + "; ".join(notes[:3]))
        return "; ".join(causes)
