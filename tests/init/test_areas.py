"""Areas of responsibility: whole districts, each area in one piece, voters balanced."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from planner.init.areas import is_contiguous, partition, unit_links


def _grid(n: int) -> tuple[np.ndarray, set[tuple[int, int]]]:
    """n x n districts on a grid of 0.1° cells; neighbours share a side."""
    centres = np.array([[70 + 0.1 * (i % n), 45 + 0.1 * (i // n)] for i in range(n * n)])
    links = set()
    for i in range(n * n):
        if i % n < n - 1:
            links.add((i, i + 1))
        if i + n < n * n:
            links.add((i, i + n))
    return centres, links


@settings(max_examples=25, deadline=None)
# Layouts where single moves get stuck: an area cut in two by any district leaving it
# (4x4), and stripes where voters must pass through several areas (7x7, 8x8).
@example(side=4, per_area=5, seed=2563)
@example(side=7, per_area=8, seed=10)
@example(side=8, per_area=7, seed=59)
@given(
    side=st.integers(4, 9),
    per_area=st.integers(5, 12),
    seed=st.integers(0, 10_000),
)
def test_areas_are_contiguous_and_balanced(side: int, per_area: int, seed: int) -> None:
    k = max(2, side * side // per_area)
    centres, links = _grid(side)
    rng = np.random.default_rng(seed)
    weight = rng.integers(500, 1500, side * side).astype(float)

    labels, balance = partition(weight, centres, links, k)

    assert len(np.unique(labels)) == min(k, side * side)
    assert balance.contiguous and is_contiguous(labels, links)
    # Every area lies within one district's voters of the mean.
    loads = np.bincount(labels, weights=weight)
    assert loads.max() <= loads.mean() + weight.max()
    assert loads.min() >= loads.mean() - weight.max()
    assert abs(balance.max_over_mean - loads.max() / loads.mean()) < 1e-9


def test_a_district_larger_than_an_area_stays_whole_and_the_report_says_so() -> None:
    centres, links = _grid(5)
    weight = np.full(25, 100.0)
    weight[12] = 5_000.0  # the capital
    _, balance = partition(weight, centres, links, 4)
    assert balance.contiguous
    assert balance.max_over_mean >= weight[12] / (weight.sum() / 4) - 1e-9


def test_islands_are_bridged_to_their_nearest_district() -> None:
    centres, links = _grid(3)
    centres = np.vstack([centres, [[75.0, 45.0]]])  # an island, far east, no links
    weight = np.ones(10)
    _, balance = partition(weight, centres, links, 2)
    assert balance.bridged_links == 1
    assert balance.contiguous


def test_neighbours_come_from_the_districts_points() -> None:
    # Two districts side by side (west, east) and a third north of both.
    lon = np.array([70.0, 70.1, 70.5, 70.6, 70.3, 70.35])
    lat = np.array([45.0, 45.1, 45.0, 45.1, 46.0, 46.1])
    unit = np.array([0, 0, 1, 1, 2, 2])
    links = unit_links(unit, lon, lat, 3)
    assert links == {(0, 1), (0, 2), (1, 2)}


def test_same_input_same_areas() -> None:
    centres, links = _grid(7)
    weight = np.random.default_rng(1).integers(100, 900, 49).astype(float)
    first, _ = partition(weight, centres, links, 5)
    second, _ = partition(weight, centres, links, 5)
    assert np.array_equal(first, second)
