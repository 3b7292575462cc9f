"""Team packs: printable schedules and navigation files for every team.

Build a `PlanView` once (`load_plan_dir(plan_dir, mission)` or `view_from_plan(plan,
mission)`), then call any exporter; each returns bytes:

- `team_pdf(view, team_id)`, `mission_pack_pdf(view)`: A4 schedules with a route map
- `master_xlsx(view, team_id=None)`: teams, visits, coverage and parameters sheets
- `plan_gpx`, `plan_kml`, `plan_ics`, `plan_geojson`, `plan_csv` `(view, team_id=None)`
- `team_pack_zip(view)`: per team its PDF, GPX, KML and iCalendar files
- `export_files(view, format, team=None)`: file name -> bytes, as `planner export` writes

Heavy libraries (matplotlib, fpdf2, openpyxl ...) load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "PlanView": "view",
    "TeamView": "view",
    "StopView": "view",
    "load_plan_dir": "view",
    "view_from_plan": "view",
    "build_view": "view",
    "team_pdf": "pdf",
    "team_pdfs": "pdf",
    "mission_pack_pdf": "pdf",
    "master_xlsx": "xlsx",
    "plan_gpx": "gpx",
    "plan_kml": "kml",
    "plan_ics": "ics",
    "plan_geojson": "geojson",
    "plan_csv": "rows",
    "route_map_png": "route_map",
    "team_pack_zip": "command",
    "export_files": "command",
    "write_exports": "command",
    "FORMATS": "command",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'planner.exports' has no attribute {name!r}")
    return getattr(import_module(f"planner.exports.{_WHERE[name]}"), name)
