"""Dense areas cut into parts that are solved on their own.

An area with more teams than `PlanOptions.max_teams_per_part` is cut by recursive
bisection: along the wider axis of its stations, the teams are split in two (in
proportion to the number of parts each side gets) and the stations in the same
proportion, so every part holds its nearest stations and about as many stations per team
as the area. Every station lands in exactly one part. Each commission belongs to the one
part holding most of the stations that report to it (directly or through commissions
below it), and only that part sends teams to it, so no commission is given more teams
than `Phases.teams_per_commission` across parts.

The cut depends only on positions and ids, never on the seed or the order parts are
solved in.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from planner.model import Commission, Station, Team

KM_PER_DEG = 111.32


@dataclass(frozen=True)
class Part:
    """One part of an area: its teams and the stations nearest them."""

    teams: tuple[Team, ...]
    stations: tuple[Station, ...]


def parts_needed(teams: int, max_teams: int) -> int:
    return max(1, math.ceil(teams / max(1, max_teams)))


def bisect(teams: Sequence[Team], stations: Sequence[Station], parts: int) -> list[Part]:
    """`teams` and `stations` cut into `parts` parts of near-equal team counts, stations
    in proportion to teams (module docstring); each part's in the order of their ids."""
    if parts <= 1 or len(teams) <= 1:
        return [
            Part(
                tuple(sorted(teams, key=lambda t: t.team_id)),
                tuple(sorted(stations, key=lambda s: s.station_id)),
            )
        ]
    left_parts = parts // 2
    n = len(teams)
    # As even as possible, and no side with more teams per part than the other can hold.
    per_part = math.ceil(n / parts)
    n_left = round(n * left_parts / parts)
    n_left = max(n - (parts - left_parts) * per_part, min(left_parts * per_part, n_left))
    axis = _wider_axis(stations if stations else teams)
    by_team = sorted(teams, key=lambda t: (_coordinate(t.lon, t.lat, axis), t.team_id))
    by_station = sorted(stations, key=lambda s: (_coordinate(s.lon, s.lat, axis), s.station_id))
    m_left = round(len(stations) * n_left / n)
    return [
        *bisect(by_team[:n_left], by_station[:m_left], left_parts),
        *bisect(by_team[n_left:], by_station[m_left:], parts - left_parts),
    ]


def _coordinate(lon: float | None, lat: float | None, axis: tuple[int, float]) -> float:
    which, lon_scale = axis
    return float(lon or 0.0) * lon_scale if which == 0 else float(lat or 0.0)


def _wider_axis(points: Sequence[Station] | Sequence[Team]) -> tuple[int, float]:
    """0 (east-west) or 1 (north-south), whichever the points spread wider along, in km
    (5th to 95th percentile), with the east-west scale at their latitude."""
    lon = np.array([float(p.lon or 0.0) for p in points])
    lat = np.array([float(p.lat or 0.0) for p in points])
    lon_scale = math.cos(math.radians(float(np.median(lat)))) if len(lat) else 1.0
    width = np.subtract(*np.percentile(lon * lon_scale, [95, 5])) if len(lon) else 0.0
    height = np.subtract(*np.percentile(lat, [95, 5])) if len(lat) else 0.0
    return (0 if width >= height else 1), lon_scale


def commission_owners(
    parts: Sequence[Part], commissions: Mapping[str, Commission]
) -> dict[str, int]:
    """For each commission some part's stations report to (directly or through the
    commissions below it), the index of the part holding most of those stations (the
    first such part on a tie)."""
    counts: dict[str, Counter[int]] = {}
    for index, part in enumerate(parts):
        for s in part.stations:
            for tec in commission_chain(s.tec_id, commissions):
                counts.setdefault(tec, Counter())[index] += 1
    return {tec: min(c, key=lambda i: (-c[i], i)) for tec, c in counts.items()}


def commission_chain(tec_id: str, commissions: Mapping[str, Commission]) -> list[str]:
    """`tec_id` and the commissions above it."""
    out: list[str] = []
    current: str | None = tec_id
    while current is not None and current in commissions and current not in out:
        out.append(current)
        current = commissions[current].parent_id
    return out
