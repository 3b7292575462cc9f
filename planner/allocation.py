"""Teams to areas and bases, in proportion to voters.

Used when a mission lists teams without an area or a base: the coordinator gives a number
of teams, the planner spreads them the way a deployment plan would. The apportionment
underneath (`apportion`, Hamilton's method) also shares out the stations, voters and teams
of the shipped default mission in its generator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from planner.model import Mission, Team, TeamKind


def apportion(seats: int, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """Whole numbers in proportion to `weights` (negative counts as 0) that sum to `seats`.

    Hamilton's method: floors of the exact quotas first, then one more to the largest
    fractional remainders; ties go to the earlier position, so the result is deterministic.
    With no positive weight the seats are shared out evenly, earlier positions first.
    """
    w = np.clip(np.asarray(weights, dtype=float), 0.0, None)
    if seats and not len(w):
        raise ValueError(f"{seats} seats cannot be shared among nobody")
    total = w.sum()
    if total <= 0:  # nothing to go by: share evenly
        even = np.full(len(w), seats // len(w) if len(w) else 0, dtype=np.int64)
        even[: seats - int(even.sum())] += 1
        return even
    quota = seats * w / total
    out = np.floor(quota).astype(np.int64)
    left = seats - int(out.sum())
    if left:
        order = np.lexsort((np.arange(len(w)), -(quota - out)))
        out[order[:left]] += 1
    return out


def largest_remainder(
    weights: Mapping[str, float], seats: int, *, minimum: int = 0
) -> dict[str, int]:
    """Apportion `seats` to keys in proportion to `weights`, each key getting >= `minimum`.

    Every key gets `minimum` first; the rest go by `apportion` over the keys in sorted
    order, so ties go to the key that sorts first.
    """
    keys = sorted(weights)
    if seats < minimum * len(keys):
        raise ValueError(f"{seats} teams cannot give {minimum} to each of {len(keys)} areas")
    shares = apportion(seats - minimum * len(keys), [weights[k] for k in keys])
    return {k: minimum + int(share) for k, share in zip(keys, shares, strict=True)}


def area_voters(mission: Mission) -> dict[str, int]:
    voters = {a.area_id: 0 for a in mission.areas}
    for station in mission.stations:
        area = mission.area_of_station(station)
        if area is not None:
            voters[area] += station.voters
    return voters


def base_sites(mission: Mission, area_id: str) -> list[tuple[str, float, float, int]]:
    """Candidate bases of an area: its TEC seats (district centres), with their voters."""
    voters_by_tec: dict[str, int] = {}
    for s in mission.stations:
        if mission.area_of_station(s) == area_id:
            voters_by_tec[s.tec_id] = voters_by_tec.get(s.tec_id, 0) + s.voters
    sites = [
        (c.name, c.lon, c.lat, voters_by_tec.get(c.tec_id, 0))
        for c in mission.commissions
        if mission.area_of_commission(c) == area_id and voters_by_tec.get(c.tec_id, 0) > 0
    ]
    return sorted(sites, key=lambda site: (-site[3], site[0]))


def allocate_teams(mission: Mission, *, min_per_area: int = 1, max_bases: int = 4) -> Mission:
    """Give every STO team without an area or base one, in proportion to voters.

    Teams that already have an area keep it. Unplaced teams go one at a time to the area
    with the highest Sainte-Laguë quotient (voters / (2 x teams + 1)), areas still below
    `min_per_area` first, so pre-placed teams never starve another area. Bases go to the
    area's largest TEC seats (at most `max_bases` towns), again in proportion to voters.
    """
    voters = area_voters(mission)
    counts = dict.fromkeys(voters, 0)
    for t in mission.sto_teams:
        if t.area_id is not None:
            counts[t.area_id] = counts.get(t.area_id, 0) + 1
    assigned: dict[str, Team] = {}
    for team in (t for t in mission.sto_teams if t.area_id is None):
        if not counts:
            break
        area_id = max(
            sorted(counts),
            key=lambda a: (counts[a] < min_per_area, voters.get(a, 0) / (2 * counts[a] + 1)),
        )
        counts[area_id] += 1
        assigned[team.team_id] = replace(team, area_id=area_id)
    teams = [assigned.get(t.team_id, t) for t in mission.teams]
    teams = _place_bases(mission, teams, max_bases=max_bases)
    return replace(mission, teams=tuple(teams))


def _place_bases(mission: Mission, teams: Sequence[Team], *, max_bases: int) -> list[Team]:
    by_area: dict[str, list[int]] = {}
    for i, t in enumerate(teams):
        if t.kind is TeamKind.STO and t.area_id is not None and (t.lon is None or t.lat is None):
            by_area.setdefault(t.area_id, []).append(i)
    result = list(teams)
    for area_id, indices in by_area.items():
        sites = base_sites(mission, area_id)[:max_bases]
        if not sites:
            continue
        shares = largest_remainder({str(k): site[3] for k, site in enumerate(sites)}, len(indices))
        slots = [int(k) for k in sorted(shares, key=int) for _ in range(shares[k])]
        for i, k in zip(indices, slots, strict=True):
            name, lon, lat, _ = sites[k]
            result[i] = replace(result[i], base_name=name, lon=lon, lat=lat)
    return result
