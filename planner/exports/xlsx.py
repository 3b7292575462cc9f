"""The master plan as a spreadsheet: teams, visits, coverage and parameters sheets.

Cells are typed: times are real date-time cells (local wall-clock time, since Excel has no
time zones, with the zone and UTC offset in their own columns), numbers are numbers, and
text is a text cell, never a formula: openpyxl turns any string starting with `=` into a
formula (and `#N/A` and the like into error values), so every text cell is set back to
the string type, and one a spreadsheet would read as a formula if retyped (`=`, `+`, `-`,
`@` ...) also gets Excel's quote prefix, which keeps it text when someone edits it. Every
sheet has a frozen header row, an autofilter and column widths that fit the content.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.exports.rows import CSV_COLUMNS, stop_row, teams_of
from planner.exports.safe import needs_quote, plain_text
from planner.exports.view import PHASES, PlanView, TeamView, utc_offset

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE3EC")
MAX_WIDTH = 60

TEAM_COLUMNS = (
    "team_id",
    "area_id",
    "area_name",
    "base_name",
    "base_lat",
    "base_lon",
    "tz",
    "utc_offset",
    "leave_base",
    "back_at_base",
    "opening_station",
    "voting_visits",
    "count_station",
    "tabulation_tec",
    "travel_min",
    "km",
)
VISIT_XLSX_COLUMNS = CSV_COLUMNS
COVERAGE_COLUMNS = ("scope", "name", "phase", "target", "planned", "share_of_target", "status",
                    "reason")  # fmt: skip
FORMATS = {
    "arrive": DATETIME_FORMAT,
    "depart": DATETIME_FORMAT,
    "leave_base": DATETIME_FORMAT,
    "back_at_base": DATETIME_FORMAT,
    "lat": "0.00000",
    "lon": "0.00000",
    "base_lat": "0.00000",
    "base_lon": "0.00000",
    "km": "0.0",
    "voters": "#,##0",
    "share_of_target": "0%",
}


def _local(dt: datetime) -> datetime:
    """Excel cannot store an offset: the local wall-clock time, naive."""
    return dt.replace(tzinfo=None)


def _sheet(
    wb: Workbook, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append(list(columns))
    widths = [len(c) for c in columns]
    count = 0
    for values in rows:
        values = [(plain_text(v) or None) if isinstance(v, str) else v for v in values]
        ws.append(values)
        count += 1
        for i, v in enumerate(values):
            text = v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else str(v or "")
            widths[i] = max(widths[i], len(text))
        for cell in ws[ws.max_row]:
            _as_text(cell)
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = min(MAX_WIDTH, widths[i - 1] + 2)
        header = ws.cell(row=1, column=i)
        header.font, header.fill = HEADER_FONT, HEADER_FILL
        header.alignment = Alignment(vertical="center")
        fmt = FORMATS.get(column)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return ws


def _as_text(cell: Cell) -> None:
    """A string cell stays a string: never a formula or an error value (see above)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if needs_quote(cell.value):
            cell.quotePrefix = True


_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", re.ASCII)


def _number(text: Any) -> Any:
    """Parameters from plan.json arrive as text: give numbers back their type."""
    if not isinstance(text, str):
        return text
    if _NUMBER.fullmatch(text):
        return int(text) if text.lstrip("-").isdigit() else float(text)
    return {"True": True, "False": False}.get(text, text)


def master_xlsx(view: PlanView, team_id: str | None = None) -> bytes:
    """The master plan workbook (all teams, or one team's rows)."""
    teams = teams_of(view, team_id)
    wb = Workbook()
    wb.remove(wb.active)

    team_rows = []
    for t in teams:
        leave, back = t.stops[0].depart, t.stops[-1].arrive
        team_rows.append(
            [
                t.team_id,
                t.area_id,
                t.area_name,
                t.base_name,
                t.base_lat,
                t.base_lon,
                t.tz,
                utc_offset(leave),
                _local(leave),
                _local(back),
                _first(t, "opening"),
                t.count("voting"),
                _first(t, "counting"),
                _first(t, "tabulation"),
                t.travel_min,
                t.km,
            ]
        )
    _sheet(wb, "teams", TEAM_COLUMNS, team_rows)

    visit_rows = []
    for t in teams:
        for s in t.stops:
            row = stop_row(t, s)
            row["arrive"], row["depart"] = _local(s.arrive), _local(s.depart)
            visit_rows.append([row[c] for c in VISIT_XLSX_COLUMNS])
    _sheet(wb, "visits", VISIT_XLSX_COLUMNS, visit_rows)

    _sheet(wb, "coverage", COVERAGE_COLUMNS, _coverage_rows(view, teams))

    params = dict(view.parameters)
    if team_id is not None:
        params["team_filter"] = team_id
    _sheet(wb, "parameters", ("parameter", "value"), [[k, _number(v)] for k, v in params.items()])

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _first(team: TeamView, phase: str) -> str:
    return next((s.site_id for s in team.stops if s.phase == phase), "")


def _coverage_rows(view: PlanView, teams: Sequence[TeamView]) -> list[list[Any]]:
    """The plan's totals against its targets (the mission's, or for a plan of some areas
    their share, said in the name), then each area's planned visits by phase."""
    reasons = {s.get("phase"): s.get("reason", "") for s in view.shortfalls}
    whole = view.targets_scope == "the whole mission"
    rows: list[list[Any]] = []
    for phase in PHASES:
        target, planned = view.targets.get(phase, 0), view.achieved.get(phase, 0)
        rows.append(
            [
                "mission" if whole else "areas",
                view.mission_name if whole else view.targets_scope,
                phase,
                target,
                planned,
                round(planned / target, 4) if target else None,
                "short" if phase in reasons else "met",
                reasons.get(phase, ""),
            ]
        )
    areas: dict[str, list[TeamView]] = {}
    for t in teams:
        areas.setdefault(t.area_id, []).append(t)
    for area_id, members in areas.items():
        for phase in PHASES:
            if phase == "tabulation":
                planned = len({s.site_id for t in members for s in t.stops if s.phase == phase})
            else:
                planned = sum(t.count(phase) for t in members)
            rows.append([area_id, members[0].area_name, phase, None, planned, None, "", ""])
    return rows
