"""`planner roads build`: the real OSRM tools on a real extract, into a directory that
holds only our files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.roads import RoadsError, RoadsInfo, build_roads, read_roads
from planner.roads.dataset import META_FILE
from tests.roads.conftest import ALMATY_PBF, ISLANDS_OSM

pytestmark = pytest.mark.roads


def test_almaty_build_records_what_it_was_built_from(almaty_roads: RoadsInfo) -> None:
    info = read_roads(almaty_roads.directory)
    assert info.source_file == "almaty_2012.osm.pbf"
    assert info.source_sha256 == hashlib.sha256(ALMATY_PBF.read_bytes()).hexdigest()
    assert info.source_bytes == ALMATY_PBF.stat().st_size
    # The header carries no replication timestamp: the date is the newest object's.
    assert info.osm_timestamp == "2012-03-13T17:07:43Z"
    assert info.osm_timestamp_from == "newest object"
    assert info.osm_date == "2012-03-13"
    assert info.bbox == pytest.approx((76.575, 43.057, 77.223, 43.549))
    assert (info.profile, info.algorithm) == ("car", "MLD")
    assert info.osrm_version.count(".") == 2
    assert info.closures == ()
    on_disk = sorted(p.name for p in info.directory.iterdir())
    assert on_disk == sorted([*info.files, META_FILE])
    assert "roads.osrm.mldgr" in info.files and "roads.osrm.cell_metrics" in info.files
    # Nothing was left next to it.
    assert sorted(p.name for p in info.directory.parent.iterdir()) == [info.directory.name]


def test_xml_extract_dates_from_its_newest_object(island_roads: RoadsInfo) -> None:
    assert island_roads.osm_timestamp == "2021-05-01T12:00:00Z"
    assert island_roads.bbox == pytest.approx((77.0, 43.0, 77.02, 43.1))


def test_refuses_a_directory_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    extract = tmp_path / "islands.osm"
    extract.write_text(ISLANDS_OSM)
    with pytest.raises(RoadsError, match="not empty and was not written"):
        build_roads(extract, out)
    assert (out / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["islands.osm", "mine"]


def test_replaces_its_own_directory_but_not_foreign_files_in_it(tmp_path: Path) -> None:
    extract = tmp_path / "islands.osm"
    extract.write_text(ISLANDS_OSM)
    out = tmp_path / "roads"
    out.mkdir()  # an empty directory is fine
    first = build_roads(extract, out)
    second = build_roads(extract, out)
    assert second.built_at >= first.built_at
    assert sorted(p.name for p in out.iterdir()) == sorted([*second.files, META_FILE])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["islands.osm", "roads"]
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(RoadsError, match="did not write"):
        build_roads(extract, out)
    assert (out / "mine.txt").exists() and read_roads(out).files == second.files


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roads.txt", b"hello", "expected an OpenStreetMap extract"),
        ("broken.osm.pbf", b"\x00\x00\x00\x0dnot a pbf at all", "not a readable OpenStreetMap"),
    ],
)
def test_bad_extracts_are_named_and_leave_nothing(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    extract = tmp_path / name
    extract.write_bytes(content)
    with pytest.raises(RoadsError, match=message) as caught:
        build_roads(extract, tmp_path / "out")
    assert name in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_missing_extract_and_unknown_profile(tmp_path: Path) -> None:
    with pytest.raises(RoadsError, match="no such file"):
        build_roads(tmp_path / "nowhere.osm.pbf", tmp_path / "out")
    extract = tmp_path / "islands.osm"
    extract.write_text(ISLANDS_OSM)
    with pytest.raises(RoadsError, match="profile 'truck'"):
        build_roads(extract, tmp_path / "out", profile="truck")
    with pytest.raises(RoadsError, match="create it first"):
        build_roads(extract, tmp_path / "no" / "such" / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["islands.osm"]


def test_read_roads_explains_what_is_wrong(tmp_path: Path, island_roads: RoadsInfo) -> None:
    with pytest.raises(RoadsError, match="no such roads directory"):
        read_roads(tmp_path / "nothing")
    with pytest.raises(RoadsError, match="not a roads directory"):
        read_roads(tmp_path)
    (tmp_path / META_FILE).write_text("{not json")
    with pytest.raises(RoadsError, match="cannot read the roads metadata"):
        read_roads(tmp_path)
    data = json.loads((island_roads.directory / META_FILE).read_text())
    (tmp_path / META_FILE).write_text(json.dumps(data))
    with pytest.raises(RoadsError, match=r"listed in roads\.json are missing"):
        read_roads(tmp_path)
    (tmp_path / META_FILE).write_text(json.dumps({**data, "format": 99}))
    with pytest.raises(RoadsError, match="format 99"):
        read_roads(tmp_path)


def test_cli_build_and_info(tmp_path: Path) -> None:
    extract = tmp_path / "islands.osm"
    extract.write_text(ISLANDS_OSM)
    out = tmp_path / "roads"
    runner = CliRunner()
    result = runner.invoke(app, ["roads", "build", str(extract), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for step in ("read the extract", "osrm-extract", "osrm-partition", "osrm-customize"):
        assert step in result.output
    assert "2021-05-01" in result.output
    result = runner.invoke(app, ["roads", "info", str(out)])
    assert result.exit_code == 0, result.output
    assert "islands.osm" in result.output and "MLD" in result.output
    result = runner.invoke(app, ["roads", "build", str(extract), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "not empty" in result.output
