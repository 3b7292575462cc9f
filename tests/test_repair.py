"""A re-plan of the teams a report affects: the others keep their routes unchanged."""

from __future__ import annotations

import pytest

from planner.plan import solve
from planner.repair import (
    fixed_stops,
    kept_stops,
    repair_mission,
    teams_visiting,
    with_kept_routes,
)
from planner.ui.replan import restrict_to_area
from tests.support.missions import small_mission, small_plan


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
