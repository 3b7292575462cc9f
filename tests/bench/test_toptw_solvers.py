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

from planner.pyvrp_router import solve_pyvrp  # noqa: E402
from planner.routing_data import Deadline  # noqa: E402

PR11 = BENCH / "data" / "toptw" / "pr11.txt"


@pytest.mark.parametrize("unit", [100, 600, 6000])
def test_route_mode_input_is_the_instance_in_ticks(unit: int) -> None:
    inst = read_instance(PR11)
    inp = routing_input(inst, 3, unit)
    ticks = unit // 100
    h = inst.hundredths()
    # the three teams start and end at the depot, node 0; customer c is node c
    assert inp.starts == inp.ends == (0, 0, 0)
    assert (inp.travel == h * ticks).all()
    assert (inp.travel == inp.travel.T).all()
    assert list(inp.window_open[1:]) == [o * unit for o in inst.open[1:]]
    assert list(inp.window_close[1:]) == [c * unit for c in inst.close[1:]]
    assert list(inp.service[1:]) == [d * unit for d in inst.service[1:]]
    assert list(inp.prize[1:]) == [100 * s for s in inst.score[1:]]
    assert inp.prize[0] == 0
    assert (inp.return_latest == 1000 * unit).all() and (inp.depart_earliest == 0).all()
    assert (inp.required_vehicle == -1).all() and inp.balance_coefficient == 0
    assert (travel_ticks(inst, unit) == h * ticks).all()


def test_our_tours_are_feasible_and_the_same_in_any_time_unit() -> None:
    """A count of iterations: the answer depends on the instance only, not on its time
    unit, and the scorer accepts it."""
    inst = read_instance(PR11)
    runs = [
        solve_pyvrp(routing_input(inst, 2, unit), iterations=1500, seed=1, deadline=Deadline(600))
        for unit in (100, 1000)
    ]
    assert not any(r.cut_by_time for r in runs)
    tours = [[list(t) for t in r.routes] for r in runs]
    assert tours[0] == tours[1]
    check = check_tours(inst, tours[0], 2)
    assert check.feasible and check.score > 0
    served = [c for t in tours[0] for c in t]
    assert len(served) == len(set(served)) and all(1 <= c <= 48 for c in served)


def test_route_mode_runner_maps_tours_back() -> None:
    inst = read_instance(PR11)
    run = run_ours(inst, 2, 0.5, seed=0)
    check = check_tours(inst, run.tours, 2)
    assert check.feasible and check.score > 0


def test_pyvrp_tours_map_back_to_customers() -> None:
    inst = read_instance(PR11)
    run = run_pyvrp(inst, 1, 0.3, seed=0)
    check = check_tours(inst, run.tours, 1)
    assert check.feasible and check.score > 0
    assert np.isin([c for t in run.tours for c in t], np.arange(1, 49)).all()
