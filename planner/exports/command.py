"""`planner export`: write a plan's team packs and navigation files to a directory.

What each format writes into `--out` (created if missing):

| format  | without `--team`                                   | with `--team ID`   |
|---------|----------------------------------------------------|--------------------|
| pdf     | `mission-pack.pdf` (cover with coverage, then every team) | `ID.pdf`    |
| xlsx    | `master-plan.xlsx` (teams, visits, coverage, parameters)  | `ID.xlsx`   |
| gpx     | one `TEAM.gpx` per team                            | `ID.gpx`           |
| kml     | `plan.kml` (a folder per team)                     | `ID.kml`           |
| ics     | `plan.ics` (every stop of every team)              | `ID.ics`           |
| geojson | `plan.geojson` (stops and routes of every team)    | `ID.geojson`       |
| csv     | `visits-all.csv` (every team's stops)              | `ID.csv`           |
| zip     | `team-packs.zip` (per team: PDF, GPX, KML, ICS)    | `ID-pack.zip`      |

Existing files of the same name are replaced.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from planner.exports.view import PlanView

FORMATS = ("pdf", "xlsx", "gpx", "kml", "ics", "geojson", "csv", "zip")
# Formats written as one file per team when no team is chosen; the rest are mission-wide.
PER_TEAM = frozenset({"gpx"})
MISSION_FILE = {
    "pdf": "mission-pack.pdf",
    "xlsx": "master-plan.xlsx",
    "kml": "plan.kml",
    "ics": "plan.ics",
    "geojson": "plan.geojson",
    "csv": "visits-all.csv",
    "zip": "team-packs.zip",
}


def _exporter(fmt: str) -> Callable[[PlanView, str | None], bytes]:
    from planner.exports.geojson import plan_geojson
    from planner.exports.gpx import plan_gpx
    from planner.exports.ics import plan_ics
    from planner.exports.kml import plan_kml
    from planner.exports.pdf import mission_pack_pdf, team_pdf
    from planner.exports.rows import plan_csv
    from planner.exports.xlsx import master_xlsx

    def pdf(view: PlanView, team_id: str | None) -> bytes:
        return mission_pack_pdf(view) if team_id is None else team_pdf(view, team_id)

    def pack(view: PlanView, team_id: str | None) -> bytes:
        return team_pack_zip(view, None if team_id is None else [team_id])

    return {
        "pdf": pdf,
        "xlsx": master_xlsx,
        "gpx": plan_gpx,
        "kml": plan_kml,
        "ics": plan_ics,
        "geojson": plan_geojson,
        "csv": plan_csv,
        "zip": pack,
    }[fmt]


def check_format(fmt: str) -> str:
    name = fmt.strip().lower().lstrip(".")
    if name not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return name


def export_files(view: PlanView, fmt: str, team: str | None = None) -> dict[str, bytes]:
    """File name -> content for one format, as `planner export` writes them (see above)."""
    fmt = check_format(fmt)
    write = _exporter(fmt)
    if team is not None:
        view.team(team)  # unknown team: ValueError before any work
        name = f"{team}-pack.zip" if fmt == "zip" else f"{team}.{fmt}"
        return {name: write(view, team)}
    if fmt in PER_TEAM:
        return {f"{t}.{fmt}": write(view, t) for t in view.team_ids}
    return {MISSION_FILE[fmt]: write(view, None)}


def team_pack_zip(view: PlanView, team_ids: list[str] | None = None) -> bytes:
    """A zip with a folder per team holding its PDF schedule, GPX, KML and iCalendar files."""
    from planner.exports.gpx import plan_gpx
    from planner.exports.ics import plan_ics
    from planner.exports.kml import plan_kml
    from planner.exports.pdf import team_pdfs

    ids = list(view.team_ids if team_ids is None else team_ids)
    for t in ids:
        view.team(t)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "README.txt",
            f"{view.mission_name}: team packs, plan version {view.version}\n"
            f"Election day {view.election_date.isoformat()}; times are local to each stop.\n"
            "Per team: TEAM.pdf (printable schedule and map), TEAM.gpx (GPS waypoints and "
            "route), TEAM.kml (Google Earth / map apps), TEAM.ics (calendar).\n"
            "Confidential: not for distribution before election day.\n",
        )
        for team_id, pdf in team_pdfs(view, ids):
            zf.writestr(f"{team_id}/{team_id}.pdf", pdf)
            zf.writestr(f"{team_id}/{team_id}.gpx", plan_gpx(view, team_id))
            zf.writestr(f"{team_id}/{team_id}.kml", plan_kml(view, team_id))
            zf.writestr(f"{team_id}/{team_id}.ics", plan_ics(view, team_id))
    return out.getvalue()


def mission_path_for(plan_dir: Path, mission: Path | None) -> Path:
    """The mission to enrich the plan with: given, else plan.json's, else the default."""
    if mission is not None:
        return mission
    meta_file = Path(plan_dir) / "plan.json"
    meta = json.loads(meta_file.read_text("utf-8")) if meta_file.is_file() else {}
    if meta.get("mission_path"):
        return Path(meta["mission_path"])
    from planner.datasets import get_path

    return get_path()


def write_exports(view: PlanView, fmt: str, out: Path, team: str | None = None) -> list[Path]:
    """Write `export_files(...)` into `out` and return the paths written."""
    files = export_files(view, fmt, team)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written


def export(
    plan_dir: Annotated[Path, typer.Argument(help="Directory written by `planner plan`.")],
    format: Annotated[
        str,
        typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}."),
    ],
    out: Annotated[Path, typer.Option(help="Directory for the exported files.")],
    team: Annotated[
        str | None, typer.Option(help="Only this team (e.g. STO-001); default: all teams.")
    ] = None,
    mission: Annotated[
        Path | None,
        typer.Option(help="Mission package (default: the one plan.json names, else the default)."),
    ] = None,
) -> None:
    """Export team schedules and navigation files (PDF, XLSX, GPX, KML, iCal, GeoJSON, CSV).

    Without --team:
    pdf: mission-pack.pdf (cover with coverage, then every team);
    xlsx: master-plan.xlsx; gpx: one TEAM.gpx per team; kml: plan.kml;
    ics: plan.ics; geojson: plan.geojson; csv: visits-all.csv;
    zip: team-packs.zip (PDF, GPX, KML and ICS per team).

    With --team ID: ID.<format> (ID-pack.zip for zip).
    """
    from planner.exports.view import load_plan_dir
    from planner.geodata import load_mission

    fmt = check_format(format)
    plan_dir = Path(plan_dir)
    if not (plan_dir / "visits.csv").is_file():
        raise FileNotFoundError(f"{plan_dir}: no visits.csv (is this a plan directory?)")
    view = load_plan_dir(plan_dir, load_mission(mission_path_for(plan_dir, mission)))
    if team is not None:
        view.team(team)
    written = write_exports(view, fmt, out, team)
    for path in written[:10]:
        typer.echo(f"wrote {path}")
    if len(written) > 10:
        typer.echo(f"... and {len(written) - 10} more")
    typer.echo(f"{len(written)} file(s), plan version {view.version}")
