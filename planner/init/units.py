"""Regions, districts and commissions from the hierarchy of a station list, with ids.

The top level is the region and the next the district; a list with one level has one
region (the whole list) and that level as districts. Commissions are the lowest level
above the station unless a commission column is given. Ids are short and stable: units
are numbered in the alphabetical order of their full path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import MissionDataError, Problem
from planner.init import hierarchy as hier
from planner.init.columns import ColumnMapping

ONE_REGION = "(one region: the whole list)"


@dataclass(frozen=True)
class Units:
    """Per row: region, district and commission ids; per unit: names and parents."""

    region_of: np.ndarray
    district_of: np.ndarray
    commission_of: np.ndarray
    region_name: dict[str, str]
    district_name: dict[str, str]
    commission_name: dict[str, str]
    district_region: dict[str, str]
    commission_district: dict[str, str]
    region_level: str  # the column each comes from ("" for the single region)
    district_level: str
    commission_level: str
    commission_rank: int

    @property
    def commission_region(self) -> dict[str, str]:
        return {c: self.district_region[d] for c, d in self.commission_district.items()}


def _numbered(keys: np.ndarray, prefix: str) -> tuple[np.ndarray, dict[str, str]]:
    unique = sorted(pd.unique(keys), key=lambda k: hier.display(str(k)).casefold())
    width = max(2, len(str(len(unique))))
    ids = {str(k): f"{prefix}{i + 1:0{width}d}" for i, k in enumerate(unique)}
    return pd.Series(keys).astype(str).map(ids).to_numpy(dtype=object), ids


def most_common(keys: np.ndarray, values: np.ndarray) -> dict[str, str]:
    """Per key, its most frequent value (ties: the first seen)."""
    frame = pd.DataFrame({"k": keys, "v": values})
    common = frame.groupby("k")["v"].agg(lambda s: s.value_counts().index[0])
    return {str(k): str(v) for k, v in common.items()}


def administrative_units(
    frame: pd.DataFrame,
    mapping: ColumnMapping,
    h: hier.Hierarchy,
    *,
    mission_name: str,
    file: str,
) -> Units:
    """Units and ids from the inferred hierarchy (see the module docstring)."""
    n = len(frame)
    levels = h.levels
    commission_column = mapping.roles.get("commission")
    if not levels and commission_column is None:
        message = (
            "no hierarchy column recognised (region, district, constituency, ...); name one "
            "with --columns district=...; columns found: " + ", ".join(frame.columns)
        )
        raise MissionDataError([Problem(file, None, "district", message)])
    single = np.full(n, "", dtype=object)
    if len(levels) >= 2:
        region_keys, district_keys = h.keys[0], h.keys[1]
        region_level, district_level = levels[0].column, levels[1].column
    elif len(levels) == 1:
        region_keys, district_keys = single, h.keys[0]
        region_level, district_level = "", levels[0].column
    else:
        assert commission_column is not None
        region_keys, district_keys = single, hier.key_of([frame[commission_column]])
        region_level, district_level = "", commission_column
    if commission_column is not None:
        parents = [frame[levels[0].column]] if len(levels) >= 2 else []
        commission_keys = hier.key_of([*parents, frame[commission_column]])
        commission_level, commission_rank = commission_column, len(levels) + 1
    else:
        commission_keys = h.keys[-1]
        commission_level, commission_rank = levels[-1].column, levels[-1].rank

    region_of, region_ids = _numbered(region_keys, "R")
    district_of, district_ids = _numbered(district_keys, "D")
    commission_of, commission_ids = _numbered(commission_keys, "TEC-")
    region_name = {rid: hier.leaf(k) or mission_name for k, rid in region_ids.items()}
    return Units(
        region_of=region_of,
        district_of=district_of,
        commission_of=commission_of,
        region_name=region_name,
        district_name={did: hier.leaf(k) for k, did in district_ids.items()},
        commission_name={cid: hier.display(k) for k, cid in commission_ids.items()},
        district_region=most_common(district_of, region_of),
        commission_district=most_common(commission_of, district_of),
        region_level=region_level,
        district_level=district_level,
        commission_level=commission_level,
        commission_rank=commission_rank,
    )


def describe(units: Units, h: hier.Hierarchy, mapping: ColumnMapping) -> dict[str, object]:
    """The hierarchy part of the report."""
    return {
        "levels": [
            {
                "rank": lv.rank,
                "column": lv.column,
                "aliases": list(lv.aliases),
                "units": len(pd.unique(h.keys[i])),
            }
            for i, lv in enumerate(h.levels)
        ],
        "region_level": units.region_level or ONE_REGION,
        "district_level": units.district_level,
        "commission_level": units.commission_level,
        "commissions_from": "column"
        if mapping.roles.get("commission")
        else "lowest level above the station",
        "rows_missing_a_level": h.missing,
    }
