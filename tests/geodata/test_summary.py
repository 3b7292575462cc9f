"""Counts of a mission and the warnings that do not block planning."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from planner.geodata import load_stations, mission_warnings, summarize
from planner.model import Mission
from tests.support.geodata import by_row

# --- counts ---------------------------------------------------------------------------


def test_summarize_counts(small_mission: Mission):
    """Counts by level, region, kind and setting, with zero for kinds not present."""
    summary = summarize(small_mission)
    assert summary.as_dict() == {
        "name": "Almaty test mission",
        "country": "Kazakhstan",
        "regions": 1,
        "districts": 2,
        "commissions": 3,
        "commissions_by_level": {"regional": 0, "district": 0, "city": 1, "city_district": 2},
        "stations": 6,
        "stations_by_region": {"75": 5, "ABROAD": 1},
        "stations_by_kind": {"regular": 4, "special": 1, "abroad": 1},
        "stations_by_setting": {"urban": 5, "rural": 1},
        "voters": 6670,
        "voters_by_region": {"75": 5420, "ABROAD": 1250},
        "areas": 1,
        "teams": 2,
        "teams_by_kind": {"sto": 1, "lto": 1},
    }


# --- warnings -------------------------------------------------------------------------


def test_far_from_tec_and_zero_voters_are_warnings(fixtures: Path, tecs):
    """A station ~970 km from its TEC and one with 0 voters load, with warnings;
    a station abroad is never 'far from its TEC'."""
    stations, warnings = load_stations(fixtures / "far_from_tec.csv", commissions=tecs)
    assert len(stations) == 3
    found = by_row(warnings)
    assert set(found) == {(1, "tec_id"), (2, "voters")}
    assert found[(1, "tec_id")].startswith("972 km from its TEC 'TEC-7511'")
    assert found[(2, "voters")] == "0 registered voters"


def test_mission_warnings_name_the_station(small_mission: Mission):
    """Mission-level warnings use the station id as the row: here one with 0 voters."""
    (warning,) = mission_warnings(small_mission)
    assert (warning.row, warning.field, warning.message) == (
        "PS-5",
        "voters",
        "0 registered voters",
    )
    far = dataclasses.replace(small_mission.stations[0], lon=71.43, lat=51.13)  # Astana
    mission = dataclasses.replace(small_mission, stations=(far,))
    (warning,) = mission_warnings(mission)
    assert warning.field == "tec_id" and "km from its TEC 'TEC-7511'" in warning.message
