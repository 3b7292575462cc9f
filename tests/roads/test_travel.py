"""`RoadTravel`: calibrated OSRM durations on the Almaty extract, behaving like every other
travel model (whole seconds, picklable) and saying where the roads could not answer."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.model import Rules
from planner.roads import RoadCalibration, RoadsError, RoadsInfo, RoadTravel, engine
from planner.travel import GreatCircleTravel, Place, TravelModel, great_circle_km
from tests.roads.conftest import ABAI_EAST, NORTH_EAST_1, NORTH_EAST_2, OUTSIDE, UTEPOV

pytestmark = pytest.mark.roads


def city_places(n: int, seed: int = 7) -> list[Place]:
    """Points spread over central Almaty, alternately urban and rural."""
    rng = np.random.default_rng(seed)
    return [
        Place(
            f"p{i}", float(rng.uniform(76.82, 77.0)), float(rng.uniform(43.19, 43.30)), i % 2 == 0
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def road(almaty_roads: RoadsInfo) -> RoadTravel:
    return RoadTravel(almaty_roads.directory)


def km_matrix(places: list[Place]) -> np.ndarray:
    lon = np.array([p.lon for p in places])
    lat = np.array([p.lat for p in places])
    return great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])


def test_is_a_travel_model_with_plausible_times(road: RoadTravel) -> None:
    model: TravelModel = road
    places = city_places(40)
    seconds = model.durations(places, places)
    assert seconds.dtype == np.int64 and seconds.shape == (40, 40)
    assert (np.diag(seconds) == 0).all()
    off = ~np.eye(40, dtype=bool)
    km = km_matrix(places)
    assert (seconds[off] >= 5 * 60).all()  # parking at least
    # Against the straight line: a car in a city covers 10-60 km of straight line per hour.
    driving_h = (seconds[off] - 5 * 60) / 3600
    speed = km[off] / driving_h
    assert np.percentile(speed, 5) > 5 and np.percentile(speed, 95) < 60
    straight = GreatCircleTravel().durations(places, places)
    ratio = seconds[off] / straight[off]
    assert 0.7 < np.median(ratio) < 1.5


def test_one_way_streets_make_the_matrix_asymmetric(road: RoadTravel) -> None:
    places = [ABAI_EAST, UTEPOV, *city_places(20)]
    seconds = road.durations(places, places)
    assert seconds[0, 1] != seconds[1, 0]
    assert np.abs(seconds - seconds.T).max() > 60


def test_snapping_is_reported_for_every_place(road: RoadTravel) -> None:
    places = [ABAI_EAST, UTEPOV, *city_places(10)]
    table = road.table(places, places[:3])
    snaps = {s.key: s for s in table.report.snaps}
    assert set(snaps) == {p.key for p in places}
    assert snaps["kabanbay"].distance_m < 5 and "Кабанбай" in snaps["kabanbay"].road
    assert 50 < snaps["utepov"].distance_m < 150
    assert all(s.distance_m >= 0 and not s.far for s in snaps.values())
    assert road.snaps([ABAI_EAST, OUTSIDE])[1].far


def test_a_place_outside_the_extract_is_flagged_and_falls_back(road: RoadTravel) -> None:
    places = [ABAI_EAST, UTEPOV, OUTSIDE]
    table = road.table(places, places)
    report = table.report
    assert report.far_places == ("outside",)
    assert {s.key: s.distance_m for s in report.snaps}["outside"] > 200_000
    straight = GreatCircleTravel().durations(places, places)
    assert (table.seconds[2, :] == straight[2, :]).all()
    assert (table.seconds[:, 2] == straight[:, 2]).all()
    assert table.seconds[0, 1] != straight[0, 1]  # the others stay on roads
    assert report.fallback_pairs == 4 and report.no_path == ()
    as_json = report.to_json()
    assert as_json["far_places"] == [{"key": "outside", "snap_m": pytest.approx(275048, rel=0.01)}]
    assert as_json["fallback_pairs"] == 4


def test_pairs_without_a_road_path_fall_back_and_are_listed(island_roads: RoadsInfo) -> None:
    road = RoadTravel(island_roads.directory)
    south_a, south_b = Place("sa", 77.002, 43.0), Place("sb", 77.018, 43.0)
    north = Place("n", 77.005, 43.1)
    places = [south_a, south_b, north]
    table = road.table(places, places)
    assert set(table.report.no_path) == {("sa", "n"), ("sb", "n"), ("n", "sa"), ("n", "sb")}
    assert table.report.fallback_pairs == 4 and table.report.far_places == ()
    straight = GreatCircleTravel().durations(places, places)
    assert table.seconds[0, 2] == straight[0, 2] and table.seconds[2, 1] == straight[2, 1]
    assert table.seconds[0, 1] < straight[0, 1]  # 1.3 km on a primary road, by road


def test_chunked_tables_equal_one_table(almaty_roads: RoadsInfo) -> None:
    places = city_places(23)
    whole = RoadTravel(almaty_roads.directory).durations(places, places[:17])
    chunked = RoadTravel(almaty_roads.directory, chunk_size=5).durations(places, places[:17])
    assert (whole == chunked).all()


def test_calibration_factors_apply_as_documented(almaty_roads: RoadsInfo) -> None:
    urban_a, urban_b = ABAI_EAST, UTEPOV
    rural_a, rural_b = (
        Place("ra", ABAI_EAST.lon, ABAI_EAST.lat),
        Place("rb", UTEPOV.lon, UTEPOV.lat),
    )
    tuned = RoadTravel(
        almaty_roads.directory,
        calibration=RoadCalibration(
            urban_factor=1.5, rural_factor=1.2, night_factor=2.0, winter_factor=1.1, parking_min=5
        ),
    )
    free = engine.table(
        almaty_roads.directory, [(urban_a.lon, urban_a.lat)], [(urban_b.lon, urban_b.lat)]
    )
    raw = float(free.seconds[0, 0])
    # The gap from each place to its road is driven at 20 km/h.
    gap = (free.origins[0].distance_m + free.destinations[0].distance_m) * 3.6 / 20 + 300

    def one(model: RoadTravel, a: Place, b: Place, night: bool) -> float:
        return float(model.durations([a], [b], night=night)[0, 0])

    assert one(tuned, urban_a, urban_b, False) == pytest.approx(raw * 1.1 * 1.5 + gap, abs=1)
    assert one(tuned, urban_a, urban_b, True) == pytest.approx(raw * 1.1 * 1.5 + gap, abs=1)
    assert one(tuned, rural_a, rural_b, False) == pytest.approx(raw * 1.1 * 1.2 + gap, abs=1)
    assert one(tuned, rural_a, rural_b, True) == pytest.approx(raw * 1.1 * 2.4 + gap, abs=1)
    mixed = raw * 1.1 * (0.5 * 1.5 + 0.5 * 1.2 * 2.0) + gap
    assert one(tuned, urban_a, rural_b, True) == pytest.approx(mixed, abs=1)


def test_settings_come_from_the_rules(almaty_roads: RoadsInfo) -> None:
    rules = Rules(parking_min=9, detour_factor=1.5)
    road = RoadTravel.from_rules(almaty_roads.directory, rules, winter_factor=1.0)
    assert road.calibration.parking_min == 9 and road.calibration.winter_factor == 1.0
    assert road.fallback == GreatCircleTravel.from_rules(rules)
    with pytest.raises(ValueError, match="urban_factor"):
        RoadCalibration(urban_factor=0)


def test_a_directory_that_is_not_roads_is_refused_at_once(tmp_path: Path) -> None:
    with pytest.raises(RoadsError, match="not a roads directory"):
        RoadTravel(tmp_path)


# The planner's worker pool forks today; the engine's threads make Python warn about
# forking, so check that a forked worker (which opens its own engine) still answers.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
def test_pickles_and_works_in_other_processes(road: RoadTravel) -> None:
    places = [ABAI_EAST, UTEPOV, NORTH_EAST_1, NORTH_EAST_2, OUTSIDE]
    here = road.durations(places, places)  # the engine is open in this process now
    clone = pickle.loads(pickle.dumps(road))
    assert clone == road
    for method in ("fork", "spawn"):
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context(method)) as pool:
            there = pool.submit(clone.durations, places, places, night=True).result()
            day = pool.submit(clone.durations, places, places).result()
        assert (day == here).all(), method
        assert (there == road.durations(places, places, night=True)).all(), method


def test_route_line_follows_the_roads(road: RoadTravel) -> None:
    line = road.route_line([ABAI_EAST, UTEPOV, ABAI_EAST])
    assert line is not None
    assert len(line.coordinates) > 20 and len(line.legs_m) == 2
    start, end = line.coordinates[0], line.coordinates[-1]
    assert abs(start[0] - ABAI_EAST.lon) < 0.002 and abs(start[1] - ABAI_EAST.lat) < 0.002
    assert abs(end[0] - ABAI_EAST.lon) < 0.002 and abs(end[1] - ABAI_EAST.lat) < 0.002
    straight_km = km_matrix([ABAI_EAST, UTEPOV])[0, 1]
    assert line.legs_m[0] / 1000 > straight_km
    assert sum(line.legs_m) == pytest.approx(line.distance_m, rel=1e-3)
    assert all(76.5 < lon < 77.3 and 43.0 < lat < 43.6 for lon, lat in line.coordinates)
    assert road.route_line([ABAI_EAST, OUTSIDE]) is None
    assert road.route_line([ABAI_EAST]) is None


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(76.6, 77.2), st.floats(43.06, 43.54), st.booleans()),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),
)
def test_any_places_in_the_extract_get_sound_times(
    almaty_roads: RoadsInfo, points: list[tuple[float, float, bool]], night: bool
) -> None:
    road = RoadTravel(almaty_roads.directory)
    places = [Place(f"q{i}", lon, lat, urban) for i, (lon, lat, urban) in enumerate(points)]
    table = road.table(places, places, night=night)
    seconds = table.seconds
    straight = GreatCircleTravel().durations(places, places, night=night)
    assert seconds.shape == (len(places), len(places)) and (seconds >= 0).all()
    far = {s.key for s in table.report.snaps if s.far}
    for i, a in enumerate(places):
        for j, b in enumerate(places):
            if (a.lon, a.lat) == (b.lon, b.lat):
                assert seconds[i, j] == 0
            elif a.key in far or b.key in far:
                assert seconds[i, j] == straight[i, j]
            else:
                assert seconds[i, j] >= 5 * 60
