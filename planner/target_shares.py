"""An area's share of the mission's coverage targets.

Targets are set for the whole mission; a plan gives each area its teams (in proportion to
voters), and each team observes one opening and one count, a day's worth of voting visits
and at most one tabulation. So an area's fair part of every target is its share of the
mission's planned teams: a file made for an LTO compares the area with that part, not
with the whole mission's targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from planner.allocation import apportion


def target_shares(
    targets: Mapping[str, int], teams_by_area: Mapping[str, int]
) -> dict[str, dict[str, int]]:
    """Per area, each phase's target shared out in proportion to the area's teams
    (Hamilton's method over the areas in sorted order, so the parts add up to the target)."""
    areas = sorted(teams_by_area)
    if not areas:
        return {}
    weights = [max(0, int(teams_by_area[a])) for a in areas]
    shares: dict[str, dict[str, int]] = {a: {} for a in areas}
    for phase, target in targets.items():
        parts = apportion(int(target), weights) if sum(weights) else [0] * len(areas)
        for area, part in zip(areas, parts, strict=True):
            shares[area][phase] = int(part)
    return shares


def scoped_targets(
    targets: Mapping[str, int], teams_by_area: Mapping[str, int], areas: Iterable[str]
) -> dict[str, int]:
    """The summed share of the targets of `areas` (areas without teams add nothing)."""
    shares = target_shares(targets, teams_by_area)
    chosen = [shares[a] for a in set(areas) if a in shares]
    return {phase: sum(s[phase] for s in chosen) for phase in targets}
