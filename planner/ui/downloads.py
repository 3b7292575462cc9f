"""The files a plan can be downloaded as. Add a format by adding a `Download` to
`DOWNLOADS`; the Export page (and a team's My schedule page) shows every entry the
signed-in role may have, with its own button.

Files are built from what the signed-in user may see (the plan and mission the store
gave them) and only when the button is clicked (the slow ones are kept for the next click,
`planner.ui.built_files`); each download is written to the audit
log (`Action.EXPORT_DOWNLOADED`) before its bytes are handed over.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from planner.ids import safe_name
from planner.model import Mission
from planner.outputs import coverage_csv, plan_json, routes_geojson, version_name, visits_csv
from planner.route_lines import TeamLine
from planner.schedule import Plan
from planner.ui.built_files import BuildStatus, Progress, file_key, shared

if TYPE_CHECKING:
    from planner.exports.view import PlanView

COORDINATOR, LTO, TEAM = "coordinator", "lto", "team"
PLANNERS = frozenset({COORDINATOR, LTO})
EVERYONE = frozenset({COORDINATOR, LTO, TEAM})


@dataclass
class ExportSource:
    """What a download is built from: the plan and mission as the user may see them, and
    for a team account its team (its own files only)."""

    plan: Plan
    mission: Mission
    team_id: str | None = None
    version_id: int | None = None
    # The stored version's fingerprint: files of any part of it carry the same name.
    digest: str | None = None

    @property
    def version_name(self) -> str | None:
        return version_name(self.version_id, self.digest) if self.digest else None

    # The version's route lines (along the roads or straight), as stored with it.
    lines: Mapping[str, TeamLine] | None = None

    @cached_property
    def view(self) -> PlanView:
        from planner.exports import view_from_plan

        return view_from_plan(
            self.plan, self.mission, version=self.version_name, digest=self.digest, lines=self.lines
        )


@dataclass(frozen=True)
class Download:
    key: str  # the format, as written to the audit log
    label: str
    file_name: str  # `{team}` is replaced by the team id for a team's own file
    mime: str
    description: str
    build: Callable[[ExportSource], bytes]
    roles: frozenset[str] = field(default=PLANNERS)
    # Slow to build: made in the background when offered and kept in the server once
    # built (`planner.ui.built_files`); `steps` builds it telling of each team done.
    keep: bool = False
    steps: Callable[[ExportSource, Progress], bytes] | None = None

    def build_in_steps(self, source: ExportSource, progress: Progress) -> bytes:
        if self.steps is None:
            return self.build(source)
        return self.steps(source, progress)

    def name_for(self, source: ExportSource) -> str:
        if source.team_id is not None and "{team}" in self.team_file_name:
            return self.team_file_name.format(team=safe_name(source.team_id))
        return self.file_name

    @property
    def team_file_name(self) -> str:
        return TEAM_FILE_NAMES.get(self.key, self.file_name)


def _text(func: Callable[..., str], *, mission: bool) -> Callable[[ExportSource], bytes]:
    if func is plan_json:
        return lambda src: plan_json(src.plan, src.mission, version=src.version_name).encode()
    if mission:
        return lambda src: func(src.plan, src.mission).encode("utf-8")
    return lambda src: func(src.plan).encode("utf-8")


def _pdf(src: ExportSource) -> bytes:
    from planner.exports import mission_pack_pdf, team_pdf

    if src.team_id is not None:
        return team_pdf(src.view, src.team_id)
    return mission_pack_pdf(src.view)


def _pdf_in_steps(src: ExportSource, progress: Progress) -> bytes:
    from planner.exports import mission_pack_pdf

    if src.team_id is not None:
        return _pdf(src)
    return mission_pack_pdf(src.view, progress)


def _packs(src: ExportSource, progress: Progress | None = None) -> bytes:
    from planner.exports import team_pack_zip

    return team_pack_zip(src.view, None if src.team_id is None else [src.team_id], progress)


def _per_view(name: str) -> Callable[[ExportSource], bytes]:
    def build(src: ExportSource) -> bytes:
        import planner.exports as exports

        return getattr(exports, name)(src.view, src.team_id)

    return build


DOWNLOADS: tuple[Download, ...] = (
    Download(
        "visits.csv",
        "Visits (CSV)",
        "visits.csv",
        "text/csv",
        "One row per stop: phase, site, arrival and departure (local time).",
        _text(visits_csv, mission=False),
        EVERYONE,
    ),
    Download(
        "coverage.csv",
        "Coverage (CSV)",
        "coverage.csv",
        "text/csv",
        "Per region, per area and in total: stations, voters and visits by phase.",
        _text(coverage_csv, mission=True),
    ),
    Download(
        "routes.geojson",
        "Routes (GeoJSON)",
        "routes.geojson",
        "application/geo+json",
        "One line per team, base to base (along the roads when the plan used road times), "
        "for GIS tools.",
        lambda src: routes_geojson(src.plan, src.lines).encode("utf-8"),
    ),
    Download(
        "plan.json",
        "Plan summary (JSON)",
        "plan.json",
        "application/json",
        "Parameters, seed, targets, coverage achieved, shortfalls and solver statistics.",
        _text(plan_json, mission=True),
    ),
    Download(
        "pdf",
        "Schedules (PDF)",
        "mission-pack.pdf",
        "application/pdf",
        "Printable A4 schedules with an offline route map (a mission pack starts with a "
        "cover showing coverage against the targets).",
        _pdf,
        EVERYONE,
        keep=True,
        steps=_pdf_in_steps,
    ),
    Download(
        "zip",
        "Team packs (ZIP)",
        "team-packs.zip",
        "application/zip",
        "Per team: PDF schedule, GPX, KML and calendar files, ready to hand out.",
        _packs,
        keep=True,
        steps=_packs,
    ),
    Download(
        "xlsx",
        "Master plan (XLSX)",
        "master-plan.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Sheets teams, visits, coverage and parameters (typed cells, filters).",
        _per_view("master_xlsx"),
        keep=True,
    ),
    Download(
        "gpx",
        "Navigation (GPX)",
        "plan.gpx",
        "application/gpx+xml",
        "Waypoints with times and a route per team, for GPS units and phone apps.",
        _per_view("plan_gpx"),
        EVERYONE,
    ),
    Download(
        "kml",
        "Google Earth (KML)",
        "plan.kml",
        "application/vnd.google-earth.kml+xml",
        "A folder per team: styled route and placemarks.",
        _per_view("plan_kml"),
    ),
    Download(
        "ics",
        "Calendar (iCal)",
        "plan.ics",
        "text/calendar",
        "One event per stop, in the stop's own time zone.",
        _per_view("plan_ics"),
        EVERYONE,
    ),
)

# A team account's own files are named after the team.
TEAM_FILE_NAMES = {
    "visits.csv": "{team}-visits.csv",
    "pdf": "{team}.pdf",
    "gpx": "{team}.gpx",
    "ics": "{team}.ics",
}


def downloads_for(role: str) -> tuple[Download, ...]:
    """The formats a role may download (a team: only its own schedule's files)."""
    return tuple(d for d in DOWNLOADS if role in d.roles)


def kept_file(download: Download, source: ExportSource) -> BuildStatus:
    """Where a kept file of `source` stands; its background build is started if it is
    neither kept nor being built (so a page that offers it has it made once, early)."""
    key = _key(download, source)
    files = shared()
    files.start(key, lambda progress: download.build_in_steps(source, progress))
    return files.status(key)


def _key(download: Download, source: ExportSource) -> str:
    return file_key(download.key, source.version_id, source.team_id, source.plan, source.mission)


def deliver(
    download: Download,
    source: ExportSource,
    record: Callable[[dict[str, Any]], None],
) -> Callable[[], bytes]:
    """The on-click builder of a download button: build the file, write the audit entry
    (`record(detail)`), then hand the bytes over; if recording fails, nothing is handed
    over."""

    def build() -> bytes:
        if download.keep:
            data = shared().get_or_build(_key(download, source), lambda: download.build(source))
        else:
            data = download.build(source)
        record(
            {
                "format": download.key,
                "file": download.name_for(source),
                "version": source.version_id,
                "team": source.team_id,
                "bytes": len(data),
                "teams": len({s.team_id for s in source.plan.stops}),
            }
        )
        return data

    return build
