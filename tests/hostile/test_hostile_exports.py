"""The hostile mission plans and exports every format with its payloads as inert text:
no formula cell, no live CSV formula, valid XML with markup shown as text, iCalendar
text that cannot start a property, and file names that stay inside --out."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

import gpxpy
import icalendar
import lxml.html
import pytest
from lxml import etree
from openpyxl import load_workbook
from pypdf import PdfReader

from hostile.conftest import Planned
from hostile.payloads import HYPERLINK, SCRIPT, with_team_ids
from planner.check import check_plan_dir
from planner.exports import (
    FORMATS,
    export_files,
    master_xlsx,
    plan_csv,
    plan_gpx,
    plan_ics,
    plan_kml,
    team_pack_zip,
    view_from_plan,
)
from planner.exports.command import write_exports
from planner.exports.rows import NUMBER_COLUMNS, TEXT_COLUMNS
from planner.exports.safe import FORMULA_TRIGGERS, plain_text
from planner.exports.view import PlanView
from planner.plan import solve

KML = "{http://www.opengis.net/kml/2.2}"
GPX = "{http://www.topografix.com/GPX/1/1}"


def test_the_hostile_package_plans_and_checks(planned: Planned) -> None:
    """Safe ids, hostile names: the plan meets its targets and passes `planner check`."""
    assert not planned.plan.shortfalls
    assert check_plan_dir(planned.plan_dir, planned.mission).ok
    names = {s.name for s in planned.view.stops} | {s.address for s in planned.view.stops}
    assert HYPERLINK in names and SCRIPT in names  # the payloads reach the exports


def test_every_format_exports(planned: Planned) -> None:
    for fmt in FORMATS:
        files = export_files(planned.view, fmt)
        assert files and all(files.values()), fmt


def test_xlsx_has_no_formula_cell(planned: Planned) -> None:
    """Every text cell is a string cell (never 'f' formula or 'e' error), formula-looking
    text keeps its exact value and Excel's quote prefix, numbers stay numbers; the sheet XML
    holds no <f> element at all."""
    data = master_xlsx(planned.view)
    wb = load_workbook(io.BytesIO(data))
    types: set[str] = set()
    formula_like = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                types.add(cell.data_type)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    formula_like.append(cell)
    assert types <= {"s", "n", "d", "b"}, types
    assert HYPERLINK in {c.value for c in formula_like}
    assert all(c.data_type == "s" and c.quotePrefix for c in formula_like)
    visits = wb["visits"]
    header = [c.value for c in visits[1]]
    for name in ("seq", "lat", "lon", "voters"):
        column = header.index(name) + 1
        values = [visits.cell(r, column).value for r in range(2, visits.max_row + 1)]
        assert all(isinstance(v, int | float) for v in values if v is not None), name
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(re.search(rb"<(\w+:)?f[ >]", archive.read(n)) for n in sheets)


def test_csv_text_is_inert_and_numbers_stay_numbers(planned: Planned) -> None:
    """No text cell starts with a formula trigger (the payload comes back after a `'`);
    numeric columns are plain numbers, negative ones included."""
    west = _mirrored(planned.view)  # the same plan at negative longitudes
    rows = list(csv.DictReader(io.StringIO(plan_csv(west).decode("utf-8"))))
    assert rows
    for row in rows:
        for column in TEXT_COLUMNS:
            assert not row[column].startswith(FORMULA_TRIGGERS), (column, row[column])
        for column in NUMBER_COLUMNS:
            if row[column] != "":
                float(row[column])
        assert row["lon"].startswith("-")
    assert "'" + HYPERLINK in {r["name"] for r in rows} | {r["address"] for r in rows}
    assert "'-2+3" in {r[c] for r in rows for c in TEXT_COLUMNS}


def _mirrored(view: PlanView) -> PlanView:
    teams = tuple(
        replace(t, stops=tuple(replace(s, lon=-s.lon) for s in t.stops)) for t in view.teams
    )
    return replace(view, teams=teams)


def test_kml_is_valid_and_shows_markup_as_text(planned: Planned) -> None:
    """The KML parses as XML; names are the text itself; each description is one CDATA
    section of HTML whose only element is <br> and whose text is the description, so
    Google Earth shows `<img ...>` as characters."""
    root = etree.fromstring(plan_kml(planned.view))
    assert {el.tag for el in root.iter() if isinstance(el.tag, str)} <= _kml_tags(root)
    placemarks = [p for p in root.iter(f"{KML}Placemark") if p.find(f"{KML}Point") is not None]
    stops = planned.view.stops
    assert [p.findtext(f"{KML}name") for p in placemarks] == [plain_text(s.title) for s in stops]
    pairs = [
        (p.findtext(f"{KML}description"), s.description())
        for p, s in zip(placemarks, stops, strict=True)
    ] + [
        (f.findtext(f"{KML}description"), f"{t.area_id} {t.area_name}; base {t.base_name}")
        for f, t in zip(root.iter(f"{KML}Folder"), planned.view.teams, strict=True)
    ]
    for description, text in pairs:
        fragment = lxml.html.fragment_fromstring(description, create_parent="div")
        assert {el.tag for el in fragment.iter()} <= {"div", "br"}
        assert html.unescape(description.replace("<br>", "\n")) == plain_text(text)
    markup = [d for d, text in pairs if "<b>bold</b>" in text or SCRIPT in text]
    assert markup and all("&lt;" in d for d in markup)


def _kml_tags(root: etree._Element) -> set[str]:
    """Tags a KML writer uses here; an injected element (<img>, <script>) is not one."""
    names = ("kml Document Folder Placemark name description Point coordinates TimeSpan begin "
             "end Style IconStyle Icon href color scale LabelStyle LineString LineStyle width "
             "styleUrl visibility open colorMode heading")  # fmt: skip
    return {f"{KML}{n}" for n in names.split()}


def test_gpx_is_valid_with_the_payload_as_text(planned: Planned) -> None:
    for team in planned.view.teams:
        data = plan_gpx(planned.view, team.team_id)
        etree.fromstring(data)  # well-formed XML
        gpx = gpxpy.parse(data.decode("utf-8"))
        assert [w.name for w in gpx.waypoints] == [plain_text(s.title) for s in team.stops]
        assert [w.description for w in gpx.waypoints] == [
            plain_text(s.description()) for s in team.stops
        ]


def test_ics_text_round_trips_and_starts_no_property(planned: Planned) -> None:
    """Summaries, locations and descriptions read back as the text itself (RFC 5545
    escaping), and the file holds exactly one VEVENT per stop."""
    raw = plan_ics(planned.view)
    cal = icalendar.Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    stops = planned.view.stops
    assert len(events) == len(stops) == raw.count(b"\r\nBEGIN:VEVENT\r\n")
    for event, s in zip(events, stops, strict=True):
        assert str(event["summary"]) == plain_text(f"{s.team_id} {s.title}")
        assert str(event["description"]) == plain_text(s.description())
        assert str(event["location"]) == plain_text(s.address or s.name or s.site_id)
    assert not re.search(rb"\r\n(BEGIN|END):V(ALARM|TODO)", raw)


def test_geojson_and_pdf_carry_the_payloads(planned: Planned) -> None:
    data = json.loads(export_files(planned.view, "geojson")["plan.geojson"])
    values = {v for f in data["features"] for v in f["properties"].values()}
    assert HYPERLINK in values and SCRIPT in values
    pdf = export_files(planned.view, "pdf")["mission-pack.pdf"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "HYPERLINK" in text


# --- names built from ids, with the loader bypassed ------------------------------------------

PATH_IDS = {"STO-01": "../../../tmp/x", "STO-02": "/etc/passwd"}


@pytest.fixture(scope="module")
def bypassed(planned: Planned) -> PlanView:
    """A Mission built in code with path-like team ids (the loader would refuse them),
    planned and viewed as the app's downloads do."""
    mission = with_team_ids(planned.mission, PATH_IDS)
    plan = solve(mission, time_limit_s=5, seed=1, workers=1)
    view = view_from_plan(plan, mission)
    assert set(view.team_ids) == set(PATH_IDS.values())
    return view


def _inside(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name


def test_zip_entries_from_path_like_ids_stay_inside(bypassed: PlanView) -> None:
    """team-packs.zip holds no absolute, `..` or backslash entry (no zip slip), one folder
    per team."""
    with zipfile.ZipFile(io.BytesIO(team_pack_zip(bypassed))) as archive:
        names = archive.namelist()
    assert all(_inside(n) for n in names), names
    assert len({n.split("/")[0] for n in names if "/" in n}) == 2


def test_export_files_from_path_like_ids_stay_in_out(bypassed: PlanView, tmp_path: Path) -> None:
    """`--out OUT` gets every file directly inside OUT, whatever the team ids; nothing is
    written beside it."""
    out = tmp_path / "work" / "out"
    for fmt in ("gpx", "zip", "csv"):
        written = write_exports(bypassed, fmt, out)
        assert all(p.parent == out for p in written)
    for team in bypassed.team_ids:
        (path,) = write_exports(bypassed, "kml", out, team)
        assert path.parent == out
    assert sorted(p.name for p in tmp_path.rglob("*") if p.parent != out) == ["out", "work"]


def test_team_ids_differing_only_in_case_are_not_written_over_each_other(
    planned: Planned,
) -> None:
    """STO-01 and sto-01 would be one file on Windows or macOS: refused, not overwritten."""
    first, second = planned.view.teams[:2]
    clash = replace(second, stops=tuple(replace(s, team_id="sto-01") for s in second.stops))
    view = replace(planned.view, teams=(first, replace(clash, team_id="sto-01")))
    with pytest.raises(ValueError, match="same file"):
        export_files(view, "gpx")
