"""The TOPTW benchmark's encodings: every solver sees the best-known scores' instance exactly."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from toptw_format import check_tours, read_instance  # noqa: E402
from toptw_solvers import routing_input, run_ours, run_pyvrp, travel_ticks  # noqa: E402

PR11 = BENCH / "data" / "toptw" / "pr11.txt"


@pytest.mark.parametrize("unit", [100, 600, 6000])
def test_route_mode_input_is_the_instance_in_ticks(unit: int) -> None:
    inst = read_instance(PR11)
    inp = routing_input(inst, 3, unit)
    ticks = unit // 100
    h = inst.hundredths()
    # teams 0-2 start and end at the depot; customer c is node 2 + c
    assert inp.starts == inp.ends == (0, 1, 2)
    assert (inp.travel[:3, :3] == 0).all()
    assert (inp.travel[0, 3:] == h[0, 1:] * ticks).all()
    assert (inp.travel[3:, 3:] == h[1:, 1:] * ticks).all()
    assert (inp.travel == inp.travel.T).all()
    assert list(inp.window_open[3:]) == [o * unit for o in inst.open[1:]]
    assert list(inp.window_close[3:]) == [c * unit for c in inst.close[1:]]
    assert list(inp.service[3:]) == [d * unit for d in inst.service[1:]]
    assert list(inp.prize[3:]) == [100 * s for s in inst.score[1:]]
    assert (inp.return_latest == 1000 * unit).all() and (inp.depart_earliest == 0).all()
    assert (inp.required_vehicle == -1).all() and inp.balance_coefficient == 0
    assert (travel_ticks(inst, unit) == h * ticks).all()


def test_our_tours_are_feasible_under_the_truncated_distances() -> None:
    """Fixed counts: the answer depends on the instance only, and the scorer accepts it."""
    inst = read_instance(PR11)
    runs = [run_ours(inst, 2, 600.0, unit=unit, solution_limit=20, rounds=4) for unit in (100, 100)]
    check = check_tours(inst, runs[0].tours, 2)
    assert check.feasible and check.score > 0
    assert runs[0].tours == runs[1].tours
    served = [c for t in runs[0].tours for c in t]
    assert len(served) == len(set(served)) and all(1 <= c <= 48 for c in served)


def test_pyvrp_tours_map_back_to_customers() -> None:
    inst = read_instance(PR11)
    run = run_pyvrp(inst, 1, 0.3, seed=0)
    check = check_tours(inst, run.tours, 1)
    assert check.feasible and check.score > 0
    assert np.isin([c for t in run.tours for c in t], np.arange(1, 49)).all()
