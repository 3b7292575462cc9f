"""Rows into stations and TECs: every field, time-zone fallbacks, every problem at once."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest

from planner.errors import MissionDataError
from planner.geodata import load_commissions, load_mission, load_stations, write_mission
from planner.model import Setting, Station, StationKind
from tests.support.geodata import by_row, station_problems

# --- stations -------------------------------------------------------------------------


def test_csv_stations_are_read_with_all_fields(fixtures: Path, tecs, kz_outline):
    """The UTF-8 CSV gives five stations; an empty tz is taken from the station's TEC."""
    stations, warnings = load_stations(
        fixtures / "stations.csv", commissions=tecs, outline=kz_outline
    )
    assert warnings == []
    assert [s.station_id for s in stations] == [f"PEC-000{i}" for i in range(1, 6)]
    hospital = stations[2]
    assert hospital == Station(
        "PEC-0003", "3", "Городская больница № 4", "ул. Папанина, 220", "75", "7511",
        "TEC-7511", 96, StationKind.SPECIAL, Setting.URBAN, "Asia/Almaty", 76.9275, 43.2581,
    )  # fmt: skip
    assert stations[3].kind is StationKind.ABROAD and stations[3].tz == "Europe/Moscow"


def test_empty_tz_stays_empty_without_commissions(fixtures: Path):
    """Without TECs to take it from, an empty tz is kept empty (not guessed)."""
    stations, _ = load_stations(fixtures / "stations.csv")
    assert stations[2].tz == ""


def test_empty_tz_in_package_falls_back_to_tec_then_region(tmp_path: Path, small_mission):
    """In a package, a station without tz takes its TEC's, a TEC without tz its region's."""
    gpkg = write_mission(small_mission, tmp_path)
    for layer in ("stations", "commissions"):
        frame = pyogrio.read_dataframe(gpkg, layer=layer)
        frame.loc[0, "tz"] = None
        pyogrio.write_dataframe(frame, gpkg, layer=layer)
    loaded = load_mission(tmp_path)
    assert loaded.commissions[0].tz == "Asia/Almaty"
    assert loaded.stations[0].tz == "Asia/Almaty"


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


# --- commissions ----------------------------------------------------------------------


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
