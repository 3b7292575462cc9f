"""Mission geodata in and out: read, check and write stations, TECs and mission packages.

This is the one package that touches geodata files. It reads GeoPackage, GeoJSON, (zipped)
Shapefile, CSV and XLSX; reprojects everything to EPSG:4326; checks every row and reports
every problem found in one `MissionDataError`; and hands back the frozen dataclasses of
`planner.model`. Checks run on whole columns (numpy/pandas), so a 10,000-station package
loads in well under a second; Python loops only touch the rows that have a problem.

Modules, in the order data flows through them:

- `sources`: a file or layer into text columns and geometries (GDAL, encodings, CRS);
- `columns`: per-column checks (required columns, ids, choices, voters, time zones,
  references between layers);
- `positions`: coordinates, the country outline, swapped lat/lon, distance to the TEC;
- `build`: checked rows into model objects; `load_stations`, `load_commissions`;
- `package`: `load_mission` and `write_mission` for a whole package;
- `summary`: counts and non-blocking warnings of a loaded mission.
"""

from planner.geodata.build import load_commissions, load_stations
from planner.geodata.columns import is_valid_tz
from planner.geodata.package import load_mission, package_paths, write_mission
from planner.geodata.positions import FAR_FROM_TEC_KM
from planner.geodata.sources import SUPPORTED_FORMATS, VECTOR_SUFFIXES, WGS84
from planner.geodata.summary import MissionSummary, mission_warnings, summarize
from planner.schema import ABROAD_REGION

__all__ = [
    "ABROAD_REGION",
    "FAR_FROM_TEC_KM",
    "SUPPORTED_FORMATS",
    "VECTOR_SUFFIXES",
    "WGS84",
    "MissionSummary",
    "is_valid_tz",
    "load_commissions",
    "load_mission",
    "load_stations",
    "mission_warnings",
    "package_paths",
    "summarize",
    "write_mission",
]
