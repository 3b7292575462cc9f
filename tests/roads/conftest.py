"""Road fixtures: the Almaty 2012 extract shipped in `geodata/sources/kz/roads/`, built with
the real OSRM tools once per test session (about 5 s), a hand-made two-island network
on which some pairs have no road path at all, and the default mission's Almaty city with
four teams, as a package and planned once on road times."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from shapely.geometry import Point

from planner.datasets import get_path
from planner.geodata import load_mission, write_mission
from planner.model import Area, Mission
from planner.outputs import write_plan
from planner.plan import solve
from planner.roads import RoadsInfo, RoadTravel, build_roads
from planner.schedule import Plan
from planner.travel import Place

ROOT = Path(__file__).resolve().parents[2]
ALMATY_PBF = ROOT / "geodata" / "sources" / "kz" / "roads" / "almaty_2012.osm.pbf"

# Two roads 11 km apart with nothing between them: each a network of its own.
ISLANDS_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="tests">
  <node id="1" lat="43.000" lon="77.000" version="1" timestamp="2020-01-01T00:00:00Z"/>
  <node id="2" lat="43.000" lon="77.010" version="1" timestamp="2020-01-01T00:00:00Z"/>
  <node id="3" lat="43.000" lon="77.020" version="1" timestamp="2020-01-01T00:00:00Z"/>
  <node id="11" lat="43.100" lon="77.000" version="1" timestamp="2021-05-01T12:00:00Z"/>
  <node id="12" lat="43.100" lon="77.010" version="1" timestamp="2020-01-01T00:00:00Z"/>
  <way id="100" version="1" timestamp="2020-01-01T00:00:00Z">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/>
  </way>
  <way id="101" version="1" timestamp="2020-01-01T00:00:00Z">
    <nd ref="11"/><nd ref="12"/><tag k="highway" v="primary"/>
  </way>
</osm>
"""

# Places on Almaty streets (snapped within 100 m), and two far apart from them.
ABAI_EAST = Place("kabanbay", 76.950, 43.250, urban=True)
UTEPOV = Place("utepov", 76.900, 43.220, urban=True)
NORTH_EAST_1 = Place("kuldzha", 77.116, 43.3856, urban=False)
NORTH_EAST_2 = Place("ne", 77.050, 43.350, urban=False)
# 275 km east of the extract, in the steppe.
OUTSIDE = Place("outside", 80.0, 45.0, urban=False)


@pytest.fixture(scope="session")
def almaty_roads(tmp_path_factory: pytest.TempPathFactory) -> RoadsInfo:
    out = tmp_path_factory.mktemp("roads") / "almaty"
    return build_roads(ALMATY_PBF, out)


@pytest.fixture(scope="session")
def island_roads(tmp_path_factory: pytest.TempPathFactory) -> RoadsInfo:
    folder = tmp_path_factory.mktemp("islands")
    extract = folder / "islands.osm"
    extract.write_text(ISLANDS_OSM, "utf-8")
    return build_roads(extract, folder / "roads")


CITY_REGION = "KZ75"


def almaty_city(mission: Mission, *, teams: int) -> Mission:
    """The default mission's Almaty city alone (region KZ75, its stations and TECs) with
    the first `teams` teams of its area based in the city, as one area."""
    region = next(r for r in mission.regions if r.region_id == CITY_REGION)
    assert region.geometry is not None
    city_teams = [
        replace(t, area_id="ALMATY")
        for t in mission.sto_teams
        if t.area_id == "AOR-02"
        and t.lon is not None
        and t.lat is not None
        and region.geometry.contains(Point(t.lon, t.lat))
    ]
    return replace(
        mission,
        regions=(region,),
        districts=tuple(d for d in mission.districts if d.region_id == CITY_REGION),
        stations=tuple(s for s in mission.stations if s.region == CITY_REGION),
        commissions=tuple(c for c in mission.commissions if c.region == CITY_REGION),
        areas=(Area("ALMATY", "Almaty city", (CITY_REGION,), region.geometry),),
        teams=tuple(city_teams[:teams]),
    )


@pytest.fixture(scope="session")
def default_mission() -> Mission:
    return load_mission(get_path())


@pytest.fixture(scope="session")
def city(default_mission: Mission) -> Mission:
    """Almaty city with four teams."""
    return almaty_city(default_mission, teams=4)


@pytest.fixture(scope="session")
def city_package(city: Mission, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Almaty city (four teams) as a mission package on disk."""
    folder = tmp_path_factory.mktemp("city") / "almaty-city"
    write_mission(city, folder)
    return folder


@dataclass(frozen=True)
class RoadPlan:
    plan: Plan
    directory: Path
    travel: RoadTravel


@pytest.fixture(scope="session")
def road_plan(
    city: Mission,
    city_package: Path,
    almaty_roads: RoadsInfo,
    tmp_path_factory: pytest.TempPathFactory,
) -> RoadPlan:
    """Almaty city planned on road times, and its plan files."""
    travel = RoadTravel.from_rules(almaty_roads.directory, city.rules)
    plan = solve(city, time_limit_s=20, seed=city.seed, workers=1, travel=travel)
    out = write_plan(
        plan, city, tmp_path_factory.mktemp("road-plan") / "plan", mission_path=city_package
    )
    return RoadPlan(plan, out, travel)
