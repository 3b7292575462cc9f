"""Representativeness rules for voting visits in one area, and the repair that enforces them.

Two rules of representativeness: the urban share of an area's visits stays within
a tolerance of the urban share of its stations, and no district receives more than
`factor` times its share of the visits. The router steers towards both; `repair` then
drops the least valuable visits that still break a rule. Dropping a stop never makes a
route infeasible: the team simply waits longer before the next one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Visit:
    station_id: str
    district: str
    urban: bool
    weight: float


def district_cap(visits: int, district_stations: int, area_stations: int, factor: float) -> int:
    """Most visits a district may get: `factor` x its share of the area's stations (>= 1)."""
    if area_stations <= 0:
        return 0
    return max(1, math.floor(factor * visits * district_stations / area_stations))


def urban_share_ok(urban: int, total: int, share: float, tolerance_pp: float) -> bool:
    return total == 0 or abs(urban / total - share) * 100 <= tolerance_pp + 1e-9


def repair(
    visits: Sequence[Visit],
    *,
    district_sizes: Mapping[str, int],
    area_stations: int,
    urban_share: float,
    tolerance_pp: float,
    factor: float,
    fixed: Sequence[Visit] = (),
) -> set[str]:
    """Station ids to drop so the remaining visits satisfy both rules.

    Greedy: while a rule is broken, drop the lowest-weight visit among those causing it.
    Every drop shrinks the caps a little, so the loop re-evaluates after each one.
    `fixed` visits (other teams' kept routes, or made before a re-plan's time) count
    towards both rules but are never dropped. A rule that no number of drops can meet
    while a visit remains drops nothing: that would cost visits and not meet it.
    """
    kept = sorted(visits, key=lambda v: (v.weight, v.station_id))
    dropped: set[str] = set()
    while kept:
        counted = [*fixed, *kept]
        total = len(counted)
        per_district = Counter(v.district for v in counted)
        over = {
            d
            for d, n in per_district.items()
            if n > district_cap(total, district_sizes.get(d, 0), area_stations, factor)
        }
        urban = sum(v.urban for v in counted)
        # Only a rule that some drops can meet, short of dropping every visit, drops any:
        # an empty day is not a representative one, and dropping cannot meet the rule
        # when the visits that count are all on one side.
        over = {
            d
            for d in over
            if any(
                per_district[d] - j
                <= district_cap(total - j, district_sizes.get(d, 0), area_stations, factor)
                for j in range(1, min(sum(v.district == d for v in kept), total - 1) + 1)
            )
        }
        victim: Visit | None = None
        if over:
            victim = next((v for v in kept if v.district in over), None)
        if victim is None and not urban_share_ok(urban, total, urban_share, tolerance_pp):
            too_urban = urban / total > urban_share
            side = sum(v.urban == too_urban for v in kept)
            if any(
                urban_share_ok(urban - j * too_urban, total - j, urban_share, tolerance_pp)
                for j in range(1, min(side, total - 1) + 1)
            ):
                victim = next(v for v in kept if v.urban == too_urban)
        if victim is None:
            break
        kept.remove(victim)
        dropped.add(victim.station_id)
    return dropped
