"""Per-column checks: required columns, ids, choices, voters, time zones and references."""

from __future__ import annotations

from pathlib import Path

from planner.geodata import load_stations
from tests.support.geodata import by_row, station_problems

# --- columns --------------------------------------------------------------------------


def test_missing_columns_lists_the_columns_found(fixtures: Path):
    """Each missing required column is named, and the message lists what the file has
    (column names compared case-insensitively: 'Station_ID' counts as station_id)."""
    problems = station_problems(fixtures / "missing_columns.csv")
    assert [p.field for p in problems] == ["tec_id", "voters"]
    for p in problems:
        assert p.row is None
        assert "columns found: station_id, name, lat, lon" in p.message


# --- values ---------------------------------------------------------------------------


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


# --- references -----------------------------------------------------------------------


def test_station_tec_must_exist_when_commissions_given(fixtures: Path, tecs):
    """With commissions, a station pointing at an unknown TEC is an error; without, not."""
    found = by_row(station_problems(fixtures / "unknown_tec.csv", commissions=tecs))
    assert found == {(2, "tec_id"): "TEC 'TEC-9999' does not exist"}
    stations, _ = load_stations(fixtures / "unknown_tec.csv")
    assert len(stations) == 2
