"""What `planner init` estimated reaches its readers: the app's station and commission
tables, the map popups, a team's schedule and its pack (CSV, PDF, GPX descriptions)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from pypdf import PdfReader

from planner.estimates import estimates_summary, station_estimates, station_note
from planner.exports import build_view, plan_csv, team_pdf
from planner.maps.payloads import commissions_payload, stations_payload, stop_facts
from planner.model import Mission
from planner.schedule import Plan
from planner.ui.tables import (
    area_stations_table,
    area_tecs_table,
    schedule_table,
    site_details,
    without_empty_estimates,
)
from tests.support.missions import small_mission, small_plan


@pytest.fixture(scope="module")
def flagged() -> tuple[Mission, Plan, str, str, str]:
    """The demo mission with one visited station placed at its commission (voters
    estimated too) and that station's commission seat estimated from its stations."""
    mission, plan = small_mission(), small_plan()
    visit = next(s for s in plan.stops if s.site_type == "station" and s.phase == "voting")
    station = mission.station_by_id[visit.site_id]
    stations = tuple(
        replace(s, unlocated=True, estimated=("voters", "position"))
        if s.station_id == station.station_id
        else s
        for s in mission.stations
    )
    commissions = tuple(
        replace(c, approximate=True) if c.tec_id == station.tec_id else c
        for c in mission.commissions
    )
    mission = replace(mission, stations=stations, commissions=commissions)
    return mission, plan, visit.team_id, station.station_id, station.tec_id


def test_wording() -> None:
    station = small_mission().stations[0]
    assert station_estimates(station) == "" and station_note(station) == ""
    placed = replace(station, unlocated=True, estimated=("tz",))
    assert station_estimates(placed) == "tz, position"
    assert station_note(placed) == "position approximate (at its commission)"
    counted = replace(station, estimated=("voters", "setting"))
    assert station_note(counted) == "voters estimated"


def test_the_mission_says_what_it_holds_as_estimates(flagged) -> None:
    mission = flagged[0]
    assert estimates_summary(small_mission()) == ""
    assert estimates_summary(mission) == (
        "voters of 1 station, position of 1 station; 1 commission seat approximate"
    )


def test_app_tables_and_details_show_the_estimates(flagged) -> None:
    mission, plan, team_id, station_id, tec_id = flagged
    stations = area_stations_table(mission, None, plan).set_index("station_id")
    assert stations.at[station_id, "estimated"] == "voters, position"
    assert (stations.drop(index=station_id)["estimated"] == "").all()
    tecs = area_tecs_table(mission, None, plan).set_index("tec_id")
    assert tecs.at[tec_id, "position"] == "approximate"
    assert (tecs.drop(index=tec_id)["position"] == "").all()
    _, facts, _ = site_details(mission, plan, "station", station_id)
    assert facts["Position"].endswith("— position approximate (at its commission)")
    assert facts["Estimated"] == "voters, position"
    _, facts, _ = site_details(mission, plan, "tec", tec_id)
    assert facts["Position"].endswith("— position approximate (centre of its stations)")
    mine = [s for s in plan.stops if s.team_id == team_id]
    notes = schedule_table(mine, mission).set_index("site_id")["note"]
    assert notes[station_id] == "position approximate (at its commission); voters estimated"
    others = [n for site, n in notes.items() if site not in (station_id, tec_id)]
    assert set(others) == {""}
    # Shown only where they say something: the demo mission as given has no estimates.
    plain = schedule_table(mine, small_mission())
    assert "note" in plain.columns and "note" not in without_empty_estimates(plain).columns
    assert "note" in without_empty_estimates(schedule_table(mine, mission)).columns


def test_map_popups_show_the_estimates(flagged) -> None:
    mission, plan, _, station_id, tec_id = flagged
    names = {c.tec_id: c.name for c in mission.commissions}
    payload = stations_payload(mission.stations, names)
    labels = [f[0] for f in payload["fields"]]
    assert labels[-1] == "Estimated"
    id_at, flag_at = 3 + labels.index("Id"), 3 + labels.index("Estimated")
    rows = {row[id_at]: row for row in payload["points"]}
    row = rows[station_id]
    assert payload["lookups"]["estimated"][row[flag_at]] == "voters, position"
    assert row[-1][0] == "Position approximate (at its commission)"
    assert all(r[flag_at] is None for sid, r in rows.items() if sid != station_id)
    tecs = commissions_payload(mission.commissions)
    note_at = 3 + [f[0] for f in tecs["fields"]].index("Note")
    notes = {p[3 + 2]: p[note_at] for p in tecs["points"]}
    assert notes[tec_id] == "Position approximate (centre of its stations)"
    assert {n for t, n in notes.items() if t != tec_id} == {""}
    stop = next(s for s in plan.stops if s.site_id == station_id)
    facts = stop_facts(stop, mission)
    assert facts[facts.index("Note") + 1] == (
        "position approximate (at its commission); voters estimated"
    )


def test_team_packs_note_the_estimates(flagged) -> None:
    mission, plan, team_id, station_id, _ = flagged
    view = build_view(list(plan.stops), mission)
    rows = list(csv.DictReader(io.StringIO(plan_csv(view, team_id).decode("utf-8"))))
    notes = {r["site_id"]: r["note"] for r in rows}
    assert notes[station_id] == "position approximate (at its commission); voters estimated"
    stop = next(s for s in view.team(team_id).stops if s.site_id == station_id)
    assert "Note: position approximate (at its commission)" in stop.description()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(team_pdf(view, team_id))).pages)
    assert "position approximate" in " ".join(text.split())
