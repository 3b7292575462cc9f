"""Visits as flat rows (CSV), shared by the CSV and spreadsheet exports.

In the CSV, text columns (ids, names, addresses, ...) go through `safe.inert`, so a name
such as `=HYPERLINK(...)` or `-2+3` is not a formula when the file is opened in a
spreadsheet; `NUMBER_COLUMNS` and the values the planner formats itself
(`FORMATTED_COLUMNS`: times and UTC offsets) are written as they are, so `-5` stays a number.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from planner.exports.safe import inert
from planner.exports.view import PlanView, StopView, TeamView
from planner.outputs import VISIT_COLUMNS

# visits.csv's columns first, unchanged, then what the mission adds to each stop.
EXTRA_COLUMNS = (
    "area_id",
    "station_number",
    "name",
    "address",
    "voters",
    "tec_id",
    "tec_name",
    "district",
    "setting",
    "kind",
    "tz",
    "utc_offset",
    "km",
    "note",
)
CSV_COLUMNS = (*VISIT_COLUMNS, *EXTRA_COLUMNS)
NUMBER_COLUMNS = frozenset({"seq", "travel_min", "lat", "lon", "voters", "km"})
FORMATTED_COLUMNS = frozenset({"arrive", "depart", "utc_offset"})
TEXT_COLUMNS = frozenset(CSV_COLUMNS) - NUMBER_COLUMNS - FORMATTED_COLUMNS


def teams_of(view: PlanView, team_id: str | None) -> tuple[TeamView, ...]:
    """One team (unknown id: ValueError) or all of them."""
    return view.teams if team_id is None else (view.team(team_id),)


def stop_row(team: TeamView, s: StopView) -> dict[str, Any]:
    """A stop as typed values: aware datetimes, ints and floats (None when not known)."""
    return {
        "team_id": s.team_id,
        "seq": s.seq,
        "phase": s.phase,
        "site_id": s.site_id,
        "site_type": s.site_type,
        "arrive": s.arrive,
        "depart": s.depart,
        "travel_min": s.travel_min,
        "lat": s.lat,
        "lon": s.lon,
        "area_id": team.area_id,
        "station_number": s.number,
        "name": s.name,
        "address": s.address,
        "voters": s.voters,
        "tec_id": s.tec_id,
        "tec_name": s.tec_name,
        "district": s.district,
        "setting": s.setting,
        "kind": s.kind,
        "tz": s.tz,
        "utc_offset": s.utc_offset,
        "km": s.km,
        "note": s.note,
    }


def plan_csv(view: PlanView, team_id: str | None = None) -> bytes:
    """UTF-8 CSV of the visits of one team or all: visits.csv's columns plus site details.

    Times are local ISO 8601 with the offset of the stop's zone, as in visits.csv.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for team in teams_of(view, team_id):
        for s in team.stops:
            row = stop_row(team, s)
            row["arrive"] = s.arrive.isoformat(timespec="minutes")
            row["depart"] = s.depart.isoformat(timespec="minutes")
            row["lat"], row["lon"] = f"{s.lat:.5f}", f"{s.lon:.5f}"
            row["voters"] = "" if s.voters is None else s.voters
            for column in TEXT_COLUMNS:
                row[column] = inert(str(row[column]))
            writer.writerow(row)
    return out.getvalue().encode("utf-8")
