"""A new mission from a country's own station list(s), uploaded in the app: what
`planner init` does on the command line, with the same options, previewed before it is
stored.

`preview_new_mission` stages the uploads in a private temporary folder (the checks and
limits of `planner.ui.uploads`), reads them, shows how their columns were understood
(even when the mission cannot be made, so a wrong mapping can be fixed), then makes the
mission with `planner.init.build`, writes the package as `planner init` would and loads
it back as any package is loaded. Nothing is stored here: the page stores the previewed
mission only when the coordinator says so.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from planner.errors import MissionDataError, Problem
from planner.geodata import load_mission
from planner.model import Mission
from planner.ui.uploads import Upload, rename_problems, stage_uploads

FORM = "form"
SAMPLE_ROWS = 5


@dataclass(frozen=True)
class NewMissionRequest:
    """What the coordinator asked for: `planner init`'s options, as typed in the form."""

    name: str
    election_date: date
    polls_open: time = time(7, 0)
    polls_close: time = time(20, 0)
    columns: str = ""
    teams: int | None = None
    areas: int | None = None
    voters_default: int | None = None
    voters_total: int | None = None
    seed: int = 0


@dataclass
class NewMissionPreview:
    """The mission made from the uploads (None if anything is wrong), how the columns were
    understood, a few rows as read, the report of everything inferred, and the problems."""

    mission: Mission | None
    problems: list[Problem] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    mapping: list[dict[str, str]] = field(default_factory=list)  # meaning, column, how
    ignored: list[str] = field(default_factory=list)
    sample: list[dict[str, str]] = field(default_factory=list)
    report: dict[str, Any] | None = None
    report_markdown: str = ""

    @property
    def ok(self) -> bool:
        return self.mission is not None and not self.problems


def request_problems(request: NewMissionRequest) -> list[Problem]:
    """The form's own mistakes, each naming its field (the command line's checks)."""
    problems = []

    def bad(fieldname: str, message: str) -> None:
        problems.append(Problem(FORM, None, fieldname, message))

    if not request.name.strip():
        bad("name", "give the mission a name")
    if request.polls_close <= request.polls_open:
        bad("polls", "polls must close after they open")
    if request.voters_default is not None and request.voters_total is not None:
        bad("voters", "give voters per station or total voters, not both")
    for label, value in (("teams", request.teams), ("areas", request.areas)):
        if value is not None and value < 1:
            bad(label, f"{label} must be at least 1")
    for label, value in (
        ("voters per station", request.voters_default),
        ("total voters", request.voters_total),
    ):
        if value is not None and value < 0:
            bad(label, f"{label} must not be negative")
    return problems


def _mapping_rows(mapping: Any) -> list[dict[str, str]]:
    how = mapping.how
    rows = [
        {"meaning": role, "column": column, "recognised by": how.get(column, "")}
        for role, column in mapping.roles.items()
    ]
    rows += [
        {"meaning": "hierarchy", "column": c, "recognised by": how.get(c, "")}
        for c in mapping.hierarchy
    ]
    rows += [
        {"meaning": f"name_{lang}", "column": c, "recognised by": how.get(c, "")}
        for lang, c in mapping.names.items()
    ]
    return rows


def _read_columns(preview: NewMissionPreview, paths: list[Path], columns: str) -> bool:
    """Fill in the columns, the sample rows and the mapping; False when the lists cannot
    be read or the mapping override is wrong (the problems say why)."""
    from planner.init.columns import ColumnError, parse_overrides, recognise
    from planner.init.sources import read_stations

    try:
        table = read_stations(paths)
    except MissionDataError as exc:
        preview.problems += exc.problems
        return False
    frame = table.frame
    preview.columns = [str(c) for c in frame.columns]
    preview.sample = [
        {str(k): str(v) for k, v in row.items()}
        for row in frame.head(SAMPLE_ROWS).to_dict(orient="records")
    ]
    try:
        mapping = recognise(frame, parse_overrides(columns), has_geometry=table.has_geometry)
    except ColumnError as exc:
        preview.problems.append(Problem(FORM, None, "column mapping", str(exc)))
        return False
    preview.mapping = _mapping_rows(mapping)
    preview.ignored = list(mapping.ignored)
    return True


def preview_new_mission(
    stations: Sequence[Upload],
    request: NewMissionRequest,
    *,
    commissions: Upload | None = None,
    boundaries: Upload | None = None,
) -> NewMissionPreview:
    """Make the mission from uploaded station lists (and commission positions, region or
    district boundaries), as `planner init` would, without storing anything."""
    from planner.init import InitOptions, build, write_package
    from planner.init.sources import SUPPORTED

    preview = NewMissionPreview(None, request_problems(request))
    if not stations:
        preview.problems.append(Problem("upload", None, None, "no station list was uploaded"))
    if preview.problems:
        return preview
    with tempfile.TemporaryDirectory(prefix="planner-upload-") as tmp:
        folder = Path(tmp)
        extra = {"commissions": commissions, "boundaries": boundaries}
        given = {k: u for k, u in extra.items() if u is not None}
        paths, problems = stage_uploads(
            folder / "in", [*stations, *given.values()], suffixes=SUPPORTED
        )
        if problems:
            preview.problems = problems
            return preview
        station_paths = paths[: len(stations)]
        staged = dict(zip(given, paths[len(stations) :], strict=True))
        if not _read_columns(preview, station_paths, request.columns):
            preview.problems = rename_problems(preview.problems, folder / "in")
            return preview
        options = InitOptions(
            stations=tuple(station_paths),
            name=request.name.strip(),
            election_date=request.election_date,
            polls_open=request.polls_open,
            polls_close=request.polls_close,
            columns=request.columns or None,
            commissions=staged.get("commissions"),
            boundaries=staged.get("boundaries"),
            teams=request.teams,
            areas=request.areas,
            voters_default=request.voters_default,
            voters_total=request.voters_total,
            seed=request.seed,
        )
        try:
            result = build(options)
            write_package(result, folder / "package")
            mission = load_mission(folder / "package")
        except MissionDataError as exc:
            preview.problems = rename_problems(exc.problems, folder / "in")
            return preview
        except ValueError as exc:  # a mapping that does not fit the list, and the like
            message = str(exc).replace(str(folder / "in") + "/", "")
            preview.problems.append(Problem(FORM, None, "column mapping", message))
            return preview
        except Exception as exc:  # unreadable input in a form no check anticipated
            names = ", ".join(u.name for u in stations)
            preview.problems.append(Problem(names, None, None, f"cannot read: {exc}"))
            return preview
        # Uploads named as uploaded, never by the temporary folder they were read from.
        staged_prefix = json.dumps(str(folder / "in") + "/")[1:-1]
        _set_report(preview, json.loads(json.dumps(result.report).replace(staged_prefix, "")))
        preview.mission = mission
    return preview


def _set_report(preview: NewMissionPreview, report: dict[str, Any]) -> None:
    from planner.init.report import render_markdown

    preview.report = report
    text = render_markdown(report)
    # Each line its own line on the page too (Markdown joins adjacent lines).
    text = text.replace("| --columns |", "| your mapping |")
    text = text.replace(
        "Edit `areas.csv` (district -> area) and run `planner init ... --areas-from "
        "areas.csv` to move districts between areas.",
        "Move districts between areas below the report.",
    )
    preview.report_markdown = text.replace("\n", "  \n")


def move_districts(
    preview: NewMissionPreview, assignment: Mapping[str, str | None]
) -> list[Problem]:
    """Put the previewed mission's districts in the areas `assignment` names (district id
    -> area id): areas, teams and report follow. Nothing changes when the edit leaves an
    area without districts, a district without an area, or names an area that does not
    exist: the problems say which."""
    from planner.init.regroup import edit_problems, regroup, regrouped_report

    mission = preview.mission
    if mission is None or preview.report is None:
        return [Problem(FORM, None, None, "preview a mission first")]
    problems = edit_problems(mission, assignment)
    if problems:
        return problems
    moved, balance = regroup(mission, {d: str(a) for d, a in assignment.items()})
    preview.mission = moved
    _set_report(preview, regrouped_report(preview.report, moved, balance))
    return []
