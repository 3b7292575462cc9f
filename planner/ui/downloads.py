"""The files a plan can be downloaded as. Add a format by adding a `Download` to
`DOWNLOADS`; the Export page shows every entry with its own button."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planner.model import Mission
from planner.outputs import coverage_csv, plan_json, routes_geojson, visits_csv
from planner.plan import Plan


@dataclass(frozen=True)
class Download:
    label: str
    file_name: str
    mime: str
    description: str
    build: Callable[[Plan, Mission], bytes]


def _text(func: Callable[..., str], *, mission: bool) -> Callable[[Plan, Mission], bytes]:
    if mission:
        return lambda plan, m: func(plan, m).encode("utf-8")
    return lambda plan, _m: func(plan).encode("utf-8")


DOWNLOADS: tuple[Download, ...] = (
    Download(
        "Visits (CSV)",
        "visits.csv",
        "text/csv",
        "One row per stop of every team: phase, site, arrival and departure (local time).",
        _text(visits_csv, mission=False),
    ),
    Download(
        "Coverage (CSV)",
        "coverage.csv",
        "text/csv",
        "Per region, per area and in total: stations, voters and visits by phase.",
        _text(coverage_csv, mission=True),
    ),
    Download(
        "Routes (GeoJSON)",
        "routes.geojson",
        "application/geo+json",
        "One line per team, base to base, for GIS tools.",
        _text(routes_geojson, mission=False),
    ),
    Download(
        "Plan summary (JSON)",
        "plan.json",
        "application/json",
        "Parameters, seed, targets, coverage achieved, shortfalls and solver statistics.",
        _text(plan_json, mission=True),
    ),
)
