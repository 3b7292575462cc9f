"""A mission made by `planner init` in the store: areas of whole districts and stations
placed without coordinates read back unchanged, and an LTO's scope follows the districts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from planner import synthetic
from planner.geodata import load_mission as load_package
from planner.init import InitOptions, build, write_package
from planner.model import Mission
from planner.store import Role, get_user, import_mission, load_mission, users_add
from planner.store.db import alembic_config, make_engine, migrate
from tests.support.store import PASSWORD


@pytest.fixture(scope="module")
def district_mission(tmp_path_factory: pytest.TempPathFactory) -> Mission:
    """A small synthetic country through `planner init`, read back from its package."""
    folder = tmp_path_factory.mktemp("init-lists")
    stations = synthetic.write_lists(synthetic.generate(800, seed=4), folder)
    options = InitOptions(
        stations=(stations,),
        name="District areas",
        election_date=date(2025, 6, 1),
        teams=8,
        areas=3,
    )
    out = tmp_path_factory.mktemp("init-package") / "mission"
    write_package(build(options), out)
    mission = load_package(out)
    assert mission.areas and all(a.district_ids and not a.region_ids for a in mission.areas)
    assert any(s.unlocated for s in mission.stations)
    return mission


def test_district_areas_and_unlocated_stations_round_trip(store, admin, district_mission):
    mission_id = import_mission(store, district_mission, user=admin)
    back = load_mission(store, mission_id, user=admin)
    assert back == district_mission
    assert back.areas == district_mission.areas
    assert [s.unlocated for s in back.stations] == [s.unlocated for s in district_mission.stations]
    assert back.area_of_district == district_mission.area_of_district
    # What `planner init` estimated stays flagged.
    assert [s.estimated for s in back.stations] == [s.estimated for s in district_mission.stations]
    assert any("voters" in s.estimated for s in back.stations)
    assert all(c.approximate for c in back.commissions)


def test_an_lto_sees_the_districts_of_its_area(store, admin, district_mission):
    """Regions are split among areas here; an LTO still gets the regions, districts, TECs
    and stations of its own districts, and nothing of the others."""
    mission_id = import_mission(store, district_mission, user=admin)
    area = district_mission.areas[0]
    users_add(store, "lto", user=admin, password=PASSWORD, role=Role.LTO, area_ids=[area.area_id])
    mine = load_mission(store, mission_id, user=get_user(store, "lto"))
    own = [
        s for s in district_mission.stations if district_mission.area_of_station(s) == area.area_id
    ]
    assert [s.station_id for s in mine.stations] == [s.station_id for s in own]
    assert {d.district_id for d in mine.districts} == set(area.district_ids)
    assert {r.region_id for r in mine.regions} == {s.region for s in own}
    assert {c.tec_id for c in mine.commissions} >= {s.tec_id for s in own}
    assert [a.area_id for a in mine.areas] == [area.area_id]


def test_stores_made_before_get_empty_district_lists_and_located_stations(database):
    """Upgrading a store at the first revision keeps its rows, with the new columns set to
    what a mission without district areas or unlocated stations means."""
    from alembic import command

    engine = make_engine(database)
    try:
        with engine.execution_options(planner_write=True).begin() as conn:
            command.upgrade(alembic_config(conn), "0001")
            conn.execute(
                text(
                    "INSERT INTO missions (id, name, country, settings_toml, teams_version,"
                    " created_at, created_by) VALUES (1, 'm', '', '', 1,"
                    " '2022-01-01 00:00:00', 't')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO areas (mission_id, area_id, position, name, region_ids)"
                    " VALUES (1, 'A1', 0, 'Area', '[\"R1\"]')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO commissions (mission_id, tec_id, position, name, level, region,"
                    " tz, lon, lat) VALUES (1, 'T1', 0, 'TEC', 'district', 'R1', 'UTC', 0, 0)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO stations (mission_id, station_id, position, number, name,"
                    " address, region, district, tec_id, voters, kind, setting, tz, lon, lat)"
                    " VALUES (1, 'S1', 0, '', '', '', 'R1', '', 'T1', 1, 'regular',"
                    " 'urban', 'UTC', 0, 0)"
                )
            )
        migrate(engine)
        with engine.connect() as conn:
            districts = conn.execute(text("SELECT district_ids FROM areas")).scalar_one()
            unlocated = conn.execute(text("SELECT unlocated FROM stations")).scalar_one()
            estimated = conn.execute(text("SELECT estimated FROM stations")).scalar_one()
            approximate = conn.execute(text("SELECT approximate FROM commissions")).scalar_one()
        assert districts in ([], "[]")
        assert unlocated in (False, 0)
        assert estimated in ([], "[]")
        assert approximate in (False, 0)
    finally:
        engine.dispose()
