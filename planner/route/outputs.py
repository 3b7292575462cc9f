"""A route plan on disk: visits.csv, unvisited.csv and summary.json.

Writers return text, so the command line and the tests share them; `write_route_plan`
puts them in a directory atomically. summary.json names the input files, which is what
lets `planner check` re-verify a route plan from its directory.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

from planner.fileio import write_directory
from planner.route.problem import MINUTE, RouteInputs
from planner.route.schedule import RoutePlan

VISIT_COLUMNS = (
    "team_id",
    "seq",
    "site_id",
    "name",
    "arrive",
    "start",
    "depart",
    "wait_min",
    "travel_min",
    "lat",
    "lon",
)
UNVISITED_COLUMNS = ("id", "weight")
SUMMARY = "summary.json"
# The counts of work a search reports (`RoutePlan.stats`), shown in summary.json.
WORK_STATS = ("iterations", "iterations_done", "pool_routes")


def _iso(dt: datetime, step: int = MINUTE) -> str:
    """A time to the minute on a whole-minute plan, to the second otherwise."""
    return dt.isoformat(timespec="minutes" if step == MINUTE else "seconds")


def _minutes(seconds: int) -> int | float:
    """Seconds as minutes: whole when they are, else to two decimals."""
    return seconds // MINUTE if seconds % MINUTE == 0 else round(seconds / MINUTE, 2)


def _coord(value: float | None) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.5f}"


def _weight(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 6)


def visits_csv(plan: RoutePlan) -> str:
    """One row per stop plus each team's departure (seq 0) and return (last seq)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(VISIT_COLUMNS)
    step = plan.problem.step
    for r in plan.visits:
        writer.writerow(
            [
                r.team_id, r.seq, r.site_id, r.name, _iso(r.arrive, step), _iso(r.start, step),
                _iso(r.depart, step), _minutes(r.wait_s), _minutes(r.travel_s),
                _coord(r.lat), _coord(r.lon),
            ]
        )  # fmt: skip
    return out.getvalue()


def unvisited_csv(plan: RoutePlan) -> str:
    """The stations no team visits, heaviest first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(UNVISITED_COLUMNS)
    stations = plan.problem.stations
    for i in sorted(plan.unvisited, key=lambda i: (-stations[i].weight, i)):
        writer.writerow([stations[i].place_key, _weight(stations[i].weight)])
    return out.getvalue()


def route_summary(plan: RoutePlan) -> dict[str, Any]:
    """Totals, one entry per team, and how the solver did."""
    problem = plan.problem
    teams = []
    step = problem.step
    for v, team in enumerate(problem.teams):
        rows = [r for r in plan.visits if r.team_id == team.id]
        route = plan.routes[v]
        teams.append(
            {
                "team_id": team.id,
                "visits": len(route),
                "weight": _weight(sum(problem.stations[i].weight for i in route)),
                "travel_min": _minutes(sum(r.travel_s for r in rows)),
                "wait_min": _minutes(sum(r.wait_s for r in rows)),
                "depart": _iso(rows[0].depart, step) if rows else None,
                "return": _iso(rows[-1].arrive, step) if rows else None,
            }
        )
    available = plan.weight_available
    return {
        "stations": len(plan.places),
        "stations_visited": len(plan.visited),
        "weight_visited": _weight(plan.weight_visited),
        "weight_available": _weight(available),
        "weight_share": round(plan.weight_visited / available, 4) if available else None,
        "travel_min": _minutes(plan.travel_s),
        "time_step_s": step,
        "teams": teams,
        "solver": {
            "status": plan.status,
            "seed": plan.seed,
            "time_limit_s": plan.time_limit_s,
            "cut_by_time": plan.cut_by_time,
            "reproducible": not plan.cut_by_time,
            "work": {k: int(v) for k, v in plan.stats.items() if k in WORK_STATS},
            "wall_s": round(plan.stats.get("wall_s", 0.0), 3),
        },
        "reference": _iso(problem.reference),
        "tz": str(problem.tz),
        "prize_per_weight": problem.prize_per_weight,
        "warnings": [str(w) for w in problem.warnings],
        "inputs": _inputs(problem.inputs),
    }


def _inputs(inputs: RouteInputs | None) -> dict[str, Any] | None:
    """The files the plan was made from, so that `planner check` can read them again."""
    if inputs is None:
        return None
    return {
        "stations": inputs.stations,
        "teams": inputs.teams,
        "matrix": inputs.matrix,
        "date": inputs.day.isoformat(),
        "tz": inputs.tz,
        "whole_minutes": inputs.step == MINUTE,
        "roads": inputs.roads,
    }


def write_route_plan(plan: RoutePlan, out_dir: Path, *, force: bool = False) -> Path:
    """Write visits.csv, unvisited.csv and summary.json into `out_dir`, leaving its other
    files (`write_directory`)."""
    summary = json.dumps(route_summary(plan), ensure_ascii=False, indent=2) + "\n"
    return write_directory(
        Path(out_dir),
        {
            "visits.csv": visits_csv(plan),
            "unvisited.csv": unvisited_csv(plan),
            SUMMARY: summary,
        },
        force=force,
    )
