"""Uploads: checked completely, reported with the uploaded file's name, used only if valid."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

from planner.datasets import SMALL_MISSION, get_path
from planner.model import Area, District, Region, StationKind
from planner.ui.uploads import Upload, load_package, replace_layers
from tests.support.missions import small_mission

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _package() -> dict[str, bytes]:
    folder = get_path(SMALL_MISSION)
    return {name: (folder / name).read_bytes() for name in ("mission.gpkg", "mission.toml")}


def test_zipped_package_in_a_folder_loads() -> None:
    files = {f"demo/{name}": data for name, data in _package().items()}
    result = load_package([Upload("demo.zip", _zip(files))])
    assert result.ok, result.problems
    assert result.mission.name == "Ulytau demo" and len(result.mission.stations) == 300


def test_gpkg_with_its_settings_loads() -> None:
    files = _package()
    result = load_package(
        [
            Upload("ulytau.gpkg", files["mission.gpkg"]),
            Upload("settings.toml", files["mission.toml"]),
        ]
    )
    assert result.ok, result.problems


def test_package_problems_name_the_upload() -> None:
    """No settings file; not a zip; a zip without a GeoPackage; a wrong file type."""
    gpkg = _package()["mission.gpkg"]
    missing = load_package([Upload("ulytau.gpkg", gpkg)])
    assert not missing.ok and "mission.toml" in missing.problems[0].message
    broken = load_package([Upload("broken.zip", b"not a zip")])
    assert broken.problems[0].file == "broken.zip"
    assert "not a readable .zip" in broken.problems[0].message
    empty = load_package([Upload("empty.zip", _zip({"notes.txt": b"x"}))])
    assert "exactly one GeoPackage" in empty.problems[0].message
    wrong = load_package([Upload("stations.csv", b"a,b\n")])
    assert "mission package is a .zip" in wrong.problems[0].message
    assert not load_package([]).ok


def test_invalid_settings_in_a_package_are_reported_without_temp_paths() -> None:
    files = _package()
    files["mission.toml"] = files["mission.toml"].replace(
        b"polls_close = 20:00:00", b"polls_close = 05:00:00"
    )
    result = load_package([Upload("bad.zip", _zip(files))])
    assert not result.ok
    assert all("planner-upload-" not in p.file for p in result.problems)
    assert any(p.field == "rules.polls_close" for p in result.problems)


def test_bad_station_file_lists_every_row() -> None:
    data = (FIXTURES / "bad_coordinates.csv").read_bytes()
    result = replace_layers(small_mission(), stations=Upload("bad_coordinates.csv", data))
    assert result.mission is None
    assert {p.file for p in result.problems} == {"bad_coordinates.csv"}
    assert len(result.problems) >= 2


def test_stations_and_tecs_replace_the_layers_with_warnings() -> None:
    """Almaty stations and TECs uploaded to the Ulytau mission: valid, but their region is
    not the mission's, so each is warned about."""
    mission = small_mission()
    result = replace_layers(
        mission,
        stations=Upload("stations.csv", (FIXTURES / "stations.csv").read_bytes()),
        commissions=Upload("commissions.csv", (FIXTURES / "commissions.csv").read_bytes()),
    )
    assert result.ok, result.problems
    assert result.mission.teams == mission.teams
    assert {s.tec_id for s in result.mission.stations} <= {
        c.tec_id for c in result.mission.commissions
    }
    assert result.warnings and all(w.field == "region" for w in result.warnings)
    assert "stations from stations.csv" in result.message


def test_stations_outside_areas_of_districts_are_warned_by_district() -> None:
    """With areas made of whole districts, an uploaded station counts as planned by its
    district: those of a district no area lists are warned about, the others are not."""
    mission = small_mission()
    almaty = Region("75", "Almaty", tz="Asia/Almaty")
    areas = (Area("AOR-7511", "Almaly", (), district_ids=("7511",)),)
    teams = tuple(dataclasses.replace(t, area_id="AOR-7511") for t in mission.teams)
    mission = dataclasses.replace(
        mission,
        regions=(*mission.regions, almaty),
        districts=(*mission.districts, District("7511", "75", "Almaly")),
        areas=areas,
        teams=teams,
    )
    result = replace_layers(
        mission,
        stations=Upload("stations.csv", (FIXTURES / "stations.csv").read_bytes()),
        commissions=Upload("commissions.csv", (FIXTURES / "commissions.csv").read_bytes()),
    )
    assert result.ok, result.problems
    warned = {w.row for w in result.warnings if w.field == "district"}
    outside = {
        s.station_id
        for s in result.mission.stations
        if s.district != "7511" and s.kind is not StationKind.ABROAD
    }
    assert warned == outside and outside
    assert any(s.district == "7511" for s in result.mission.stations)


def test_tecs_alone_must_keep_every_station_tec() -> None:
    result = replace_layers(
        small_mission(),
        commissions=Upload("commissions.csv", (FIXTURES / "commissions.csv").read_bytes()),
    )
    assert not result.ok
    assert result.problems[0].field == "tec_id"
    assert result.problems[0].file == "commissions.csv"
