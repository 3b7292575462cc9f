"""PyVRP's routes as a first solution of the election-day router: the relaxation, the
meal fitting, and the router's result with such a start."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from planner.check import check_plan
from planner.feasibility import replay_vehicle
from planner.outputs import visits_csv
from planner.plan import solve
from planner.pyvrp_router import supports
from planner.pyvrp_start import fit_meals, relaxation
from planner.routing import solve_routing
from planner.routing_data import DEFAULT_SEARCH, MealBreak
from tests.support.missions import LIGHT_SEARCH, multi_area_mission
from tests.support.routing import HOUR, assert_schedule_feasible, make_input

PYVRP_START = replace(DEFAULT_SEARCH, pyvrp_share=0.5)


def _day(meal: bool = True):  # type: ignore[no-untyped-def]
    """Two teams, each with an opening and a count of its own, 16 voting stations."""
    points = [(0, 0), (3000, 0), (200, 200), (2800, 200), (400, -300), (2600, -300)]
    points += [(300 * k, 900 * (k % 2) - 450) for k in range(1, 17)]
    n = len(points)
    windows = [(0, 14 * HOUR)] * 2
    windows += [(0, HOUR), (0, HOUR), (11 * HOUR, 11 * HOUR), (11 * HOUR, 11 * HOUR)]
    windows += [(HOUR, 11 * HOUR)] * (n - 6)
    service = [0, 0, HOUR // 2, HOUR // 2, 2 * HOUR, 2 * HOUR] + [HOUR // 2] * (n - 6)
    prize = [0] * 6 + [1 + k % 3 for k in range(n - 6)]
    required = [-1, -1, 0, 1, 0, 1] + [-1] * (n - 6)
    breaks = (MealBreak(4 * HOUR, 6 * HOUR, HOUR // 2),) * 2 if meal else ()
    return make_input(
        points,
        vehicles=2,
        windows=windows,
        service=service,
        prize=prize,
        required=required,
        return_latest=14 * HOUR,
        breaks=breaks,
        balance_coefficient=1,
    )


def test_the_relaxation_is_what_pyvrp_models() -> None:
    inp = _day()
    assert not supports(inp)
    relaxed = relaxation(inp)
    assert supports(relaxed)
    assert np.array_equal(relaxed.required_vehicle, inp.required_vehicle)


def test_fitting_a_meal_gives_up_the_cheapest_visits_and_keeps_mandatory_stops() -> None:
    inp = _day()
    # Team 0's day packed with voting visits, as many as fit without the meal.
    plain = relaxation(inp)
    route = [2, 4]
    for n in range(6, inp.num_nodes):
        if replay_vehicle(plain, 0, [*route[:-1], n, 4]).on_time:
            route = [*route[:-1], n, 4]
    assert not replay_vehicle(inp, 0, route).on_time
    fitted = fit_meals(inp, [route, [3, 5]])
    assert replay_vehicle(inp, 0, fitted[0]).on_time
    assert {2, 4} <= set(fitted[0]) and fitted[1] == [3, 5]
    dropped = set(route) - set(fitted[0])
    assert dropped and all(inp.required_vehicle[n] < 0 for n in dropped)
    kept = set(fitted[0]) - {2, 4}
    # Nothing dearer was given up than was kept, but for a visit that alone made room.
    assert min(inp.prize[list(dropped)]) <= min(inp.prize[list(kept)])


def test_a_pyvrp_start_gives_a_feasible_reproducible_plan() -> None:
    inp = _day()
    runs = [
        solve_routing(inp, time_limit_s=60, solution_limit=5, rounds=4, pyvrp_iterations=1500)
        for _ in range(2)
    ]
    for run in runs:
        assert_schedule_feasible(inp, run)
        assert {2, 4} <= set(run.routes[0]) and {3, 5} <= set(run.routes[1])
        assert not run.cut_by_time
    assert runs[0].routes == runs[1].routes
    plain = solve_routing(inp, time_limit_s=60, solution_limit=5, rounds=4)
    assert runs[0].prize_total >= plain.prize_total - 2


def test_the_share_of_a_time_limit_buys_the_start() -> None:
    inp = _day(meal=False)
    found = solve_routing(inp, time_limit_s=2, search=PYVRP_START)
    assert_schedule_feasible(inp, found)
    assert {2, 4} <= set(found.routes[0]) and {3, 5} <= set(found.routes[1])


def test_a_plan_with_pyvrp_starts_passes_the_check_and_repeats() -> None:
    """The whole pipeline with a PyVRP start in every area: meal breaks, the urban/rural
    band, the driving balance and time zones all hold, and the same seed repeats."""
    mission = multi_area_mission(stations=(50, 50), teams=4, districts=3, seed=1)
    options = replace(LIGHT_SEARCH, pyvrp_iterations=400)
    plans = [solve(mission, time_limit_s=120, seed=3, workers=1, options=options) for _ in "ab"]
    assert plans[0].stats["pyvrp_iterations"] == 400
    report = check_plan(plans[0], mission)
    assert report.ok, [str(v) for v in report.violations]
    assert visits_csv(plans[0]) == visits_csv(plans[1])
