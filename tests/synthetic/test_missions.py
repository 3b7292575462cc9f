"""Synthetic missions at any scale: the sizes asked for, a dense capital when asked, every
reference resolved, the same mission from the same seed."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.model import Setting
from planner.synthetic import synthetic_mission


@settings(max_examples=30, deadline=None)
@given(
    areas=st.integers(1, 6),
    extra_teams=st.integers(0, 30),
    stations_per_area=st.integers(1, 300),
    seed=st.integers(0, 1_000),
)
def test_the_sizes_asked_for_with_every_reference_resolved(
    areas: int, extra_teams: int, stations_per_area: int, seed: int
) -> None:
    stations, teams = areas * stations_per_area, areas + extra_teams
    mission = synthetic_mission(stations, teams, areas, seed=seed)
    assert (len(mission.stations), len(mission.teams), len(mission.areas)) == (
        stations,
        teams,
        areas,
    )
    teams_per_area = Counter(t.area_id for t in mission.teams)
    assert set(teams_per_area) == {a.area_id for a in mission.areas}
    tecs = mission.commission_by_id
    districts = {d.district_id for d in mission.districts}
    for s in mission.stations:
        assert s.tec_id in tecs and s.district in districts
        assert tecs[s.tec_id].district == s.district
    assert mission.targets.tabulation <= len(mission.districts)


def test_a_dense_capital_has_exactly_its_share_and_a_mostly_urban_city() -> None:
    mission = synthetic_mission(3_000, 40, 4, dense=(1_500, 20), seed=3)
    capital = mission.areas[0].area_id
    region = mission.areas[0].region_ids[0]
    in_capital = [s for s in mission.stations if s.region == region]
    assert len(in_capital) == 1_500
    assert sum(t.area_id == capital for t in mission.teams) == 20
    urban = sum(s.setting is Setting.URBAN for s in in_capital) / len(in_capital)
    assert 0.7 < urban < 0.8
    assert len(mission.stations) == 3_000 and len(mission.teams) == 40


def test_the_same_seed_gives_the_same_mission() -> None:
    one, two = (synthetic_mission(500, 12, 3, seed=9) for _ in range(2))
    assert one == two
    assert synthetic_mission(500, 12, 3, seed=10).stations != one.stations


def test_impossible_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="a team and a station per area"):
        synthetic_mission(10, 2, 3)
    with pytest.raises(ValueError, match="dense area of one"):
        synthetic_mission(100, 5, 1, dense=(50, 5))
    with pytest.raises(ValueError, match="no station or no team"):
        synthetic_mission(100, 5, 3, dense=(50, 4))
