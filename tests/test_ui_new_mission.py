"""A new mission from uploaded station lists: previewed as `planner init` makes it, the
mapping shown even when the mission cannot be made, uploads checked before reading."""

from __future__ import annotations

import copy
import csv
import io
import json
import zipfile
from datetime import date, time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner import synthetic
from planner.init.regroup import area_table, district_table
from planner.init.sources import SUPPORTED
from planner.ui.new_mission import (
    NewMissionRequest,
    move_districts,
    preview_new_mission,
    request_problems,
)
from planner.ui.uploads import Upload, stage_uploads
from planner.upload_limits import UploadLimits

REQUEST = NewMissionRequest("Synthetic", date(2026, 3, 15), teams=6, areas=2)


@pytest.fixture(scope="module")
def station_list(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("list")
    return synthetic.write_lists(synthetic.generate(300, seed=2), folder).read_bytes()


def _odd(data: bytes) -> bytes:
    """The same list with headers no vocabulary knows for the id and the region."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=";"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["ref", "zone", "ward", "north", "east"])
    writer.writerows([r[0], r[4], r[6], r[7], r[8]] for r in rows[1:])
    return out.getvalue().encode("utf-8")


def test_a_recognised_list_previews_a_mission_with_its_report(station_list: bytes) -> None:
    preview = preview_new_mission([Upload("stations.csv", station_list)], REQUEST)
    assert preview.ok, preview.problems
    assert preview.mission is not None
    assert len(preview.mission.stations) == 300
    assert len(preview.mission.areas) == 2
    assert sum(t.kind == "sto" for t in preview.mission.teams) == 6
    assert preview.mission.rules.election_date == date(2026, 3, 15)
    meanings = {row["meaning"] for row in preview.mapping}
    assert {"station_id", "lat", "lon", "hierarchy"} <= meanings
    assert len(preview.sample) == 5
    # The report names the upload, never the temporary folder it was read from.
    assert "Inputs: stations.csv (300 rows)" in preview.report_markdown
    assert "planner-upload-" not in preview.report_markdown
    assert "approximate" in preview.report_markdown


def test_uploaded_boundaries_give_the_regions_their_shapes(tmp_path: Path) -> None:
    """Province outlines named as the list names them: each region takes its own."""
    country = synthetic.generate(300, seed=2)
    s = country.stations
    hulls = {
        name: shapely.buffer(shapely.convex_hull(shapely.multipoints(
            np.column_stack([group["true_lon"], group["true_lat"]])
        )), 0.05)
        for name, group in s.groupby("province")
    }  # fmt: skip
    shapes = gpd.GeoDataFrame({"name": list(hulls), "geometry": list(hulls.values())}, crs=4326)
    path = tmp_path / "provinces.geojson"
    shapes.to_file(path, driver="GeoJSON")
    listed = synthetic.write_lists(country, tmp_path).read_bytes()
    preview = preview_new_mission(
        [Upload("stations.csv", listed)],
        REQUEST,
        boundaries=Upload("provinces.geojson", path.read_bytes()),
    )
    assert preview.ok, preview.problems
    assert preview.report is not None
    # Named by the upload, never by the temporary folder it was read from.
    assert str(preview.report["boundaries"]).startswith(
        "from provinces.geojson: 6 polygon(s) matched to regions by names"
    )
    assert "planner-upload-" not in json.dumps(preview.report)
    assert preview.mission is not None
    for region in preview.mission.regions:
        given = hulls[region.name_en.split(" / ")[-1]]
        assert region.geometry is not None
        assert shapely.area(shapely.symmetric_difference(region.geometry, given)) < 1e-9


def test_a_mapping_fixes_what_the_headers_do_not_say(station_list: bytes) -> None:
    upload = [Upload("odd.csv", _odd(station_list))]
    first = preview_new_mission(upload, REQUEST)
    assert first.ignored == ["ref", "zone"]
    assert first.columns == ["ref", "zone", "ward", "north", "east"]
    fixed = preview_new_mission(
        upload, NewMissionRequest(**{**REQUEST.__dict__, "columns": "station_id=ref,region=zone"})
    )
    assert fixed.ok, fixed.problems
    assert fixed.ignored == []
    assert {"meaning": "station_id", "column": "ref", "recognised by": "--columns"} in fixed.mapping
    assert fixed.mission is not None
    assert fixed.mission.stations[0].station_id == first.sample[0]["ref"]
    assert len(fixed.mission.regions) > len(first.mission.regions if first.mission else ())


def test_a_wrong_mapping_is_a_problem_with_the_columns_still_shown(station_list: bytes) -> None:
    upload = [Upload("odd.csv", _odd(station_list))]
    bad_role = preview_new_mission(
        upload, NewMissionRequest(**{**REQUEST.__dict__, "columns": "colour=zone"})
    )
    assert not bad_role.ok
    assert "unknown role 'colour'" in bad_role.problems[0].message
    assert bad_role.columns == ["ref", "zone", "ward", "north", "east"]
    no_column = preview_new_mission(
        upload, NewMissionRequest(**{**REQUEST.__dict__, "columns": "station_id=nowhere"})
    )
    assert not no_column.ok and no_column.mission is None
    assert "nowhere" in str(no_column.problems[0])
    assert "planner-upload-" not in str(no_column.problems[0])


def test_the_form_is_checked_like_the_command_line() -> None:
    bad = NewMissionRequest(
        " ", date(2026, 3, 15), polls_open=time(20, 0), polls_close=time(7, 0),
        teams=0, voters_default=5, voters_total=10,
    )  # fmt: skip
    fields = {p.field for p in request_problems(bad)}
    assert fields == {"name", "polls", "voters", "teams"}
    preview = preview_new_mission([Upload("x.csv", b"a,b\n1,2\n")], bad)
    assert not preview.ok and preview.mission is None


def test_unreadable_lists_name_the_upload() -> None:
    preview = preview_new_mission([Upload("../../etc/list.csv", b"")], REQUEST)
    assert not preview.ok
    assert all("planner-upload-" not in str(p) for p in preview.problems)
    assert preview.problems[0].file == "list.csv"


def test_staging_refuses_types_twice_named_files_and_hostile_archives(tmp_path: Path) -> None:
    limit = 10_000  # the real limit is 1 GB per member: the same check, on a smaller archive
    limits = UploadLimits(max_member_bytes=limit, max_archive_bytes=limit)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.shp", b"\0" * (limit + 1))
    escape = io.BytesIO()
    with zipfile.ZipFile(escape, "w") as zf:
        zf.writestr("../outside.shp", b"x")
    files = [
        Upload("a.csv", b"id\n1\n"),
        Upload("dir/A.CSV", b"id\n2\n"),
        Upload("run.exe", b"MZ"),
        Upload("bomb.zip", bomb.getvalue()),
        Upload("escape.zip", escape.getvalue()),
        Upload("junk.zip", b"not a zip"),
    ]
    paths, problems = stage_uploads(tmp_path / "in", files, suffixes=SUPPORTED, limits=limits)
    messages = {p.file: p.message for p in problems}
    assert messages["dir/A.CSV"] == "a file of this name came twice"
    assert messages["run.exe"].startswith("unsupported file type")
    assert "unpacks to 10,001 bytes" in messages["bomb.zip"]
    assert messages["escape.zip"] == "unsafe path in the archive"
    assert messages["junk.zip"] == "not a readable .zip archive"
    assert [p.name for p in paths] == ["a.csv", "bomb.zip", "escape.zip", "junk.zip"]
    assert all(p.parent == tmp_path / "in" for p in paths)
    assert not (tmp_path / "outside.shp").exists()


@pytest.fixture(scope="module")
def previewed(station_list: bytes):
    preview = preview_new_mission(
        [Upload("stations.csv", station_list)],
        NewMissionRequest(**{**REQUEST.__dict__, "areas": 3}),
    )
    assert preview.ok, preview.problems
    return preview


def test_moved_districts_take_their_stations_teams_and_report_along(previewed) -> None:
    preview = copy.deepcopy(previewed)
    mission = preview.mission
    table = district_table(mission)
    before = area_table(mission).set_index("area_id")
    # The district with the most voters of AOR-01 moves to AOR-02.
    first = table[table["area_id"] == "AOR-01"].sort_values("voters").iloc[-1]
    assignment = dict(zip(table["district_id"], table["area_id"], strict=True))
    assignment[first["district_id"]] = "AOR-02"
    assert move_districts(preview, assignment) == []
    moved = preview.mission
    assert moved.area_of_district[first["district_id"]] == "AOR-02"
    after = area_table(moved).set_index("area_id")
    assert after.at["AOR-01", "voters"] == before.at["AOR-01", "voters"] - first["voters"]
    assert after.at["AOR-02", "voters"] == before.at["AOR-02", "voters"] + first["voters"]
    assert after.at["AOR-01", "stations"] == before.at["AOR-01", "stations"] - first["stations"]
    # Every station's area follows its district; teams are shared out again by voters,
    # each STO team based in its own area, one LTO team per area.
    for s in moved.stations:
        assert moved.area_of_station(s) == assignment[s.district]
    assert len(moved.sto_teams) == len(mission.sto_teams) == 6
    assert after["STO teams"].sum() == 6 and (after["STO teams"] >= 1).all()
    assert after["LTO team"].tolist() == ["LTO-01", "LTO-02", "LTO-03"]
    in_area = {(c.name, moved.area_of_commission(c)) for c in moved.commissions}
    assert all((t.base_name, t.area_id) in in_area for t in moved.teams)
    # The report follows: the voters per area and the teams per area as now.
    assert preview.report is not None
    balance = preview.report["areas"]["balance"]
    assert balance["voters_per_area"] == after["voters"].tolist()
    assert preview.report["teams"]["per_area"] == after["STO teams"].to_dict()
    assert "districts moved by hand" in preview.report_markdown
    assert "--areas-from" not in preview.report_markdown


def test_an_edit_that_empties_an_area_or_names_no_area_changes_nothing(previewed) -> None:
    preview = copy.deepcopy(previewed)
    mission = preview.mission
    table = district_table(mission)
    assignment = dict(zip(table["district_id"], table["area_id"], strict=True))
    emptied = {d: ("AOR-02" if a == "AOR-01" else a) for d, a in assignment.items()}
    problems = move_districts(preview, emptied)
    assert [p.message for p in problems] == [
        "area 'AOR-01' would have no district left: every area keeps at least one"
    ]
    first = table["district_id"].iloc[0]
    problems = move_districts(preview, {**assignment, first: "AOR-09"})
    assert [p.message for p in problems] == [
        f"district '{first}': area 'AOR-09' does not exist (areas: AOR-01, AOR-02, AOR-03)"
    ]
    problems = move_districts(preview, {**assignment, first: None})
    assert [p.message for p in problems] == [f"district '{first}' has no area"]
    assert preview.mission is mission  # nothing changed
