"""Which column of a station list means what, from its header in many languages or its values.

Election administrations publish station lists with their own headers: "PU Code",
"Registered Voters", "№ участка", "Сайлаушылар саны", "Өргөрөг". Headers are folded
(case, accents, punctuation) and matched against the vocabulary below, whole phrases
first, then word stems (Russian and Kazakh inflect: "избирателей", "сайлаушылар"). What
the headers do not say, the values may: two columns of decimal numbers within ±90/±180
are coordinates. `--columns role=header,...` overrides everything; the report shows the
mapping used and the columns left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Roles a column can play. Hierarchy columns (region, district, sub-district levels) are
# collected as a list and ordered by their values, not by their names.
ROLES = (
    "station_id",
    "number",
    "name",
    "address",
    "commission",
    "voters",
    "lat",
    "lon",
    "coordinates",
    "kind",
    "setting",
    "settlement",
    "tz",
)
OVERRIDABLE = (*ROLES, "region", "district", "subdistrict")

# Vocabulary, folded (see `fold`). Whole-phrase matches score higher than stem matches.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "station_id": (
        "station id",
        "station_id",
        "id",
        "uid",
        "code",
        "station code",
        "polling station code",
        "polling station id",
        "polling unit code",
        "pu code",
        "ps code",
        "precinct id",
        "precinct code",
        "psid",
        "код",
        "код участка",
        "код уик",
        "идентификатор",
        "коды",
        "учаскенин коды",
        "хэсгийн код",
        "codigo",
        "code bureau",
        "kode",
        "kode tps",
        "kodi",
    ),
    "number": (
        "number",
        "no",
        "nr",
        "num",
        "station number",
        "station no",
        "polling station number",
        "precinct number",
        "номер",
        "номер участка",
        "номер уик",
        "уик",
        "нөмірі",
        "учаскенин нөмірі",
        "дугаар",
        "хэсгийн дугаар",
        "numero",
        "numero bureau",
        "nomor",
        "nomor tps",
        "tps",
    ),
    "name": (
        "name",
        "station name",
        "polling station",
        "polling station name",
        "polling unit",
        "polling unit name",
        "precinct",
        "precinct name",
        "название",
        "наименование",
        "участок",
        "избирательный участок",
        "атауы",
        "атау",
        "сайлау учаскесі",
        "нэр",
        "хэсгийн нэр",
        "nom",
        "nombre",
        "nama",
        "nama tps",
        "bureau de vote",
        "local de votacion",
    ),
    "address": (
        "address",
        "addr",
        "location",
        "venue",
        "station address",
        "street",
        "адрес",
        "адрес помещения",
        "местонахождение",
        "место голосования",
        "мекенжай",
        "мекен жай",
        "орналасқан жері",
        "байршил",
        "хаяг",
        "adresse",
        "direccion",
        "alamat",
        "lokasi",
        "ubicacion",
    ),
    "commission": (
        "commission",
        "tec",
        "tec id",
        "tec_id",
        "returning officer",
        "returning office",
        "election commission",
        "territorial commission",
        "district commission",
        "electoral commission",
        "оик",
        "тик",
        "тизк",
        "комиссия",
        "избирательная комиссия",
        "территориальная избирательная комиссия",
        "окружная избирательная комиссия",
        "аик",
        "комиссиясы",
        "сайлау комиссиясы",
        "аумақтық сайлау комиссиясы",
        "хороо комисс",
        "commission electorale",
        "comision",
        "kpu",
        "ppk",
        "pps",
    ),
    "voters": (
        "voters",
        "voter",
        "electors",
        "electorate",
        "registered",
        "registered voters",
        "number of voters",
        "voters registered",
        "избиратели",
        "избирателей",
        "число избирателей",
        "количество избирателей",
        "сайлаушылар",
        "сайлаушылар саны",
        "сайлаушы",
        "сонгогч",
        "сонгогчийн тоо",
        "electeurs",
        "inscrits",
        "electores",
        "votantes",
        "pemilih",
        "dpt",
        "wahler",
    ),
    "lat": (
        "lat",
        "latitude",
        "y",
        "y coord",
        "gps lat",
        "gps latitude",
        "lat dd",
        "широта",
        "ендік",
        "ендiк",
        "өргөрөг",
        "breite",
        "latitud",
        "lintang",
    ),
    "lon": (
        "lon",
        "lng",
        "long",
        "longitude",
        "x",
        "x coord",
        "gps lon",
        "gps long",
        "gps longitude",
        "lon dd",
        "долгота",
        "бойлық",
        "бойлык",
        "уртраг",
        "lange",
        "longitud",
        "bujur",
    ),
    "coordinates": (
        "coordinates",
        "coords",
        "gps",
        "gps coordinates",
        "lat lon",
        "lat long",
        "latlon",
        "координаты",
        "координаттар",
        "солбицол",
        "coordonnees",
        "coordenadas",
        "koordinat",
    ),
    "kind": ("kind", "station kind", "station type", "type", "тип", "тип участка", "түрі"),
    "setting": (
        "setting",
        "urban rural",
        "urban/rural",
        "urban or rural",
        "urbanity",
        "area type",
        "locality type",
        "город село",
        "тип поселения",
        "қала ауыл",
        "хот хөдөө",
    ),
    "settlement": (
        "settlement",
        "locality",
        "village",
        "town",
        "city or village",
        "place",
        "населенный пункт",
        "населённый пункт",
        "нп",
        "елді мекен",
        "елдi мекен",
        "суурин",
        "localite",
        "localidad",
        "desa",
        "kelurahan",
        "desa kelurahan",
    ),
    "tz": ("tz", "timezone", "time zone", "часовой пояс", "уақыт белдеуі", "цагийн бүс"),
}
# Hierarchy words and the level they usually mean (1 = top). The final order comes from
# the values: a column whose every value lies in one value of another is below it.
HIERARCHY_WORDS: dict[str, int] = {
    "region": 1,
    "province": 1,
    "state": 1,
    "oblast": 1,
    "governorate": 1,
    "department": 1,
    "departement": 1,
    "departamento": 1,
    "provincia": 1,
    "provinsi": 1,
    "voivodeship": 1,
    "prefecture": 1,
    "canton": 1,
    "wilaya": 1,
    "division": 1,
    "область": 1,
    "регион": 1,
    "край": 1,
    "республика": 1,
    "облыс": 1,
    "аймак": 1,
    "аймаг": 1,
    "нийслэл": 1,
    "district": 2,
    "county": 2,
    "constituency": 2,
    "lga": 2,
    "local government area": 2,
    "rayon": 2,
    "raion": 2,
    "municipality": 2,
    "municipio": 2,
    "municipalite": 2,
    "commune": 2,
    "arrondissement": 2,
    "kabupaten": 2,
    "kota": 2,
    "okrug": 2,
    "район": 2,
    "округ": 2,
    "город": 2,
    "муниципалитет": 2,
    "аудан": 2,
    "қала": 2,
    "сум": 2,
    "дүүрэг": 2,
    "electoral district": 2,
    "избирательный округ": 2,
    "сайлау округі": 2,
    "subdistrict": 3,
    "sub district": 3,
    "sub county": 3,
    "subcounty": 3,
    "ward": 3,
    "registration area": 3,
    "kecamatan": 3,
    "parish": 3,
    "sector": 3,
    "microdistrict": 3,
    "сельский округ": 3,
    "ауылдық округ": 3,
    "микрорайон": 3,
    "баг": 3,
    "хороо": 3,
}
NAME_LANG = re.compile(r"^(?:name|nom|nombre|название|атауы|нэр)[\s_\-(]+([a-z]{2,3})\)?$")


def fold(text: str) -> str:
    """Lower case, accents dropped, punctuation as single spaces: 'Nº Bureau' -> 'no bureau'."""
    text = unicodedata.normalize("NFKC", str(text)).casefold().replace("№", "no")
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Re-compose letters whose accents are part of the letter (й, ё fold to и, е: both sides).
    return " ".join(re.sub(r"[^\w]+", " ", kept).replace("_", " ").split())


def _folded_vocabulary() -> dict[str, tuple[str, ...]]:
    return {role: tuple(fold(w) for w in words) for role, words in VOCABULARY.items()}


_VOCAB = _folded_vocabulary()
_HIER = {fold(w): level for w, level in HIERARCHY_WORDS.items()}


def _score(header: str, words: Sequence[str]) -> int:
    """3: the header is a listed phrase; 2: it contains one as whole words; 1: a word of the
    header starts with a listed word of at least 4 letters (inflected forms); 0: no match."""
    if header in words:
        return 3
    padded = f" {header} "
    if any(len(w) >= 2 and f" {w} " in padded for w in words):
        return 2
    tokens = header.split()
    if any(len(w) >= 4 and " " not in w and any(t.startswith(w) for t in tokens) for w in words):
        return 1
    return 0


def _hierarchy_level(header: str) -> int | None:
    best: tuple[int, int] | None = None
    for word, level in _HIER.items():
        score = _score(header, (word,))
        if score and (best is None or score > best[0]):
            best = (score, level)
    return None if best is None else best[1]


@dataclass
class ColumnMapping:
    """The meaning given to each column of the station list (headers as read, lower case)."""

    roles: dict[str, str] = field(default_factory=dict)  # role -> column
    hierarchy: list[str] = field(default_factory=list)  # top level first
    names: dict[str, str] = field(default_factory=dict)  # language code -> column
    ignored: list[str] = field(default_factory=list)
    how: dict[str, str] = field(default_factory=dict)  # column -> "header", "values", "--columns"
    ranks: dict[str, int] = field(default_factory=dict)  # hierarchy column -> level its header says

    def column(self, role: str) -> str | None:
        return self.roles.get(role)

    def as_dict(self) -> dict[str, object]:
        return {
            "roles": dict(self.roles),
            "hierarchy": list(self.hierarchy),
            "names": dict(self.names),
            "ignored": list(self.ignored),
            "how": dict(self.how),
        }


class ColumnError(ValueError):
    """A `--columns` override that cannot be applied; the message names it."""


def parse_overrides(text: str | None) -> dict[str, str]:
    """`station_id=Code,region=Province` -> {role: header}; roles checked, headers folded later."""
    if not text:
        return {}
    result: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ColumnError(f"--columns: '{part.strip()}' is not role=column")
        role, _, header = part.partition("=")
        role = role.strip().lower()
        if role == "tec_id":
            role = "commission"
        if role not in OVERRIDABLE and not role.startswith("name_"):
            known = ", ".join((*OVERRIDABLE, "name_<lang>"))
            raise ColumnError(f"--columns: unknown role '{role}'; known: {known}")
        result[role] = header.strip()
    return result


def _numbers(values: pd.Series) -> np.ndarray:
    """Decimal numbers with a point or a comma; NaN where not a number."""
    text = values.astype(str).str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _looks_like_coordinates(values: pd.Series, limit: float) -> bool:
    present = values[values.astype(str).str.strip() != ""]
    if len(present) == 0:
        return False
    numbers = _numbers(present)
    ok = np.isfinite(numbers)
    if ok.mean() < 0.9:
        return False
    numbers = numbers[ok]
    fractional = np.mean(np.abs(numbers - np.round(numbers)) > 1e-9)
    return bool(np.all(np.abs(numbers) <= limit) and fractional > 0.5)


def recognise(
    frame: pd.DataFrame,
    overrides: Mapping[str, str] | None = None,
    *,
    has_geometry: bool = False,
) -> ColumnMapping:
    """Give each column of `frame` (text cells, lower-case headers) a role, or leave it out.

    Overrides win; then headers (best score first, one column per role); then values:
    coordinates by their range. Hierarchy columns are returned unordered here; see
    `order_hierarchy`.
    """
    mapping = ColumnMapping()
    columns = [str(c) for c in frame.columns]
    folded = {c: fold(c) for c in columns}
    taken: set[str] = set()
    for role, header in (overrides or {}).items():
        match = next((c for c in columns if fold(c) == fold(header)), None)
        if match is None:
            raise ColumnError(
                f"--columns: no column '{header}' for {role}; columns found: {', '.join(columns)}"
            )
        if role in ("region", "district", "subdistrict"):
            mapping.hierarchy.append(match)
            mapping.ranks[match] = ("region", "district", "subdistrict").index(role) + 1
        elif role.startswith("name_"):
            mapping.names[role[5:]] = match
        else:
            mapping.roles[role] = match
        mapping.how[match] = "--columns"
        taken.add(match)

    # Per-language names: name_ru, "name (en)", "nom_fr".
    for c in columns:
        m = NAME_LANG.match(folded[c].replace(" ", "_")) or NAME_LANG.match(folded[c])
        if c not in taken and m and m.group(1) not in mapping.names:
            mapping.names[m.group(1)] = c
            mapping.how[c] = "header"
            taken.add(c)

    candidates: list[tuple[int, int, str, str]] = []
    for i, c in enumerate(columns):
        if c in taken:
            continue
        for role, words in _VOCAB.items():
            score = _score(folded[c], words)
            if score:
                candidates.append((-score, i, role, c))
    hierarchy_scores = {}
    for c in columns:
        level = _hierarchy_level(folded[c]) if c not in taken else None
        if level is not None:
            hierarchy_scores[c] = max(
                _score(folded[c], (w,)) for w in _HIER if _score(folded[c], (w,))
            )
    for neg_score, _, role, c in sorted(candidates):
        if role in mapping.roles or c in taken:
            continue
        if -neg_score < 3 and hierarchy_scores.get(c, 0) > -neg_score:
            continue  # "District commission name" is a hierarchy column, not a name
        if role == "commission" and hierarchy_scores.get(c, 0) >= -neg_score:
            continue
        mapping.roles[role] = c
        mapping.how[c] = "header"
        taken.add(c)
    for c in columns:
        if c not in taken and c in hierarchy_scores:
            mapping.hierarchy.append(c)
            mapping.ranks[c] = _hierarchy_level(folded[c]) or 99
            mapping.how[c] = "header"
            taken.add(c)

    # Values: coordinates when the headers did not say.
    lacking = "lat" not in mapping.roles or "lon" not in mapping.roles
    if not has_geometry and "coordinates" not in mapping.roles and lacking:
        free = [c for c in columns if c not in taken]
        lats = [c for c in free if _looks_like_coordinates(frame[c], 90)]
        lons = [c for c in free if _looks_like_coordinates(frame[c], 180)]
        if "lat" not in mapping.roles and "lon" in mapping.roles and lats:
            mapping.roles["lat"] = lats[0]
        elif "lon" not in mapping.roles and "lat" in mapping.roles and lons:
            mapping.roles["lon"] = lons[0]
        elif len(lons) >= 2:
            lat_col, lon_col = _which_is_latitude(frame, lons[0], lons[1])
            mapping.roles["lat"], mapping.roles["lon"] = lat_col, lon_col
        for role in ("lat", "lon"):
            found = mapping.roles.get(role)
            if found is not None and found not in taken:
                mapping.how[found] = "values"
                taken.add(found)
    mapping.ignored = [c for c in columns if c not in taken]
    return mapping


def _which_is_latitude(frame: pd.DataFrame, a: str, b: str) -> tuple[str, str]:
    """Of two coordinate-like columns, (latitude, longitude): the one beyond ±90 is the
    longitude; otherwise the order that puts more points in a country."""
    va, vb = _numbers(frame[a]), _numbers(frame[b])
    if np.nanmax(np.abs(va)) > 90 >= np.nanmax(np.abs(vb)):
        return b, a
    if np.nanmax(np.abs(vb)) > 90 >= np.nanmax(np.abs(va)):
        return a, b
    from planner.countries import locate

    sample = slice(0, 2000)
    on_land_ab = np.count_nonzero(locate(vb[sample], va[sample]) != "")
    on_land_ba = np.count_nonzero(locate(va[sample], vb[sample]) != "")
    return (a, b) if on_land_ab >= on_land_ba else (b, a)


def parse_numbers(values: pd.Series) -> np.ndarray:
    """Public form of the decimal parser used for coordinates and voters."""
    return _numbers(values)


def split_coordinates(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """'47.91, 106.92' or '47,91 106,92' -> latitudes, longitudes (NaN where unreadable)."""
    text = values.astype(str).str.strip()
    pattern = r"^\s*(-?\d+(?:[.,]\d+)?)\s*[,; ]\s*(-?\d+(?:[.,]\d+)?)\s*$"
    parts = text.str.extract(pattern)
    first = _numbers(parts[0].fillna(""))
    second = _numbers(parts[1].fillna(""))
    return first, second
