"""`[travel]` in mission.toml and `--roads`: which travel model a mission plans on,
checked before any solving, and recorded so that the same model can be made again."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from planner.errors import MissionDataError
from planner.model import Mission, Rules
from planner.roads import RoadCalibration, RoadsError, RoadsInfo, RoadTravel
from planner.settings import dump_settings, parse_settings
from planner.travel import GreatCircleTravel
from planner.travel_source import (
    TravelSettings,
    describe_travel,
    package_mission_travel,
    travel_from_description,
    travel_label,
)

pytestmark = pytest.mark.roads


def with_travel(package: Path, tmp_path: Path, table: str) -> Path:
    """A copy of the package whose mission.toml has `table` as its [travel] section."""
    copy = tmp_path / package.name
    shutil.copytree(package, copy)
    toml = copy / "mission.toml"
    toml.write_text(toml.read_text("utf-8") + "\n[travel]\n" + table, "utf-8")
    return copy


def test_travel_section_is_read_and_written() -> None:
    text = '[travel]\nroads = "roads/almaty"\nurban_factor = 1.4\nwinter_factor = 1\n'
    settings = parse_settings(text)
    assert settings.travel == TravelSettings(
        "roads/almaty", (("urban_factor", 1.4), ("winter_factor", 1.0))
    )
    assert parse_settings(dump_settings(settings)).travel == settings.travel
    assert parse_settings("").travel == TravelSettings()
    assert "[travel]" not in dump_settings(parse_settings(""))


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        ("roads = 3", "travel.roads", "path of a roads directory"),
        ('roads = " "', "travel.roads", "path of a roads directory"),
        ("speed = 1.0", "travel.speed", "unknown setting"),
        ("parking_min = 3", "travel.parking_min", "unknown setting"),  # a rule, not here
        ('urban_factor = "fast"', "travel.urban_factor", "expected a number"),
        ("night_factor = true", "travel.night_factor", "expected a number"),
        ("winter_factor = 0", "travel", "winter_factor must be a positive number"),
        ("max_snap_m = -5", "travel", "max_snap_m"),
    ],
)
def test_bad_travel_settings_are_named(table: str, field: str, message: str) -> None:
    with pytest.raises(MissionDataError) as caught:
        parse_settings("[travel]\n" + table + "\n", file="pkg/mission.toml")
    found = [p for p in caught.value.problems if p.field == field]
    assert found and message in found[0].message and found[0].file == "pkg/mission.toml"


def test_roads_relative_to_the_package_with_its_calibration(
    city: Mission, city_package: Path, almaty_roads: RoadsInfo, tmp_path: Path
) -> None:
    relative = os.path.relpath(almaty_roads.directory, tmp_path / city_package.name)
    package = with_travel(city_package, tmp_path, f'roads = "{relative}"\nurban_factor = 1.4\n')
    rules = Rules(parking_min=7)
    travel, warnings = package_mission_travel(replace(city, rules=rules), package)
    assert isinstance(travel, RoadTravel) and warnings == []
    assert travel.roads_dir == almaty_roads.directory
    assert travel.calibration == RoadCalibration(urban_factor=1.4, parking_min=7)
    assert travel.fallback == GreatCircleTravel.from_rules(rules)
    # --roads wins over [travel] roads; the calibration stays the package's.
    override, _ = package_mission_travel(city, package, roads=almaty_roads.directory)
    assert isinstance(override, RoadTravel) and override.calibration.urban_factor == 1.4
    # Without [travel], the straight line.
    plain, _ = package_mission_travel(city, city_package)
    assert plain == GreatCircleTravel.from_rules(city.rules)


def test_roads_that_cannot_be_used_are_refused_before_solving(
    city: Mission, city_package: Path, island_roads: RoadsInfo, tmp_path: Path
) -> None:
    missing = with_travel(city_package, tmp_path / "a", 'roads = "no/such/roads"\n')
    with pytest.raises(MissionDataError) as caught:
        package_mission_travel(city, missing)
    (problem,) = caught.value.problems
    assert problem.field == "travel.roads" and problem.file.endswith("mission.toml")
    assert "no such roads directory" in problem.message

    (tmp_path / "empty").mkdir()
    with pytest.raises(MissionDataError, match="not a roads directory"):
        package_mission_travel(city, city_package, roads=tmp_path / "empty")

    # The island network lies 20 km south of Almaty: none of the city's stations.
    with pytest.raises(MissionDataError) as caught:
        package_mission_travel(city, city_package, roads=island_roads.directory)
    assert "covers none of the mission's 748 stations" in caught.value.problems[0].message
    assert caught.value.problems[0].field == "--roads"


def test_stations_outside_the_extract_are_a_warning(
    default_mission: Mission, almaty_roads: RoadsInfo, tmp_path: Path
) -> None:
    """The whole country on the Almaty extract: planned, with a warning naming how many
    stations use the straight line."""
    from planner.travel_source import mission_travel

    travel, warnings = mission_travel(
        default_mission, TravelSettings(), roads=almaty_roads.directory
    )
    assert isinstance(travel, RoadTravel)
    (warning,) = warnings
    assert "stations lie outside the road data (almaty_2012.osm.pbf" in warning.message
    assert "straight-line model" in warning.message


def test_the_recorded_source_makes_the_same_model(
    city: Mission, almaty_roads: RoadsInfo, tmp_path: Path
) -> None:
    road = RoadTravel.from_rules(almaty_roads.directory, city.rules, winter_factor=1.0)
    described = describe_travel(road)
    assert travel_from_description(described, Rules(parking_min=99)) == road
    assert "OSM data of 2012-03-13" in travel_label(described)
    assert "winter 1.0" in travel_label(described)
    straight = GreatCircleTravel(detour_factor=1.5, parking_min=2)
    assert travel_from_description(describe_travel(straight), city.rules) == straight
    # Plans made before travel sources were recorded: the mission's straight line.
    assert travel_from_description("GreatCircleTravel", city.rules) == GreatCircleTravel.from_rules(
        city.rules
    )
    assert travel_from_description(None, city.rules) == GreatCircleTravel.from_rules(city.rules)
    # A straight-line plan checked on roads with --roads.
    assert travel_from_description(
        describe_travel(straight), city.rules, roads=almaty_roads.directory
    ) == RoadTravel.from_rules(almaty_roads.directory, city.rules)
    gone = {**described, "roads_dir": str(tmp_path / "gone")}
    with pytest.raises(RoadsError, match="--roads"):
        travel_from_description(gone, city.rules)
