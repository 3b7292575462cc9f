"""What the teams and commissions of a mission can give at most, against its targets.

A target above these limits can never be met, whatever the solver does; `planner validate`
says so before anyone waits for a plan. The limits are upper bounds, not forecasts: each
STO team observes one opening and one count and follows one count to its commission, and
between opening and count a team cannot make more voting visits than the day holds stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from planner.model import Mission, StationKind


@dataclass(frozen=True, slots=True)
class TargetLimit:
    phase: str
    target: int
    limit: int
    why: str

    def __str__(self) -> str:
        return f"{self.phase} target {self.target:,} exceeds what is possible: {self.why}"


def voting_visits_per_team(mission: Mission) -> int:
    """Stays that fit between the opening stay and leaving for the count, meal excluded."""
    r = mission.rules
    day = datetime.combine(r.election_date, r.polls_open)
    close = datetime.combine(r.election_date, r.polls_close)
    minutes = (close - day).total_seconds() / 60
    minutes -= r.opening_stay_after_open_min + r.count_arrive_before_close_min + r.meal_break_min
    per_visit = r.voting_stay_min + r.parking_min
    return max(0, int(minutes // per_visit))


def target_limits(mission: Mission) -> list[TargetLimit]:
    """Targets that exceed what the mission's STO teams, stations or commissions allow."""
    teams = len(mission.sto_teams)
    in_country = [s for s in mission.stations if s.kind is not StationKind.ABROAD]
    tecs_with_stations = len({s.tec_id for s in in_country})
    t = mission.targets
    found: list[TargetLimit] = []

    def over(phase: str, target: int, limits: list[tuple[int, str]]) -> None:
        limit, why = min(limits)
        if target > limit:
            found.append(TargetLimit(phase, target, limit, why))

    over(
        "opening",
        t.opening,
        [(teams, f"{teams:,} STO teams, one opening each"), (len(in_country), "stations")],
    )
    over(
        "counting",
        t.counting,
        [(teams, f"{teams:,} STO teams, one count each"), (len(in_country), "stations")],
    )
    over(
        "tabulation",
        t.tabulation,
        [
            (teams, f"{teams:,} STO teams, one tabulation each"),
            (tecs_with_stations, f"{tecs_with_stations:,} commissions with stations"),
        ],
    )
    per_team = voting_visits_per_team(mission)
    over(
        "voting",
        t.voting,
        [
            (teams * per_team, f"{teams:,} STO teams x at most {per_team} visits in a day"),
            (len(in_country), f"{len(in_country):,} stations"),
        ],
    )
    return found
