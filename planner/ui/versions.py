"""Stored plan versions as the pages use them (pure: store records in, plans and frames out)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from planner.model import Mission
from planner.schedule import AreaPlan, AreaSample, Plan, Stop
from planner.store import PlanVersionInfo, TeamDiff

DIFF_COLUMNS = ["team", "area", "added", "dropped", "stations added", "stations dropped"]


def plan_from_version(info: PlanVersionInfo, stops: Sequence[Stop], mission: Mission) -> Plan:
    """A stored version as a `Plan`: the stops grouped into their areas (by the teams
    table of `mission`), with each area's solver notes and statistics as saved."""
    area_of_team = {t.team_id: t.area_id for t in mission.teams}
    by_area: dict[str | None, list[Stop]] = defaultdict(list)
    for s in stops:
        by_area[area_of_team.get(s.team_id)].append(s)
    saved = info.stats.get("areas") or {}
    order = [a.area_id for a in mission.areas]
    order += sorted(a for a in by_area if a is not None and a not in order)
    areas = []
    for area_id in order:
        if area_id not in by_area:
            continue
        stats = dict(saved.get(area_id) or {})
        notes = tuple(str(n) for n in stats.pop("notes", ()) or ())
        areas.append(
            AreaPlan(area_id, tuple(by_area[area_id]), AreaSample((), (), {}, {}, notes), stats)
        )
    ordered = tuple(s for a in areas for s in a.stops) + tuple(by_area.get(None, ()))
    return Plan(
        mission.name,
        info.seed,
        info.time_limit_s,
        ordered,
        tuple(areas),
        mission.targets,
        dict(info.stats.get("solver") or {}),
    )


def version_label(info: PlanVersionInfo, scope: Iterable[str] | None = None) -> str:
    """`v3 · 20 Nov 09:14 · aigerim · AOR-07 re-plan · published`; with `scope` (an
    LTO's areas), re-planned areas outside it are not named."""
    parts = [f"v{info.id}", f"{info.created_at:%d %b %H:%M} UTC", info.author]
    if info.areas:
        shown = [a for a in info.areas if scope is None or a in set(scope)]
        parts.append(f"{', '.join(shown)} re-plan" if shown else "re-plan of another area")
    if info.published:
        parts.append("published")
    return " · ".join(parts)


def diff_table(diffs: Mapping[str, TeamDiff], mission: Mission) -> pd.DataFrame:
    """Per team, what a new version added and dropped, stations named for people."""
    area_of_team = {t.team_id: t.area_id or "" for t in mission.teams}

    def names(site_ids: Sequence[str]) -> str:
        out = []
        for site in site_ids:
            station = mission.station_by_id.get(site)
            tec = mission.commission_by_id.get(site)
            if station is not None:
                out.append(f"No. {station.number} ({site})")
            elif tec is not None:
                out.append(f"{tec.name} ({site})")
            else:
                out.append(site)
        return ", ".join(out)

    rows = [
        {
            "team": d.team_id,
            "area": area_of_team.get(d.team_id, ""),
            "added": len(d.added),
            "dropped": len(d.dropped),
            "stations added": names(d.added),
            "stations dropped": names(d.dropped),
        }
        for d in diffs.values()
    ]
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)
