"""Documented defaults for what a station list does not say, each one flagged as estimated.

Every default is a field of `InitSettings`, listed once; `planner init`'s report says which
were used and for how many rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from planner.init.columns import fold, parse_numbers

# The default mission's proportions (geodata/kazakhstan-2022: 150 STO teams, 10,101
# stations, 15 areas; targets opening 127, voting 1131, counting 111, tabulation 99).
DEFAULT_TEAMS = 150
DEFAULT_STATIONS = 10_101


@dataclass(frozen=True)
class InitSettings:
    """Every default `planner init` may apply; all documented in the README."""

    voters_default: int = 1_000  # registered voters of a station that lists none
    urban_radius_km: float = 2.0  # a station is urban when at least
    urban_neighbours: int = 8  # this many stations (itself included) lie within the radius
    urban_settlement_stations: int = 5  # or its settlement has at least this many stations
    stations_per_team: float = DEFAULT_STATIONS / DEFAULT_TEAMS  # default team count
    teams_per_area: int = 10  # default number of areas: one per this many STO teams
    opening_per_team: float = 127 / DEFAULT_TEAMS
    voting_per_team: float = 1131 / DEFAULT_TEAMS
    counting_per_team: float = 111 / DEFAULT_TEAMS
    tabulation_per_team: float = 99 / DEFAULT_TEAMS
    outline_margin_km: float = 10.0  # derived outline: stations' hull widened by this
    medoid_sample: int = 800  # medoid candidates per group (a count, so results repeat)


URBAN_WORDS = ("urban", "city", "town", "город", "городской", "қала", "қалалық", "хот", "urbain")
RURAL_WORDS = ("rural", "village", "село", "сельский", "ауыл", "ауылдық", "хөдөө", "rurale")
SPECIAL_WORDS = ("special", "hospital", "military", "prison", "спец", "больниц", "арнайы")
ABROAD_WORDS = ("abroad", "foreign", "embassy", "зарубеж", "за рубежом", "шетел", "гадаад")


def _classify(values: pd.Series, groups: dict[str, tuple[str, ...]]) -> np.ndarray:
    """Map free text to a category by word stems ("" where nothing matches)."""
    out = np.full(len(values), "", dtype=object)
    for value in pd.unique(values):
        folded = fold(value)
        for category, words in groups.items():
            if folded == category or any(fold(w) in folded for w in words):
                out[(values == value).to_numpy()] = category
                break
    return out


def settings_from_column(values: pd.Series) -> np.ndarray:
    return _classify(values, {"urban": URBAN_WORDS, "rural": RURAL_WORDS})


def kinds_from_column(values: pd.Series) -> np.ndarray:
    kinds = _classify(
        values, {"abroad": ABROAD_WORDS, "special": SPECIAL_WORDS, "regular": ("regular",)}
    )
    return np.where(kinds == "", "regular", kinds)


def voters_from_column(values: pd.Series) -> np.ndarray:
    """Whole non-negative numbers; NaN where missing or unreadable (then estimated)."""
    cleaned = values.astype(str).str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    # "1,234" with a comma as thousands separator, "1.234" with a point: both whole numbers
    cleaned = cleaned.str.replace(r"^(\d{1,3})[.,](\d{3})$", r"\1\2", regex=True)
    numbers = parse_numbers(cleaned)
    ok = np.isfinite(numbers) & (numbers >= 0) & (np.floor(numbers) == numbers)
    return np.where(ok, numbers, np.nan)


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split a whole number over rows in proportion to weights (largest remainder)."""
    weights = np.asarray(weights, dtype=float)
    if len(weights) == 0:
        return np.zeros(0, dtype=np.int64)
    if weights.sum() <= 0:
        weights = np.ones(len(weights))
    quotas = total * weights / weights.sum()
    base = np.floor(quotas).astype(np.int64)
    left = int(total - base.sum())
    order = np.lexsort((np.arange(len(quotas)), -(quotas - base)))
    base[order[:left]] += 1
    return base


def xy_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lat0 = float(np.nanmean(lat)) if np.isfinite(lat).any() else 0.0
    return np.column_stack([lon * np.cos(np.radians(lat0)), lat]) * 111.32


def urban_by_density(
    lon: np.ndarray, lat: np.ndarray, located: np.ndarray, settings: InitSettings
) -> np.ndarray:
    """Urban where enough stations crowd together (a town's worth within a short radius)."""
    urban = np.zeros(len(lon), dtype=bool)
    idx = np.flatnonzero(located)
    if len(idx) == 0:
        return urban
    xy = xy_km(lon[idx], lat[idx])
    tree = cKDTree(xy)
    counts = tree.query_ball_point(xy, r=settings.urban_radius_km, return_length=True)
    urban[idx] = np.asarray(counts) >= settings.urban_neighbours
    return urban


def urban_by_settlement(settlement: np.ndarray, settings: InitSettings) -> np.ndarray:
    present = settlement != ""
    sizes = pd.Series(settlement[present]).value_counts()
    big = set(sizes[sizes >= settings.urban_settlement_stations].index)
    return present & pd.Series(settlement).isin(big).to_numpy()


@cache
def _finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def time_zones(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """IANA zone of each point, offline; "" where none is known (at sea, or no point)."""
    finder = _finder()
    out = np.full(len(lon), "", dtype=object)
    # Points 0.001° apart share a zone in practice: look each rounded point up once.
    keys = np.round(np.column_stack([lon, lat]), 3)
    ok = np.isfinite(keys).all(axis=1)
    seen: dict[tuple[float, float], str] = {}
    for i in np.flatnonzero(ok):
        key = (float(keys[i, 0]), float(keys[i, 1]))
        zone = seen.get(key)
        if zone is None:
            zone = finder.timezone_at(lng=key[0], lat=key[1]) or ""
            seen[key] = zone
        out[i] = zone
    return out


def medoid(lon: np.ndarray, lat: np.ndarray, sample: int) -> int:
    """Index of the point with the least total distance to the others (the group's most
    central real station); candidates limited to `sample` evenly spaced points."""
    n = len(lon)
    if n <= 2:
        return 0
    xy = xy_km(lon, lat)
    candidates = np.arange(n) if n <= sample else np.linspace(0, n - 1, sample).astype(int)
    best, best_cost = 0, np.inf
    for start in range(0, len(candidates), 256):
        chunk = candidates[start : start + 256]
        d = np.sqrt(((xy[chunk][:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)).sum(axis=1)
        j = int(np.argmin(d))
        if d[j] < best_cost:
            best, best_cost = int(chunk[j]), float(d[j])
    return best


@dataclass(frozen=True)
class Estimate:
    """A column's values, the rows where a default was used, and the rule applied."""

    values: np.ndarray
    missing: np.ndarray
    rule: str


def estimate_voters(
    values: pd.Series | None,
    n: int,
    *,
    default: int | None,
    total: int | None,
    cfg: InitSettings,
) -> Estimate:
    """Voters as listed; otherwise `total` shared equally among the rest, or a default."""
    voters = voters_from_column(values) if values is not None else np.full(n, np.nan)
    missing = ~np.isfinite(voters)
    if total is not None:
        rest = max(0, total - int(np.nansum(voters)))
        voters[missing] = apportion(rest, np.ones(int(missing.sum())))
        rule = f"--voters-total {total:,} shared equally"
    else:
        voters[missing] = default or cfg.voters_default
        rule = f"{default or cfg.voters_default:,} per station" + (
            " (--voters-default)" if default else " (default)"
        )
    return Estimate(voters.astype(np.int64), missing, rule)


def estimate_setting(
    given: pd.Series | None,
    settlements: pd.Series | None,
    lon: np.ndarray,
    lat: np.ndarray,
    located: np.ndarray,
    cfg: InitSettings,
) -> Estimate:
    """Urban or rural: as listed; else by settlement size when given; else by density."""
    n = len(lon)
    setting = settings_from_column(given) if given is not None else np.full(n, "", dtype=object)
    missing = setting == ""
    if settlements is not None:
        urban = urban_by_settlement(settlements.to_numpy(dtype=object), cfg)
        rule = f"settlements with at least {cfg.urban_settlement_stations} stations are urban"
    else:
        urban = urban_by_density(lon, lat, located, cfg)
        rule = (
            f"urban where at least {cfg.urban_neighbours} stations lie within "
            f"{cfg.urban_radius_km:g} km"
        )
    values = np.where(missing, np.where(urban, "urban", "rural"), setting).astype(object)
    return Estimate(values, missing, rule)


def estimate_kind(given: pd.Series | None, n: int) -> Estimate:
    if given is not None:
        return Estimate(kinds_from_column(given), np.zeros(n, dtype=bool), "as listed")
    return Estimate(np.full(n, "regular", dtype=object), np.ones(n, dtype=bool), "regular")


def estimate_tz(
    given: pd.Series | None, lon: np.ndarray, lat: np.ndarray, district_of: np.ndarray
) -> Estimate:
    """Valid IANA zones as listed; else from the position (offline); else the district's."""
    from planner.geodata import is_valid_tz

    n = len(lon)
    tz = np.full(n, "", dtype=object)
    if given is not None:
        listed = given.to_numpy(dtype=object)
        valid = np.array([bool(v) and is_valid_tz(v) for v in listed], dtype=bool)
        tz[valid] = listed[valid]
    missing = tz == ""
    if missing.any():
        tz[missing] = time_zones(lon[missing], lat[missing])
    still = tz == ""
    if still.any():  # at sea or in no zone: the most common zone of the district
        common = pd.Series(tz[~still]).mode()
        fallback = str(common.iat[0]) if len(common) else "UTC"
        frame = pd.DataFrame({"d": district_of[~still], "tz": tz[~still]})
        by_district = frame.groupby("d")["tz"].agg(lambda s: s.value_counts().index[0])
        tz[still] = [by_district.get(d, fallback) for d in district_of[still]]
    return Estimate(tz, missing, "from coordinates (timezonefinder, offline)")
