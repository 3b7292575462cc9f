"""Field updates: every kind of report, checked before it is stored, and what a re-plan
makes of them."""

from __future__ import annotations

import pytest

from planner.store import (
    FieldReport,
    NotFound,
    add_field_update,
    dismiss_field_update,
    field_updates,
    open_field_updates,
    planning_inputs,
)
from tests.support.store import row_counts


def _a1_stations(mission):
    return [s.station_id for s in mission.stations if s.region == "R1"]


def test_every_kind_of_report(store, people, mission):
    """Closed, moved, inaccessible stations, a closed road and a note are stored with
    their area, author and time, and come back oldest first."""
    s1, s2, s3 = _a1_stations(mission)[:3]
    lto, mid = people.lto_a1, people.mission_id
    reports = [
        FieldReport("station_closed", station_id=s1, note="flooded"),
        FieldReport("station_moved", station_id=s2, lat=51.2, lon=71.5),
        FieldReport("station_inaccessible", station_id=s3),
        FieldReport("road_closed", place_a=s1, place_b="TEC-R1"),
        FieldReport("note", note="snow expected"),
    ]
    ids = [add_field_update(store, mid, r, user=lto) for r in reports]
    stored = open_field_updates(store, mid, user=lto)
    assert [u.id for u in stored] == ids
    assert [u.kind for u in stored] == [r.kind for r in reports]
    assert {u.area_id for u in stored} == {"A1"}
    assert {u.author for u in stored} == {"lto-a1"}
    assert [u.station_status for u in stored] == ["closed", "moved", "inaccessible", None, None]
    assert (stored[1].lat, stored[1].lon) == (51.2, 71.5)
    assert (stored[3].place_a, stored[3].place_b) == (s1, "TEC-R1")


@pytest.mark.parametrize(
    ("report", "message"),
    [
        (FieldReport("station_burnt"), "unknown kind"),
        (FieldReport("station_closed"), "needs the station"),
        (FieldReport("station_moved", station_id="R1-S000"), "latitude and longitude"),
        (FieldReport("station_moved", station_id="R1-S000", lat=95, lon=71), "not a position"),
        (FieldReport("road_closed", place_a="R1-S000"), "two places"),
        (FieldReport("note", note="   "), "needs some text"),
        (FieldReport("note", note="x" * 5000), "too long"),
    ],
)
def test_bad_reports_are_refused(store, people, report, message):
    """A report that cannot be used is refused with a plain reason; nothing is stored."""
    before = row_counts(store)
    with pytest.raises(ValueError, match=message):
        add_field_update(store, people.mission_id, report, user=people.lto_a1)
    assert row_counts(store) == before


def test_unknown_station_reads_like_one_outside_the_area(store, people):
    """An LTO cannot tell a station of another area from one that does not exist."""
    from planner.store import AccessDenied

    for station in ("R2-S000", "NO-SUCH"):
        with pytest.raises(AccessDenied, match="in your area"):
            add_field_update(
                store, people.mission_id, FieldReport("station_closed", station_id=station),
                user=people.lto_a1,
            )  # fmt: skip


def test_coordinator_notes_and_areas(store, people):
    """A coordinator may file a note for any area or for the whole mission."""
    mid, coord = people.mission_id, people.coordinator
    add_field_update(store, mid, FieldReport("note", note="all teams", area_id=None), user=coord)
    add_field_update(store, mid, FieldReport("note", note="A2 only", area_id="A2"), user=coord)
    with pytest.raises(NotFound):
        add_field_update(store, mid, FieldReport("note", note="?", area_id="A9"), user=coord)
    assert [u.area_id for u in field_updates(store, mid, user=coord)] == [None, "A2"]
    assert [u.note for u in field_updates(store, mid, user=people.lto_a2)] == ["A2 only"]


def test_dismissed_reports_no_longer_count(store, people, mission):
    """A dismissed report is kept, but later plans ignore it; a later move wins."""
    s1, s2 = _a1_stations(mission)[:2]
    mid, lto = people.mission_id, people.lto_a1
    closed = add_field_update(store, mid, FieldReport("station_closed", station_id=s1), user=lto)
    add_field_update(store, mid, FieldReport("station_moved", station_id=s2, lat=51.0, lon=71.0),
                     user=lto)  # fmt: skip
    add_field_update(store, mid, FieldReport("station_moved", station_id=s2, lat=51.3, lon=71.3),
                     user=lto)  # fmt: skip
    assert planning_inputs(store, mid, user=lto).excluded == {s1}
    dismiss_field_update(store, closed, user=lto, reason="reopened")
    inputs = planning_inputs(store, mid, user=lto)
    assert inputs.excluded == frozenset()
    assert (inputs.mission.station_by_id[s2].lat, inputs.mission.station_by_id[s2].lon) == (
        51.3,
        71.3,
    )
    statuses = [u.status for u in field_updates(store, mid, user=lto)]
    assert statuses == ["dismissed", "open", "open"]
    assert len(open_field_updates(store, mid, user=lto)) == 2
