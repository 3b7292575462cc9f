"""The independent checker: a real plan passes, and each kind of tampering is caught."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from planner.check import (
    LISTED_VIOLATIONS,
    CheckReport,
    check_plan,
    check_plan_dir,
    check_record,
    check_visits,
)
from planner.model import Mission, Setting, Station, StationKind
from planner.outputs import visits_csv
from planner.plan import solve
from planner.schedule import Plan
from planner.travel import GreatCircleTravel, Place
from tests.support.missions import LIGHT_SEARCH, multi_area_mission, visit_rows

Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def mission() -> Mission:
    """Two areas of 50 stations, two teams in each."""
    return multi_area_mission(stations=(50, 50), teams=4, districts=3, seed=1)


@pytest.fixture(scope="module")
def solved(mission: Mission) -> Plan:
    return solve(mission, time_limit_s=60, seed=3, workers=1, options=LIGHT_SEARCH)


@pytest.fixture(scope="module")
def rows(solved: Plan) -> Rows:
    return visit_rows(solved)


@pytest.fixture
def plan(rows: Rows) -> Rows:
    """A fresh copy of the plan's rows to tamper with."""
    return [dict(r) for r in rows]


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="minutes")


def _shift(row: dict[str, str], field: str, minutes: int) -> None:
    row[field] = _iso(_at(row[field]) + timedelta(minutes=minutes))


def _team_rows(plan: Rows, team: str) -> Rows:
    return sorted((r for r in plan if r["team_id"] == team), key=lambda r: int(r["seq"]))


def _row(plan: Rows, team: str, phase: str, nth: int = 0) -> dict[str, str]:
    return [r for r in _team_rows(plan, team) if r["phase"] == phase][nth]


def _rules(report: CheckReport, team: str | None = None) -> set[str]:
    return {v.rule for v in report.violations if team is None or v.team_id == team}


def _teams_in(mission: Mission, area: str) -> list[str]:
    return [t.team_id for t in mission.sto_teams if t.area_id == area]


def test_clean_plan_passes(mission: Mission, rows: Rows) -> None:
    """The solver's own plan, written and re-read, has no violations."""
    report = check_visits(rows, mission)
    assert report.ok, [str(v) for v in report.violations]
    assert report.teams == 4
    assert report.stops == len(rows)


def test_a_plan_in_memory_is_checked_as_its_written_file(
    mission: Mission, solved: Plan, tmp_path: Path
) -> None:
    """What the app checks when it saves a version is what `planner check` would see."""
    (tmp_path / "visits.csv").write_text(visits_csv(solved), encoding="utf-8")
    in_memory = check_plan(solved, mission)
    assert in_memory == check_plan_dir(tmp_path, mission)
    assert in_memory.ok and in_memory.stops == len(solved.stops)


def test_the_record_counts_every_violation_and_names_the_first(
    mission: Mission, plan: Rows
) -> None:
    for i, row in enumerate(plan):  # stays 40 min early and late in turn: legs break
        _shift(row, "arrive", 40 * (-1) ** i)
        _shift(row, "depart", 40 * (-1) ** i)
    report = check_visits(plan, mission)
    record = check_record(report)
    assert record["violations"] == len(report.violations) > LISTED_VIOLATIONS
    assert record["listed"] == [str(v) for v in report.violations[:LISTED_VIOLATIONS]]
    assert (record["teams"], record["stops"]) == (report.teams, report.stops)


def test_late_opening_arrival(mission: Mission, plan: Rows) -> None:
    """Arriving after the opening window (06:15) is a window violation at that stop."""
    opening = _row(plan, "STO-01", "opening")
    _shift(opening, "arrive", 10)
    report = check_visits(plan, mission)
    hits = [v for v in report.violations if v.rule == "window" and v.team_id == "STO-01"]
    assert [v.seq for v in hits] == [int(opening["seq"])]
    assert "opening" in hits[0].message and "too late" in hits[0].message


def test_early_opening_departure(mission: Mission, plan: Rows) -> None:
    """Leaving the opening before 30 minutes after polls open is a window violation."""
    _shift(_row(plan, "STO-02", "opening"), "depart", -20)
    report = check_visits(plan, mission)
    assert any("leaves the opening" in v.message for v in report.violations)


def test_late_count_arrival(mission: Mission, plan: Rows) -> None:
    """Arriving at the count after 19:30 is a window violation at the count."""
    count = _row(plan, "STO-03", "counting")
    _shift(count, "arrive", 15)
    report = check_visits(plan, mission)
    hits = [v for v in report.violations if v.rule == "window"]
    assert [(v.team_id, v.seq) for v in hits] == [("STO-03", int(count["seq"]))]
    assert "count" in hits[0].message


def test_count_left_before_its_end(mission: Mission, plan: Rows) -> None:
    """Leaving the count before its expected end is a window violation."""
    _shift(_row(plan, "STO-03", "counting"), "depart", -30)
    report = check_visits(plan, mission)
    assert any("expected end of the count" in v.message for v in report.violations)


def test_travel_too_short(mission: Mission, plan: Rows) -> None:
    """Arriving at the next stop the minute the last one was left is a travel violation."""
    team = _team_rows(plan, "STO-01")
    i = next(k for k, r in enumerate(team) if r["phase"] == "voting" and k >= 2)
    team[i]["arrive"] = team[i - 1]["depart"]
    report = check_visits(plan, mission)
    hits = [v for v in report.violations if v.rule == "travel"]
    assert [(v.team_id, v.seq) for v in hits] == [("STO-01", int(team[i]["seq"]))]


def test_duplicate_station_across_teams_in_a_phase(mission: Mission, plan: Rows) -> None:
    """Two teams voting-visiting the same station is a duplicate."""
    first, second = _teams_in(mission, "A1")
    _row(plan, second, "voting")["site_id"] = _row(plan, first, "voting")["site_id"]
    report = check_visits(plan, mission)
    dup = [v for v in report.violations if v.rule == "duplicate"]
    assert len(dup) == 1
    assert "voting" in dup[0].message and first in dup[0].message and second in dup[0].message


def test_same_station_in_different_phases_is_not_a_duplicate(mission: Mission, plan: Rows) -> None:
    """Another team's opening station may be visited during voting."""
    first, second = _teams_in(mission, "A1")
    _row(plan, second, "voting")["site_id"] = _row(plan, first, "opening")["site_id"]
    assert "duplicate" not in _rules(check_visits(plan, mission))


def test_station_outside_the_team_area(mission: Mission, plan: Rows) -> None:
    """A visit to a station of another area is an area violation at that stop."""
    team = _teams_in(mission, "A1")[0]
    other = next(s for s in mission.stations if s.region == "R2")
    row = _row(plan, team, "voting", 1)
    row["site_id"] = other.station_id
    report = check_visits(plan, mission)
    hits = [v for v in report.violations if v.rule == "area"]
    assert [(v.team_id, v.seq) for v in hits] == [(team, int(row["seq"]))]


def test_two_teams_follow_one_tec(mission: Mission, plan: Rows) -> None:
    """Two teams tabulating at the same TEC is a duplicate."""
    first, second = _teams_in(mission, "A1")
    _row(plan, second, "tabulation")["site_id"] = _row(plan, first, "tabulation")["site_id"]
    report = check_visits(plan, mission)
    assert any(v.rule == "duplicate" and "TEC" in v.message for v in report.violations)


def test_tabulation_at_a_wrong_tec(mission: Mission, plan: Rows) -> None:
    """Tabulating anywhere but the count station's TEC is a tabulation violation."""
    row = _row(plan, "STO-01", "tabulation")
    row["site_id"] = "TEC-R1"  # the regional TEC; counts report to district TECs
    report = check_visits(plan, mission)
    hits = [v for v in report.violations if v.rule == "tabulation"]
    assert [(v.team_id, v.seq) for v in hits] == [("STO-01", int(row["seq"]))]
    assert "duplicate" not in _rules(report)


def test_missing_opening(mission: Mission, plan: Rows) -> None:
    """A team whose first stop is not an opening is an opening violation."""
    opening = _row(plan, "STO-02", "opening")
    plan.remove(opening)
    assert "opening" in _rules(check_visits(plan, mission), "STO-02")


def test_missing_count(mission: Mission, plan: Rows) -> None:
    """A team without a count is a counting violation."""
    plan.remove(_row(plan, "STO-02", "counting"))
    assert "counting" in _rules(check_visits(plan, mission), "STO-02")


def test_missing_meal_break(mission: Mission, plan: Rows) -> None:
    """A day without any 30-minute gap between stops in the meal window is flagged."""
    team = _team_rows(plan, "STO-04")
    for prev, nxt in pairwise(team):
        if prev["phase"] in ("opening", "voting"):
            prev["depart"] = nxt["arrive"]
    report = check_visits(plan, mission)
    assert "meal" in _rules(report, "STO-04")
    assert "meal" not in _rules(report, "STO-01")


def test_station_abroad_is_flagged(mission: Mission, plan: Rows) -> None:
    """A visit to a station abroad is flagged even if it sits inside the area."""
    site = _row(plan, "STO-01", "voting")["site_id"]
    stations = tuple(
        replace(s, kind=StationKind.ABROAD) if s.station_id == site else s for s in mission.stations
    )
    report = check_visits(plan, replace(mission, stations=stations))
    assert "abroad" in _rules(report, "STO-01")


def test_visit_to_an_unlocated_station_is_flagged_unless_allowed(
    mission: Mission, plan: Rows
) -> None:
    """A visit to a station placed without coordinates breaks `route_unlocated_stations`
    (false by default); with the rule on, the same plan passes that check."""
    site = _row(plan, "STO-01", "voting")["site_id"]
    stations = tuple(replace(s, unlocated=s.station_id == site) for s in mission.stations)
    flagged = replace(mission, stations=stations)
    assert "unlocated" in _rules(check_visits(plan, flagged), "STO-01")
    allowed = replace(flagged, rules=replace(flagged.rules, route_unlocated_stations=True))
    assert "unlocated" not in _rules(check_visits(plan, allowed))


def test_unknown_sites_and_teams(mission: Mission, plan: Rows) -> None:
    """Count stations, TECs and teams the mission does not know are reported, not crashed on."""
    _row(plan, "STO-01", "counting")["site_id"] = "NOPE"
    _row(plan, "STO-02", "tabulation")["site_id"] = "TEC-NOPE"
    for r in _team_rows(plan, "STO-03"):
        r["team_id"] = "STO-99"
    report = check_visits(plan, mission)
    assert "site" in _rules(report, "STO-01")
    assert "site" in _rules(report, "STO-02")
    assert "team" in _rules(report, "STO-99")


def test_unknown_voting_station_is_reported(mission: Mission, plan: Rows) -> None:
    """A hand-edited plan naming a voting station the mission lacks gets a site violation."""
    _row(plan, "STO-01", "voting")["site_id"] = "NOPE"
    assert "site" in _rules(check_visits(plan, mission), "STO-01")


def test_far_count_station_is_a_violation(mission: Mission, rows: Rows) -> None:
    """A count station more than the limit from its TEC breaks the rule the sampler
    keeps: a violation, as it would be to pick it."""
    count = _row(rows, "STO-01", "counting")
    tec = mission.station_by_id[count["site_id"]].tec_id
    far = tuple(replace(c, lat=c.lat + 1.0) if c.tec_id == tec else c for c in mission.commissions)
    report = check_visits(rows, replace(mission, commissions=far))
    assert "count-to-TEC" in _rules(report, "STO-01")
    assert "count-to-TEC" not in _rules(check_visits(rows, mission))


def test_count_station_far_from_the_base_is_a_violation(mission: Mission, rows: Rows) -> None:
    """The sampler picks count stations within `max_base_to_count_min` of night driving
    from the base; the checker holds a plan to the same limit."""
    assert "count-to-base" not in _rules(check_visits(rows, mission))
    strict = replace(mission, rules=replace(mission.rules, max_base_to_count_min=1))
    assert "count-to-base" in _rules(check_visits(rows, strict), "STO-01")


def test_a_long_night_drive_home_after_the_tabulation_is_a_violation(
    mission: Mission, rows: Rows
) -> None:
    """The sampler only sends a team to a tabulation within
    `max_drive_home_after_tabulation_min` of night driving from its base; the checker
    holds a plan to the same limit, naming the minutes."""
    followed = {r["team_id"] for r in rows if r["phase"] == "tabulation"}
    assert followed, "the plan follows at least one count to its TEC"
    assert "drive-home" not in _rules(check_visits(rows, mission))
    strict = replace(mission, rules=replace(mission.rules, max_drive_home_after_tabulation_min=1))
    report = check_visits(rows, strict)
    assert {v.team_id for v in report.violations if v.rule == "drive-home"} == followed
    assert any("back to the base after the tabulation" in v.message for v in report.violations)


def test_late_return_and_short_tec_stay_are_violations(mission: Mission, plan: Rows) -> None:
    """Back after `return_to_base_by` (next day), or less than `tec_min_stay_min` at the
    TEC: each is a violation."""
    back = _team_rows(plan, "STO-01")[-1]
    back["arrive"] = back["depart"] = _iso(
        datetime.combine(mission.rules.election_date + timedelta(days=1), time(12, 30)).replace(
            tzinfo=_at(back["arrive"]).tzinfo
        )
    )
    assert "return" in _rules(check_visits(plan, mission), "STO-01")
    tec_rows = [r for r in plan if r["phase"] == "tabulation"]
    assert tec_rows, "the plan follows at least one count to its TEC"
    tec = tec_rows[0]
    tec["arrive"] = _iso(_at(tec["depart"]) - timedelta(minutes=10))
    assert "window" in _rules(check_visits(plan, mission), tec["team_id"])


def test_voting_visit_times_and_a_late_tec_arrival(mission: Mission, plan: Rows) -> None:
    """A voting stay cut short, one before the polls open, a stop that leaves before it
    arrives, and an arrival at the TEC after `tec_arrive_until`: each a violation."""
    voting = _row(plan, "STO-01", "voting")
    _shift(voting, "depart", -20)
    assert "window" in _rules(check_visits(plan, mission), "STO-01")
    early = [dict(r) for r in plan]
    _shift(_row(early, "STO-01", "voting"), "arrive", -14 * 60)
    assert "window" in _rules(check_visits(early, mission), "STO-01")
    backwards = [dict(r) for r in plan]
    row = _row(backwards, "STO-01", "voting")
    row["depart"] = _iso(_at(row["arrive"]) - timedelta(minutes=5))
    assert "time" in _rules(check_visits(backwards, mission), "STO-01")
    tec = next(r for r in plan if r["phase"] == "tabulation")
    strict = replace(mission, rules=replace(mission.rules, tec_arrive_until=time(0, 0)))
    tec["arrive"] = _iso(_at(tec["arrive"]).replace(hour=0, minute=30) + timedelta(days=1))
    assert "window" in _rules(check_visits(plan, strict), tec["team_id"])


def test_a_station_visited_twice_by_one_team(mission: Mission, plan: Rows) -> None:
    team = _team_rows(plan, "STO-01")
    voting = [r for r in team if r["phase"] == "voting"]
    assert len(voting) >= 2
    voting[1]["site_id"] = voting[0]["site_id"]
    assert "revisit" in _rules(check_visits(plan, mission), "STO-01")


def _driving_lunch_plan(mission: Mission) -> Rows:
    """A hand-made day for STO-01 in which every gap between stops is pure driving.

    The team opens, stays long at one voting station, drives at least half an hour to a
    second one around lunchtime, stays there until the count, then tabulates: it never
    stops for a meal, though one gap in the meal window is longer than 30 minutes.
    """
    rules = mission.rules
    travel = GreatCircleTravel.from_rules(rules)
    team = mission.sto_teams[0]
    stations = [s for s in mission.stations if s.region == "R1"]

    def place(site) -> Place:
        if isinstance(site, Station):
            return Place(site.station_id, site.lon, site.lat, site.setting is Setting.URBAN)
        return Place(site.tec_id, site.lon, site.lat, True)

    def drive(a, b, *, night: bool = False) -> timedelta:
        a = a if isinstance(a, Place) else place(a)
        b = b if isinstance(b, Place) else place(b)
        seconds = int(travel.durations([a], [b], night=night)[0, 0])
        return timedelta(minutes=math.ceil(seconds / 60))

    def local(clock: time, minutes: int = 0, *, next_day: bool = False) -> datetime:
        return rules.local(clock, tz, next_day=next_day) + timedelta(minutes=minutes)

    v1, v2 = max(((a, b) for a in stations for b in stations), key=lambda ab: drive(*ab))
    others = [s for s in stations if s not in (v1, v2)]
    opening = min(others, key=lambda s: drive(s, v1))
    count = min((s for s in others if s is not opening), key=lambda s: drive(v2, s))
    tec = mission.commission_by_id[count.tec_id]
    base = Place(team.team_id, team.lon, team.lat, True)
    tz = count.tz

    open_at = local(rules.polls_open, -rules.opening_arrive_before_min)
    open_until = local(rules.polls_open, rules.opening_stay_after_open_min)
    v2_at = local(rules.meal_window_start, 35)
    count_at = local(rules.polls_close, -rules.count_arrive_before_close_min)
    count_until = local(rules.polls_close, rules.count_minutes(count.voters))
    tec_until = local(rules.tabulation_until, next_day=True)
    v1_at, v1_until = open_until + drive(opening, v1), v2_at - drive(v1, v2)
    stops = [
        ("base", team.team_id, "base", open_at - drive(base, opening, night=True), None),
        ("opening", opening.station_id, "station", open_at, open_until),
        ("voting", v1.station_id, "station", v1_at, v1_until),
        ("voting", v2.station_id, "station", v2_at, count_at - drive(v2, count)),
        ("counting", count.station_id, "station", count_at, count_until),
        ("tabulation", tec.tec_id, "tec", count_until + drive(count, tec, night=True), tec_until),
        ("base", team.team_id, "base", tec_until + drive(tec, base, night=True), None),
    ]
    assert drive(v1, v2) > timedelta(minutes=rules.meal_break_min)
    return [
        {
            "team_id": team.team_id,
            "seq": str(seq),
            "phase": phase,
            "site_id": site,
            "site_type": kind,
            "arrive": _iso(arrive),
            "depart": _iso(depart or arrive),
        }
        for seq, (phase, site, kind, arrive, depart) in enumerate(stops)
    ]


def test_hand_made_schedule_with_a_lunch_gap_passes(mission: Mission) -> None:
    """The hand-made day is valid once the lunchtime gap has 30 idle minutes on top of driving."""
    day = _driving_lunch_plan(mission)
    _shift(day[2], "depart", -mission.rules.meal_break_min)
    report = check_visits(day, mission)
    assert report.ok, [str(v) for v in report.violations]


def test_meal_gap_spent_driving_is_not_a_meal_break(mission: Mission) -> None:
    """A gap that is all driving leaves no time to eat, so the day lacks a meal break."""
    report = check_visits(_driving_lunch_plan(mission), mission)
    assert _rules(report) == {"meal"}
