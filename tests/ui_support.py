"""The shipped small demo mission and one plan of it, made once per test session."""

from __future__ import annotations

from functools import cache

from planner.datasets import SMALL_MISSION, get_path
from planner.geodata import load_mission
from planner.model import Mission
from planner.plan import solve
from planner.schedule import Plan

SEED = 20221120


@cache
def small_mission() -> Mission:
    """Ulytau demo: 300 stations, 6 TECs, one AoR, three STO teams."""
    return load_mission(get_path(SMALL_MISSION))


@cache
def small_plan(seed: int = SEED) -> Plan:
    return solve(small_mission(), time_limit_s=3, seed=seed, workers=1)
