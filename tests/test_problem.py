"""A mission cut into areas: each area's teams, stations and TECs, and its own seed."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest

from planner.model import Area, StationKind
from planner.problem import PlanOptions, area_problems, area_seed
from tests.support.missions import multi_area_mission, random_mission


@pytest.fixture(scope="module")
def mission():  # type: ignore[no-untyped-def]
    return multi_area_mission(stations=(30, 40), teams=4, districts=2, seed=3)


def test_each_area_gets_its_own_teams_stations_and_tecs(mission) -> None:  # type: ignore[no-untyped-def]
    problems = area_problems(mission, PlanOptions(seed=5))
    assert [p.area_id for p in problems] == [a.area_id for a in mission.areas]
    seen_stations: set[str] = set()
    for p in problems:
        area = mission.area_by_id[p.area_id]
        assert p.teams and all(t.area_id == p.area_id for t in p.teams)
        assert all(s.region in area.region_ids for s in p.stations)
        assert all(s.kind is not StationKind.ABROAD for s in p.stations)
        assert {c.tec_id for c in p.commissions} == {s.tec_id for s in p.stations}
        assert not seen_stations & {s.station_id for s in p.stations}
        seen_stations |= {s.station_id for s in p.stations}
        assert p.seed == area_seed(5, p.area_id)
    in_areas = {s.station_id for s in mission.stations if mission.area_of_station(s)}
    assert seen_stations == in_areas


def test_areas_of_whole_districts_split_a_region() -> None:
    """Areas listing districts take exactly those districts' stations and TECs, whatever
    their region; the team of each area plans only its own districts."""
    mission = random_mission(stations=60, teams=2, districts=4, seed=2)
    districts = [d.district_id for d in mission.districts]
    west = Area("W", "West", (), district_ids=tuple(districts[:2]))
    east = Area("E", "East", (), district_ids=tuple(districts[2:]))
    first, second = mission.sto_teams
    mission = replace(
        mission,
        areas=(west, east),
        teams=(replace(first, area_id="W"), replace(second, area_id="E")),
    )
    problems = {p.area_id: p for p in area_problems(mission, PlanOptions(seed=1))}
    assert set(problems) == {"W", "E"}
    for area in (west, east):
        p = problems[area.area_id]
        assert p.stations and {s.district for s in p.stations} == set(area.district_ids)
        district_tecs = [c for c in p.commissions if c.district is not None]
        assert district_tecs
        assert all(mission.area_of_commission(c) == area.area_id for c in district_tecs)
    assert len(problems["W"].stations) + len(problems["E"].stations) == sum(
        s.kind is not StationKind.ABROAD for s in mission.stations
    )


def test_an_area_without_placed_teams_is_left_out(mission) -> None:  # type: ignore[no-untyped-def]
    first = mission.areas[0].area_id
    teams = tuple(
        replace(t, lon=None, lat=None) if t.area_id == first else t for t in mission.teams
    )
    problems = area_problems(replace(mission, teams=teams), PlanOptions())
    assert first not in [p.area_id for p in problems]


def test_area_seeds_differ_by_area_and_seed_but_not_by_run() -> None:
    assert area_seed(1, "AOR-01") == area_seed(1, "AOR-01")
    assert len({area_seed(s, a) for s in (0, 1) for a in ("AOR-01", "AOR-02")}) == 4


def test_clock_counts_from_the_day_before_midnight_utc(mission) -> None:  # type: ignore[no-untyped-def]
    (p, *_) = area_problems(mission, PlanOptions())
    seven = p.clock(time(7, 0), "Asia/Almaty")
    assert p.to_datetime(seven, "Asia/Almaty").strftime("%H:%M") == "07:00"
    assert p.clock(time(7, 0), "Asia/Almaty", next_day=True) == seven + 86_400


def test_plan_options_refuse_an_empty_pool_or_prize() -> None:
    with pytest.raises(ValueError, match="pool_factor"):
        PlanOptions(pool_factor=0)
    with pytest.raises(ValueError, match="expected_visits_per_team"):
        PlanOptions(expected_visits_per_team=0)
