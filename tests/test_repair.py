"""A re-plan of the teams a report affects: the others keep their routes unchanged."""

from __future__ import annotations

import pytest

from planner.plan import solve
from planner.repair import kept_stops, repair_mission, teams_visiting, with_kept_routes
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
