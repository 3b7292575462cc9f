"""Downloads and stored versions as the pages use them: each role gets only its formats and
only its data, every file handed over is audited first, and a stored version reads back
as a plan grouped into its areas."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import zipfile

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from planner.maps.selection import MapView, team_areas, visible_teams
from planner.store import (
    Action,
    Role,
    audit,
    audit_log,
    get_user,
    import_mission,
    load_mission,
    load_plan,
    open_store,
    plan_diff,
    plan_version,
    publish,
    save_plan,
    system_user,
    users_add,
)
from planner.ui.downloads import DOWNLOADS, ExportSource, deliver, downloads_for
from planner.ui.versions import diff_table, plan_from_version, version_label
from tests.support.app import two_area_mission, two_area_plan

ADMIN = system_user("test")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def store(tmp_path):
    opened = open_store(data_dir=tmp_path)
    mission_id = import_mission(opened, two_area_mission(), user=ADMIN)
    version = save_plan(opened, mission_id, two_area_plan(), user=ADMIN)
    publish(opened, version, user=ADMIN)
    for name, kw in {
        "lto-a1": {"role": Role.LTO, "area_ids": ["A1"]},
        "team-01": {"role": Role.TEAM, "team_id": "STO-01"},
    }.items():
        users_add(opened, name, user=ADMIN, password=PASSWORD, **kw)
    yield opened
    opened.close()


def source_for(store, username: str | None) -> ExportSource:
    """What a page of `username` (None: a coordinator) builds downloads from."""
    user = ADMIN if username is None else get_user(store, username)
    mission = load_mission(store, 1, user=user)
    info = plan_version(store, 1, user=user)
    plan = plan_from_version(info, load_plan(store, 1, user=user, record=False), mission)
    return ExportSource(plan, mission, team_id=user.team_id, version_id=1, digest=info.digest)


def teams_in_csv(data: bytes) -> set[str]:
    return {row["team_id"] for row in csv.DictReader(io.StringIO(data.decode("utf-8")))}


def test_each_role_has_its_formats() -> None:
    everything = {d.key for d in DOWNLOADS}
    assert {"visits.csv", "pdf", "zip", "xlsx", "gpx", "kml", "ics"} <= everything
    assert {d.key for d in downloads_for("coordinator")} == everything
    assert {d.key for d in downloads_for("lto")} == everything
    assert {d.key for d in downloads_for("team")} == {"visits.csv", "pdf", "gpx", "ics"}


def test_lto_files_hold_only_its_area(store) -> None:
    """Every file an LTO of A1 downloads names only A1's teams."""
    src = source_for(store, "lto-a1")
    by_key = {d.key: d for d in DOWNLOADS}
    assert teams_in_csv(by_key["visits.csv"].build(src)) == {"STO-01", "STO-03"}
    gpx = by_key["gpx"].build(src).decode("utf-8")
    assert "STO-01" in gpx and "STO-02" not in gpx and "STO-04" not in gpx
    with zipfile.ZipFile(io.BytesIO(by_key["zip"].build(src))) as packs:
        folders = {n.split("/")[0] for n in packs.namelist() if "/" in n}
    assert folders == {"STO-01", "STO-03"}
    coverage = by_key["coverage.csv"].build(src).decode("utf-8")
    assert "A2" not in coverage


def test_team_files_are_its_own(store) -> None:
    src = source_for(store, "team-01")
    names = {d.name_for(src) for d in downloads_for("team")}
    assert names == {"STO-01-visits.csv", "STO-01.pdf", "STO-01.gpx", "STO-01.ics"}
    by_key = {d.key: d for d in DOWNLOADS}
    assert teams_in_csv(by_key["visits.csv"].build(src)) == {"STO-01"}
    ics = by_key["ics"].build(src).decode("utf-8")
    assert "STO-01" in ics and "STO-02" not in ics
    assert by_key["pdf"].build(src).startswith(b"%PDF")


def test_every_download_is_audited_before_it_is_handed_over(store) -> None:
    lto = get_user(store, "lto-a1")
    src = source_for(store, "lto-a1")
    visits = next(d for d in DOWNLOADS if d.key == "visits.csv")

    def record(detail: dict) -> None:
        audit(store, Action.EXPORT_DOWNLOADED, user=lto, mission_id=1, detail=detail)

    data = deliver(visits, src, record)()
    assert teams_in_csv(data) == {"STO-01", "STO-03"}
    (entry,) = audit_log(store, user=ADMIN, action=Action.EXPORT_DOWNLOADED)
    assert entry.username == "lto-a1"
    assert entry.detail["format"] == "visits.csv" and entry.detail["version"] == 1
    assert entry.detail["teams"] == 2

    def refuse(_detail: dict) -> None:
        raise PermissionError("this account no longer exists")

    with pytest.raises(PermissionError):
        deliver(visits, src, refuse)()


def test_stored_version_reads_back_as_a_plan_by_area(store) -> None:
    """Areas, their teams and solver notes survive the store; filters by area work."""
    src = source_for(store, None)
    original = two_area_plan()
    assert team_areas(src.plan) == team_areas(original)
    assert visible_teams(src.plan, MapView(area_id="A2")) == visible_teams(
        original, MapView(area_id="A2")
    )
    assert src.plan.achieved == original.achieved
    assert src.plan.stats["teams"] == original.stats["teams"]
    notes = {a.area_id: a.sample.notes for a in src.plan.areas}
    assert notes == {a.area_id: a.sample.notes for a in original.areas}
    info = plan_version(store, 1, user=ADMIN)
    assert version_label(info) == f"v1 · {info.digest} · published"
    replan = dataclasses.replace(info, areas=("A2",))
    assert "A2 re-plan" in version_label(replan)
    assert "A2" not in version_label(replan, scope={"A1"})  # an LTO of A1
    assert "re-plan of another area" in version_label(replan, scope={"A1"})


def test_diff_table_names_the_stations(store) -> None:
    mission = two_area_mission()
    plan = two_area_plan()
    old = [s for s in plan.stops if not (s.team_id == "STO-01" and s.phase == "voting")]
    table = diff_table(plan_diff(old, plan.stops), mission)
    assert list(table["team"]) == ["STO-01"]
    row = table.iloc[0]
    assert row["area"] == "A1" and row["dropped"] == 0 and row["added"] > 0
    assert row["stations added"].startswith("No. ")


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_lto_files_compare_the_area_with_its_share_of_the_targets(store) -> None:
    """A1 has 2 of the mission's 4 teams: its plan.json, mission pack cover and
    master-plan coverage sheet hold half of each target, say so, and give reasons about
    A1's 2 teams, not the mission's."""
    src = source_for(store, "lto-a1")
    by_key = {d.key: d for d in DOWNLOADS}
    summary = json.loads(by_key["plan.json"].build(src))
    assert summary["targets"] == {
        "opening": 2,
        "voting": 12,
        "counting": 2,
        "tabulation": 2,
        "closing": 0,
    }
    assert summary["scope"]["areas"] == ["A1"]
    assert (summary["scope"]["teams"], summary["scope"]["mission_teams"]) == (2, 4)
    assert "A1's share" in summary["targets_scope"] and "2 of 4 teams" in summary["targets_scope"]
    achieved = summary["achieved"]
    assert summary["targets_met"] == all(
        achieved[p] >= summary["targets"][p] for p in summary["targets"]
    )
    for short in summary["shortfalls"]:
        assert "4 team" not in short["reason"] and "0 team" not in short["reason"]
    cover = _pdf_text(by_key["pdf"].build(src))
    assert "A1's share of the mission's" in cover
    book = load_workbook(io.BytesIO(by_key["xlsx"].build(src)))
    rows = list(book["coverage"].iter_rows(min_row=2, values_only=True))
    first = {r[2]: r for r in rows if r[0] == "areas"}
    assert {p: first[p][3] for p in first} == summary["targets"]
    assert not any(r[0] == "mission" for r in rows)


def test_coordinator_files_keep_the_mission_targets(store) -> None:
    src = source_for(store, None)
    summary = json.loads({d.key: d for d in DOWNLOADS}["plan.json"].build(src))
    assert summary["targets"] == {
        "opening": 4,
        "voting": 24,
        "counting": 4,
        "tabulation": 4,
        "closing": 0,
    }
    assert summary["scope"] is None and summary["targets_scope"] == "the whole mission"


def test_every_file_of_a_version_carries_one_name(store) -> None:
    """The coordinator's, the LTO's and the team's files of version 1 name it alike:
    'version 1 · <fingerprint of the whole version>'."""
    names = set()
    for who in (None, "lto-a1", "team-01"):
        src = source_for(store, who)
        pdf = {d.key: d for d in DOWNLOADS}["pdf"].build(src)
        found = set(re.findall(r"version 1 · [0-9a-f]{8}", _pdf_text(pdf)))
        assert len(found) == 1
        names |= found
        if who != "team-01":
            summary = json.loads({d.key: d for d in DOWNLOADS}["plan.json"].build(src))
            assert summary["plan_version"] in found
    info = plan_version(store, 1, user=ADMIN)
    assert names == {info.name} == {f"version 1 · {info.digest}"}
