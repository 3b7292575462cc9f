"""Road fixtures: the Almaty 2012 extract shipped in `geodata/sources/kz/roads/`, built with
the real OSRM tools once per test session (about 5 s), and a hand-made two-island network
on which some pairs have no road path at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.roads import RoadsInfo, build_roads
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
