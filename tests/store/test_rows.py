"""Row maps: every model type is written and read by column name, through one map."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
import shapely
from shapely.geometry import box

from planner.store import models as m
from planner.store import rows


def _read_back(rowmap: rows.RowMap, written: list[dict]) -> list:
    """What `build` gets from `rowmap.select()`: the stored values in the map's columns."""
    return rowmap.build([tuple(r[c] for c in rowmap.columns) for r in written])


def test_every_mission_part_reads_back_as_written(mission):
    """Regions, districts, areas (with their shapes), TECs, stations and teams survive the
    trip to rows and back, enums and tuples included."""
    shaped = replace(
        mission,
        areas=tuple(
            replace(a, geometry=box(k, k, k + 1, k + 1)) for k, a in enumerate(mission.areas)
        ),
    )
    parts = [
        (rows.REGIONS, shaped.regions),
        (rows.DISTRICTS, shaped.districts),
        (rows.AREAS, shaped.areas),
        (rows.COMMISSIONS, shaped.commissions),
        (rows.STATIONS, shaped.stations),
        (rows.TEAMS, shaped.teams),
    ]
    for rowmap, items in parts:
        written = rowmap.rows(items, mission_id=7)
        assert all(r["mission_id"] == 7 for r in written)
        assert _read_back(rowmap, written) == list(items)
    areas = _read_back(rows.AREAS, rows.AREAS.rows(shaped.areas))
    assert all(
        shapely.equals(a.geometry, b.geometry) for a, b in zip(areas, shaped.areas, strict=True)
    )
    stored = rows.STATIONS.rows(shaped.stations[:1])[0]
    assert stored["kind"] == shaped.stations[0].kind.value
    assert type(stored["kind"]) is str


def test_stops_read_back_with_their_local_times(plan):
    """A stop's times are stored as ISO 8601 text with the offset and read back equal."""
    written = rows.STOPS.rows(plan.stops, version_id=3)
    assert written[0]["arrive"] == plan.stops[0].arrive.isoformat()
    assert _read_back(rows.STOPS, written) == list(plan.stops)


def test_per_row_columns_must_match_the_items(mission):
    """`each` gives one value per item; a list of another length is refused."""
    written = rows.TEAMS.rows(mission.teams, each={"position": range(len(mission.teams))})
    assert [r["position"] for r in written] == list(range(len(mission.teams)))
    with pytest.raises(ValueError, match="position"):
        rows.TEAMS.rows(mission.teams, each={"position": [0]})


def test_a_field_without_a_column_is_refused_when_the_map_is_made():
    """A model field added without its column fails at once, naming the column."""

    @dataclass(frozen=True)
    class Team:
        team_id: str
        kind: str
        shoe_size: int

    with pytest.raises(TypeError, match="shoe_size"):
        rows.RowMap(Team, m.Team)
    with pytest.raises(TypeError, match="colour"):
        rows.RowMap(Team, m.Team, {"colour": rows.Codec()})


def test_records_are_filled_by_attribute_name():
    """`record` copies each field from the attribute of the same name, unless computed."""

    @dataclass(frozen=True)
    class Info:
        id: int
        name: str
        teams: int

    row = m.Mission(id=4, name="Ulytau", country="KZ", teams_version=2)
    assert rows.record(Info, row, teams=3) == Info(4, "Ulytau", 3)
