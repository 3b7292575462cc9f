"""Counts of a mission and the warnings that do not block planning."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import shapely

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


def test_a_far_station_inside_its_district_boundary_is_not_a_warning(small_mission: Mission):
    """Distance alone says little in a large rural district: a station 500+ km from its
    TEC is worth a look only outside its district's boundary, or where there is none."""
    station = small_mission.stations[0]
    astana = shapely.box(71.3, 51.0, 71.6, 51.3)
    far = dataclasses.replace(station, lon=71.43, lat=51.13)

    def warned(shape: shapely.Geometry | None) -> list[str]:
        districts = tuple(
            dataclasses.replace(d, geometry=shape) if d.district_id == station.district else d
            for d in small_mission.districts
        )
        mission = dataclasses.replace(small_mission, stations=(far,), districts=districts)
        return [w.message for w in mission_warnings(mission) if w.field == "tec_id"]

    assert warned(astana) == []
    (outside,) = warned(shapely.box(76.80, 43.15, 76.93, 43.35))
    assert outside.endswith("(more than 100 km, outside its district's boundary)")
    (unknown,) = warned(None)
    assert unknown.endswith("(more than 100 km)")


def test_the_shipped_default_has_no_far_from_tec_warnings():
    """Every default station more than 100 km from its TEC lies in its own rayon (they are
    that large), so a new user sees no warnings that are not theirs."""
    from planner.datasets import get_path
    from planner.geodata import load_mission

    warnings = mission_warnings(load_mission(get_path()))
    assert [w for w in warnings if w.field == "tec_id"] == []
