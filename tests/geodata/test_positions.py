"""Coordinates: columns or point geometries, on Earth, inside the country, not swapped."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from planner.errors import MissionDataError
from planner.geodata import load_mission, load_stations, write_mission
from tests.support.geodata import by_row, station_problems

# --- coordinate columns and geometries ------------------------------------------------


def test_missing_coordinate_columns_lists_accepted_names(fixtures: Path):
    """Without a latitude/longitude column the problem lists the accepted names."""
    problems = station_problems(fixtures / "missing_coordinates.csv")
    assert [p.field for p in problems] == ["lat", "lon"]
    assert "широта" in problems[0].message and "бойлық" in problems[1].message
    assert "columns found: station_id, tec_id, voters, address" in problems[0].message


def test_vector_geometry_must_be_a_point(fixtures: Path):
    """In GeoJSON a null geometry and a polygon are both reported, by feature number."""
    found = by_row(station_problems(fixtures / "bad_geometry.geojson"))
    assert found == {
        (2, "geometry"): "missing point",
        (3, "geometry"): "expected a point, found Polygon",
    }


# --- on Earth and inside the country --------------------------------------------------


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


def test_package_stations_outside_the_outline_are_errors(tmp_path: Path, small_mission):
    """The package's own `country` layer is used as the outline for its stations."""
    moved = list(small_mission.stations)
    moved[0] = dataclasses.replace(moved[0], lon=82.92, lat=55.03)  # Novosibirsk
    write_mission(dataclasses.replace(small_mission, stations=tuple(moved)), tmp_path)
    with pytest.raises(MissionDataError) as info:
        load_mission(tmp_path)
    (problem,) = info.value.problems
    assert (problem.row, problem.field) == (1, "geometry")
    assert "outside the mission country" in problem.message
