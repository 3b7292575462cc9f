"""The shipped packages are what `geodata/build_default.py` builds from the sources."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
import shapely

from planner.datasets import DEFAULT_MISSION, GEODATA_DIR, SMALL_MISSION, get_path
from planner.geodata import load_mission
from planner.model import Mission
from tests.support.geodata import mission_differences


def test_mission_differences_finds_a_changed_value_and_geometry_type(small_mission: Mission):
    """The comparison the regeneration test relies on does see a changed field and a
    Polygon turned into the equal MultiPolygon."""
    assert mission_differences(small_mission, small_mission) == []
    station = dataclasses.replace(small_mission.stations[0], voters=1)
    region = small_mission.regions[0]
    multi = dataclasses.replace(region, geometry=shapely.MultiPolygon([region.geometry]))
    changed = dataclasses.replace(
        small_mission,
        stations=(station, *small_mission.stations[1:]),
        regions=(multi, *small_mission.regions[1:]),
    )
    found = mission_differences(small_mission, changed)
    assert [f.split(":")[0] for f in found] == ["regions[0].geometry", "stations[0].voters"]


@pytest.mark.slow
def test_generator_rebuilds_the_shipped_packages(tmp_path: Path):
    """Both packages built afresh load to the same missions as the shipped ones, field by
    field and geometry by geometry, with the same settings file."""
    script = GEODATA_DIR / "build_default.py"
    done = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Kazakhstan 2022 default mission" in done.stdout
    for name in (DEFAULT_MISSION, SMALL_MISSION):
        shipped, built = get_path(name), tmp_path / name
        assert mission_differences(load_mission(shipped), load_mission(built)) == []
        toml = "mission.toml"
        assert (built / toml).read_text("utf-8") == (shipped / toml).read_text("utf-8")
