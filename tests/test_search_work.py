"""The search work a time limit stands for: a count from the limit and the teams alone."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from planner.plan import solve
from planner.problem import PlanOptions, area_problems, with_search_work
from planner.search_work import CORE_SECONDS_PER_SECOND, LEVELS, level_for
from tests.support.missions import random_mission

DEFAULT_TEAMS = 150  # the shipped default mission's STO teams


def test_levels_go_from_the_deepest_to_the_lightest() -> None:
    assert [lv.cpu_s_per_team for lv in LEVELS] == sorted(
        (lv.cpu_s_per_team for lv in LEVELS), reverse=True
    )
    assert [lv.solution_limit for lv in LEVELS] == sorted(
        (lv.solution_limit for lv in LEVELS), reverse=True
    )


def test_the_default_mission_gets_the_work_its_limit_pays_for() -> None:
    """`planner plan`'s default minute asks for the lightest search; a quarter of an hour
    for the deepest, whose work a quiet machine does in about a minute."""
    assert level_for(60, DEFAULT_TEAMS) == LEVELS[-1]
    assert level_for(900, DEFAULT_TEAMS) == LEVELS[0]
    light = LEVELS[-1].cpu_s_per_team * DEFAULT_TEAMS
    assert light <= 60  # one busy core's minute does the lightest search


@given(
    limit=st.floats(0.1, 10_000, allow_nan=False),
    more=st.floats(0, 10_000, allow_nan=False),
    teams=st.integers(1, 3_000),
)
def test_more_time_never_buys_less_work_nor_more_teams_more(
    limit: float, more: float, teams: int
) -> None:
    order = list(LEVELS)
    assert order.index(level_for(limit + more, teams)) <= order.index(level_for(limit, teams))
    assert order.index(level_for(limit, teams + 1)) >= order.index(level_for(limit, teams))
    chosen = level_for(limit, teams)
    fits = chosen.cpu_s_per_team * teams <= CORE_SECONDS_PER_SECOND * limit
    assert fits or chosen == LEVELS[-1]


def test_counts_given_are_kept() -> None:
    given_counts = PlanOptions(
        time_limit_s=1, solution_limit=33, max_rounds=3, first_solutions=4, pyvrp_iterations=7
    )
    assert with_search_work(given_counts, 10_000) == given_counts
    half = with_search_work(PlanOptions(time_limit_s=10_000, max_rounds=1), 1)
    assert (half.solution_limit, half.max_rounds) == (LEVELS[0].solution_limit, 1)


def test_every_area_gets_the_counts_and_the_plan_records_them() -> None:
    mission = random_mission(stations=60, teams=2, districts=2, seed=3)
    problems = area_problems(mission, PlanOptions(time_limit_s=0.1))
    light = LEVELS[-1]
    assert {
        (p.options.first_solutions, p.options.solution_limit, p.options.max_rounds)
        for p in problems
    } == {(light.first_solutions, light.solution_limit, light.max_rounds)}
    assert level_for(60, 2) == LEVELS[0]  # a small mission's minute: the deepest search
    plan = solve(mission, time_limit_s=60, seed=1, workers=1, options=PlanOptions(max_rounds=0))
    assert (
        plan.stats["first_solutions"],
        plan.stats["solution_limit"],
        plan.stats["max_rounds"],
        plan.stats["pyvrp_iterations"],
    ) == (LEVELS[0].first_solutions, LEVELS[0].solution_limit, 0, LEVELS[0].pyvrp_iterations)
