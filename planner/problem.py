"""One area of responsibility as a self-contained, picklable solver input.

The mission is cut into areas before solving: each area's teams only ever drive to that
area's stations, so areas are solved independently (and in parallel), and no matrix is
ever built for the whole country.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from planner.model import Commission, Mission, Rules, Station, Team


@dataclass(frozen=True)
class PlanOptions:
    """Knobs of one planning run that are not mission rules."""

    seed: int = 0
    time_limit_s: float = 60.0
    # Voting visits one team makes at most.
    max_voting_per_team: int = 10
    earliest_departure: time = time(4, 30)
    # The voting pool offered to the router: teams x `expected_visits_per_team` x
    # `pool_factor` stations (the district caps count on the first product).
    expected_visits_per_team: int = 8
    pool_factor: float = 2.5
    # A voting station's prize: its random weight (1 to 2) times this, rounded, so
    # weights count to two decimals.
    prize_per_weight: int = 100
    opening_candidates: int = 25
    count_candidates: int = 40
    # Routing stops after this many improving solutions (deterministic), or at the time limit.
    solution_limit: int = 60
    # Then this many ruin-and-recreate rounds per team, at most `max_rounds` per area
    # (deterministic; rounds on large areas are slow), or the time limit.
    rounds_per_team: int = 2
    max_rounds: int = 24

    def __post_init__(self) -> None:
        for name in ("max_voting_per_team", "expected_visits_per_team", "prize_per_weight"):
            if getattr(self, name) < 1:
                raise ValueError(f"plan options: {name} must be at least 1")
        if self.pool_factor <= 0:
            raise ValueError("plan options: pool_factor must be positive")


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
    """An area's own seed: the same for a whole-mission plan and a re-plan of that area."""
    return (seed * 1_000_003 + zlib.crc32(area_id.encode("utf-8"))) % (2**63)


def area_problems(
    mission: Mission, options: PlanOptions, *, excluded: frozenset[str] = frozenset()
) -> list[AreaProblem]:
    """Split a mission into one problem per area that has STO teams."""
    problems = []
    for area in mission.areas:
        teams = tuple(
            t
            for t in mission.sto_teams
            if t.area_id == area.area_id and t.lon is not None and t.lat is not None
        )
        if not teams:
            continue
        stations = tuple(s for s in mission.stations if mission.area_of_station(s) == area.area_id)
        tec_ids = {s.tec_id for s in stations}
        commissions = tuple(c for c in mission.commissions if c.tec_id in tec_ids)
        problems.append(
            AreaProblem(
                area_id=area.area_id,
                teams=teams,
                stations=stations,
                commissions=commissions,
                rules=mission.rules,
                options=options,
                seed=area_seed(options.seed, area.area_id),
                time_limit_s=options.time_limit_s,
                excluded=excluded,
            )
        )
    return problems
