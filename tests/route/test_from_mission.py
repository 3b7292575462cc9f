"""An LTO's visits from a mission package: the area's places and the LTO's days as route
mode's tables, and the plan made from them."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from planner.model import StationKind
from planner.route import check_route_dir, solve_route
from planner.route.from_mission import (
    STATION_COLUMNS,
    TEAM_COLUMNS,
    LtoVisitSettings,
    input_files,
    mission_route_problem,
    visit_tables,
    write_mission_route_plan,
)
from tests.support.missions import lto_mission


def test_tables_hold_the_areas_places_and_one_team_row_per_day() -> None:
    mission = lto_mission()
    tables = visit_tables(mission, "A2", days=3)
    ids = [r["id"] for r in tables.stations]
    in_area = [s.station_id for s in mission.stations if mission.area_of_station(s) == "A2"]
    tecs = [c.tec_id for c in mission.commissions if mission.area_of_commission(c) == "A2"]
    assert ids == tecs + in_area
    assert all(i.startswith(("R2-", "TEC-R2")) for i in ids)
    assert [t["id"] for t in tables.teams] == ["LTO-02-d1", "LTO-02-d2", "LTO-02-d3"]
    # The three days just before election day, in the working day's hours.
    election = mission.rules.election_date
    assert tables.first_day == election - timedelta(days=3)
    days = [datetime.fromisoformat(t["earliest_departure"]) for t in tables.teams]
    assert [d.date() for d in days] == [date(2022, 11, 17), date(2022, 11, 18), date(2022, 11, 19)]
    assert {d.time() for d in days} == {time(9, 0)}
    assert {datetime.fromisoformat(t["latest_return"]).time() for t in tables.teams} == {
        time(18, 0)
    }
    # Bases are the LTO's, and every row has every column of route mode's tables.
    assert {(t["start_lat"], t["start_lon"]) for t in tables.teams} == {("51.150000", "76.450000")}
    assert all(set(r) == set(STATION_COLUMNS) for r in tables.stations)
    assert all(set(t) == set(TEAM_COLUMNS) for t in tables.teams)


def test_stays_weights_and_windows_follow_the_settings() -> None:
    settings = LtoVisitSettings(
        day_start=time(8, 0), day_end=time(17, 0), commission_stay_min=90,
        station_stay_min=20, commission_weight=5.0, station_weight=2.0,
    )  # fmt: skip
    tables = visit_tables(lto_mission(), "A1", days=2, start=date(2022, 11, 1), settings=settings)
    tec = next(r for r in tables.stations if r["id"].startswith("TEC-"))
    station = next(r for r in tables.stations if not r["id"].startswith("TEC-"))
    assert (tec["stay_min"], tec["weight"]) == ("90", "5")
    assert (station["stay_min"], station["weight"]) == ("20", "2")
    assert station["open"] == "2022-11-01T08:00"
    # The last stay must end by the end of the last working day.
    assert station["close"] == "2022-11-02T16:40"
    assert tec["close"] == "2022-11-02T15:30"


def test_unlocated_and_abroad_stations_stay_out_unless_the_rules_allow() -> None:
    mission = lto_mission()
    stations = list(mission.stations)
    a1 = [i for i, s in enumerate(stations) if s.station_id.startswith("R1-")]
    stations[a1[0]] = replace(stations[a1[0]], unlocated=True)
    stations[a1[1]] = replace(stations[a1[1]], kind=StationKind.ABROAD)
    mission = replace(mission, stations=tuple(stations))
    ids = {r["id"] for r in visit_tables(mission, "A1", days=1).stations}
    assert stations[a1[0]].station_id not in ids
    assert stations[a1[1]].station_id not in ids
    assert visit_tables(mission, "A1", days=1).left_out_unlocated == 1
    allowed = replace(mission, rules=replace(mission.rules, route_unlocated_stations=True))
    ids = {r["id"] for r in visit_tables(allowed, "A1", days=1).stations}
    assert stations[a1[0]].station_id in ids
    assert stations[a1[1]].station_id not in ids


def test_team_option_picks_one_team_of_the_area() -> None:
    mission = lto_mission()
    tables = visit_tables(mission, "A1", days=2, team_id="STO-01")
    assert [t["id"] for t in tables.teams] == ["STO-01-d1", "STO-01-d2"]


@pytest.mark.parametrize(
    ("area", "kwargs", "message"),
    [
        ("A9", {}, "no area 'A9' in the mission (areas: A1, A2)"),
        ("A1", {"days": 0}, "--days must be 1..60"),
        ("A1", {"team_id": "LTO-99"}, "no team 'LTO-99'"),
        ("A1", {"team_id": "LTO-02"}, "does not work in area 'A1'"),
    ],
)
def test_bad_requests_say_what_is_wrong(area: str, kwargs: dict, message: str) -> None:
    kwargs = {"days": 2, **kwargs}
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        visit_tables(lto_mission(), area, **kwargs)


def test_an_area_without_an_lto_team_asks_for_one() -> None:
    mission = lto_mission()
    mission = replace(mission, teams=tuple(t for t in mission.teams if t.team_id != "LTO-01"))
    with pytest.raises(ValueError, match="no LTO team"):
        visit_tables(mission, "A1", days=2)


def test_input_files_are_route_mode_tables() -> None:
    files = input_files(visit_tables(lto_mission(), "A1", days=2))
    stations = list(csv.DictReader(io.StringIO(files["stations.csv"])))
    teams = list(csv.DictReader(io.StringIO(files["teams.csv"])))
    assert list(stations[0]) == list(STATION_COLUMNS)
    assert len(teams) == 2


def test_plan_keeps_every_visit_inside_one_working_day_and_checks(tmp_path: Path) -> None:
    tables = visit_tables(lto_mission(), "A2", days=2)
    out = tmp_path / "lto"
    problem = mission_route_problem(tables, out)
    plan = solve_route(problem, time_limit_s=5)
    write_mission_route_plan(plan, tables, out)
    assert {p.name for p in out.iterdir()} >= {
        "stations.csv", "teams.csv", "visits.csv", "unvisited.csv", "summary.json",
    }  # fmt: skip
    assert plan.visited, "a town's stations are within a day's reach"
    for visit in plan.visits:
        local = visit.arrive.astimezone(problem.tz)
        assert time(9, 0) <= local.time() <= time(18, 0)
        day = int(visit.team_id.rsplit("-d", 1)[1])
        assert local.date() == tables.first_day + timedelta(days=day - 1)
    report = check_route_dir(out)
    assert report.ok, report.violations
