"""Closed roads: a copy of the road data in which the closed stretch cannot be driven;
routes over it change, routes elsewhere do not, the original stays as it was."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from planner.roads import (
    ClosedRoad,
    ClosureResult,
    RoadsError,
    RoadsInfo,
    RoadTravel,
    close_roads,
    closures_digest,
    engine,
    read_roads,
)
from planner.travel import Place
from tests.roads.conftest import ABAI_EAST, NORTH_EAST_1, NORTH_EAST_2, UTEPOV

pytestmark = pytest.mark.roads

PLACES = [
    ABAI_EAST,
    UTEPOV,
    NORTH_EAST_1,
    NORTH_EAST_2,
    Place("center", 76.945, 43.238, urban=True),
    Place("west", 76.87, 43.235, urban=True),
    Place("south", 76.93, 43.20, urban=True),
    Place("east", 76.99, 43.26, urban=True),
]


def closure_on_route(roads_dir: Path, a: Place, b: Place) -> ClosedRoad:
    """Two consecutive points in the middle of the road route from a to b."""
    found = engine.route(roads_dir, [(a.lon, a.lat), (b.lon, b.lat)])
    assert found is not None
    middle = len(found.line) // 2
    return ClosedRoad((found.line[middle], found.line[middle + 1]), note="burst main", ref="fu-7")


@pytest.fixture(scope="module")
def closed(almaty_roads: RoadsInfo, tmp_path_factory: pytest.TempPathFactory) -> ClosureResult:
    closure = closure_on_route(almaty_roads.directory, ABAI_EAST, UTEPOV)
    return close_roads(almaty_roads.directory, [closure], tmp_path_factory.mktemp("c") / "closed")


def segments_of(roads_dir: Path, a: Place, b: Place) -> set[tuple[int, int]]:
    found = engine.route(roads_dir, [(a.lon, a.lat), (b.lon, b.lat)], nodes=True)
    assert found is not None
    return {pair for leg in found.nodes for pair in pairwise(leg)}


def test_closure_changes_only_the_routes_over_the_closed_road(
    almaty_roads: RoadsInfo, closed: ClosureResult
) -> None:
    before = RoadTravel(almaty_roads.directory).durations(PLACES, PLACES)
    after = RoadTravel(closed.info.directory).durations(PLACES, PLACES)
    assert after[0, 1] > before[0, 1]  # the closed road was on Kabanbay -> Utepov
    stretch = engine.route(almaty_roads.directory, list(closed.info.closures[0].points), nodes=True)
    assert stretch is not None
    closed_nodes = set(stretch.nodes[0])
    crossing = 0
    for i, a in enumerate(PLACES):
        for j, b in enumerate(PLACES):
            if i == j:
                continue
            used = segments_of(almaty_roads.directory, a, b)
            if any(x in closed_nodes and y in closed_nodes for x, y in used):
                crossing += 1
                assert after[i, j] > before[i, j], (a.key, b.key)
            else:
                assert after[i, j] == before[i, j], (a.key, b.key)
    assert 0 < crossing < len(PLACES) * (len(PLACES) - 1)
    assert after[2, 3] == before[2, 3]  # far away, in the north-east


def test_closed_variant_records_its_closures_and_leaves_the_original(
    almaty_roads: RoadsInfo, closed: ClosureResult
) -> None:
    info = read_roads(closed.info.directory)
    assert info.closed_from == str(almaty_roads.directory)
    assert info.source_sha256 == almaty_roads.source_sha256
    assert info.osm_timestamp == almaty_roads.osm_timestamp
    (record,) = info.closures
    assert record.note == "burst main" and record.ref == "fu-7" and record.segments >= 1
    assert closed.segments == (record.segments,)
    assert "closures.csv" in info.files
    lines = (closed.info.directory / "closures.csv").read_text().split()
    assert len(lines) == 2 * record.segments and all(line.endswith(",0") for line in lines)
    assert read_roads(almaty_roads.directory).closures == ()
    assert not (almaty_roads.directory / "closures.csv").exists()
    assert closed.seconds < 30


def test_closures_are_checked(
    almaty_roads: RoadsInfo, closed: ClosureResult, tmp_path: Path
) -> None:
    off_road = ClosedRoad(((77.20, 43.07), (77.21, 43.071)))  # in the mountains
    with pytest.raises(RoadsError, match="from the nearest road"):
        close_roads(almaty_roads.directory, [off_road], tmp_path / "x")
    with pytest.raises(RoadsError, match="already has closed roads"):
        close_roads(
            closed.info.directory,
            [closure_on_route(almaty_roads.directory, NORTH_EAST_1, NORTH_EAST_2)],
            tmp_path / "y",
        )
    with pytest.raises(ValueError, match="no closed roads"):
        close_roads(almaty_roads.directory, [], tmp_path / "z")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="at least two points"):
        ClosedRoad(((76.9, 43.2),))
    with pytest.raises(ValueError, match="lon, lat order"):
        ClosedRoad(((43.2, 76.9), (43.3, 95.0)))


def test_digest_names_a_set_of_closures() -> None:
    a = ClosedRoad(((76.90, 43.20), (76.91, 43.20)))
    b = ClosedRoad(((76.95, 43.25), (76.95, 43.26)), note="other words")
    assert closures_digest([a, b]) == closures_digest([b, a])
    assert closures_digest([a]) != closures_digest([a, b])
    assert len(closures_digest([a])) == 16
    assert np.array_equal(np.array(a.points), np.array([(76.90, 43.20), (76.91, 43.20)]))
