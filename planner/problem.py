"""One area of responsibility, or one part of a dense area, as a self-contained,
picklable solver input.

The mission is cut into areas before solving: each area's teams only ever drive to that
area's stations, so areas are solved independently (and in parallel), and no matrix is
ever built for the whole country. An area with more teams than
`PlanOptions.max_teams_per_part` is cut further into parts (`planner.parts`), each with
its teams, the stations nearest them and the commissions it alone sends teams to; parts
are solved like areas, and their plans put back together per area
(`planner.schedule.combine_parts`).
"""

from __future__ import annotations

import time as clock
import zlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta

from planner.model import (
    Commission,
    Mission,
    Rules,
    Station,
    Team,
    commission_at_level,
)
from planner.parts import bisect, commission_chain, commission_owners, parts_needed
from planner.schedule import KeptTeams, Resume, TeamAssignment
from planner.search_work import level_for


@dataclass(frozen=True)
class PlanOptions:
    """Knobs of one planning run that are not mission rules."""

    seed: int = 0
    time_limit_s: float = 60.0
    # Voting visits one team makes at most; None: what fits the day
    # (`planner.capacity.visits_per_team`).
    max_voting_per_team: int | None = None
    earliest_departure: time = time(4, 30)
    # The voting pool offered to the router: teams x `expected_visits_per_team` x
    # `pool_factor` stations (the district caps count on the first product), at most what
    # fits the day; None: what fits the day with legs as long as the pool makes them. A
    # pool sized by a whole day of short urban legs let the router fill the day with the
    # town's stations, and the area's urban/rural rule then dropped most of them again
    # (the shipped demo: 47 visits routed, 32 dropped); 8 keeps a pool of 20 stations a
    # team, above what a team makes, while the day alone caps each team's visits.
    expected_visits_per_team: int | None = 8
    pool_factor: float = 2.5
    # A voting station's prize: its random weight (1 to 2) times this, rounded, so
    # weights count to two decimals.
    prize_per_weight: int = 100
    # In a re-plan, what keeping a voting visit a re-planned team already had adds to its
    # station's weight: a team drops or swaps a booked visit only for more coverage than
    # this (one kept visit outweighs any new one; two new ones can outweigh one kept).
    keep_visit_weight: float = 1.0
    opening_candidates: int = 25
    count_candidates: int = 40
    # CP-SAT's work limit for the fixed stops (deterministic seconds); at the limit
    # without an answer, a greedy assignment takes over.
    sampling_work_limit: float = 0.5
    # Routing stops after this many improving solutions (deterministic), or at the time limit.
    # None: what the time limit pays for (`planner.search_work`).
    solution_limit: int | None = None
    # Then this many ruin-and-recreate rounds per team, at most `max_rounds` per area
    # (deterministic; rounds on large areas are slow), or the time limit. None: what the
    # time limit pays for.
    rounds_per_team: int = 2
    max_rounds: int | None = None
    # First solutions the router builds before its search (the first this many of
    # `planner.routing_data.FIRST_SOLUTIONS`). None: what the time limit pays for.
    first_solutions: int | None = None
    # Iterations of PyVRP's search on each area's relaxation (no meal, band or balance),
    # whose routes are one more start of the router (`planner.pyvrp_start`); 0: none.
    # None: what the time limit pays for.
    pyvrp_iterations: int | None = None
    # Areas with more teams than this are solved in parts of at most this many teams.
    max_teams_per_part: int = 20

    def __post_init__(self) -> None:
        for name in (
            "max_voting_per_team",
            "expected_visits_per_team",
            "prize_per_weight",
            "max_teams_per_part",
        ):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"plan options: {name} must be at least 1")
        if self.pool_factor <= 0:
            raise ValueError("plan options: pool_factor must be positive")
        if self.keep_visit_weight < 0:
            raise ValueError("plan options: keep_visit_weight must not be negative")


@dataclass(frozen=True)
class AreaProblem:
    area_id: str
    teams: tuple[Team, ...]
    stations: tuple[Station, ...]
    commissions: tuple[Commission, ...]
    rules: Rules
    options: PlanOptions
    seed: int
    time_limit_s: float
    # Stations or roads the field reported unusable: never routed to.
    excluded: frozenset[str] = field(default_factory=frozenset)
    # Minutes of the count at each commission (counting at the commission), from all the
    # mission's stations that report to it.
    commission_count_min: Mapping[str, int] = field(default_factory=dict)
    # Commissions listed for their positions only: another part of the area sends teams
    # to them (`planner.parts`).
    foreign_commissions: frozenset[str] = field(default_factory=frozenset)
    # Which part of its area this is ("" for a whole area).
    part: str = ""
    # When the area's solve must end, in wall-clock epoch seconds (the same instant on
    # every machine of a cluster); None: `time_limit_s` after it starts.
    deadline: float | None = None
    # Fixed stops a re-plan keeps, by team: its opening, count (or closing) and the
    # commission it follows, wherever those are still open (`planner.repair.fixed_stops`).
    kept: Mapping[str, TeamAssignment] = field(default_factory=dict)
    # An election-day re-plan from a time of day: the stops each team keeps before it,
    # from which its day goes on (`planner.repair.resume_at`).
    resume: Resume | None = None
    # The area's teams a re-plan of its other teams leaves as they are: the voting pool
    # is drawn for them too, and the representativeness rules count their visits.
    kept_teams: KeptTeams | None = None
    # A re-plan's voting visits of the re-planned teams in the plan it changes, by team
    # (`planner.repair.voting_visits`): offered again, worth `keep_visit_weight` more.
    previous_visits: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def seconds_left(self) -> float:
        """Wall seconds until `deadline` (`time_limit_s` when there is none): every solver
        call's time limit, a safety net behind its work count."""
        if self.deadline is None:
            return self.time_limit_s
        return max(0.0, self.deadline - clock.time())

    @property
    def key(self) -> str:
        """The problem's own name: its area, and its part when the area is split."""
        return f"{self.area_id}/{self.part}" if self.part else self.area_id

    @property
    def reference(self) -> datetime:
        """The instant all solver times count from (a day before election-day midnight UTC)."""
        return datetime.combine(self.rules.election_date, time(0), tzinfo=UTC) - timedelta(days=1)

    def clock(self, clock: time, tz: str, *, next_day: bool = False) -> int:
        """Seconds from `reference` to a local wall-clock time on election day."""
        local = self.rules.local(clock, tz, next_day=next_day)
        return int((local - self.reference).total_seconds())

    def to_datetime(self, seconds: int, tz: str) -> datetime:
        from zoneinfo import ZoneInfo

        return (self.reference + timedelta(seconds=seconds)).astimezone(ZoneInfo(tz))


def area_seed(seed: int, area_id: str) -> int:
    """An area's own seed: the same for a whole-mission plan and a re-plan of that area.
    A part's is its key's (`AreaProblem.key`), so it does not depend on which parts run
    first or where."""
    return (seed * 1_000_003 + zlib.crc32(area_id.encode("utf-8"))) % (2**63)


def area_problems(
    mission: Mission,
    options: PlanOptions,
    *,
    excluded: frozenset[str] = frozenset(),
    kept: Mapping[str, TeamAssignment] | None = None,
    resume: Resume | None = None,
    kept_teams: KeptTeams | None = None,
    previous_visits: Mapping[str, tuple[str, ...]] | None = None,
) -> list[AreaProblem]:
    """Split a mission into one problem per area that has STO teams, and dense areas into
    parts (`AreaProblem.part`; module docstring).

    Every problem carries the phases the mission observes (`Mission.phases`: switches
    and targets together), so nothing downstream reads the targets again. Problems are
    independent: solve them in any order or place, then put each area's parts together
    with `planner.schedule.combine_parts`.
    """
    options = with_search_work(options, len(mission.sto_teams))
    rules = replace(mission.rules, phases=mission.phases)
    level = rules.phases.tabulation_level
    voters: dict[str, list[int]] = defaultdict(list)
    for s in mission.stations:
        voters[s.tec_id].append(s.voters)
    by_id = mission.commission_by_id
    # Stations grouped by area in one pass, not one pass per area (a million stations in
    # fifty areas).
    stations_of: dict[str | None, list[Station]] = {}
    for s in mission.stations:
        stations_of.setdefault(mission.area_of_station(s), []).append(s)
    problems = []
    for area in mission.areas:
        teams = tuple(
            t
            for t in mission.sto_teams
            if t.area_id == area.area_id and t.lon is not None and t.lat is not None
        )
        if not teams:
            continue
        stations = tuple(stations_of.get(area.area_id, ()))
        tec_ids = {s.tec_id for s in stations}
        if rules.phases.tabulation:
            above = {commission_at_level(t, level, by_id) for t in tec_ids}
            tec_ids |= {
                t
                for t in above
                if t is not None and mission.area_of_commission(by_id[t]) == area.area_id
            }
        commissions = tuple(c for c in mission.commissions if c.tec_id in tec_ids)
        whole = AreaProblem(
            area_id=area.area_id,
            teams=teams,
            stations=stations,
            commissions=commissions,
            rules=rules,
            options=options,
            seed=area_seed(options.seed, area.area_id),
            time_limit_s=options.time_limit_s,
            excluded=excluded,
            kept=dict(kept or {}),
            previous_visits=dict(previous_visits or {}),
            resume=resume,
            kept_teams=(
                kept_teams
                if kept_teams is not None and kept_teams.area_id == area.area_id
                else None
            ),
            commission_count_min={
                c.tec_id: rules.commission_count_minutes(voters[c.tec_id])
                for c in commissions
                if voters[c.tec_id]
            },
        )
        problems.extend(split_problem(whole))
    return problems


def with_search_work(options: PlanOptions, teams: int) -> PlanOptions:
    """`options` with the search counts it leaves open set to what its time limit pays
    for with `teams` teams (`planner.search_work`)."""
    level = level_for(options.time_limit_s, teams)
    return replace(
        options,
        first_solutions=level.first_solutions
        if options.first_solutions is None
        else options.first_solutions,
        solution_limit=level.solution_limit
        if options.solution_limit is None
        else options.solution_limit,
        max_rounds=level.max_rounds if options.max_rounds is None else options.max_rounds,
        pyvrp_iterations=level.pyvrp_iterations
        if options.pyvrp_iterations is None
        else options.pyvrp_iterations,
    )


def split_problem(problem: AreaProblem) -> list[AreaProblem]:
    """`problem` cut into parts of at most `max_teams_per_part` teams (itself if small)."""
    count = parts_needed(len(problem.teams), problem.options.max_teams_per_part)
    if count == 1:
        return [problem]
    parts = bisect(problem.teams, problem.stations, count)
    by_id = {c.tec_id: c for c in problem.commissions}
    owners = commission_owners(parts, by_id)
    width = len(str(count))
    out = []
    for index, part in enumerate(parts):
        # Its own commissions, and where the others its stations report to are.
        tec_ids = {tec for tec, owner in owners.items() if owner == index}
        tec_ids |= {tec for s in part.stations for tec in commission_chain(s.tec_id, by_id)}
        commissions = tuple(c for c in problem.commissions if c.tec_id in tec_ids)
        name = f"{index + 1:0{width}d}"
        out.append(
            replace(
                problem,
                teams=part.teams,
                stations=part.stations,
                commissions=commissions,
                seed=area_seed(problem.options.seed, f"{problem.area_id}/{name}"),
                foreign_commissions=frozenset(
                    c.tec_id for c in commissions if owners.get(c.tec_id) != index
                ),
                part=name,
            )
        )
    return out
