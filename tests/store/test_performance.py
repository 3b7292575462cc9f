"""The store on the full default mission: import into an empty store in at most 10 s,
read a stored plan of about 2,000 stops (the Map page's load) in at most 2 s."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from planner.datasets import get_path
from planner.geodata import load_mission as load_package
from planner.model import Mission
from planner.schedule import Plan, Stop
from planner.store import import_mission, load_mission, load_plan, save_plan

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def default_mission() -> Mission:
    return load_package(get_path())


def _plan_of(mission: Mission, stops_per_team: int = 13) -> Plan:
    """A plan-shaped schedule: every STO team visits stations of its own area (times are
    placeholders; only the size and shape matter here)."""
    area_of = mission.area_of_station
    by_area: dict[str | None, list] = {}
    for s in mission.stations:
        by_area.setdefault(area_of(s), []).append(s)
    stops = []
    start = datetime(2022, 11, 20, 6, 0, tzinfo=ZoneInfo("Asia/Almaty"))
    for k, team in enumerate(mission.sto_teams):
        pool = by_area.get(team.area_id) or []
        for seq in range(stops_per_team):
            s = pool[(k * stops_per_team + seq) % len(pool)]
            t = start + timedelta(minutes=45 * seq)
            stops.append(
                Stop(team.team_id, seq, "voting", s.station_id, "station", t,
                     t + timedelta(minutes=30), 15, s.lat, s.lon)
            )  # fmt: skip
    return Plan(mission.name, 1, 60, tuple(stops), (), mission.targets, {})


def test_default_mission_import_and_plan_load(store, admin, default_mission):
    started = time.perf_counter()
    mission_id = import_mission(store, default_mission, user=admin)
    import_s = time.perf_counter() - started

    started = time.perf_counter()
    back = load_mission(store, mission_id, user=admin)
    mission_s = time.perf_counter() - started
    assert len(back.stations) == 10_101 and back == default_mission

    plan = _plan_of(default_mission)
    assert 1_900 <= len(plan.stops) <= 2_100
    version = save_plan(store, mission_id, plan, user=admin)
    started = time.perf_counter()
    rows = load_plan(store, version, user=admin)
    plan_s = time.perf_counter() - started
    assert len(rows) == len(plan.stops)

    print(
        f"\n{store.dialect}: import {import_s:.2f} s, mission read {mission_s:.2f} s, "
        f"plan of {len(rows)} stops read {plan_s:.3f} s"
    )
    assert import_s <= 10
    assert plan_s <= 2
