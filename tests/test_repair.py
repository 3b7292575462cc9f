"""A re-plan of the teams a report affects: the others keep their routes unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.check import check_visits
from planner.churn import churn
from planner.outputs import visits_csv
from planner.plan import solve
from planner.problem import PlanOptions, area_problems
from planner.repair import (
    fixed_stops,
    kept_stops,
    kept_teams,
    repair_mission,
    resume_at,
    teams_visiting,
    voting_visits,
    with_kept_routes,
)
from planner.sampling import sample_area
from planner.schedule import Plan, Stop
from planner.travel import GreatCircleTravel
from planner.ui.replan import restrict_to_area
from tests.support.missions import LIGHT_SEARCH, small_mission, small_plan, visit_rows


def test_only_the_team_visiting_a_closed_station_is_planned_again() -> None:
    mission, plan = small_mission(), small_plan()
    area = restrict_to_area(mission, "AOR-01")
    teams = [t.team_id for t in area.sto_teams]
    visit = next(s for s in plan.stops if s.phase == "voting" and s.team_id in teams)
    affected = teams_visiting(plan, {visit.site_id}, teams=teams)
    assert affected == {visit.team_id}

    restricted, visited = repair_mission(area, plan, "AOR-01", affected)
    assert [t.team_id for t in restricted.teams] == [visit.team_id]
    kept = kept_stops(plan, area, "AOR-01", affected)
    assert visited == {s.site_id for s in kept if s.site_type == "station"}
    replanned = solve(
        restricted,
        time_limit_s=60,
        seed=plan.seed,
        workers=1,
        excluded=visited | {visit.site_id},
    )
    merged = with_kept_routes(replanned, kept, "AOR-01")
    for team in teams:
        before = sorted(plan.stops_of(team), key=lambda s: s.seq)
        after = sorted(merged.stops_of(team), key=lambda s: s.seq)
        assert (after == before) == (team != visit.team_id), team
    new_sites = [s.site_id for s in merged.stops if s.site_type == "station"]
    assert visit.site_id not in new_sites
    assert len(new_sites) == len(set(new_sites))  # no station gets two teams
    with pytest.raises(ValueError, match="not in area"):
        repair_mission(area, plan, "AOR-01", {"NOBODY"})


def _fixed(stops, phases=("opening", "counting", "tabulation")) -> dict[str, str]:
    return {s.phase: s.site_id for s in stops if s.phase in phases}


def test_a_replan_that_keeps_fixed_stops_changes_only_the_voting_visits() -> None:
    """Closing a voting station of two teams and keeping their fixed stops: each keeps
    its opening, count and commission; only voting visits change, the closed one gone."""
    mission, plan = small_mission(), small_plan()
    area = restrict_to_area(mission, "AOR-01")
    teams = sorted(t.team_id for t in area.sto_teams)
    closed = {
        next(s.site_id for s in plan.stops_of(team) if s.phase == "voting") for team in teams[:2]
    }
    affected = teams_visiting(plan, closed, teams=teams)
    assert len(affected) >= 2
    kept_fixed = fixed_stops(plan, affected)
    assert set(kept_fixed) == affected
    for team in affected:
        before = _fixed(plan.stops_of(team))
        keep = kept_fixed[team]
        assert (keep.opening, keep.count, keep.tabulation_tec) == (
            before["opening"],
            before["counting"],
            before.get("tabulation"),
        )
    restricted, visited = repair_mission(area, plan, "AOR-01", affected)
    replanned = solve(
        restricted,
        time_limit_s=60,
        seed=plan.seed + 1,  # another draw: without the kept stops, fixed stops move
        workers=1,
        excluded=visited | closed,
        kept=kept_fixed,
    )
    for team in affected:
        assert _fixed(replanned.stops_of(team)) == _fixed(plan.stops_of(team)), team
        voting = {s.site_id for s in replanned.stops_of(team) if s.phase == "voting"}
        assert voting and not voting & closed
    redrawn = solve(
        restricted, time_limit_s=60, seed=plan.seed + 1, workers=1, excluded=visited | closed
    )
    assert any(_fixed(redrawn.stops_of(team)) != _fixed(plan.stops_of(team)) for team in affected)


def test_a_kept_opening_that_is_closed_is_chosen_anew() -> None:
    """The field closed a team's opening station: its count and commission stay, the
    opening is another station."""
    mission, plan = small_mission(), small_plan()
    area = restrict_to_area(mission, "AOR-01")
    team = sorted(t.team_id for t in area.sto_teams)[0]
    before = _fixed(plan.stops_of(team))
    restricted, visited = repair_mission(area, plan, "AOR-01", {team})
    replanned = solve(
        restricted,
        time_limit_s=60,
        seed=plan.seed,
        workers=1,
        excluded=visited | {before["opening"]},
        kept=fixed_stops(plan, {team}),
    )
    after = _fixed(replanned.stops_of(team))
    assert after["opening"] != before["opening"]
    assert after["counting"] == before["counting"]
    assert after.get("tabulation") == before.get("tabulation")


def _replan_from(cut: time, team: str, closed: set[str], *, keep_fixed: bool = True) -> Plan:
    """`team` of the small plan's AOR-01 re-planned from `cut`, with `closed` reported
    closed; the area's other teams kept; the whole area's plan."""
    mission, plan = small_mission(), small_plan()
    area = restrict_to_area(mission, "AOR-01")
    restricted, visited = repair_mission(area, plan, "AOR-01", {team})
    kept = kept_stops(plan, area, "AOR-01", {team})
    replanned = solve(
        restricted,
        time_limit_s=60,
        seed=plan.seed,
        workers=1,
        excluded=visited | closed,
        kept=fixed_stops(plan, {team}) if keep_fixed else {},
        resume=resume_at(plan, {team}, cut, mission.rules.election_date),
        kept_teams=kept_teams(kept, "AOR-01"),
    )
    return with_kept_routes(replanned, kept, "AOR-01")


def _csv(stops: list[Stop]) -> list[str]:
    """The stops as visits.csv writes them (header left out)."""
    return visits_csv(replace(small_plan(), stops=tuple(stops))).splitlines()[1:]


def _assert_resumed(before: Plan, after: Plan, team: str, cut: time) -> None:
    """The team's stops that start before `cut` are exactly as they were; every other
    stop starts at or after `cut` and after the kept stops end; the plan passes the
    checker."""
    day = small_mission().rules.election_date

    def early(s: Stop) -> bool:
        return s.arrive < datetime.combine(day, cut, tzinfo=s.arrive.tzinfo)

    old = sorted(before.stops_of(team), key=lambda s: s.seq)
    new = sorted(after.stops_of(team), key=lambda s: s.seq)
    kept = [s for s in old if early(s)]
    assert new[: len(kept)] == kept
    assert _csv(new[: len(kept)]) == _csv(kept)
    rest = new[len(kept) :]
    assert rest, "the day goes on after the kept stops"
    assert not any(early(s) for s in rest)
    if kept:
        assert rest[0].arrive >= kept[-1].depart
    assert [s.seq for s in new] == list(range(len(new)))
    # The day's driving, kept legs and new ones together, within the cap (legs rounded).
    rules = small_mission().rules
    assert sum(s.travel_min for s in new) <= rules.max_driving_hours * 60 + len(new) / 2
    report = check_visits(visit_rows(after), small_mission())
    assert report.ok, [str(v) for v in report.violations]


def test_a_replan_from_a_time_keeps_every_stop_before_it() -> None:
    """A voting station at about noon closes; the team is re-planned from 11:00: its
    morning is kept stop for stop, its afternoon goes on from its last stop before
    11:00 (the real drive from there), the closed station gone, the plan valid."""
    plan = small_plan()
    team = "STO-001"
    route = sorted(plan.stops_of(team), key=lambda s: s.seq)
    closed = next(s for s in route if s.phase == "voting" and s.arrive.hour >= 12)
    cut = time(11, 0)
    after = _replan_from(cut, team, {closed.site_id})
    _assert_resumed(plan, after, team, cut)
    new = sorted(after.stops_of(team), key=lambda s: s.seq)
    assert closed.site_id not in {s.site_id for s in new}
    assert [s.site_id for s in new if s.phase in ("counting", "tabulation")] == [
        s.site_id for s in route if s.phase in ("counting", "tabulation")
    ]
    kept = [s for s in route if s.arrive.time() < cut and s.phase != "base"]
    stats = next(a for a in after.areas if a.area_id == "AOR-01").stats
    assert stats["kept_before"] == {"time": "11:00", "stops": len(kept), "teams": {team: len(kept)}}
    for other in ("STO-002", "STO-003"):
        assert after.stops_of(other) == plan.stops_of(other)


@pytest.mark.slow
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    minutes=st.integers(4 * 60, 23 * 60 + 30),
    team=st.sampled_from(["STO-001", "STO-002", "STO-003"]),
    keep_fixed=st.booleans(),
)
def test_a_replan_from_any_time_of_day_keeps_the_morning_and_passes_the_checker(
    minutes: int, team: str, keep_fixed: bool
) -> None:
    cut = time(minutes // 60, minutes % 60)
    after = _replan_from(cut, team, set(), keep_fixed=keep_fixed)
    _assert_resumed(small_plan(), after, team, cut)


def test_a_replan_of_one_team_draws_a_pool_as_dense_as_the_whole_areas() -> None:
    """Re-planning one of three teams: the voting pool is the share of the open stations
    that the whole area's plan drew, not a pool sized for one team spread over the area;
    no station another team keeps is in it."""
    mission, plan = small_mission(), small_plan()
    area = restrict_to_area(mission, "AOR-01")
    restricted, visited = repair_mission(area, plan, "AOR-01", {"STO-001"})
    kept = kept_stops(plan, area, "AOR-01", {"STO-001"})
    travel = GreatCircleTravel.from_rules(mission.rules)
    options = PlanOptions(seed=plan.seed)
    (whole,) = area_problems(area, options)
    full = sample_area(whole, travel).pool

    def pool(**kwargs) -> tuple[str, ...]:
        (problem,) = area_problems(restricted, options, excluded=visited, **kwargs)
        return sample_area(problem, travel).pool

    alone, dense = pool(), pool(kept_teams=kept_teams(kept, "AOR-01"))
    stations = len(whole.stations)
    assert len(dense) / (stations - len(visited)) >= 0.9 * len(full) / stations
    assert len(dense) >= 2 * len(alone)
    assert not set(dense) & visited


def test_a_whole_area_replan_from_a_time_in_parts_keeps_every_teams_morning() -> None:
    """Every team of the area re-planned from 11:00, the area cut into one part per
    team: each keeps its stops before 11:00, and the area reports all that was kept."""
    mission, plan = small_mission(), small_plan()
    area = restrict_to_area(mission, "AOR-01")
    teams = sorted(t.team_id for t in area.sto_teams)
    cut = time(11, 0)
    resume = resume_at(plan, teams, cut, mission.rules.election_date)
    after = solve(
        area,
        time_limit_s=60,
        seed=plan.seed,
        workers=1,
        kept=fixed_stops(plan, teams),
        resume=resume,
        options=PlanOptions(max_teams_per_part=1),
    )
    (stats,) = (a.stats for a in after.areas if a.area_id == "AOR-01")
    assert len(stats["parts"]) == len(teams)
    done = {t: sum(1 for s in resume.done(t) if s.phase != "base") for t in teams}
    assert stats["kept_before"] == {"time": "11:00", "stops": sum(done.values()), "teams": done}
    for team in teams:
        _assert_resumed(plan, after, team, cut)


def test_a_team_whose_afternoon_cannot_be_planned_keeps_its_morning() -> None:
    """Every other station reported closed at 11:00: nothing is left for the team's
    afternoon, but what it did before 11:00 stays in the plan, then the drive home."""
    mission, plan = small_mission(), small_plan()
    area = restrict_to_area(mission, "AOR-01")
    team = "STO-001"
    cut = time(11, 0)
    resume = resume_at(plan, {team}, cut, mission.rules.election_date)
    done = resume.done(team)
    restricted, _ = repair_mission(area, plan, "AOR-01", {team})
    closed = {s.station_id for s in mission.stations} - {s.site_id for s in done}
    after = solve(
        restricted, time_limit_s=60, seed=plan.seed, workers=1, excluded=closed, resume=resume
    )
    stops = sorted(after.stops_of(team), key=lambda s: s.seq)
    assert tuple(stops[:-1]) == done
    home = stops[-1]
    assert (home.phase, home.seq) == ("base", done[-1].seq + 1)
    assert home.arrive > done[-1].depart
    assert any(f"{team}: keeps its stops before 11:00" in note for note in after.notes)


def test_a_replan_offers_the_teams_voting_visits_again_at_a_higher_weight() -> None:
    """The re-planned team's voting visits before (but the closed one) are in the pool,
    each weighing `keep_visit_weight` more than its random weight."""
    mission, plan = small_mission(), small_plan()
    area = restrict_to_area(mission, "AOR-01")
    team = "STO-001"
    had = voting_visits(plan.stops, {team})[team]
    closed = had[0]
    restricted, visited = repair_mission(area, plan, "AOR-01", {team})
    travel = GreatCircleTravel.from_rules(mission.rules)

    def sample(weight: float):  # type: ignore[no-untyped-def]
        options = PlanOptions(seed=plan.seed, keep_visit_weight=weight)
        (problem,) = area_problems(
            restricted,
            options,
            excluded=visited | {closed},
            previous_visits={team: had},
        )
        return sample_area(problem, travel)

    plain, keeping = sample(0.0), sample(1.5)
    fixed = {s for a in keeping.assignments for s in (a.opening, a.count, a.closing)}
    assert set(had[1:]) - fixed <= set(keeping.pool) and closed not in keeping.pool
    for station in had[1:]:
        assert keeping.weights[station] == pytest.approx(plain.weights[station] + 1.5)
    others = set(plain.weights) - set(had)
    assert all(keeping.weights[s] == plain.weights[s] for s in others)


def test_a_replan_after_one_closed_station_keeps_the_rest_of_the_teams_visits() -> None:
    """One closed voting station: the team that visited it keeps its other visits, as
    good as all of them; without the weight, a new draw rewrites much of its day."""
    mission, plan = small_mission(), small_plan()
    area = restrict_to_area(mission, "AOR-01")
    teams = [t.team_id for t in area.sto_teams]
    team = "STO-001"
    had = voting_visits(plan.stops, {team})[team]
    closed = had[len(had) // 2]
    affected = teams_visiting(plan, {closed}, teams=teams)
    assert affected == {team}
    restricted, visited = repair_mission(area, plan, "AOR-01", affected)
    kept = kept_stops(plan, area, "AOR-01", affected)

    def replan(weight: float) -> Plan:
        replanned = solve(
            restricted,
            time_limit_s=60,
            seed=plan.seed,
            workers=1,
            options=replace(LIGHT_SEARCH, keep_visit_weight=weight),
            excluded=visited | {closed},
            kept=fixed_stops(plan, affected),
            kept_teams=kept_teams(kept, "AOR-01"),
            previous_visits=voting_visits(plan.stops, affected),
        )
        return with_kept_routes(replanned, kept, "AOR-01")

    weighed, unweighed = replan(1.0), replan(0.0)
    after = {s.site_id for s in weighed.stops_of(team) if s.phase == "voting"}
    assert closed not in after
    # A booked visit goes only for more coverage: each one given up is paid for by a new
    # visit beyond it, and the team keeps all but a couple of its day.
    given_up = set(had) - {closed} - after
    assert len(given_up) <= 2
    assert len(after) >= len(had) - 1 + len(given_up)
    moved = churn(plan.stops, weighed.stops)
    assert {t.team_id for t in moved.teams} == {team}
    assert moved.total("dropped") <= 1 + len(given_up)
    assert churn(plan.stops, unweighed.stops).total("dropped") > moved.total("dropped")
    assert check_visits(visit_rows(weighed), mission).ok
