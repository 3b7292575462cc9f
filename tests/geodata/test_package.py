"""Mission packages: write and read back, staged writes, checks across layers."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from planner import datasets
from planner.errors import MissionDataError
from planner.geodata import load_mission, write_mission
from planner.model import District, Mission, Region

# --- write and read back --------------------------------------------------------------


def test_write_then_load_gives_an_equal_mission(tmp_path: Path, small_mission: Mission):
    """A package written and read back equals the mission it came from, geometries and
    country outline included."""
    gpkg = write_mission(small_mission, tmp_path / "pkg")
    assert gpkg == tmp_path / "pkg" / "mission.gpkg"
    assert sorted(p.name for p in gpkg.parent.iterdir()) == ["mission.gpkg", "mission.toml"]
    loaded = load_mission(tmp_path / "pkg")
    assert loaded == small_mission
    assert loaded.rules.voting_stay_min == 40 and loaded.seed == 2022
    assert loaded.teams[1].lon is None and loaded.commissions[0].parent_id is None
    assert loaded.areas[0].region_ids == ("75",)
    assert loaded.regions[0].geometry.equals(small_mission.regions[0].geometry)
    assert loaded.outline.equals(small_mission.outline)


def test_gpkg_path_works_for_write_and_load(tmp_path: Path, small_mission: Mission):
    """A .gpkg path can be given instead of a directory; settings go next to it."""
    gpkg = write_mission(small_mission, tmp_path / "almaty.gpkg")
    assert (tmp_path / "almaty.toml").is_file()
    assert load_mission(gpkg) == small_mission


def test_failed_write_leaves_existing_package_untouched(
    tmp_path: Path, small_mission: Mission, monkeypatch: pytest.MonkeyPatch
):
    """If writing fails half-way, the old package still loads and no temp files remain."""
    write_mission(small_mission, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_write = pyogrio.write_dataframe

    def failing_write(frame, path, *, layer, **kwargs):
        if layer == "teams":
            raise OSError("disk full")
        return real_write(frame, path, layer=layer, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", failing_write)
    changed = dataclasses.replace(small_mission, name="Changed", stations=())
    with pytest.raises(OSError, match="disk full"):
        write_mission(changed, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert load_mission(tmp_path) == small_mission


def test_polygon_layers_keep_single_polygons(tmp_path: Path, small_mission: Mission):
    """A layer of single polygons is written as Polygon; one that mixes in a MultiPolygon
    is written as MultiPolygon throughout, so every shape loads back as it was or as the
    equal MultiPolygon."""
    first, second = small_mission.districts
    two_part = shapely.MultiPolygon([first.geometry, shapely.box(77.5, 43.5, 77.6, 43.6)])
    mixed = dataclasses.replace(
        small_mission, districts=(dataclasses.replace(first, geometry=two_part), second)
    )
    write_mission(mixed, tmp_path)
    loaded = load_mission(tmp_path)
    assert [r.geometry.geom_type for r in loaded.regions] == ["Polygon"]
    assert [d.geometry.geom_type for d in loaded.districts] == ["MultiPolygon"] * 2
    assert loaded.districts[1].geometry.equals(second.geometry)


def test_note_goes_into_the_settings_file(tmp_path: Path, small_mission: Mission):
    """The note on where the data comes from is written to mission.toml; without one the
    file has no note line."""
    write_mission(small_mission, tmp_path / "noted", note="Synthetic test data.")
    write_mission(small_mission, tmp_path / "plain")
    assert 'note = "Synthetic test data."' in (tmp_path / "noted" / "mission.toml").read_text()
    assert "note" not in (tmp_path / "plain" / "mission.toml").read_text()
    assert load_mission(tmp_path / "noted") == small_mission


def test_district_areas_and_unlocated_stations_round_trip(tmp_path: Path, small_mission: Mission):
    """An area made of whole districts and a station placed without coordinates of its own
    are written (as `district_ids` and `unlocated`) and read back; a mission without them
    writes neither column, so its package stays as before."""
    plain = write_mission(small_mission, tmp_path / "plain")
    assert "district_ids" not in pyogrio.read_info(plain, layer="areas")["fields"]
    assert "unlocated" not in pyogrio.read_info(plain, layer="stations")["fields"]
    west, east = (
        dataclasses.replace(
            small_mission.areas[0], area_id=area_id, region_ids=(), district_ids=(d,)
        )
        for area_id, d in (("AOR-W", "7511"), ("AOR-E", "7513"))
    )
    stations = list(small_mission.stations)
    stations[3] = dataclasses.replace(stations[3], unlocated=True)
    teams = tuple(dataclasses.replace(t, area_id="AOR-W") for t in small_mission.teams)
    mission = dataclasses.replace(
        small_mission, areas=(west, east), stations=tuple(stations), teams=teams
    )
    loaded = load_mission(write_mission(mission, tmp_path / "districts"))
    assert loaded == mission
    assert [a.district_ids for a in loaded.areas] == [("7511",), ("7513",)]
    assert [s.station_id for s in loaded.stations if s.unlocated] == ["PS-4"]
    assert loaded.area_of_station(loaded.station_by_id["PS-4"]) == "AOR-E"
    assert loaded.area_of_commission(loaded.commission_by_id["TEC-7511"]) == "AOR-W"


def test_estimated_fields_and_approximate_seats_round_trip(tmp_path: Path, small_mission: Mission):
    """What `planner init` estimated (a station's fields, a commission's seat) is written as
    `estimated` and `approximate` and read back; a mission without estimates writes neither."""
    plain = write_mission(small_mission, tmp_path / "plain")
    assert "estimated" not in pyogrio.read_info(plain, layer="stations")["fields"]
    assert "approximate" not in pyogrio.read_info(plain, layer="commissions")["fields"]
    stations = list(small_mission.stations)
    stations[0] = dataclasses.replace(stations[0], estimated=("voters", "tz"))
    stations[1] = dataclasses.replace(stations[1], unlocated=True, estimated=("position",))
    commissions = list(small_mission.commissions)
    commissions[0] = dataclasses.replace(commissions[0], approximate=True)
    mission = dataclasses.replace(
        small_mission, stations=tuple(stations), commissions=tuple(commissions)
    )
    loaded = load_mission(write_mission(mission, tmp_path / "flagged"))
    assert loaded == mission
    assert [s.estimated for s in loaded.stations[:3]] == [("voters", "tz"), ("position",), ()]
    assert loaded.stations[1].position_approximate and not loaded.stations[0].position_approximate
    assert [c.approximate for c in loaded.commissions[:2]] == [True, False]


# --- checks across layers -------------------------------------------------------------


def replace_layer(gpkg: Path, layer: str, edit) -> None:
    frame = pyogrio.read_dataframe(gpkg, layer=layer)
    edit(frame)
    pyogrio.write_dataframe(frame, gpkg, layer=layer)


def test_package_cross_references_are_checked(tmp_path: Path, small_mission: Mission):
    """Unknown region, district, TEC, parent TEC, area region or district and team area, a
    district of another region and a flag that is not yes or no are all reported, each at
    its layer and row."""
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
        f["unlocated"] = ["0", "1", "", "true", "maybe", "No", "yes"][: len(f)]
        f["estimated"] = ["voters", "", "Voters, tz", "height", "", "", ""][: len(f)]

    def commissions(f: gpd.GeoDataFrame) -> None:
        f.loc[2, "parent_id"] = "TEC-00"
        f["approximate"] = ["1", "often", *[""] * (len(f) - 2)]

    def areas(f: gpd.GeoDataFrame) -> None:
        f.loc[0, "region_ids"] = "75, 76"
        f["district_ids"] = "7511, 7599"

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
        ("stations", 5, "unlocated"): (
            "unlocated 'maybe' is not one of 1, 0, true, false, yes, no"
        ),
        ("stations", 4, "estimated"): (
            "estimated 'height' is not a comma-separated list of voters, setting, kind, tz, "
            "position"
        ),
        ("commissions", 2, "approximate"): (
            "approximate 'often' is not one of 1, 0, true, false, yes, no"
        ),
        ("areas", 1, "region_ids"): "region '76' does not exist",
        ("areas", 1, "district_ids"): "district '7599' does not exist",
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


# --- the shipped default --------------------------------------------------------------


@pytest.mark.slow
def test_default_mission_loads_fast():
    """The shipped 10,101-station mission loads and validates in well under 3 s."""
    try:
        path = datasets.get_path()
    except FileNotFoundError:
        pytest.skip("default mission not built")
    start = time.perf_counter()
    mission = load_mission(path)
    elapsed = time.perf_counter() - start
    assert len(mission.stations) == 10_101
    assert elapsed < 3.0
    assert shapely.get_type_id(mission.outline) in (3, 6)  # (Multi)Polygon
