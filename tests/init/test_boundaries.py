"""`planner init --boundaries`: a partner's polygons matched to the list's units by name or
by the stations inside, given shapes in the package, and what did not fit reported."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from planner import synthetic
from planner.cli import app
from planner.init.columns import fold

runner = CliRunner()
STATIONS = 1_000


@pytest.fixture(scope="module")
def country() -> synthetic.SyntheticCountry:
    return synthetic.generate(STATIONS, seed=5, unlocated_share=0.0)


def _true_shapes(country: synthetic.SyntheticCountry, by: list[str]) -> gpd.GeoDataFrame:
    """The country cut into the Voronoi cells of the stations' true positions, dissolved by
    the name columns `by` (the units the list names): every station lies inside its own
    unit's shape."""
    s = country.stations
    points = shapely.points(s["true_lon"], s["true_lat"])
    outline = synthetic.country_outline()
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=outline)
    )
    point_index, cell_index = shapely.STRtree(cells).query(points, predicate="within")
    cell_of = np.empty(len(s), dtype=int)
    cell_of[point_index] = cell_index
    frame = gpd.GeoDataFrame(
        {
            **{column: s[column].to_numpy() for column in by},
            "geometry": shapely.intersection(cells[cell_of], outline),
        },
        crs="EPSG:4326",
    )
    return frame.dissolve(by=by).reset_index()


def _init(stations: Path, boundaries: Path, out: Path):
    return runner.invoke(
        app,
        ["init", str(stations), "--out", str(out), "--name", "Bounded", "--election-date",
         "2025-06-01", "--teams", "12", "--areas", "3", "--boundaries", str(boundaries)],
    )  # fmt: skip


def _layer(package: Path, layer: str) -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(package / "mission.gpkg", layer=layer)


def _same_shape(a, b) -> bool:
    return shapely.area(shapely.symmetric_difference(a, b)) < 1e-6 * max(shapely.area(b), 1e-9)


def test_names_match_whatever_their_case_accents_spacing_and_punctuation() -> None:
    assert fold("  Рэггий   ГОЛ ") == fold("рэггий гол")
    assert fold("Région-Nord") == fold("region nord")
    assert fold("Région-Nord") != fold("Région Sud")


def test_district_polygons_named_differently_are_matched_by_name(country, tmp_path) -> None:
    """Upper-case names with extra spaces in a column of the file's own name: every district
    takes its polygon, every region the union of its districts, none flagged estimated."""
    s = country.stations
    assert s["district"].nunique() < len(s.groupby(["province", "district"]))  # names repeat
    shapes = _true_shapes(country, ["province", "district"])
    shapes["ADM2_NAME"] = "  " + shapes["district"].str.upper() + " "
    shapes["OBJECTID"] = np.arange(1, len(shapes) + 1)
    path = tmp_path / "districts.geojson"
    shapes[["ADM2_NAME", "OBJECTID", "geometry"]].to_file(path, driver="GeoJSON")
    out = tmp_path / "mission"
    result = _init(synthetic.write_lists(country, tmp_path / "lists"), path, out)
    assert result.exit_code == 0, result.output

    report = json.loads((out / "init-report.json").read_text("utf-8"))
    assert "matched to districts by names in column 'ADM2_NAME'" in report["boundaries"]
    assert report["boundaries_check"] == {"unmatched_polygons": [], "stations_outside": []}
    assert "union of the given boundaries" in report["outline"]
    districts = _layer(out, "districts")
    assert len(districts) == len(shapes) and (districts["estimated"] == "").all()
    given = list(shapes.geometry)
    matched = [
        next(i for i, g in enumerate(given) if _same_shape(shape, g))
        for shape in districts.geometry
    ]
    assert sorted(matched) == list(range(len(given)))
    regions = _layer(out, "regions")
    assert (regions["estimated"] == "").all()
    for region_id, shape in zip(regions["region_id"], regions.geometry, strict=True):
        members = districts.geometry[districts["region_id"] == region_id]
        assert _same_shape(shape, shapely.union_all(members.to_numpy()))


def test_region_polygons_without_names_are_matched_by_their_stations(country, tmp_path) -> None:
    """A file with only a feature number: matched at region level by the stations inside;
    the derived district cells stay inside their given region and stay flagged."""
    shapes = _true_shapes(country, ["province"])
    shapes["fid_1"] = np.arange(len(shapes)) + 101  # numbers that name nothing
    path = tmp_path / "provinces.gpkg"
    shapes[["fid_1", "geometry"]].to_file(path, driver="GPKG")
    out = tmp_path / "mission"
    result = _init(synthetic.write_lists(country, tmp_path / "lists"), path, out)
    assert result.exit_code == 0, result.output

    report = json.loads((out / "init-report.json").read_text("utf-8"))
    assert "matched to regions by stations inside" in report["boundaries"]
    regions = _layer(out, "regions")
    assert len(regions) == len(shapes) and (regions["estimated"] == "").all()
    remaining = list(shapes.geometry)
    for shape in regions.geometry:
        assert any(_same_shape(shape, given) for given in remaining)
    districts = _layer(out, "districts")
    assert (districts["estimated"] == "geometry").all()
    region_shape = dict(zip(regions["region_id"], regions.geometry, strict=True))
    for region_id, shape in zip(districts["region_id"], districts.geometry, strict=True):
        outside = shapely.area(shapely.difference(shape, region_shape[region_id]))
        assert outside < 1e-9


def test_a_station_outside_its_district_is_listed_with_its_row(country, tmp_path) -> None:
    """One station given another district's coordinates: named with its file and row."""
    shapes = _true_shapes(country, ["province", "district"])
    path = tmp_path / "districts.geojson"
    shapes.to_file(path, driver="GeoJSON")
    moved = country.stations.copy()
    far = int(np.flatnonzero(moved["district_id"] != moved["district_id"].iat[0])[-1])
    moved.loc[0, ["lon", "lat"]] = moved.loc[far, ["true_lon", "true_lat"]].to_numpy()
    lists = synthetic.write_lists(
        synthetic.SyntheticCountry(**{**vars(country), "stations": moved}), tmp_path / "lists"
    )
    out = tmp_path / "mission"
    result = _init(lists, path, out)
    assert result.exit_code == 0, result.output

    report = json.loads((out / "init-report.json").read_text("utf-8"))
    (outside,) = report["boundaries_check"]["stations_outside"]
    assert (Path(outside["file"]).name, outside["row"]) == ("stations.csv", 1)  # first data row
    text = (out / "init-report.md").read_text("utf-8")
    assert "Located stations outside their given boundary (1)" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},'
            ' "geometry": {"type": "Point", "coordinates": [91.0, 48.0]}}]}',
            "boundaries: the file has no polygons",
        ),
        ("not a map at all", "boundaries: cannot read this file"),
    ],
)
def test_unusable_boundary_files_are_refused_by_name(country, tmp_path, content, message) -> None:
    path = tmp_path / "shapes.geojson"
    path.write_text(content, "utf-8")
    out = tmp_path / "mission"
    result = _init(synthetic.write_lists(country, tmp_path / "lists"), path, out)
    assert result.exit_code != 0
    assert message in result.output and "shapes.geojson" in result.output
    assert not out.exists()
