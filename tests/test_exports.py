"""Team packs: every export read back with an independent reader.

The Ulytau demo plan (solved once per module) covers Asia/Almaty (UTC+6 in November 2022);
a hand-made Aktobe schedule covers Asia/Aqtobe (UTC+5) and Kazakh letters.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas as gpd
import gpxpy
import icalendar
import pytest
import shapely
import typer
from lxml import etree
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from planner.datasets import SMALL_MISSION, get_path
from planner.exports import (
    PlanView,
    build_view,
    export_files,
    load_plan_dir,
    master_xlsx,
    mission_pack_pdf,
    plan_csv,
    plan_geojson,
    plan_gpx,
    plan_ics,
    plan_kml,
    route_map_png,
    team_pack_zip,
    team_pdf,
    view_from_plan,
)
from planner.exports.command import export
from planner.fileio import MANIFEST, read_manifest
from planner.geodata import load_mission
from planner.model import (
    Area,
    Commission,
    CommissionLevel,
    Mission,
    Region,
    Setting,
    Station,
    StationKind,
    Targets,
    Team,
    TeamKind,
)
from planner.outputs import VISIT_COLUMNS, plan_digest, write_plan
from planner.plan import solve
from planner.schedule import Plan, Stop
from planner.travel import great_circle_km
from tests.support.missions import LIGHT_SEARCH

KML = "{http://www.opengis.net/kml/2.2}"
CONFIDENTIAL = "Confidential — not for distribution before election day"


@dataclass(frozen=True)
class Demo:
    mission: Mission
    plan: Plan
    plan_dir: Path
    view: PlanView


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    path = get_path(SMALL_MISSION)
    mission = load_mission(path)
    plan = solve(mission, time_limit_s=60, seed=1, workers=1, options=LIGHT_SEARCH)
    plan_dir = write_plan(plan, mission, tmp_path_factory.mktemp("exports") / "plan",
                          mission_path=path)  # fmt: skip
    return Demo(mission, plan, plan_dir, load_plan_dir(plan_dir, mission))


@pytest.fixture(scope="module")
def aktobe() -> PlanView:
    """One Aktobe team (Asia/Aqtobe, UTC+5 on 20 Nov 2022) with Kazakh names, by hand."""
    tz = "Asia/Aqtobe"
    city = shapely.box(57.0, 50.1, 57.4, 50.4)
    stations = (
        Station("PS-A1", "101", "Мектеп-гимназия № 5, Ақтөбе", "Ақтөбе, Әбілқайыр хан даңғылы, 9",
                "KZ15", "KZ1510", "TEC-A", 1520, StationKind.REGULAR, Setting.URBAN, tz,
                57.17, 50.28),
        Station("PS-A2", "102", "Қазақ орта мектебі", "Ақтөбе, Сәңкібай батыр, 22", "KZ15",
                "KZ1510", "TEC-A", 940, StationKind.REGULAR, Setting.URBAN, tz, 57.21, 50.30),
        Station("PS-A3", "103", "Ауылдық клуб, Қарғалы", "Қарғалы, Тәуелсіздік, 1", "KZ15",
                "KZ1510", "TEC-A", 310, StationKind.REGULAR, Setting.RURAL, tz, 57.35, 50.20),
    )  # fmt: skip
    tec = Commission(
        "TEC-A", "Ақтөбе қалалық АСК", CommissionLevel.CITY, None, "KZ15", tz, 57.19, 50.29
    )
    mission = Mission(
        name="Ақтөбе сынақ миссиясы",
        country="KZ",
        regions=(Region("KZ15", "Aktobe", "Ақтөбе", "Актюбинская", tz, city),),
        districts=(),
        commissions=(tec,),
        stations=stations,
        areas=(Area("AOR-06", "Ақтөбе", ("KZ15",), city),),
        teams=(Team("STO-090", TeamKind.STO, "AOR-06", "Қонақүй «Ақтөбе»", 57.18, 50.27),),
        targets=Targets(opening=1, voting=2, counting=1, tabulation=1),
    )
    zone = ZoneInfo(tz)

    def at(hour: int, minute: int, day: int = 20) -> datetime:
        return datetime(2022, 11, day, hour, minute, tzinfo=zone)

    rows = [
        ("base", "STO-090", "base", at(6, 0), at(6, 0), 0, 50.27, 57.18),
        ("opening", "PS-A1", "station", at(6, 15), at(7, 30), 15, 50.28, 57.17),
        ("voting", "PS-A2", "station", at(7, 45), at(8, 15), 15, 50.30, 57.21),
        ("counting", "PS-A3", "station", at(19, 30), at(22, 0), 40, 50.20, 57.35),
        ("tabulation", "TEC-A", "tec", at(22, 30), at(2, 0, 21), 30, 50.29, 57.19),
        ("base", "STO-090", "base", at(2, 10, 21), at(2, 10, 21), 10, 50.27, 57.18),
    ]
    stops = [Stop("STO-090", i, *row) for i, row in enumerate(rows)]
    return build_view(stops, mission, digest="aktobe01")


def _pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return reader, text


def _in_order(text: str, needles: list[str]) -> bool:
    pos = -1
    for needle in needles:
        found = text.find(needle, pos + 1)
        if found < 0:
            return False
        pos = found
    return True


# --- the view --------------------------------------------------------------------------


def test_view_enriches_stops_from_the_mission(demo: Demo) -> None:
    """Stops carry station details, local times, km = great circle x detour, and the
    plan version is named by the short SHA-256 of visits.csv in team and sequence order."""
    view = demo.view
    assert view.team_ids == tuple(t.team_id for t in demo.mission.sto_teams)
    lines = (demo.plan_dir / "visits.csv").read_text("utf-8").splitlines(keepends=True)
    rows = sorted(lines[1:], key=lambda r: (r.split(",")[0], int(r.split(",")[1])))
    digest = hashlib.sha256("".join([lines[0], *rows]).encode()).hexdigest()
    assert view.digest == digest[:8] == plan_digest(reversed(demo.plan.stops))
    assert view.version == f"version {digest[:8]}"
    assert view.targets == {
        "opening": 3,
        "voting": 24,
        "counting": 3,
        "tabulation": 3,
        "closing": 0,
    }
    assert view.achieved == demo.plan.achieved
    team = view.teams[0]
    opening = team.stops[1]
    station = demo.mission.station_by_id[opening.site_id]
    assert opening.phase == "opening"
    assert (opening.number, opening.name, opening.voters) == (
        station.number,
        station.name,
        station.voters,
    )
    assert opening.tec_name == demo.mission.commission_by_id[station.tec_id].name
    assert opening.arrive.utcoffset() == timedelta(hours=6)
    assert f"{opening.arrive:%H:%M}" == "06:15"
    expected = great_circle_km(team.stops[0].lon, team.stops[0].lat, opening.lon, opening.lat)
    assert opening.km == pytest.approx(float(expected) * 1.3, abs=0.06)
    assert team.stops[0].km == 0
    assert team.base_name == demo.mission.sto_teams[0].base_name


def test_view_from_plan_matches_the_plan_directory(demo: Demo) -> None:
    """A solved Plan gives the same view (and version) as its written directory."""
    view = view_from_plan(demo.plan, demo.mission)
    assert view.version == demo.view.version
    assert view.stops == demo.view.stops


def test_unknown_team_plan_dir_and_format_are_plain_errors(demo: Demo, tmp_path: Path) -> None:
    """Bad input gives a ValueError or FileNotFoundError with a plain message."""
    with pytest.raises(ValueError, match="unknown team 'STO-999'"):
        team_pdf(demo.view, "STO-999")
    with pytest.raises(ValueError, match="unknown format 'docx'; choose one of: pdf, xlsx"):
        export_files(demo.view, "docx")
    with pytest.raises(ValueError, match="unknown team"):
        export_files(demo.view, "gpx", "nobody")
    with pytest.raises(FileNotFoundError, match=r"no visits\.csv"):
        load_plan_dir(tmp_path, demo.mission)
    bad = tmp_path / "bad"
    bad.mkdir()
    text = (demo.plan_dir / "visits.csv").read_text("utf-8")
    (bad / "visits.csv").write_text(text.replace("PS-KZ62-", "PS-XX-", 1), "utf-8")
    with pytest.raises(ValueError, match="not in the mission"):
        load_plan_dir(bad, demo.mission)


# --- PDF ------------------------------------------------------------------------------


def test_team_pdf_lists_stops_in_order_with_local_times(demo: Demo) -> None:
    """The schedule names the team, area, base (Kazakh letters), every stop in order with
    its local times, the footer and a map image."""
    team = demo.view.teams[1]
    reader, text = _pdf_text(team_pdf(demo.view, team.team_id))
    assert f"Team {team.team_id}" in text
    assert team.area_name in text and team.base_name in text
    assert "Asia/Almaty (UTC+06:00)" in text
    assert _in_order(text, [s.name for s in team.visits])
    for s in team.visits:
        assert f"{s.arrive:%H:%M}" in text
        if s.address:
            assert s.address in text
    assert CONFIDENTIAL in text
    assert f"plan {demo.view.version}" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert len(reader.pages[0].images) == 1
    fonts = {
        str(f["/BaseFont"])
        for f in reader.pages[0]["/Resources"]["/Font"].values()  # type: ignore[union-attr]
    }
    assert all("DejaVu" in f for f in fonts)


def test_kazakh_and_russian_names_render(aktobe: PlanView) -> None:
    """Kazakh letters (ә, қ, ө, ү, ғ) come back out of the PDF as text."""
    _, text = _pdf_text(team_pdf(aktobe, "STO-090"))
    for name in ("Мектеп-гимназия № 5, Ақтөбе", "Әбілқайыр хан даңғылы", "Қонақүй «Ақтөбе»",
                 "Ақтөбе қалалық АСК", "Asia/Aqtobe (UTC+05:00)"):  # fmt: skip
        assert name in text
    assert "02:00 21.11" in text  # tabulation ends the next day


def test_long_schedule_continues_on_a_new_page_with_headings(aktobe: PlanView) -> None:
    """A table longer than a page breaks between rows and repeats its heading row."""
    team = aktobe.teams[0]
    many = [replace(team.stops[i % 4 + 1], seq=i + 1) for i in range(40)]
    stops = (team.stops[0], *many, replace(team.stops[-1], seq=41))
    long = replace(aktobe, teams=(replace(team, stops=stops),))
    reader, text = _pdf_text(team_pdf(long, "STO-090"))
    assert len(reader.pages) == 2
    second = " ".join(reader.pages[1].extract_text().split())
    assert "Station / site" in second and "Page 2 of 2" in second
    assert _in_order(text, ["Base (depart)", "Base (return)"])


def test_mission_pack_pdf_has_cover_and_every_team(demo: Demo) -> None:
    """Cover with coverage against targets, then each team from a new page, bookmarked."""
    reader, text = _pdf_text(mission_pack_pdf(demo.view))
    assert len(reader.pages) >= 1 + len(demo.view.teams)
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Coverage against targets" in cover
    assert re.search(r"Voting 24 \d+ met", cover), cover
    assert _in_order(text, [f"Team {t}" for t in demo.view.team_ids])
    titles = [o.title for o in reader.outline]  # type: ignore[union-attr]
    assert titles[0] == "Coverage against targets"
    assert [t.split(" ")[0] for t in titles[1:]] == list(demo.view.team_ids)
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text


def test_route_map_is_a_png_per_team(demo: Demo) -> None:
    """Maps are PNG images, different for different routes."""
    a = route_map_png(demo.view, demo.view.team_ids[0])
    b = route_map_png(demo.view, demo.view.team_ids[1])
    assert a.startswith(b"\x89PNG") and b.startswith(b"\x89PNG")
    assert a != b


# --- spreadsheet, CSV ------------------------------------------------------------------


def test_master_xlsx_has_typed_cells_frozen_headers_and_filters(demo: Demo) -> None:
    """Four sheets; times are date-time cells with a format, numbers are numbers."""
    wb = load_workbook(io.BytesIO(master_xlsx(demo.view)))
    assert wb.sheetnames == ["teams", "visits", "coverage", "parameters"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    visits = wb["visits"]
    header = [c.value for c in visits[1]]
    assert header[: len(VISIT_COLUMNS)] == list(VISIT_COLUMNS)
    assert visits.max_row - 1 == len(demo.view.stops)
    col = {name: i + 1 for i, name in enumerate(header)}
    first_opening = next(r for r in range(2, visits.max_row + 1)
                         if visits.cell(r, col["phase"]).value == "opening")  # fmt: skip
    arrive = visits.cell(first_opening, col["arrive"])
    assert isinstance(arrive.value, datetime) and arrive.value.tzinfo is None
    assert arrive.value == datetime(2022, 11, 20, 6, 15)
    assert "hh:mm" in arrive.number_format
    assert visits.cell(first_opening, col["utc_offset"]).value == "+06:00"
    assert visits.cell(first_opening, col["tz"]).value == "Asia/Almaty"
    for name in ("seq", "travel_min", "voters"):
        assert isinstance(visits.cell(first_opening, col[name]).value, int)
    for name in ("lat", "lon", "km"):
        assert isinstance(visits.cell(first_opening, col[name]).value, float)
    assert visits.column_dimensions["N"].width > 20  # addresses
    params = {r[0]: r[1] for r in wb["parameters"].iter_rows(min_row=2, values_only=True)}
    assert params["seed"] == 1 and params["plan_version"] == demo.view.version
    assert params["rule_detour_factor"] == 1.3
    coverage = list(wb["coverage"].iter_rows(min_row=2, values_only=True))
    assert coverage[1][:4] == ("mission", "Ulytau demo", "voting", 24)


def test_csv_keeps_visits_columns_and_adds_site_details(demo: Demo) -> None:
    """The CSV starts with visits.csv's columns and values; one team's CSV is its rows."""
    rows = list(csv.DictReader(io.StringIO(plan_csv(demo.view).decode("utf-8"))))
    with (demo.plan_dir / "visits.csv").open(encoding="utf-8") as handle:
        original = list(csv.DictReader(handle))
    assert [{k: r[k] for k in VISIT_COLUMNS} for r in rows] == original
    assert rows[1]["name"] and rows[1]["tz"] == "Asia/Almaty"
    team = demo.view.team_ids[2]
    one = list(csv.DictReader(io.StringIO(plan_csv(demo.view, team).decode("utf-8"))))
    assert {r["team_id"] for r in one} == {team}
    assert [int(r["seq"]) for r in one] == list(range(len(one)))


# --- navigation -----------------------------------------------------------------------


def test_gpx_waypoints_follow_the_schedule(demo: Demo) -> None:
    """One waypoint per stop in order, timed at arrival, and a route through them."""
    team = demo.view.teams[0]
    gpx = gpxpy.parse(plan_gpx(demo.view, team.team_id).decode("utf-8"))
    assert len(gpx.waypoints) == len(team.stops)
    assert [w.name for w in gpx.waypoints] == [s.title for s in team.stops]
    assert [w.time for w in gpx.waypoints] == [s.arrive for s in team.stops]
    assert gpx.waypoints[1].latitude == pytest.approx(team.stops[1].lat)
    assert len(gpx.routes) == 1 and len(gpx.routes[0].points) == len(team.stops)
    everyone = gpxpy.parse(plan_gpx(demo.view).decode("utf-8"))
    assert len(everyone.routes) == len(demo.view.teams)
    assert len(everyone.waypoints) == len(demo.view.stops)


def test_kml_has_a_folder_per_team_with_placemarks_in_order(demo: Demo) -> None:
    """Folders per team; Point placemarks in stop order with time spans; a styled line."""
    root = etree.fromstring(plan_kml(demo.view))
    folders = root.findall(f".//{KML}Folder")
    assert [f.findtext(f"{KML}name") for f in folders] == list(demo.view.team_ids)
    for folder, team in zip(folders, demo.view.teams, strict=True):
        points = [p for p in folder.findall(f"{KML}Placemark") if p.find(f"{KML}Point") is not None]
        assert [p.findtext(f"{KML}name") for p in points] == [s.title for s in team.stops]
        begin = points[1].findtext(f"{KML}TimeSpan/{KML}begin")
        assert datetime.fromisoformat(begin) == team.stops[1].arrive
        lines = folder.findall(f".//{KML}LineString/{KML}coordinates")
        assert len(lines) == 1 and len(lines[0].text.split()) == len(team.stops)
    assert root.findall(f".//{KML}LineStyle/{KML}width")


def test_ics_events_carry_the_stop_time_zone(demo: Demo, aktobe: PlanView) -> None:
    """An event per stop with TZID and VTIMEZONE: +06:00 in Asia/Almaty, +05:00 in
    Asia/Aqtobe on 20 Nov 2022."""
    team = demo.view.teams[0]
    raw = plan_ics(demo.view, team.team_id)
    cal = icalendar.Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(team.stops)
    opening = events[1].decoded("dtstart")
    assert opening.utcoffset() == timedelta(hours=6)
    assert opening.astimezone(UTC) == team.stops[1].arrive.astimezone(UTC)
    assert events[1].decoded("dtend") == team.stops[1].depart
    assert b"DTSTART;TZID=Asia/Almaty:20221120T061500" in raw
    assert [str(t["TZID"]) for t in cal.walk("VTIMEZONE")] == ["Asia/Almaty"]
    assert team.stops[1].address in str(events[1]["location"])

    raw = plan_ics(aktobe, "STO-090")
    cal = icalendar.Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    start = events[1].decoded("dtstart")
    assert start.utcoffset() == timedelta(hours=5)
    assert start.astimezone(UTC) == datetime(2022, 11, 20, 1, 15, tzinfo=UTC)
    assert b"DTSTART;TZID=Asia/Aqtobe:20221120T061500" in raw
    assert [str(t["TZID"]) for t in cal.walk("VTIMEZONE")] == ["Asia/Aqtobe"]
    assert "Ақтөбе" in str(events[1]["summary"])


def test_geojson_reads_as_stops_and_routes(demo: Demo) -> None:
    """geopandas reads points per stop and a line per team in EPSG:4326."""
    frame = gpd.read_file(io.BytesIO(plan_geojson(demo.view)))
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    stops = frame[frame["feature"] == "stop"]
    routes = frame[frame["feature"] == "route"]
    assert len(stops) == len(demo.view.stops) and set(stops.geom_type) == {"Point"}
    assert len(routes) == len(demo.view.teams) and set(routes.geom_type) == {"LineString"}
    first = stops.iloc[1]
    assert first["arrive"] == demo.view.stops[1].arrive  # read back as an aware date-time
    assert first["name"] == demo.view.stops[1].name


# --- CLI and zip ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "team", "expected"),
    [
        ("pdf", None, {"mission-pack.pdf"}),
        ("xlsx", None, {"master-plan.xlsx"}),
        ("gpx", None, {"STO-001.gpx", "STO-002.gpx", "STO-003.gpx"}),
        ("kml", None, {"plan.kml"}),
        ("ics", None, {"plan.ics"}),
        ("geojson", None, {"plan.geojson"}),
        ("csv", None, {"visits-all.csv"}),
        ("csv", "STO-002", {"STO-002.csv"}),
        ("pdf", "STO-003", {"STO-003.pdf"}),
    ],
)
def test_export_command_writes_the_documented_files(
    demo: Demo, tmp_path: Path, fmt: str, team: str | None, expected: set[str]
) -> None:
    """`planner export PLAN --format F [--team ID] --out DIR` writes exactly these files
    (and the manifest that lists them), using the mission named in plan.json."""
    app = typer.Typer()
    app.command()(export)
    args = [str(demo.plan_dir), "--format", fmt, "--out", str(tmp_path / "out")]
    if team:
        args += ["--team", team]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "out").iterdir()} == expected | {MANIFEST}
    assert read_manifest(tmp_path / "out") == expected
    assert demo.view.version in result.output


def test_export_out_writes_only_its_own_files(demo: Demo, tmp_path: Path) -> None:
    """`planner export --out` refuses a folder with other files unless --force, then
    leaves those files; exports of several formats share one folder; a file is no folder."""
    app = typer.Typer()
    app.command()(export)
    out = tmp_path / "handout"
    out.mkdir()
    (out / "briefing.docx").write_bytes(b"briefing")
    (tmp_path / "handout.old").mkdir()

    def run(fmt: str, *extra: str):  # type: ignore[no-untyped-def]
        args = [str(demo.plan_dir), "--format", fmt, "--out", str(out), *extra]
        return CliRunner().invoke(app, args)

    refused = run("kml")
    assert refused.exit_code != 0 and "--force" in str(refused.exception)
    assert sorted(p.name for p in out.iterdir()) == ["briefing.docx"]
    assert run("kml", "--force").exit_code == 0
    assert run("ics").exit_code == 0  # the folder is the planner's now
    assert run("kml").exit_code == 0
    assert (out / "briefing.docx").read_bytes() == b"briefing"
    assert read_manifest(out) == {"plan.kml", "plan.ics"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handout", "handout.old"]
    not_a_folder = tmp_path / "file.kml"
    not_a_folder.write_text("x")
    result = CliRunner().invoke(
        app, [str(demo.plan_dir), "--format", "kml", "--out", str(not_a_folder)]
    )
    assert result.exit_code != 0 and not_a_folder.read_text() == "x"


def test_export_command_rejects_unknown_format_and_team(demo: Demo, tmp_path: Path) -> None:
    """The command raises ValueError with a plain message for the CLI wrapper to print."""
    with pytest.raises(ValueError, match="unknown format 'shp'"):
        export(demo.plan_dir, "shp", tmp_path)
    with pytest.raises(ValueError, match="unknown team 'STO-404'"):
        export(demo.plan_dir, "pdf", tmp_path, team="STO-404")
    assert not any(tmp_path.iterdir())


def test_team_pack_zip_holds_each_teams_files(demo: Demo) -> None:
    """Per team a PDF, GPX, KML and ICS, each readable."""
    archive = zipfile.ZipFile(io.BytesIO(team_pack_zip(demo.view)))
    names = set(archive.namelist())
    assert names == {"README.txt"} | {
        f"{t}/{t}.{ext}" for t in demo.view.team_ids for ext in ("pdf", "gpx", "kml", "ics")
    }
    team = demo.view.teams[2]
    _, text = _pdf_text(archive.read(f"{team.team_id}/{team.team_id}.pdf"))
    assert f"Team {team.team_id}" in text
    gpx = gpxpy.parse(archive.read(f"{team.team_id}/{team.team_id}.gpx").decode("utf-8"))
    assert len(gpx.waypoints) == len(team.stops)
