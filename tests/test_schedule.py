"""A plan as plain data: coverage per phase, shortfalls with reasons, night legs."""

from __future__ import annotations

from datetime import UTC, datetime

from planner.model import Targets
from planner.schedule import (
    PHASES,
    AreaPlan,
    AreaSample,
    Plan,
    Stop,
    TeamAssignment,
    is_night_leg,
)

T0 = datetime(2022, 11, 20, 7, tzinfo=UTC)


def stop(team: str, seq: int, phase: str, site: str) -> Stop:
    kind = {"base": "base", "tabulation": "tec"}.get(phase, "station")
    return Stop(team, seq, phase, site, kind, T0, T0, 0, 51.0, 71.0)


def day(team: str, voting: list[str], count: str, tec: str | None) -> list[Stop]:
    stops = [stop(team, 0, "base", team), stop(team, 1, "opening", f"O-{team}")]
    stops += [stop(team, 2 + k, "voting", site) for k, site in enumerate(voting)]
    stops.append(stop(team, 2 + len(voting), "counting", count))
    if tec:
        stops.append(stop(team, 3 + len(voting), "tabulation", tec))
    stops.append(stop(team, len(stops), "base", team))
    return stops


def plan(
    stops: list[Stop],
    *,
    teams: int = 2,
    notes: tuple[str, ...] = (),
    unplanned: dict[str, str] | None = None,
    in_reach: int = 1,
    per_commission: int = 1,
    targets: Targets | None = None,
) -> Plan:
    sample = AreaSample(
        (TeamAssignment("T1", "O-T1", "C1", "TEC-1"),),
        (),
        {},
        {},
        notes,
        unplanned=unplanned or {},
        commissions_in_reach={"tabulation": in_reach},
    )
    area = AreaPlan("A1", tuple(stops), sample, {})
    stats = {"teams": teams, "teams_per_commission": per_commission, "counting": "station"}
    return Plan("m", 1, 60.0, tuple(stops), (area,), targets or Targets(2, 5, 2, 2), stats)


def test_achieved_counts_stops_per_phase_a_tabulation_per_team() -> None:
    """Two teams following one commission (`teams_per_commission` 2) are two
    tabulation observations."""
    stops = day("T1", ["V1", "V2", "V3"], "C1", "TEC-1") + day("T2", ["V4"], "C2", "TEC-1")
    p = plan(stops)
    assert list(p.achieved) == list(PHASES)
    assert p.achieved == {
        "opening": 2,
        "voting": 4,
        "closing": 0,
        "counting": 2,
        "tabulation": 2,
    }
    assert [s.seq for s in p.stops_of("T2")] == list(range(len(day("T2", ["V4"], "C2", "TEC-1"))))


def test_shortfalls_name_the_phase_and_why() -> None:
    stops = day("T1", ["V1", "V2", "V3"], "C1", "TEC-1") + day("T2", ["V4"], "C2", None)
    short = {s.phase: s for s in plan(stops).shortfalls}
    assert set(short) == {"voting", "tabulation"}
    assert short["voting"].target == 5 and short["voting"].achieved == 4
    assert "2.0 voting visits per team" in short["voting"].reason
    assert short["tabulation"].reason.startswith("not enough commissions: 1 in reach")
    assert "raise teams_per_commission" in short["tabulation"].reason


def test_a_tabulation_short_of_teams_is_not_blamed_on_commissions() -> None:
    """Commissions enough at two teams each, but fewer teams than the target."""
    stops = day("T1", [], "C1", "TEC-1") + day("T2", [], "C2", "TEC-1")
    targets = Targets(2, 0, 2, 3)
    (short,) = plan(stops, targets=targets, in_reach=2, per_commission=2).shortfalls
    assert short.phase == "tabulation"
    assert short.reason == "not enough teams: 2 team(s), each observes one tabulation"


def test_unplanned_teams_are_the_reason_when_there_are_some() -> None:
    """Teams without a day are counted by why, whatever the phase."""
    stops = day("T1", ["V1"], "C1", None)
    why = {"T2": "no opening station in reach", "T3": "no opening station in reach"}
    p = plan(stops, teams=3, notes=("T3: no station reachable",), unplanned=why)
    assert p.notes == ["A1: T3: no station reachable"]
    for s in p.shortfalls:
        assert "2 of 3 team(s) have no day (2: no opening station in reach)" in s.reason


def test_night_legs_leave_the_base_or_follow_the_count() -> None:
    assert is_night_leg("base", "opening")
    assert is_night_leg("counting", "tabulation") and is_night_leg("tabulation", "base")
    assert is_night_leg("voting", "base")
    assert not is_night_leg("opening", "voting") and not is_night_leg("voting", "counting")
