"""The mission package contract: layer names and the columns each must carry.

One place for the names, so the generator, the loaders, the validator and the README
cannot drift apart.
"""

from __future__ import annotations

PACKAGE_FILE = "mission.gpkg"
SETTINGS_FILE = "mission.toml"

STATION_KINDS = ("regular", "special", "abroad")
SETTINGS = ("urban", "rural")
COMMISSION_LEVELS = ("regional", "district", "city", "city_district")
TEAM_KINDS = ("sto", "lto")

# The `region` of stations abroad (a commission may name it too); their `district` is not
# checked against the districts layer.
ABROAD_REGION = "ABROAD"

# Layer -> required attribute columns (geometry is always required as well).
LAYERS: dict[str, tuple[str, ...]] = {
    "regions": ("region_id", "name_en", "name_kk", "name_ru", "tz"),
    "districts": ("district_id", "region_id", "name_en", "name_kk", "name_ru"),
    "commissions": ("tec_id", "name", "level", "parent_id", "region", "district", "tz"),
    "stations": (
        "station_id",
        "number",
        "name",
        "address",
        "region",
        "district",
        "tec_id",
        "voters",
        "kind",
        "setting",
        "tz",
    ),
    "areas": ("area_id", "name", "region_ids"),
    "teams": ("team_id", "kind", "area_id", "base_name"),
}
# Layer -> optional attribute columns, written only when some row uses them, so packages
# without them stay as they were: `unlocated` (1 = a station placed at its commission for
# lack of coordinates), `estimated` (the comma-separated fields of a station filled in by
# `planner init`'s rules), `approximate` (1 = a commission seat estimated from its
# stations) and `district_ids` (an area made of whole districts).
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "stations": ("unlocated", "estimated"),
    "commissions": ("approximate",),
    "areas": ("district_ids",),
}
# Optional layer: the country outline, used to catch coordinates outside the country.
OUTLINE_LAYER = "country"

# Columns a standalone stations/commissions file must have (besides coordinates).
STATION_REQUIRED = ("station_id", "tec_id", "voters")
STATION_OPTIONAL = {
    "number": "",
    "name": "",
    "address": "",
    "region": "",
    "district": "",
    "kind": "regular",
    "setting": "rural",
    "tz": "",
}
COMMISSION_REQUIRED = ("tec_id", "name")
COMMISSION_OPTIONAL = {
    "level": "district",
    "parent_id": "",
    "region": "",
    "district": "",
    "tz": "",
}

# Coordinate column names recognised in CSV/XLSX, lower-cased (English, Russian, Kazakh).
LAT_NAMES = ("lat", "latitude", "y", "широта", "ендік", "ендiк")
LON_NAMES = ("lon", "lng", "long", "longitude", "x", "долгота", "бойлық", "бойлык")
