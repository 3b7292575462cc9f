"""Who observes what: opening/count choice, tabulation TECs and the voting pool."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from planner.capacity import visits_per_team
from planner.model import Mission, StationKind
from planner.problem import AreaProblem, PlanOptions, area_problems
from planner.sampling import district_caps, sample_area, station_place, urban_bounds
from planner.schedule import AreaSample
from planner.travel import GreatCircleTravel, Place
from tests.support.missions import random_mission

CASES = [
    # stations, teams, districts, seed
    (40, 1, 2, 0),
    (60, 2, 3, 1),
    (90, 3, 4, 2),
    (150, 4, 5, 3),
    (70, 4, 2, 4),
]


def _problem(mission: Mission, seed: int = 0, **kw) -> AreaProblem:
    (problem,) = area_problems(mission, PlanOptions(seed=seed), **kw)
    return problem


def _sample(mission: Mission, seed: int = 0, **kw) -> tuple[AreaProblem, AreaSample]:
    problem = _problem(mission, seed, **kw)
    return problem, sample_area(problem, GreatCircleTravel.from_rules(mission.rules))


@pytest.fixture(scope="module", params=CASES, ids=lambda c: "s{}-t{}-d{}-seed{}".format(*c))
def sampled(request) -> tuple[Mission, AreaProblem, AreaSample]:
    stations, teams, districts, seed = request.param
    mission = random_mission(stations=stations, teams=teams, districts=districts, seed=seed)
    problem, sample = _sample(mission, seed)
    return mission, problem, sample


def test_every_team_gets_distinct_opening_and_count(sampled) -> None:
    """Each team has an opening and a count; no station is used twice by anyone."""
    mission, _, sample = sampled
    assert sorted(a.team_id for a in sample.assignments) == [t.team_id for t in mission.teams]
    fixed = [a.opening for a in sample.assignments] + [a.count for a in sample.assignments]
    assert len(fixed) == len(set(fixed))
    assert all(a.opening != a.count for a in sample.assignments)


def test_count_station_close_to_its_tec_at_night(sampled) -> None:
    """Every count station is within the count-to-TEC limit of its TEC, at night speeds."""
    mission, _, sample = sampled
    travel = GreatCircleTravel.from_rules(mission.rules)
    for a in sample.assignments:
        s = mission.station_by_id[a.count]
        tec = mission.commission_by_id[s.tec_id]
        leg = travel.durations(
            [station_place(s)], [Place(tec.tec_id, tec.lon, tec.lat, True)], night=True
        )
        assert leg[0, 0] <= mission.rules.max_count_to_tec_min * 60


def test_tabulation_follows_count_station_one_team_per_tec(sampled) -> None:
    """A team tabulates at its count station's TEC, and no TEC is followed by two teams."""
    mission, _, sample = sampled
    followed = [a.tabulation_tec for a in sample.assignments if a.tabulation_tec is not None]
    assert len(followed) == len(set(followed))
    for a in sample.assignments:
        if a.tabulation_tec is not None:
            assert a.tabulation_tec == mission.station_by_id[a.count].tec_id


def test_as_many_tecs_followed_as_teams_and_districts_allow(sampled) -> None:
    """With TECs to spare, every team follows its protocol to a different TEC."""
    mission, _, sample = sampled
    districts = len({s.tec_id for s in mission.stations})
    followed = {a.tabulation_tec for a in sample.assignments} - {None}
    assert len(followed) == min(len(mission.teams), districts)


def test_pool_excludes_fixed_stations_and_respects_district_caps(sampled) -> None:
    """Pool stations are distinct, never an opening or count, and within district caps."""
    mission, problem, sample = sampled
    fixed = {a.opening for a in sample.assignments} | {a.count for a in sample.assignments}
    assert len(sample.pool) == len(set(sample.pool))
    assert not fixed & set(sample.pool)
    expected = visits_per_team(problem, GreatCircleTravel.from_rules(mission.rules))[1]
    expected_caps = district_caps(
        list(problem.stations),
        expected * len(problem.teams),
        mission.rules.district_max_share_factor,
    )
    assert sample.district_caps == expected_caps
    per_district = Counter(mission.station_by_id[s].district for s in sample.pool)
    for district, n in per_district.items():
        assert n <= sample.district_caps[district]
    assert len(sample.pool) >= min(len(problem.stations) // 2, expected * len(problem.teams) // 2)


def test_pool_stations_all_have_weights(sampled) -> None:
    """Every pool station carries a random prize weight in [1, 2)."""
    _, _, sample = sampled
    assert all(1.0 <= sample.weights[s] < 2.0 for s in sample.pool)


def test_abroad_stations_never_enter_the_pool() -> None:
    """Even when an area problem lists stations abroad, none of them is ever sampled."""
    mission = random_mission(stations=60, teams=2, seed=5)
    abroad = {s.station_id for s in mission.stations[::3]}
    stations = tuple(
        replace(s, kind=StationKind.ABROAD) if s.station_id in abroad else s
        for s in mission.stations
    )
    mission = replace(mission, stations=stations)
    assert not abroad & {s.station_id for s in _problem(mission).stations}
    problem = replace(_problem(random_mission(stations=60, teams=2, seed=5)), stations=stations)
    for seed in range(3):
        sample = sample_area(replace(problem, seed=seed), GreatCircleTravel())
        assert not abroad & set(sample.pool)


def test_excluded_stations_are_never_chosen() -> None:
    """Stations the field reported unusable are never opening, count or pool stations."""
    mission = random_mission(stations=60, teams=2, seed=6)
    excluded = frozenset(s.station_id for s in mission.stations[::2])
    _, sample = _sample(mission, 1, excluded=excluded)
    used = set(sample.pool) | {a.opening for a in sample.assignments}
    used |= {a.count for a in sample.assignments}
    assert used and not used & excluded


def test_unlocated_stations_are_routed_only_when_the_rules_allow() -> None:
    """Stations placed without coordinates of their own are never opening, count or pool
    stations, unless `route_unlocated_stations` is set; they still count in the area."""
    mission = random_mission(stations=60, teams=2, seed=6)
    unlocated = {s.station_id for s in mission.stations[1::3]}
    stations = tuple(replace(s, unlocated=s.station_id in unlocated) for s in mission.stations)
    mission = replace(mission, stations=stations)
    problem, sample = _sample(mission, 1)
    assert unlocated <= {s.station_id for s in problem.stations}
    used = set(sample.pool) | {a.opening for a in sample.assignments}
    used |= {a.count for a in sample.assignments}
    assert used and not used & unlocated
    allowed = replace(mission, rules=replace(mission.rules, route_unlocated_stations=True))
    _, open_sample = _sample(allowed, 1)
    assert set(open_sample.pool) & unlocated


def test_same_seed_same_sample() -> None:
    """Sampling is reproducible from its seed."""
    mission = random_mission(stations=80, teams=3, districts=3, seed=7)
    _, one = _sample(mission, 11)
    _, two = _sample(mission, 11)
    assert one.assignments == two.assignments
    assert one.pool == two.pool
    assert one.weights == two.weights


def test_other_seed_other_pool() -> None:
    """A different seed draws a different pool, so visits cannot be predicted."""
    mission = random_mission(stations=80, teams=3, districts=3, seed=7)
    _, one = _sample(mission, 11)
    _, two = _sample(mission, 12)
    assert one.pool != two.pool


def test_unreachable_counts_are_reported_not_raised() -> None:
    """A count-to-TEC limit nobody can meet leaves the team unplanned, with a note."""
    mission = random_mission(stations=40, teams=1, seed=8)
    far = tuple(replace(c, lon=c.lon + 8.0) for c in mission.commissions)
    _, sample = _sample(replace(mission, commissions=far))
    assert sample.assignments == ()
    assert any("STO-01" in note for note in sample.notes)


@pytest.mark.parametrize(
    ("n", "share", "tol", "bounds"),
    [(10, 0.5, 15, (4, 6)), (4, 0.0, 15, (0, 0)), (3, 1.0, 15, (3, 3)), (20, 0.3, 5, (5, 7))],
)
def test_urban_bounds(n, share, tol, bounds) -> None:
    """The number of urban choices allowed keeps the mix within the tolerance."""
    assert urban_bounds(n, share, tol) == bounds


@pytest.mark.parametrize("limit_min", [1, 95, 600])
def test_no_tabulation_beyond_the_night_drive_home(limit_min: int) -> None:
    """A team follows its count to a commission only within
    `max_drive_home_after_tabulation_min` of night driving back to its base; it still
    counts where the commission is further (and goes home from the count)."""
    mission = random_mission(stations=120, teams=4, districts=5, seed=6, spread_km=100.0)
    mission = replace(
        mission, rules=replace(mission.rules, max_drive_home_after_tabulation_min=limit_min)
    )
    _, sample = _sample(mission, 6)
    travel = GreatCircleTravel.from_rules(mission.rules)
    bases = {t.team_id: Place(t.team_id, t.lon, t.lat, True) for t in mission.teams}
    assert sorted(a.team_id for a in sample.assignments) == [t.team_id for t in mission.teams]
    followed = [a for a in sample.assignments if a.tabulation_tec is not None]
    for a in followed:
        tec = mission.commission_by_id[a.tabulation_tec]
        home = travel.durations(
            [Place(tec.tec_id, tec.lon, tec.lat, True)], [bases[a.team_id]], night=True
        )
        assert home[0, 0] <= limit_min * 60
    if limit_min == 1:
        assert followed == []  # every commission is further than a minute from the town
    if limit_min == 600:
        assert len(followed) == len(mission.teams)
