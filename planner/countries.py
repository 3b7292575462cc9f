"""Coarse country outlines shipped with the planner, to name where a list of places lies.

A station list from an unknown country is checked against *some* outline; saying which
one, and where the rows actually are, turns 58,000 "outside the country" lines into one
sentence. The outlines are Natural Earth's 1:110m countries (public domain; see
`planner/data/README.md`): coarse, so a country outline is buffered by `OUTLINE_BUFFER_DEG`
before it is used to accept or reject coordinates.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

WORLD_FILE = Path(__file__).resolve().parent / "data" / "world-110m.geojson"
OUTLINE_BUFFER_DEG = 0.25  # about 25 km: the 1:110m outlines cut off coasts and border towns
# Country codes of missions' `country` setting that Natural Earth names differently.
_ALPHA2 = {
    "KZ": "KAZ",
    "MN": "MNG",
    "RU": "RUS",
    "UZ": "UZB",
    "KG": "KGZ",
    "TJ": "TJK",
    "TM": "TKM",
    "UA": "UKR",
    "GE": "GEO",
    "AM": "ARM",
    "AZ": "AZE",
    "BY": "BLR",
    "MD": "MDA",
    "US": "USA",
    "GB": "GBR",
    "ID": "IDN",
    "NG": "NGA",
    "KE": "KEN",
    "IN": "IND",
    "PK": "PAK",
    "BD": "BGD",
    "DE": "DEU",
    "FR": "FRA",
    "PL": "POL",
    "RS": "SRB",
    "AL": "ALB",
    "MK": "MKD",
    "BA": "BIH",
    "ME": "MNE",
    "XK": "XKX",
    "TR": "TUR",
    "TN": "TUN",
    "EG": "EGY",
    "ZA": "ZAF",
    "BR": "BRA",
    "MX": "MEX",
    "PE": "PER",
    "CO": "COL",
}


@dataclass(frozen=True, slots=True)
class Country:
    name: str
    iso_a3: str
    geometry: BaseGeometry


def _fold(text: str) -> str:
    """Lower case without accents or punctuation, for matching names as people type them."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


@cache
def world() -> tuple[Country, ...]:
    """Every bundled country outline, in file order."""
    data = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    countries = []
    for feature in data["features"]:
        props = feature["properties"]
        shape = shapely.geometry.shape(feature["geometry"])
        countries.append(Country(str(props["name"]), str(props.get("iso_a3") or ""), shape))
    return tuple(countries)


def find_country(name: str) -> Country | None:
    """A country by name or ISO code (alpha-2 or alpha-3), case and accents ignored."""
    wanted = _fold(name)
    code = _ALPHA2.get(name.strip().upper(), name.strip().upper())
    for country in world():
        if country.iso_a3 and country.iso_a3 == code:
            return country
    for country in world():
        if _fold(country.name) == wanted:
            return country
    return None


def outline_of(country: Country) -> BaseGeometry:
    """The country's outline widened to absorb the coarse 1:110m generalisation."""
    return shapely.buffer(country.geometry, OUTLINE_BUFFER_DEG)


def locate(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Per point, the name of the bundled country containing it ("" when none does)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    names = np.full(len(lon), "", dtype=object)
    known = np.isfinite(lon) & np.isfinite(lat)
    for country in world():
        todo = known & (names == "")
        if not todo.any():
            break
        xmin, ymin, xmax, ymax = country.geometry.bounds
        box = todo & (lon >= xmin) & (lon <= xmax) & (lat >= ymin) & (lat <= ymax)
        if not box.any():
            continue
        idx = np.flatnonzero(box)
        inside = shapely.contains_xy(country.geometry, lon[idx], lat[idx])
        names[idx[inside]] = country.name
    return names


def where_most_are(lon: np.ndarray, lat: np.ndarray) -> list[tuple[str, int]]:
    """Countries holding the points, most points first ("" = no country, e.g. the sea)."""
    return Counter(locate(lon, lat).tolist()).most_common()
