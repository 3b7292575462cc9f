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

File and folder names made from team ids go through `planner.ids.safe_name`, so an id can
never make a path (`../x`, `/etc/x`) even when it was not checked at load. `--out` follows
the rules of `planner.fileio.write_directory`: a new or empty directory, or one the planner
wrote before (files of the same names are replaced, every other file stays); any other
non-empty directory needs `--force`, which still replaces only the files of this export.
"""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.fileio import check_output_dir, write_directory
from planner.ids import safe_name

if TYPE_CHECKING:
    from planner.exports.pdf import Progress
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
        name = f"{safe_name(team)}-pack.zip" if fmt == "zip" else f"{safe_name(team)}.{fmt}"
        return {name: write(view, team)}
    if fmt in PER_TEAM:
        names = team_file_names(view.team_ids)
        return {f"{names[t]}.{fmt}": write(view, t) for t in view.team_ids}
    return {MISSION_FILE[fmt]: write(view, None)}


def team_file_names(team_ids: Sequence[str]) -> dict[str, str]:
    """Team id -> its file name stem (`safe_name`); two teams whose names would be the same
    file on a case-insensitive disk (Windows, macOS) are an error, not an overwrite."""
    names = {t: safe_name(t) for t in team_ids}
    seen: dict[str, str] = {}
    for team_id, name in names.items():
        key = unicodedata.normalize("NFC", name).casefold()
        if key in seen:
            raise ValueError(
                f"teams {seen[key]!r} and {team_id!r} would be written to the same file "
                f"({name}); give them ids that differ by more than letter case"
            )
        seen[key] = team_id
    return names


def team_pack_zip(
    view: PlanView, team_ids: list[str] | None = None, progress: Progress | None = None
) -> bytes:
    """A zip with a folder per team holding its PDF schedule, GPX, KML and iCalendar files;
    `progress(done, total)` hears of each team."""
    from planner.exports.gpx import plan_gpx
    from planner.exports.ics import plan_ics
    from planner.exports.kml import plan_kml
    from planner.exports.pdf import team_pdfs

    ids = list(view.team_ids if team_ids is None else team_ids)
    for t in ids:
        view.team(t)
    names = team_file_names(ids)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "README.txt",
            f"{view.mission_name}: team packs, plan {view.version}\n"
            f"Election day {view.election_date.isoformat()}; times are local to each stop.\n"
            "Per team: TEAM.pdf (printable schedule and map), TEAM.gpx (GPS waypoints and "
            "route), TEAM.kml (Google Earth / map apps), TEAM.ics (calendar).\n"
            "Confidential: not for distribution before election day.\n",
        )
        for done, (team_id, pdf) in enumerate(team_pdfs(view, ids), start=1):
            name = names[team_id]
            zf.writestr(f"{name}/{name}.pdf", pdf)
            zf.writestr(f"{name}/{name}.gpx", plan_gpx(view, team_id))
            zf.writestr(f"{name}/{name}.kml", plan_kml(view, team_id))
            zf.writestr(f"{name}/{name}.ics", plan_ics(view, team_id))
            if progress is not None:
                progress(done, len(ids))
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


def write_exports(
    view: PlanView, fmt: str, out: Path, team: str | None = None, *, force: bool = False
) -> list[Path]:
    """Write `export_files(...)` into `out` (`write_directory`'s rules) and return the paths
    written."""
    files = export_files(view, fmt, team)
    out = write_directory(Path(out), files, force=force)
    return [out / name for name in files]


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
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty directory the planner did not write before: "
            "its own files are replaced, every other file stays.",
        ),
    ] = False,
) -> None:
    """Export team schedules and navigation files (PDF, XLSX, GPX, KML, iCal, GeoJSON, CSV).

    Without --team:
    pdf: mission-pack.pdf (cover with coverage, then every team);
    xlsx: master-plan.xlsx; gpx: one TEAM.gpx per team; kml: plan.kml;
    ics: plan.ics; geojson: plan.geojson; csv: visits-all.csv;
    zip: team-packs.zip (PDF, GPX, KML and ICS per team).

    With --team ID: ID.<format> (ID-pack.zip for zip).

    --out must be new, empty or earlier planner output; other files there are never touched.
    """
    from planner.exports.view import load_plan_dir
    from planner.geodata import load_mission

    fmt = check_format(format)
    check_output_dir(Path(out), force=force)
    plan_dir = Path(plan_dir)
    if not (plan_dir / "visits.csv").is_file():
        raise FileNotFoundError(f"{plan_dir}: no visits.csv (is this a plan directory?)")
    view = load_plan_dir(plan_dir, load_mission(mission_path_for(plan_dir, mission)))
    if team is not None:
        view.team(team)
    written = write_exports(view, fmt, out, team, force=force)
    for path in written[:10]:
        typer.echo(f"wrote {path}")
    if len(written) > 10:
        typer.echo(f"... and {len(written) - 10} more")
    typer.echo(f"{len(written)} file(s), plan {view.version}")
