"""The duty day: from leaving the base to being back, at most `max_duty_hours`; the
router plans within it and the checker refuses a plan that is not."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from planner.check import check_visits
from planner.model import Mission, Phases, Rules
from planner.plan import solve
from planner.routing import solve_routing
from planner.routing_data import RoutingInput
from tests.support.missions import LIGHT_SEARCH, multi_area_mission, visit_rows

Rows = list[dict[str, str]]


def _duties(rows: Rows) -> dict[str, float]:
    """Hours from each team's departure to its return, as visits.csv gives them."""
    by_team: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_team.setdefault(r["team_id"], []).append(r)
    out = {}
    for team, stops in by_team.items():
        stops.sort(key=lambda r: int(r["seq"]))
        left = datetime.fromisoformat(stops[0]["depart"])
        back = datetime.fromisoformat(stops[-1]["arrive"])
        out[team] = (back - left).total_seconds() / 3600
    return out


@pytest.fixture(scope="module")
def mission() -> Mission:
    """Two areas of 50 stations, two teams in each, towns spread 60 km."""
    return multi_area_mission(stations=(50, 50), teams=4, districts=3, seed=2, spread_km=60)


@pytest.fixture(scope="module")
def rows(mission: Mission) -> Rows:
    return visit_rows(solve(mission, time_limit_s=20, seed=3, workers=1, options=LIGHT_SEARCH))


def test_the_default_duty_day_holds_and_the_checker_refuses_a_longer_one(
    mission: Mission, rows: Rows
) -> None:
    duties = _duties(rows)
    assert max(duties.values()) <= Rules().max_duty_hours
    assert check_visits(rows, mission).ok
    longest_team = max(duties, key=lambda t: duties[t])
    shorter = duties[longest_team] - 0.5
    strict = replace(mission, rules=replace(mission.rules, max_duty_hours=shorter))
    refused = [v for v in check_visits(rows, strict).violations if v.rule == "duty"]
    assert [v.team_id for v in refused if v.team_id == longest_team] == [longest_team]
    assert all(duties[v.team_id] > shorter for v in refused)
    assert "more than" in str(refused[0])


def test_the_plan_keeps_a_shorter_duty_day(mission: Mission, rows: Rows) -> None:
    """A limit below today's longest day: every team's day fits it, the plan passes the
    check, and teams that had to give up the tabulation for it say so."""
    duties = _duties(rows)
    limit = round(float(np.median(list(duties.values()))) - 0.25, 2)
    assert limit < max(duties.values())
    strict = replace(mission, rules=replace(mission.rules, max_duty_hours=limit))
    plan = solve(strict, time_limit_s=20, seed=3, workers=1, options=LIGHT_SEARCH)
    shorter = visit_rows(plan)
    assert max(_duties(shorter).values()) <= limit + 1 / 60
    report = check_visits(shorter, strict)
    assert report.ok, [str(v) for v in report.violations][:5]
    if plan.achieved["tabulation"] < len({r["team_id"] for r in shorter}):
        assert any("duty day" in note for note in plan.notes)


def test_without_the_opening_the_router_bounds_the_day(mission: Mission) -> None:
    """With no opening the day starts at the first voting visit: the router's span bound
    keeps it within the limit."""
    phases = Phases(opening=False, counting=Phases().counting, tabulation=False)
    rules = replace(mission.rules, phases=phases, max_duty_hours=12.0)
    plan = solve(
        replace(mission, rules=rules), time_limit_s=20, seed=1, workers=1, options=LIGHT_SEARCH
    )
    rows = visit_rows(plan)
    free = visit_rows(
        solve(
            replace(mission, rules=replace(rules, max_duty_hours=24.0)),
            time_limit_s=20,
            seed=1,
            workers=1,
            options=LIGHT_SEARCH,
        )
    )
    assert max(_duties(free).values()) > 12.0
    assert max(_duties(rows).values()) <= 12.0 + 1 / 60
    assert check_visits(rows, replace(mission, rules=rules)).ok


def _line(n: int, span: int | None) -> RoutingInput:
    """One vehicle, n optional stops a minute apart, each worth visiting, wide windows."""
    size = n + 1
    travel = np.array([[60 * abs(i - j) for j in range(size)] for i in range(size)])
    kwargs = {} if span is None else {"max_duty": span}
    return RoutingInput(
        travel=travel,
        service=np.array([0] + [600] * n),
        window_open=np.zeros(size, dtype=np.int64),
        window_close=np.full(size, 86_400, dtype=np.int64),
        prize=np.array([0] + [100] * n),
        required_vehicle=np.full(size, -1, dtype=np.int64),
        starts=(0,),
        ends=(0,),
        depart_earliest=np.array([0]),
        depart_latest=np.array([86_400]),
        return_latest=np.array([86_400]),
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_router_span_bound() -> None:
    """Ten stays of 10 minutes: all fit an open day, four fit a duty of 50 minutes."""
    free = solve_routing(_line(10, None), time_limit_s=10, solution_limit=50)
    bound = solve_routing(_line(10, 50 * 60), time_limit_s=10, solution_limit=50)
    assert len(free.routes[0]) == 10
    assert 1 <= len(bound.routes[0]) <= 4
