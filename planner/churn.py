"""How much a re-plan changed the teams' days: stops added, dropped, retimed, reordered.

Teams book drivers and interpreters on the published plan and on election day cannot undo
what they already did, so a re-plan is judged by its coverage and by its churn. Both plans
are compared team by team on the sites they visit (bases left out).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace

from planner.schedule import Plan, Stop

# A stop still on the route whose arrival moved by more than this counts as retimed: less
# is the ordinary slack of a re-solved route, not a change a team has to act on.
RETIMED_AFTER_MIN = 15


@dataclass(frozen=True)
class TeamChurn:
    team_id: str
    added: int
    dropped: int
    retimed: int
    reordered: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.dropped or self.retimed or self.reordered)


@dataclass(frozen=True)
class Churn:
    """Per team (teams without a change left out) and in total."""

    teams: tuple[TeamChurn, ...]
    teams_compared: int
    stops_before: int

    @property
    def teams_changed(self) -> int:
        return len(self.teams)

    def total(self, field: str) -> int:
        return sum(int(getattr(t, field)) for t in self.teams)

    def as_dict(self) -> dict[str, object]:
        """For plan.json and the stored version's statistics."""
        return {
            "teams_compared": self.teams_compared,
            "teams_changed": self.teams_changed,
            "stops_before": self.stops_before,
            **{f"stops_{f}": self.total(f) for f in ("added", "dropped", "retimed", "reordered")},
            "retimed_after_min": RETIMED_AFTER_MIN,
            "teams": [asdict(t) for t in self.teams],
        }


def _routes(stops: Iterable[Stop]) -> dict[str, list[Stop]]:
    out: dict[str, list[Stop]] = defaultdict(list)
    for s in stops:
        if s.site_type != "base":
            out[s.team_id].append(s)
    for route in out.values():
        route.sort(key=lambda s: s.seq)
    return out


def _out_of_order(positions: Sequence[int]) -> int:
    """How many items must move for `positions` to be increasing (length minus the
    longest increasing subsequence)."""
    tails: list[int] = []
    for p in positions:
        i = bisect_left(tails, p)
        if i == len(tails):
            tails.append(p)
        else:
            tails[i] = p
    return len(positions) - len(tails)


def _key(stop: Stop) -> tuple[str, str, str]:
    return stop.phase, stop.site_type, stop.site_id


def team_churn(team_id: str, before: Sequence[Stop], after: Sequence[Stop]) -> TeamChurn:
    """One team's churn; `before` and `after` in route order, bases left out."""
    old = {_key(s): (i, s) for i, s in enumerate(before)}
    new = {_key(s): (i, s) for i, s in enumerate(after)}
    common = [k for k in (_key(s) for s in after) if k in old]
    retimed = sum(
        1
        for k in common
        if abs((new[k][1].arrive - old[k][1].arrive).total_seconds()) > RETIMED_AFTER_MIN * 60
    )
    return TeamChurn(
        team_id,
        added=len(new.keys() - old.keys()),
        dropped=len(old.keys() - new.keys()),
        retimed=retimed,
        reordered=_out_of_order([old[k][0] for k in common]),
    )


def churn(before: Iterable[Stop], after: Iterable[Stop]) -> Churn:
    """The churn from `before` to `after` over every team that appears in either."""
    old, new = _routes(before), _routes(after)
    teams = sorted(old.keys() | new.keys())
    changes = (team_churn(t, old.get(t, []), new.get(t, [])) for t in teams)
    return Churn(
        tuple(c for c in changes if c.changed),
        teams_compared=len(teams),
        stops_before=sum(len(r) for r in old.values()),
    )


def with_churn(plan: Plan, area_id: str, before: Iterable[Stop]) -> Plan:
    """`plan` with the churn of `area_id` (from its stops `before` a re-plan) in that
    area's statistics, which plan.json and the area's readers see."""
    areas = tuple(
        replace(a, stats={**a.stats, "churn": churn(before, a.stops).as_dict()})
        if a.area_id == area_id
        else a
        for a in plan.areas
    )
    return replace(plan, areas=areas)
