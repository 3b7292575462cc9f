"""`planner init` end to end on a small synthetic country: package, flags, areas, report."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from planner import synthetic
from planner.capacity import phase_capacity, target_warnings
from planner.cli import app
from planner.geodata import load_mission
from planner.init.areas import is_contiguous, unit_links
from planner.travel_source import area_places

runner = CliRunner()
STATIONS = 2_500


@pytest.fixture(scope="module")
def country() -> synthetic.SyntheticCountry:
    return synthetic.generate(STATIONS, seed=3)


@pytest.fixture(scope="module")
def lists(country, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lists")
    return {
        "full": synthetic.write_lists(country, folder),
        "reduced": synthetic.write_lists(country, folder, reduced=True),
    }


def _init(*args: object) -> object:
    result = runner.invoke(app, ["init", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def package(lists, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pkg") / "mission"
    _init(lists["full"], "--out", out, "--name", "Synthetic", "--election-date", "2025-06-01",
          "--teams", "24", "--areas", "4")  # fmt: skip
    return out


def _layer(package: Path, layer: str) -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(package / "mission.gpkg", layer=layer)


def test_the_package_loads_with_the_list_hierarchy(package, country) -> None:
    mission = load_mission(package)
    truth = country.stations
    assert len(mission.stations) == STATIONS
    assert len(mission.regions) == truth["province_id"].nunique()
    by_code = {s.station_id: s for s in mission.stations}
    # Every ward of the list is one commission, every district one district.
    tec_of_ward: dict[int, set[str]] = defaultdict(set)
    district_of: dict[int, set[str]] = defaultdict(set)
    for code, ward, district in zip(
        truth["code"], truth["ward_id"], truth["district_id"], strict=True
    ):
        tec_of_ward[ward].add(by_code[code].tec_id)
        district_of[district].add(by_code[code].district)
    assert all(len(t) == 1 for t in tec_of_ward.values())
    assert all(len(d) == 1 for d in district_of.values())
    names = {c.tec_id: c.name for c in mission.commissions}
    first = by_code[truth["code"].iat[0]]
    assert names[first.tec_id].endswith(truth["ward"].iat[0])


def test_unlocated_stations_are_flagged_placed_at_their_commission_and_kept_out(
    package, country
) -> None:
    mission = load_mission(package)
    truth = country.stations
    missing = set(truth.loc[truth["lon"].isna(), "code"])
    assert missing and {s.station_id for s in mission.stations if s.unlocated} == missing
    tecs = mission.commission_by_id
    for sid in missing:
        s = mission.station_by_id[sid]
        assert (s.lon, s.lat) == (tecs[s.tec_id].lon, tecs[s.tec_id].lat)
    layer = _layer(package, "stations")
    flagged = layer.set_index("station_id")["estimated"]
    assert all("position" in flagged[sid] for sid in missing)
    report = json.loads((package / "init-report.json").read_text("utf-8"))
    assert {s["station_id"] for s in report["unlocated"]["stations"]} == missing


def test_defaults_are_applied_and_flagged(package) -> None:
    mission = load_mission(package)
    assert {s.voters for s in mission.stations} == {1000}
    layer = _layer(package, "stations")
    assert layer["estimated"].str.contains("voters").all()
    assert layer["estimated"].str.contains("tz").all()
    # Two time zones, as the real border runs through the country.
    zones = {s.tz for s in mission.stations}
    assert zones == {"Asia/Hovd", "Asia/Ulaanbaatar"}
    # Cities are urban, villages rural.
    settings = {s.setting.value for s in mission.stations}
    assert settings == {"urban", "rural"}
    commissions = _layer(package, "commissions")
    assert (commissions["approximate"].astype(int) == 1).all()
    # The flags are the mission's own: what a reader of the loaded mission sees.
    assert all(c.approximate for c in mission.commissions)
    assert all({"voters", "tz"} <= set(s.estimated) for s in mission.stations)
    assert {s.station_id for s in mission.stations if "position" in s.estimated} == {
        s.station_id for s in mission.stations if s.unlocated
    }
    assert set(commissions["level_name"]) == {"баг, хороо"}


def test_areas_are_whole_districts_in_one_piece_and_the_table_matches(package) -> None:
    mission = load_mission(package)
    table = pd.read_csv(package / "areas.csv", dtype=str)
    assert sorted(table["area_id"].unique()) == [a.area_id for a in mission.areas]
    area_of = dict(zip(table["district_id"], table["area_id"], strict=True))
    for s in mission.stations:
        assert mission.area_of_station(s) == area_of[s.district]
    districts = sorted(area_of)
    index = {d: i for i, d in enumerate(districts)}
    tec_unit = np.array([index[c.district] for c in mission.commissions])
    links = unit_links(
        tec_unit,
        np.array([c.lon for c in mission.commissions]),
        np.array([c.lat for c in mission.commissions]),
        len(districts),
    )
    labels = np.array([sorted(set(area_of.values())).index(area_of[d]) for d in districts])
    assert is_contiguous(labels, links)
    report = json.loads((package / "init-report.json").read_text("utf-8"))
    balance = report["areas"]["balance"]
    assert balance["contiguous"]
    assert balance["max_over_mean"] <= max(1.35, report["areas"]["largest_district_over_mean"])
    # Teams: in proportion to voters, one LTO per area, bases inside their area.
    assert len(mission.sto_teams) == 24
    ltos = [t for t in mission.teams if t.kind.value == "lto"]
    assert sorted(t.area_id for t in ltos) == [a.area_id for a in mission.areas]


def test_edited_areas_table_is_honoured(package, lists, tmp_path) -> None:
    table = pd.read_csv(package / "areas.csv", dtype=str)
    # Move a district on the border of AOR-01 into the neighbouring area it touches.
    moved = table.index[table["area_id"] == "AOR-01"][0]
    table.loc[moved, "area_id"] = "AOR-02"
    edited = tmp_path / "areas.csv"
    table.to_csv(edited, index=False)
    out = tmp_path / "again"
    _init(lists["full"], "--out", out, "--name", "Synthetic", "--election-date", "2025-06-01",
          "--teams", "24", "--areas-from", edited)  # fmt: skip
    again = pd.read_csv(out / "areas.csv", dtype=str)
    assert dict(zip(again["district_id"], again["area_id"], strict=True)) == dict(
        zip(table["district_id"], table["area_id"], strict=True)
    )


def test_the_report_lists_what_was_inferred(package) -> None:
    text = (package / "init-report.md").read_text("utf-8")
    for expected in (
        "`хэсгийн код`",
        "| hierarchy | `аймаг, нийслэл` | header |",
        "Stations without coordinates",
        "Areas of responsibility (4)",
        "1,000 per station (default)",
        "## Targets",
        "The package loads",
    ):
        assert expected in text
    report = json.loads((package / "init-report.json").read_text("utf-8"))
    assert report["columns"]["roles"]["lat"] == "өргөрөг"
    assert report["targets"]["opening"] == round(127 / 150 * 24)


def test_the_package_validates(package) -> None:
    result = runner.invoke(app, ["validate", str(package)])
    assert result.exit_code == 0, result.output
    assert "exceeds" not in result.output


def test_areas_of_whole_districts_hold_their_commissions_and_places(package) -> None:
    """Areas made of districts (not regions) still own their commissions: every team can
    follow a count to one, and every area has places to drive to."""
    mission = load_mission(package)
    assert all(not a.region_ids for a in mission.areas)
    assert target_warnings(mission) == []
    assert phase_capacity(mission).most["tabulation"] == len(mission.sto_teams)
    places = area_places(mission)
    assert sorted(places) == sorted(a.area_id for a in mission.areas)
    assert sum(len(p) for p in places.values()) == (
        len(mission.stations) + len(mission.commissions) + len(mission.sto_teams)
    )


def test_the_reduced_list_gives_a_valid_package(lists, tmp_path) -> None:
    out = tmp_path / "reduced"
    _init(lists["reduced"], "--out", out, "--name", "Reduced", "--election-date", "2025-06-01",
          "--teams", "12", "--voters-total", "2000000")  # fmt: skip
    mission = load_mission(out)
    assert len(mission.regions) == 1
    assert len(mission.commissions) == len(mission.districts)
    assert sum(s.voters for s in mission.stations) == 2_000_000
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0


def test_polygons_stand_for_a_point_inside_them(tmp_path, country) -> None:
    rows = country.stations.dropna(subset=["lon"]).head(60)
    shapes = shapely.buffer(shapely.points(rows["lon"], rows["lat"]), 0.001)
    gdf = gpd.GeoDataFrame(
        {"PU Code": rows["code"], "LGA": rows["district"], "Ward": rows["ward"]},
        geometry=shapes,
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")  # any CRS is reprojected
    path = tmp_path / "units.geojson"
    gdf.to_file(path, driver="GeoJSON")
    out = tmp_path / "poly"
    _init(path, "--out", out, "--name", "Polygons", "--election-date", "2025-06-01",
          "--teams", "2")  # fmt: skip
    mission = load_mission(out)
    report = json.loads((out / "init-report.json").read_text("utf-8"))
    assert report["polygons_as_points"] == 60
    in_order = sorted(mission.stations, key=lambda s: s.station_id)
    shapes_in_order = [shapes[i] for i in np.argsort(rows["code"].to_numpy())]
    for s, shape in zip(in_order, shapes_in_order, strict=True):
        assert shape.buffer(1e-6).contains(shapely.Point(s.lon, s.lat))


def test_a_folder_of_files_in_other_languages_and_formats(tmp_path, country) -> None:
    rows = country.stations.dropna(subset=["lon"]).sample(120, random_state=0)
    half = len(rows) // 2
    frame = pd.DataFrame(
        {
            "Код участка": rows["code"],
            "Область": rows["province"],
            "Район": rows["district"],
            "Число избирателей": [f"{v:,}".replace(",", " ") for v in range(1000, 1120)],
            "Широта": rows["lat"].map("{:.5f}".format),
            "Долгота": rows["lon"].map("{:.5f}".format),
        }
    )
    folder = tmp_path / "lists"
    folder.mkdir()
    frame.iloc[:half].to_csv(folder / "a.csv", index=False, encoding="cp1251", errors="replace")
    frame.iloc[half:].to_excel(folder / "b.xlsx", index=False)
    out = tmp_path / "folder"
    _init(folder, "--out", out, "--name", "Folder", "--election-date", "2025-06-01",
          "--teams", "2")  # fmt: skip
    mission = load_mission(out)
    assert len(mission.stations) == 120
    assert sum(s.voters for s in mission.stations) == sum(range(1000, 1120))
    report = json.loads((out / "init-report.json").read_text("utf-8"))
    assert report["defaults"]["voters"]["rows"] == 0


def test_init_refuses_a_folder_holding_other_files(lists, tmp_path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["init", str(lists["full"]), "--out", str(out), "--name", "X",
                                 "--election-date", "2025-06-01"])  # fmt: skip
    assert result.exit_code == 1
    assert "holds no earlier planner output" in " ".join(result.output.split())
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_init_writes_again_where_it_wrote_and_beside_other_files_with_force(
    lists, tmp_path
) -> None:
    """A second run replaces the package it wrote; --force writes into a folder holding
    other files and leaves them; nothing else (no temporary folder) stays behind."""
    args = ["--name", "X", "--election-date", "2025-06-01", "--teams", "4", "--areas", "2"]
    out = tmp_path / "again"
    _init(lists["reduced"], "--out", out, *args)
    _init(lists["reduced"], "--out", out, *args)
    own = {"mission.gpkg", "mission.toml", "areas.csv", "init-report.md", "init-report.json"}
    assert {p.name for p in out.iterdir()} == own | {".planner-output.json"}
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    _init(lists["reduced"], "--out", busy, *args, "--force")
    assert {p.name for p in busy.iterdir()} == own | {".planner-output.json", "notes.txt"}
    assert (busy / "notes.txt").read_text() == "mine"
    assert load_mission(busy).stations


def test_a_list_without_coordinates_or_hierarchy_is_explained(tmp_path) -> None:
    path = tmp_path / "bare.csv"
    path.write_text("id,name\n1,A\n2,B\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(path), "--out", str(tmp_path / "o"), "--name", "X",
                                 "--election-date", "2025-06-01"])  # fmt: skip
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "no coordinates" in output
    assert "--columns lat=...,lon=..." in output


@pytest.mark.slow
def test_the_reduced_list_plans_and_checks(lists, tmp_path) -> None:
    out = tmp_path / "reduced"
    _init(lists["reduced"], "--out", out, "--name", "Reduced", "--election-date", "2025-06-01",
          "--teams", "6", "--areas", "2")  # fmt: skip
    plan = tmp_path / "plan"
    result = runner.invoke(app, ["plan", str(out), "--out", str(plan), "--time-limit", "20",
                                 "--workers", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    visits = pd.read_csv(plan / "visits.csv", dtype=str)
    unlocated = {s.station_id for s in load_mission(out).stations if s.unlocated}
    assert unlocated and not set(visits["site_id"]) & unlocated
    checked = runner.invoke(app, ["check", str(plan)])
    assert checked.exit_code == 0, checked.output


def test_commission_seats_from_a_file_replace_the_estimates(lists, country, tmp_path) -> None:
    truth = country.stations
    wards = truth.groupby(["province", "district", "ward"], sort=False).first().reset_index()
    seats = pd.DataFrame(
        {
            "Аймаг": wards["province"],
            "Сум": wards["district"],
            "Хороо": wards["ward"],
            "lat": wards["true_lat"] + 0.001,
            "lon": wards["true_lon"] + 0.001,
        }
    )
    path = tmp_path / "commissions.csv"
    seats.to_csv(path, index=False)
    out = tmp_path / "seats"
    _init(lists["full"], "--out", out, "--name", "Seats", "--election-date", "2025-06-01",
          "--teams", "6", "--commissions", path)  # fmt: skip
    report = json.loads((out / "init-report.json").read_text("utf-8"))
    info = report["commission_positions_file"]
    mission = load_mission(out)
    # Names repeated within one district cannot be told apart; all others are matched.
    assert info["matched"] >= 0.95 * len(mission.commissions)
    matched = [c for c in mission.commissions if not c.approximate]
    assert len(matched) == info["matched"]
    first = matched[0]
    expected = seats[(seats["Аймаг"] + " / " + seats["Сум"] + " / " + seats["Хороо"]) == first.name]
    assert (first.lat, first.lon) == pytest.approx((expected["lat"].iat[0], expected["lon"].iat[0]))
