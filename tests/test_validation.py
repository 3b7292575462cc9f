"""Every error path of the loaders: each names the file, row and field in plain words."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from planner.errors import MissionDataError, Problem
from planner.geodata import (
    SUPPORTED_FORMATS,
    load_commissions,
    load_mission,
    load_stations,
    write_mission,
)
from planner.model import District, Mission, Region


def station_problems(path: Path, **kwargs) -> list[Problem]:
    with pytest.raises(MissionDataError) as info:
        load_stations(path, **kwargs)
    return info.value.problems


def by_row(problems: list[Problem]) -> dict[tuple[int | str | None, str | None], str]:
    return {(p.row, p.field): p.message for p in problems}


@pytest.fixture
def tecs(fixtures: Path):
    return load_commissions(fixtures / "commissions.csv")[0]


# --- unreadable, unsupported, empty -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("stations.xls", "unsupported file type '.xls'"),
        ("no_such_file.csv", "file not found"),
        ("corrupt.gpkg", "cannot read this file"),
        ("corrupt.xlsx", "not a readable Excel workbook"),
    ],
)
def test_unreadable_file_names_supported_formats(fixtures: Path, name: str, expected: str):
    """A wrong extension, a missing file or corrupt content gives one whole-file problem
    that says which formats are supported."""
    (problem,) = station_problems(fixtures / name)
    assert problem.file == str(fixtures / name)
    assert problem.row is None
    assert expected in problem.message
    assert SUPPORTED_FORMATS in problem.message


@pytest.mark.parametrize("name", ["empty.csv", "header_only.csv", "empty.geojson"])
def test_file_without_rows_is_reported(fixtures: Path, name: str):
    """A zero-byte file, a header without data and an empty FeatureCollection: 'no rows'."""
    (problem,) = station_problems(fixtures / name)
    assert problem.message == "the file has no rows"


def test_missing_columns_lists_the_columns_found(fixtures: Path):
    """Each missing required column is named, and the message lists what the file has
    (column names compared case-insensitively: 'Station_ID' counts as station_id)."""
    problems = station_problems(fixtures / "missing_columns.csv")
    assert [p.field for p in problems] == ["tec_id", "voters"]
    for p in problems:
        assert p.row is None
        assert "columns found: station_id, name, lat, lon" in p.message


def test_missing_coordinate_columns_lists_accepted_names(fixtures: Path):
    """Without a latitude/longitude column the problem lists the accepted names."""
    problems = station_problems(fixtures / "missing_coordinates.csv")
    assert [p.field for p in problems] == ["lat", "lon"]
    assert "широта" in problems[0].message and "бойлық" in problems[1].message
    assert "columns found: station_id, tec_id, voters, address" in problems[0].message


# --- coordinates ------------------------------------------------------------------------


def test_bad_coordinates_are_reported_per_row(fixtures: Path, kz_outline):
    """Missing, non-numeric, outside-the-country and swapped coordinates, one per row."""
    problems = station_problems(fixtures / "bad_coordinates.csv", outline=kz_outline)
    found = by_row(problems)
    assert found[(1, "lat")] == "missing latitude"
    assert found[(2, "lon")] == "longitude 'abc' is not a number"
    assert "outside the mission country" in found[(3, "lat, lon")]
    assert "latitude and longitude look swapped" in found[(4, "lat, lon")]
    assert len(problems) == 4
    assert str(problems[1]).startswith(f"{fixtures / 'bad_coordinates.csv'}, row 2, field 'lon'")


def test_without_outline_coordinates_must_be_on_earth(fixtures: Path):
    """With no country outline only the lat/lon ranges are checked (swaps still spotted)."""
    found = by_row(station_problems(fixtures / "off_earth.csv"))
    assert "is not on Earth" in found[(1, "lat, lon")]
    assert (2, "lat, lon") not in found
    assert "look swapped" in found[(3, "lat, lon")]


def test_abroad_stations_are_exempt_from_the_outline(fixtures: Path, kz_outline, tecs):
    """A station of kind 'abroad' in Moscow passes the Kazakhstan outline check."""
    stations, _ = load_stations(fixtures / "stations.csv", outline=kz_outline, commissions=tecs)
    assert any(s.kind == "abroad" and s.lat > 55 for s in stations)


def test_vector_geometry_must_be_a_point(fixtures: Path):
    """In GeoJSON a null geometry and a polygon are both reported, by feature number."""
    found = by_row(station_problems(fixtures / "bad_geometry.geojson"))
    assert found == {
        (2, "geometry"): "missing point",
        (3, "geometry"): "expected a point, found Polygon",
    }


# --- values -----------------------------------------------------------------------------


def test_duplicate_ids_name_both_rows(fixtures: Path):
    """A repeated station_id is reported at the later row and names the earlier one."""
    found = by_row(station_problems(fixtures / "duplicate_ids.csv"))
    assert found[(3, "station_id")] == "duplicate station_id 'PEC-1': also in row 1"
    assert found[(4, "station_id")] == "missing station_id"


def test_voters_must_be_whole_and_not_negative(fixtures: Path):
    """Non-numeric, fractional, negative and empty voter counts; '1 250' is accepted."""
    found = by_row(station_problems(fixtures / "bad_voters.csv"))
    assert found == {
        (1, "voters"): "voters 'many' is not a number",
        (2, "voters"): "voters '12.5' is not a whole number",
        (3, "voters"): "voters must not be negative, got -3",
        (4, "voters"): "missing voters",
    }


def test_unknown_kind_and_setting_list_the_allowed_values(fixtures: Path):
    """Unknown kind/setting values are named with the allowed ones; case is ignored."""
    found = by_row(station_problems(fixtures / "bad_values.csv"))
    assert found == {
        (1, "kind"): "unknown kind 'mobile'; allowed: regular, special, abroad",
        (2, "setting"): "unknown setting 'suburban'; allowed: urban, rural",
    }


def test_time_zone_must_be_iana(fixtures: Path):
    """A misspelt zone and a UTC offset are rejected; an empty tz is allowed."""
    found = by_row(station_problems(fixtures / "bad_tz.csv"))
    assert set(found) == {(1, "tz"), (2, "tz")}
    assert found[(1, "tz")].startswith("unknown time zone 'Asia/Almati'")


def test_station_tec_must_exist_when_commissions_given(fixtures: Path, tecs):
    """With commissions, a station pointing at an unknown TEC is an error; without, not."""
    found = by_row(station_problems(fixtures / "unknown_tec.csv", commissions=tecs))
    assert found == {(2, "tec_id"): "TEC 'TEC-9999' does not exist"}
    stations, _ = load_stations(fixtures / "unknown_tec.csv")
    assert len(stations) == 2


def test_all_problems_reported_at_once_in_file_order(fixtures: Path, kz_outline):
    """One error carries every problem of the file, sorted by row."""
    problems = station_problems(fixtures / "many_problems.csv", outline=kz_outline)
    assert [(p.row, p.field) for p in problems] == [
        (2, "voters"),
        (3, "kind"),
        (3, "tz"),
        (3, "lat, lon"),
        (4, "station_id"),
        (4, "tec_id"),
        (4, "lat"),
    ]


def test_commission_problems(fixtures: Path):
    """TECs: unknown level, missing name, unknown parent and duplicate id together."""
    with pytest.raises(MissionDataError) as info:
        load_commissions(fixtures / "commissions_bad.csv")
    found = by_row(info.value.problems)
    assert found == {
        (2, "level"): "unknown level 'oblast'; allowed: regional, district, city, city_district",
        (3, "name"): "missing name",
        (3, "parent_id"): "parent commission 'TEC-404' does not exist",
        (4, "tec_id"): "duplicate tec_id 'TEC-75': also in row 1",
    }


# --- warnings ---------------------------------------------------------------------------


def test_far_from_tec_and_zero_voters_are_warnings(fixtures: Path, tecs):
    """A station ~970 km from its TEC and one with 0 voters load, with warnings;
    a station abroad is never 'far from its TEC'."""
    stations, warnings = load_stations(fixtures / "far_from_tec.csv", commissions=tecs)
    assert len(stations) == 3
    found = by_row(warnings)
    assert set(found) == {(1, "tec_id"), (2, "voters")}
    assert found[(1, "tec_id")].startswith("972 km from its TEC 'TEC-7511'")
    assert found[(2, "voters")] == "0 registered voters"


# --- mission packages -------------------------------------------------------------------


def replace_layer(gpkg: Path, layer: str, edit) -> None:
    frame = pyogrio.read_dataframe(gpkg, layer=layer)
    edit(frame)
    pyogrio.write_dataframe(frame, gpkg, layer=layer)


def test_package_cross_references_are_checked(tmp_path: Path, small_mission: Mission):
    """Unknown region, district, TEC, parent TEC, area region and team area, and a district
    of another region, are all reported, each at its layer and row."""
    outside_city = shapely.box(76.5, 43.3, 77.5, 44.0)
    mission = dataclasses.replace(
        small_mission,
        regions=(*small_mission.regions, Region("19", "Almaty Region", geometry=outside_city)),
        districts=(*small_mission.districts, District("1901", "19", "Talgar")),
    )
    gpkg = write_mission(mission, tmp_path)

    def stations(f: gpd.GeoDataFrame) -> None:
        f.loc[0, "region"] = "99"
        f.loc[1, "district"] = "7599"
        f.loc[2, "tec_id"] = "TEC-404"
        f.loc[3, "district"] = "1901"

    def commissions(f: gpd.GeoDataFrame) -> None:
        f.loc[2, "parent_id"] = "TEC-00"

    def areas(f: gpd.GeoDataFrame) -> None:
        f.loc[0, "region_ids"] = "75, 76"

    def teams(f: gpd.GeoDataFrame) -> None:
        f.loc[1, "area_id"] = "AOR-99"

    for layer, edit in [
        ("stations", stations),
        ("commissions", commissions),
        ("areas", areas),
        ("teams", teams),
    ]:
        replace_layer(gpkg, layer, edit)
    with pytest.raises(MissionDataError) as info:
        load_mission(tmp_path)
    found = {(p.file.rsplit(":", 1)[-1], p.row, p.field): p.message for p in info.value.problems}
    assert found == {
        ("commissions", 3, "parent_id"): "parent commission 'TEC-00' does not exist",
        ("stations", 1, "region"): "region '99' does not exist",
        ("stations", 2, "district"): "district '7599' does not exist",
        ("stations", 3, "tec_id"): "TEC 'TEC-404' does not exist",
        ("stations", 4, "district"): "district '1901' belongs to region '19', not '75'",
        ("areas", 1, "region_ids"): "region '76' does not exist",
        ("teams", 2, "area_id"): "area 'AOR-99' does not exist",
    }


def test_package_missing_layer_and_bad_settings(tmp_path: Path, small_mission: Mission):
    """A missing layer (listing those found) and a bad mission.toml are reported together."""
    gpkg = write_mission(small_mission, tmp_path)
    pyogrio.write_dataframe(
        gpd.GeoDataFrame({"x": [1]}, geometry=[shapely.Point(0, 0)], crs=4326),
        tmp_path / "other.gpkg",
    )
    for layer in ("teams",):
        # GDAL cannot drop a layer through pyogrio; rebuild the file without it.
        layers = [name for name, _ in pyogrio.list_layers(gpkg) if name != layer]
        frames = {name: pyogrio.read_dataframe(gpkg, layer=name) for name in layers}
        gpkg.unlink()
        for name, frame in frames.items():
            pyogrio.write_dataframe(frame, gpkg, layer=name)
    (tmp_path / "mission.toml").write_text("[rules]\nvoting_stay_min = 'long'\n")
    with pytest.raises(MissionDataError) as info:
        load_mission(tmp_path)
    fields = {p.field: p.message for p in info.value.problems}
    assert fields["teams"].startswith("missing layer; layers found: areas, commissions")
    assert fields["rules.voting_stay_min"] == "expected a whole number"


def test_missing_package_is_reported(tmp_path: Path):
    """Loading a directory without mission.gpkg says so."""
    with pytest.raises(MissionDataError, match="mission package not found"):
        load_mission(tmp_path)
