"""The real pipeline on the Ulytau demo mission: solve, write, re-read, check."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.check import check_plan_dir
from planner.datasets import SMALL_MISSION, get_path
from planner.geodata import load_mission
from planner.model import Mission
from planner.outputs import visits_csv, write_plan
from planner.plan import solve
from planner.schedule import Plan
from tests.support.missions import LIGHT_SEARCH


@pytest.fixture(scope="module")
def demo() -> Mission:
    return load_mission(get_path(SMALL_MISSION))


@pytest.fixture(scope="module")
def demo_plan(demo: Mission) -> Plan:
    return solve(demo, time_limit_s=60, seed=7, workers=1, options=LIGHT_SEARCH)


def test_demo_plan_meets_targets_and_passes_check(
    demo: Mission, demo_plan: Plan, tmp_path: Path
) -> None:
    """Every team opens, votes, counts and tabulates; the written plan passes the checker."""
    achieved = demo_plan.achieved
    assert achieved["opening"] == len(demo.sto_teams)
    assert achieved["counting"] == len(demo.sto_teams)
    assert achieved["voting"] >= demo.targets.voting
    assert not demo_plan.shortfalls
    out = write_plan(demo_plan, demo, tmp_path / "plan")
    report = check_plan_dir(out, demo)
    assert report.ok, [str(v) for v in report.violations]
    assert {p.name for p in out.iterdir()} == {
        "visits.csv",
        "coverage.csv",
        "plan.json",
        "routes.geojson",
        ".planner-output.json",  # the manifest of the files the planner wrote
    }


def test_same_seed_gives_identical_visits(demo: Mission, demo_plan: Plan) -> None:
    """A plan is reproducible from its seed, byte for byte."""
    again = solve(demo, time_limit_s=60, seed=7, workers=1, options=LIGHT_SEARCH)
    assert visits_csv(again) == visits_csv(demo_plan)


def test_other_seed_changes_selection(demo: Mission, demo_plan: Plan) -> None:
    """Another seed picks other stations, so officials cannot predict visits."""
    other = solve(demo, time_limit_s=60, seed=8, workers=1, options=LIGHT_SEARCH)
    chosen = {s.site_id for s in demo_plan.stops if s.phase == "voting"}
    chosen_other = {s.site_id for s in other.stops if s.phase == "voting"}
    assert chosen != chosen_other
    assert other.achieved["voting"] >= demo.targets.voting
