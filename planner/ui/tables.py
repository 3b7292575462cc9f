"""Tables the pages show, built from the mission and plans (pure: data in, frames out)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from planner.errors import Problem
from planner.estimates import (
    POSITION_AT_COMMISSION,
    POSITION_FROM_STATIONS,
    commission_note,
    station_estimates,
    station_note,
)
from planner.maps.selection import area_commissions, area_stations, stops_by_team, team_areas
from planner.model import Mission
from planner.schedule import PHASES, Plan, Stop

PROBLEM_COLUMNS = ["file", "row", "field", "message"]


def problems_table(problems: Iterable[Problem]) -> pd.DataFrame:
    """A validation report: one row per problem (file, row, field, message)."""
    rows = [
        {
            "file": p.file,
            "row": "" if p.row is None else str(p.row),
            "field": p.field or "",
            "message": p.message,
        }
        for p in problems
    ]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def targets_table(plan: Plan) -> pd.DataFrame:
    """Coverage against the targets: met or short, with the reason when short (phases
    without a target or an observation left out)."""
    achieved = plan.achieved
    short = {s.phase: s for s in plan.shortfalls}
    rows = []
    for phase in PHASES:
        target = getattr(plan.targets, phase)
        if target == 0 and achieved[phase] == 0:
            continue
        rows.append(
            {
                "phase": phase,
                "target": target,
                "achieved": achieved[phase],
                "status": "short" if phase in short else "met",
                "reason": short[phase].reason if phase in short else "",
            }
        )
    return pd.DataFrame(rows)


def _station_visits(plan: Plan) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for s in plan.stops:
        if s.site_type in ("station", "tec"):
            out[f"{s.site_type}:{s.site_id}"].add(s.phase)
    return out


@dataclass(frozen=True)
class PlanComparison:
    phases: pd.DataFrame  # phase, previous, current, change
    added: pd.DataFrame  # sites visited now and not before
    dropped: pd.DataFrame  # sites visited before and not now


def _site_rows(keys: Iterable[str], phases: Mapping[str, set[str]], mission: Mission) -> list:
    rows = []
    for key in sorted(keys):
        kind, site = key.split(":", 1)
        if kind == "station":
            s = mission.station_by_id.get(site)
            name = f"No. {s.number} · {s.name}" if s else site
            area = (mission.area_of_station(s) or "") if s else ""
        else:
            c = mission.commission_by_id.get(site)
            name = c.name if c else site
            area = (mission.area_of_commission(c) or "") if c else ""
        rows.append(
            {
                "site": site,
                "type": "TEC" if kind == "tec" else "station",
                "name": name,
                "area": area,
                "phases": ", ".join(p for p in PHASES if p in phases[key]),
            }
        )
    return rows


def compare_plans(previous: Plan, current: Plan, mission: Mission) -> PlanComparison:
    """Visits per phase before and after, and the stations/TECs added and dropped."""
    before, after = previous.achieved, current.achieved
    phases = pd.DataFrame(
        [
            {
                "phase": p,
                "previous": before[p],
                "current": after[p],
                "change": after[p] - before[p],
            }
            for p in PHASES
        ]
    )
    old, new = _station_visits(previous), _station_visits(current)
    columns = ["site", "type", "name", "area", "phases"]
    added = pd.DataFrame(_site_rows(set(new) - set(old), new, mission), columns=columns)
    dropped = pd.DataFrame(_site_rows(set(old) - set(new), old, mission), columns=columns)
    return PlanComparison(phases, added, dropped)


def _clock(when: datetime, day: datetime | None = None) -> str:
    text = when.strftime("%H:%M")
    if day is not None and when.date() > day.date():
        text += " +1d"
    return text


def _place(stop: Stop, mission: Mission) -> tuple[str, str]:
    if stop.site_type == "station":
        s = mission.station_by_id.get(stop.site_id)
        if s is None:
            return stop.site_id, ""
        # Names often carry the number already ("Polling station No. 16, Town").
        name = s.name if s.number and f"No. {s.number}" in s.name else f"No. {s.number} · {s.name}"
        return name, s.address
    if stop.site_type == "tec":
        c = mission.commission_by_id.get(stop.site_id)
        return (c.name if c else stop.site_id, "")
    team = next((t for t in mission.teams if t.team_id == stop.team_id), None)
    return (f"Base: {team.base_name}" if team else "Base", "")


def _stop_note(stop: Stop, mission: Mission) -> str:
    if stop.site_type == "station" and stop.site_id in mission.station_by_id:
        return station_note(mission.station_by_id[stop.site_id])
    if stop.site_type == "tec" and stop.site_id in mission.commission_by_id:
        return commission_note(mission.commission_by_id[stop.site_id])
    return ""


def schedule_table(stops: Sequence[Stop], mission: Mission) -> pd.DataFrame:
    """One team's day: stop, phase, arrive, depart, place, address, drive minutes, and a
    note when the place's position or voters are estimated."""
    rows = []
    ordered = sorted(stops, key=lambda s: s.seq)
    first = ordered[0].arrive if ordered else None
    for s in ordered:
        place, address = _place(s, mission)
        rows.append(
            {
                "stop": s.seq,
                "phase": s.phase,
                "arrive": _clock(s.arrive, first),
                "depart": _clock(s.depart, first),
                "place": place,
                "address": address,
                "drive_min": s.travel_min,
                "site_id": s.site_id,
                "note": _stop_note(s, mission),
            }
        )
    columns = [
        "stop", "phase", "arrive", "depart", "place", "address", "drive_min", "site_id", "note",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def teams_table(plan: Plan, mission: Mission, area_id: str | None = None) -> pd.DataFrame:
    """One row per routed team: base, opening and count stations, visits, day span."""
    areas = team_areas(plan)
    teams = {t.team_id: t for t in mission.teams}
    routes = stops_by_team(plan, [t for t, a in areas.items() if area_id in (None, a)])
    rows = []
    for team_id, stops in routes.items():
        by_phase: dict[str, list[Stop]] = defaultdict(list)
        for s in stops:
            by_phase[s.phase].append(s)

        def name(phase: str, by_phase: dict[str, list[Stop]] = by_phase) -> str:
            found = by_phase.get(phase)
            return _place(found[0], mission)[0] if found else ""

        team = teams.get(team_id)
        rows.append(
            {
                "team": team_id,
                "area": areas.get(team_id, ""),
                "base": team.base_name if team else "",
                "opening": name("opening"),
                "voting_visits": len(by_phase.get("voting", [])),
                "counting": name("counting"),
                "tabulation": name("tabulation"),
                "leave_base": _clock(stops[0].depart),
                "back_at_base": _clock(stops[-1].arrive, stops[0].depart),
                "drive_min": sum(s.travel_min for s in stops),
            }
        )
    return pd.DataFrame(rows)


def _visit_text(stops: Iterable[Stop]) -> str:
    return ", ".join(f"{s.phase} ({s.team_id} {_clock(s.arrive)})" for s in stops)


def area_stations_table(
    mission: Mission,
    area_id: str | None,
    plan: Plan | None,
    statuses: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Stations of an area with their planned visits and any field report."""
    statuses = statuses or {}
    visits: dict[str, list[Stop]] = defaultdict(list)
    if plan is not None:
        for s in plan.stops:
            if s.site_type == "station":
                visits[s.site_id].append(s)
    tecs = {c.tec_id: c.name for c in mission.commissions}
    rows = [
        {
            "station_id": s.station_id,
            "no": s.number,
            "name": s.name,
            "address": s.address,
            "voters": s.voters,
            "kind": s.kind.value,
            "setting": s.setting.value,
            "tec": tecs.get(s.tec_id, s.tec_id),
            "estimated": station_estimates(s),
            "visits": _visit_text(sorted(visits.get(s.station_id, []), key=lambda v: v.arrive)),
            "field_report": statuses.get(s.station_id, ""),
        }
        for s in area_stations(mission, area_id)
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "station_id",
            "no",
            "name",
            "address",
            "voters",
            "kind",
            "setting",
            "tec",
            "estimated",
            "visits",
            "field_report",
        ],
    )


ESTIMATE_COLUMNS = ("estimated", "position", "note")


def without_empty_estimates(table: pd.DataFrame) -> pd.DataFrame:
    """The table without its estimate columns when no row has one (a mission whose data
    was all given), so they show only where they say something."""
    empty = [c for c in ESTIMATE_COLUMNS if c in table.columns and (table[c] == "").all()]
    return table.drop(columns=empty)


def unvisited(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of `area_stations_table` no team visits."""
    return table[table["visits"] == ""].drop(columns=["visits"])


def area_tecs_table(mission: Mission, area_id: str | None, plan: Plan | None) -> pd.DataFrame:
    followed: dict[str, list[Stop]] = defaultdict(list)
    if plan is not None:
        for s in plan.stops:
            if s.site_type == "tec":
                followed[s.site_id].append(s)
    stations = Counter(s.tec_id for s in area_stations(mission, area_id))
    rows = [
        {
            "tec_id": c.tec_id,
            "name": c.name,
            "level": c.level.value.replace("_", " "),
            "stations": stations.get(c.tec_id, 0),
            "position": "approximate" if c.approximate else "",
            "tabulation": _visit_text(followed.get(c.tec_id, [])),
        }
        for c in area_commissions(mission, area_id)
    ]
    columns = ["tec_id", "name", "level", "stations", "position", "tabulation"]
    return pd.DataFrame(rows, columns=columns)


def areas_table(plan: Plan, mission: Mission) -> pd.DataFrame:
    """Per AoR: teams routed, visits by phase and the solver's notes."""
    names = {a.area_id: a.name for a in mission.areas}
    rows = []
    for area in plan.areas:
        counts = Counter(s.phase for s in area.stops)
        rows.append(
            {
                "area": area.area_id,
                "name": names.get(area.area_id, ""),
                "teams": len({s.team_id for s in area.stops}),
                **{p: counts.get(p, 0) for p in PHASES},
                "search_s": area.stats.get("search_s", ""),
                "notes": "; ".join(area.sample.notes),
            }
        )
    return pd.DataFrame(rows)


def share_chart_frame(rows: Sequence[Mapping[str, Any]], level: str) -> pd.DataFrame:
    """Long-form shares for a grouped bar chart: name, measure, share (percent)."""
    measures = {
        "share_stations": "stations",
        "share_voters": "voters",
        "share_visits": "voting visits",
    }
    out = []
    for r in rows:
        if r["level"] != level:
            continue
        label = f"{r['name']}" if r["name"] and r["name"] != r["id"] else str(r["id"])
        for key, measure in measures.items():
            out.append({"name": label, "measure": measure, "share": round(100 * r[key], 2)})
    return pd.DataFrame(out, columns=["name", "measure", "share"])


def mix_chart_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Urban/rural and station kind: share of stations against share of voting visits."""
    total = next((r for r in rows if r["level"] == "total"), None)
    columns = ["group", "category", "measure", "share"]
    if total is None or not total["stations"]:
        return pd.DataFrame([], columns=columns)
    visits = total["voting"]
    stations = total["stations"]

    def pct(part: float, whole: float) -> float:
        return round(100 * part / whole, 2) if whole else 0.0

    regular_stations = stations - total["special_stations"]
    regular_visits = visits - total["voting_special"]
    data = [
        ("setting", "urban", total["urban_stations"], total["voting_urban"]),
        ("setting", "rural", total["rural_stations"], total["voting_rural"]),
        ("kind", "regular", regular_stations, regular_visits),
        ("kind", "special-needs", total["special_stations"], total["voting_special"]),
    ]
    out = []
    for group, category, n_stations, n_visits in data:
        out.append(
            {
                "group": group,
                "category": category,
                "measure": "stations",
                "share": pct(n_stations, stations),
            }
        )
        out.append(
            {
                "group": group,
                "category": category,
                "measure": "voting visits",
                "share": pct(n_visits, visits),
            }
        )
    return pd.DataFrame(out, columns=columns)


def site_details(
    mission: Mission,
    plan: Plan | None,
    kind: str,
    site_id: str,
    statuses: Mapping[str, str] | None = None,
) -> tuple[str, dict[str, str], pd.DataFrame]:
    """A clicked station or TEC: a title, its facts, and the plan's visits there."""
    statuses = statuses or {}
    facts: dict[str, str] = {}
    if kind == "station":
        s = mission.station_by_id[site_id]
        tec = mission.commission_by_id.get(s.tec_id)
        area = mission.area_of_station(s)
        title = f"Station No. {s.number} · {s.name}"
        facts = {
            "Id": s.station_id,
            "Address": s.address,
            "Voters": f"{s.voters:,}",
            "Kind / setting": f"{s.kind.value} / {s.setting.value}",
            "TEC": tec.name if tec else s.tec_id,
            "Area": area or "none (abroad)",
            "Position": f"{s.lat:.5f}, {s.lon:.5f}"
            + (f" — {POSITION_AT_COMMISSION}" if s.position_approximate else ""),
        }
        if station_estimates(s):
            facts["Estimated"] = station_estimates(s)
        if site_id in statuses:
            facts["Field report"] = statuses[site_id]
        site_type = "station"
    else:
        c = mission.commission_by_id[site_id]
        title = f"TEC · {c.name}"
        facts = {
            "Id": c.tec_id,
            "Level": c.level.value.replace("_", " "),
            "Stations": str(sum(1 for s in mission.stations if s.tec_id == site_id)),
            "Position": f"{c.lat:.5f}, {c.lon:.5f}"
            + (f" — {POSITION_FROM_STATIONS}" if c.approximate else ""),
        }
        site_type = "tec"
    rows = []
    if plan is not None:
        for stop in plan.stops:
            if stop.site_type == site_type and stop.site_id == site_id:
                rows.append(
                    {
                        "team": stop.team_id,
                        "stop": stop.seq,
                        "phase": stop.phase,
                        "arrive": _clock(stop.arrive),
                        "depart": _clock(stop.depart, stop.arrive),
                    }
                )
    visits = pd.DataFrame(rows, columns=["team", "stop", "phase", "arrive", "depart"])
    return title, facts, visits
