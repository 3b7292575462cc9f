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
    "depart",
    "travel_min",
    "lat",
    "lon",
)
UNVISITED_COLUMNS = ("id", "weight")
SUMMARY = "summary.json"


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="minutes")


def _coord(value: float | None) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.5f}"


def _weight(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 6)


def visits_csv(plan: RoutePlan) -> str:
    """One row per stop plus each team's departure (seq 0) and return (last seq)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(VISIT_COLUMNS)
    for r in plan.visits:
        writer.writerow(
            [
                r.team_id, r.seq, r.site_id, r.name, _iso(r.arrive), _iso(r.depart),
                r.travel_min, _coord(r.lat), _coord(r.lon),
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
        writer.writerow([stations[i].id, _weight(stations[i].weight)])
    return out.getvalue()


def route_summary(plan: RoutePlan) -> dict[str, Any]:
    """Totals, one entry per team, and how the solver did."""
    problem = plan.problem
    teams = []
    for v, team in enumerate(problem.teams):
        rows = [r for r in plan.visits if r.team_id == team.id]
        route = plan.routes[v]
        teams.append(
            {
                "team_id": team.id,
                "visits": len(route),
                "weight": _weight(sum(problem.stations[i].weight for i in route)),
                "travel_min": sum(r.travel_min for r in rows),
                "depart": _iso(rows[0].depart) if rows else None,
                "return": _iso(rows[-1].arrive) if rows else None,
            }
        )
    available = plan.weight_available
    return {
        "stations": len(problem.stations),
        "stations_visited": len(plan.visited),
        "weight_visited": _weight(plan.weight_visited),
        "weight_available": _weight(available),
        "weight_share": round(plan.weight_visited / available, 4) if available else None,
        "travel_min": plan.travel_s // MINUTE,
        "teams": teams,
        "solver": {
            "status": plan.status,
            "time_limit_s": plan.time_limit_s,
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
