"""The TOPTW benchmark's reader, distance convention and scorer (bench/toptw_format.py)."""

from __future__ import annotations

import math
import sys
from decimal import Decimal, localcontext
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from toptw_format import (  # noqa: E402
    Instance,
    InstanceError,
    check_tours,
    read_best_known,
    read_instance,
    ticks_per_hundredth,
)

DATA = BENCH / "data" / "toptw"


def small(lines: list[str], tmp_path: Path, name: str = "tiny.txt") -> Path:
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="ascii")
    return path


# Depot at the origin, budget 100; customer 1 at (3, 4): 5 away, window [10, 20], stay 2;
# customer 2 at (3.001, 4.002): window [0, 100], stay 1, one leftover list of length 3.
TINY = [
    "6 1 2 4",
    "500 200",
    " 0 0.000 0.000 0 0 0 0 0 100",
    " 1 3.000 4.000 2 7 1 2 1 2 10 20",
    " 2 3.001 4.002 1 9 1 3 1 2 4 0 100",
]


def test_reads_the_published_files() -> None:
    for k in range(11, 21):
        inst = read_instance(DATA / f"pr{k}.txt")
        assert inst.budget == 1000
        assert inst.customers in (48, 72, 96, 144, 192, 216, 240, 288)
    pr11 = read_instance(DATA / "pr11.txt")
    assert (pr11.x[1], pr11.y[1], pr11.service[1], pr11.score[1]) == (
        Decimal("-29.730"),
        Decimal("64.136"),
        2,
        12,
    )
    assert (pr11.open[48], pr11.close[48]) == (262, 521)
    bks = read_best_known(DATA / "bks.csv")
    assert len(bks) == 40
    assert bks[("pr11", 1)] == 353
    assert bks[("pr20", 4)] == 2115


def test_windows_are_the_last_two_tokens_whatever_the_leftovers(tmp_path: Path) -> None:
    inst = read_instance(small(TINY, tmp_path))
    assert inst.open == (0, 10, 0) and inst.close == (100, 20, 100)
    assert inst.score == (0, 7, 9) and inst.service == (0, 2, 1)


def test_distances_are_truncated_to_hundredths_exactly(tmp_path: Path) -> None:
    h = read_instance(small(TINY, tmp_path)).hundredths()
    assert h[0, 1] == 500  # exactly 5
    # sqrt(0.001^2 + 0.002^2) = 0.002236...: 0.00 after truncation
    assert h[1, 2] == 0
    # sqrt(3.001^2 + 4.002^2) = 5.00220...: 5.00
    assert h[0, 2] == 500
    assert (h == h.T).all() and (np.diag(h) == 0).all()


@given(
    st.integers(-200_000, 200_000),
    st.integers(-200_000, 200_000),
    st.integers(-200_000, 200_000),
    st.integers(-200_000, 200_000),
)
def test_truncation_matches_high_precision_arithmetic(a: int, b: int, c: int, d: int) -> None:
    """Coordinates in thousandths; floor(100 d) computed with 60 significant digits."""
    inst = Instance(
        "h",
        (Decimal(a) / 1000, Decimal(c) / 1000),
        (Decimal(b) / 1000, Decimal(d) / 1000),
        (0, 0),
        (0, 0),
        (0, 0),
        (1, 1),
    )
    with localcontext() as ctx:
        ctx.prec = 60
        dx, dy = Decimal(a - c) / 1000, Decimal(b - d) / 1000
        exact = math.floor((dx * dx + dy * dy).sqrt() * 100)
    assert inst.hundredths()[0, 1] == exact


def test_published_distances_agree_with_floats_except_on_exact_boundaries() -> None:
    """Floats give floor(100 d) one hundredth low where 100 d is a whole number; exact
    arithmetic does not (pr13 and pr15 have such pairs)."""
    for name in ("pr13", "pr15"):
        inst = read_instance(DATA / f"{name}.txt")
        h = inst.hundredths()
        xs = np.array([float(v) for v in inst.x])
        ys = np.array([float(v) for v in inst.y])
        d = np.hypot(xs[:, None] - xs[None], ys[:, None] - ys[None])
        differ = np.floor(100 * d).astype(np.int64) != h
        assert differ.any()
        for i, j in zip(*np.nonzero(differ), strict=True):
            dx, dy = inst.x[i] - inst.x[j], inst.y[i] - inst.y[j]
            squared = int((dx * dx + dy * dy) * 10**6)
            root = math.isqrt(squared)
            assert root * root == squared and root % 10 == 0  # 100 d is whole
            assert h[i, j] == root // 10


def test_ticks_must_keep_two_decimals() -> None:
    assert ticks_per_hundredth(100) == 1 and ticks_per_hundredth(6000) == 60
    for bad in (0, 50, 150, -100):
        with pytest.raises(ValueError):
            ticks_per_hundredth(bad)


def test_scores_a_feasible_solution(tmp_path: Path) -> None:
    inst = read_instance(small(TINY, tmp_path))
    # leave at 0, arrive at 1 at 5, wait to 10, leave 12, arrive at 2 at 12, leave 13,
    # back at 18.00 (5.00 truncated)
    check = check_tours(inst, [[1, 2]], 1)
    assert check.feasible and check.score == 16 and check.visits == 2
    assert check.travel == 1000
    assert check_tours(inst, [[1], [2]], 2).score == 16
    assert check_tours(inst, [[], [2]], 1).score == 9  # an empty tour is no tour


@pytest.mark.parametrize(
    ("tours", "m", "problem"),
    [
        ([[2, 1]], 1, "customer 1 starts 6.00 > 5"),  # after 2's stay, 1's window is shut
        ([[1], [1]], 2, "served twice"),
        ([[1], [2]], 1, "2 tours > 1"),
        ([[3]], 1, "no customer 3"),
        ([[0]], 1, "no customer 0"),
    ],
)
def test_infeasible_solutions_score_zero(
    tmp_path: Path, tours: list[list[int]], m: int, problem: str
) -> None:
    lines = list(TINY)
    lines[3] = " 1 3.000 4.000 2 7 1 2 1 2 0 5"  # customer 1 must start by 5
    inst = read_instance(small(lines, tmp_path))
    assert check_tours(inst, [[1, 2]], 1).feasible  # reached at exactly 5.00
    check = check_tours(inst, tours, m)
    assert not check.feasible and check.score == 0
    assert any(problem in p for p in check.problems)


def test_late_return_is_infeasible(tmp_path: Path) -> None:
    lines = list(TINY)
    lines[2] = " 0 0.000 0.000 0 0 0 0 0 17"  # budget 17: back at 18.00 is too late
    lines[3] = " 1 3.000 4.000 2 7 1 2 1 2 0 20"
    lines[4] = " 2 3.001 4.002 1 9 1 3 1 2 4 0 17"
    inst = read_instance(small(lines, tmp_path))
    check = check_tours(inst, [[1, 2]], 1)  # 0 -> 5, stay 2 -> 7, stay 1 -> 8, back 13
    assert check.feasible
    lines[3] = " 1 3.000 4.000 2 7 1 2 1 2 10 20"  # wait to 10: back at 18.00
    check = check_tours(read_instance(small(lines, tmp_path)), [[1, 2]], 1)
    assert not check.feasible and "back at 18.00 > 17" in check.problems[0]


@pytest.mark.parametrize(
    ("line", "row", "message"),
    [
        (2, " 0 0.000 0.000 0 0 0 0 0 x", "latest start C 'x' is not a number"),
        (3, " 1 3.000 4.000 2 7 1 2 1 2 30 20", "window opens at 30 after 20"),
        (3, " 1 3.0001 4.000 2 7 1 2 1 2 10 20", "more than 3 decimals"),
        (3, " 1 3.000 4.000 2.5 7 1 2 1 2 10 20", "service time d '2.5' must be a whole"),
        (3, " 1 3.000 4.000 2", "a vertex line needs"),
        (4, " 3 3.001 4.002 1 9 1 3 1 2 4 0 100", "vertex 3 out of order, 2 due"),
        (2, " 0 0.000 0.000 0 0 0 0 5 100", "the depot must open at 0"),
    ],
)
def test_bad_files_name_file_and_line(tmp_path: Path, line: int, row: str, message: str) -> None:
    lines = list(TINY)
    lines[line] = row
    path = small(lines, tmp_path)
    with pytest.raises(InstanceError, match=message) as err:
        read_instance(path)
    assert f"{path}:{line + 1}:" in str(err.value)


def test_bad_counts_and_headers(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match="header says 3 customers, found 2"):
        read_instance(small(["6 1 3 4", *TINY[1:]], tmp_path))
    with pytest.raises(InstanceError, match="too short"):
        read_instance(small(TINY[:2], tmp_path))
    bks = tmp_path / "bks.csv"
    bks.write_text("instance,vehicles,bks\npr11,one,353\n", encoding="utf-8")
    with pytest.raises(InstanceError, match=r"bks.csv:2: need instance,vehicles,bks"):
        read_best_known(bks)
