"""Teams to areas and bases: Hamilton apportionment and the allocation built on it."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.allocation import (
    allocate_teams,
    apportion,
    area_voters,
    base_sites,
    largest_remainder,
)
from planner.model import Team, TeamKind
from tests.support.missions import multi_area_mission

weights_st = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=3), st.integers(0, 10**6), min_size=1, max_size=8
)


@settings(max_examples=200, deadline=None)
@given(weights=weights_st, seats=st.integers(0, 60), minimum=st.integers(0, 3))
def test_largest_remainder_sums_to_seats_and_respects_minimum(weights, seats, minimum) -> None:
    """Every seat is handed out, and every key gets at least the minimum."""
    if seats < minimum * len(weights):
        with pytest.raises(ValueError, match="cannot give"):
            largest_remainder(weights, seats, minimum=minimum)
        return
    got = largest_remainder(weights, seats, minimum=minimum)
    assert set(got) == set(weights)
    assert sum(got.values()) == seats
    assert min(got.values()) >= minimum


@settings(max_examples=200, deadline=None)
@given(weights=weights_st, seats=st.integers(0, 60), minimum=st.integers(0, 2))
def test_largest_remainder_is_proportional(weights, seats, minimum) -> None:
    """Each key gets its exact quota rounded down or up, and more weight never means fewer."""
    free = seats - minimum * len(weights)
    total = sum(weights.values())
    if free < 0 or total == 0:
        return
    got = largest_remainder(weights, seats, minimum=minimum)
    for key, w in weights.items():
        quota = minimum + free * w / total
        assert math.floor(quota + 1e-9) <= got[key] <= math.ceil(quota - 1e-9)
    for a in weights:
        for b in weights:
            if weights[a] > weights[b]:
                assert got[a] >= got[b]


@settings(max_examples=100, deadline=None)
@given(weights=weights_st, seats=st.integers(0, 40), data=st.data())
def test_largest_remainder_is_deterministic(weights, seats, data) -> None:
    """The result depends on the weights, not on the order the keys were given in."""
    keys = data.draw(st.permutations(list(weights)))
    shuffled = {k: weights[k] for k in keys}
    assert largest_remainder(weights, seats) == largest_remainder(shuffled, seats)


def test_largest_remainder_examples() -> None:
    """Hand-worked cases: remainders break the floors, ties go to the first key."""
    assert largest_remainder({"a": 1, "b": 1, "c": 1}, 4) == {"a": 2, "b": 1, "c": 1}
    assert largest_remainder({"a": 60, "b": 30, "c": 10}, 10) == {"a": 6, "b": 3, "c": 1}
    assert largest_remainder({"a": 55, "b": 45}, 3, minimum=1) == {"a": 2, "b": 1}
    assert largest_remainder({"a": 0, "b": 0}, 1) == {"a": 1, "b": 0}
    assert largest_remainder({"a": -5, "b": 5}, 2) == {"a": 0, "b": 2}


def test_largest_remainder_hands_out_every_seat_with_zero_weights() -> None:
    """Areas whose voters are all unknown (zero) still share every team between them."""
    got = largest_remainder({"a": 0, "b": 0}, 5)
    assert sum(got.values()) == 5
    assert sorted(got.values()) == [2, 3]


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=12),
    seats=st.integers(0, 500),
)
def test_apportion_gives_every_position_its_quota_rounded(weights, seats) -> None:
    """Positions get their exact quota rounded down or up, all seats handed out."""
    got = apportion(seats, weights)
    assert got.sum() == seats and len(got) == len(weights)
    total = sum(weights)
    if total > 0:
        for share, w in zip(got, weights, strict=True):
            quota = seats * w / total
            assert math.floor(quota - 1e-6) <= share <= math.ceil(quota + 1e-6)


def test_apportion_examples() -> None:
    """Ties go to the earlier position; no weight at all shares out evenly; nobody to
    share with is an error."""
    assert apportion(10, [60, 30, 10]).tolist() == [6, 3, 1]
    assert apportion(4, [1, 1, 1]).tolist() == [2, 1, 1]
    assert apportion(5, [0, 0]).tolist() == [3, 2]
    assert apportion(2, [-5, 5]).tolist() == [0, 2]
    assert apportion(0, []).tolist() == []
    with pytest.raises(ValueError, match="among nobody"):
        apportion(3, [])


def test_largest_remainder_raises_when_minimum_cannot_be_met() -> None:
    """Fewer seats than minimum x keys is an error, not a silent under-allocation."""
    with pytest.raises(ValueError, match="2 teams cannot give 1 to each of 3 areas"):
        largest_remainder({"a": 1, "b": 1, "c": 1}, 2, minimum=1)


# --- allocate_teams ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unplaced():
    return multi_area_mission(stations=(30, 90, 45), teams=9, districts=3, placed=False)


def test_allocate_gives_every_team_an_area_and_a_base(unplaced) -> None:
    """Teams without area or base all come back with both, and at least one per area."""
    assert all(t.area_id is None and t.lon is None for t in unplaced.sto_teams)
    out = allocate_teams(unplaced)
    assert [t.team_id for t in out.teams] == [t.team_id for t in unplaced.teams]
    for team in out.sto_teams:
        assert team.area_id in out.area_by_id
        assert team.lon is not None and team.lat is not None and team.base_name
    per_area = Counter(t.area_id for t in out.sto_teams)
    assert set(per_area) == {a.area_id for a in out.areas}


def test_allocate_is_proportional_to_voters(unplaced) -> None:
    """Teams per area follow the areas' voters (Hamilton, at least one each)."""
    out = allocate_teams(unplaced)
    per_area = Counter(t.area_id for t in out.sto_teams)
    voters = area_voters(unplaced)
    assert dict(per_area) == largest_remainder(voters, len(unplaced.sto_teams), minimum=1)
    by_voters = sorted(voters, key=voters.get)
    assert [per_area[a] for a in by_voters] == sorted(per_area[a] for a in by_voters)
    assert per_area[by_voters[-1]] > per_area[by_voters[0]]


def test_allocate_puts_bases_at_tec_seats_of_the_area(unplaced) -> None:
    """Each base is one of the area's busiest TEC seats, spread in proportion to voters."""
    out = allocate_teams(unplaced)
    for area in out.areas:
        teams = [t for t in out.sto_teams if t.area_id == area.area_id]
        sites = {(name, lon, lat): v for name, lon, lat, v in base_sites(out, area.area_id)}
        used = Counter((t.base_name, t.lon, t.lat) for t in teams)
        assert set(used) <= set(sites)
        tecs = {c.tec_id for c in out.commissions if c.region in area.region_ids}
        assert {c.name for c in out.commissions if c.tec_id in tecs} >= {t[0] for t in used}
        expected = largest_remainder(
            {str(k): v for k, v in enumerate(list(sites.values())[:4])}, len(teams)
        )
        assert sorted(used.values()) == sorted(n for n in expected.values() if n)


def test_allocate_keeps_placed_teams_and_lto_teams(unplaced) -> None:
    """Teams that already have area and base, and LTO teams, are left as they were."""
    fixed = Team("STO-01", TeamKind.STO, "A3", "Hotel", 81.5, 51.2)
    lto = Team("LTO-01", TeamKind.LTO, None, "", None, None)
    mission = replace(unplaced, teams=(fixed, *unplaced.teams[1:], lto))
    out = allocate_teams(mission)
    assert out.teams[0] == fixed
    assert out.teams[-1] == lto
    assert all(t.area_id is not None for t in out.sto_teams)


def test_allocate_is_deterministic(unplaced) -> None:
    """The same mission always gives the same allocation."""
    assert allocate_teams(unplaced).teams == allocate_teams(unplaced).teams


def test_allocate_keeps_one_team_per_area_with_some_teams_pre_placed() -> None:
    """Placed teams crowding one area do not leave another area without a team."""
    mission = multi_area_mission(stations=(40, 120, 40), teams=4, placed=False)
    crowd = tuple(Team(f"STO-0{j}", TeamKind.STO, "A1", "Town", 71.45, 51.15) for j in (1, 2))
    out = allocate_teams(replace(mission, teams=crowd + mission.teams[2:]))
    assert set(Counter(t.area_id for t in out.sto_teams)) == {"A1", "A2", "A3"}


def test_allocate_places_a_base_with_fewer_teams_than_areas() -> None:
    """A team with an area but no base gets one even when some areas have no team."""
    mission = multi_area_mission(stations=(40, 120, 40), teams=2, placed=True)
    teams = (mission.teams[0], replace(mission.teams[1], base_name="", lon=None, lat=None))
    out = allocate_teams(replace(mission, teams=teams))
    assert out.teams[0] == teams[0]
    assert out.teams[1].area_id == "A2" and out.teams[1].lon is not None
