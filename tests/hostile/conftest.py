"""The hostile mission as a package on disk, planned once per run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from hostile.payloads import hostile_mission
from planner.exports import PlanView, load_plan_dir
from planner.geodata import load_mission, write_mission
from planner.model import Mission
from planner.outputs import write_plan
from planner.plan import solve
from planner.schedule import Plan


@dataclass(frozen=True)
class Planned:
    package: Path
    mission: Mission
    plan: Plan
    plan_dir: Path
    view: PlanView


@pytest.fixture(scope="session")
def hostile_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile mission with safe ids, written as a package."""
    path = tmp_path_factory.mktemp("hostile") / "package"
    write_mission(hostile_mission(), path)
    return path


@pytest.fixture(scope="session")
def unsafe_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile mission with path-like ids in every layer, written as a package."""
    path = tmp_path_factory.mktemp("hostile") / "unsafe"
    write_mission(hostile_mission(unsafe_ids=True), path)
    return path


@pytest.fixture(scope="session")
def planned(hostile_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Planned:
    """The hostile package loaded, planned and written as `planner plan` would."""
    mission = load_mission(hostile_package)
    plan = solve(mission, time_limit_s=5, seed=1, workers=1)
    plan_dir = write_plan(
        plan, mission, tmp_path_factory.mktemp("hostile") / "plan", mission_path=hostile_package
    )
    return Planned(hostile_package, mission, plan, plan_dir, load_plan_dir(plan_dir, mission))
