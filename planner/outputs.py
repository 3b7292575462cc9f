"""An election-day plan on disk: visits.csv, coverage.csv, plan.json and routes.geojson.

visits.csv is the plan's contract: one row per stop (`VISIT_COLUMNS`), the team's
departure from and return to its base included, times local ISO 8601 to the minute with
the stop's UTC offset. Everything that reads a plan back (the checker, the exports, the
store) reads it through `read_visits`/`parse_visits`; route mode's visits.csv has its own
columns (`planner.route.outputs`) and is read by the same functions.

Writers return text (or bytes), so the CLI, the app's downloads and the tests share them;
`write_plan` puts them in a directory (see `planner.fileio` for what that touches).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from planner.fileio import write_directory
from planner.model import Mission, StationKind
from planner.route_lines import TeamLine, plan_route_lines, straight_line
from planner.schedule import PHASES, Plan, Stop

VISIT_COLUMNS = (
    "team_id",
    "seq",
    "phase",
    "site_id",
    "site_type",
    "arrive",
    "depart",
    "travel_min",
    "lat",
    "lon",
)


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="minutes")


def visits_csv(plan: Plan) -> str:
    """One row per stop, with the team's departure from and return to its base."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(VISIT_COLUMNS)
    for s in plan.stops:
        writer.writerow(
            [
                s.team_id,
                s.seq,
                s.phase,
                s.site_id,
                s.site_type,
                _iso(s.arrive),
                _iso(s.depart),
                s.travel_min,
                f"{s.lat:.5f}",
                f"{s.lon:.5f}",
            ]
        )
    return out.getvalue()


def read_visits(path: Path) -> list[dict[str, str]]:
    """The rows of a visits.csv file (either mode's), as dicts of text by column name."""
    with path.open(newline="", encoding="utf-8") as handle:
        return parse_visits(handle.read())


def parse_visits(text: str) -> list[dict[str, str]]:
    """The rows of visits.csv's text, as `read_visits` gives them."""
    return list(csv.DictReader(io.StringIO(text, newline="")))


def coverage_rows(plan: Plan, mission: Mission) -> list[dict[str, Any]]:
    """Per region, per area and in total: stations and voters against visits by phase."""
    station = mission.station_by_id
    groups: dict[tuple[str, str], dict[str, Any]] = {}

    def row(level: str, key: str, name: str) -> dict[str, Any]:
        if (level, key) not in groups:
            groups[level, key] = {
                "level": level,
                "id": key,
                "name": name,
                "stations": 0,
                "voters": 0,
                "urban_stations": 0,
                "rural_stations": 0,
                "special_stations": 0,
                **dict.fromkeys(PHASES, 0),
                "voting_urban": 0,
                "voting_rural": 0,
                "voting_special": 0,
            }
        return groups[level, key]

    region_names = {r.region_id: r.name_en for r in mission.regions}
    area_names = {a.area_id: a.name for a in mission.areas}

    def keys_of(station_id: str) -> list[tuple[str, str, str]]:
        s = station[station_id]
        area = mission.area_of_station(s)
        keys = [("region", s.region, region_names.get(s.region, s.region))]
        if area is not None:
            keys.append(("area", area, area_names.get(area, area)))
        keys.append(("total", "ALL", "All stations"))
        return keys

    for s in mission.stations:
        for key in keys_of(s.station_id):
            r = row(*key)
            r["stations"] += 1
            r["voters"] += s.voters
            r["urban_stations" if s.setting.value == "urban" else "rural_stations"] += 1
            r["special_stations"] += s.kind is StationKind.SPECIAL
    tecs = mission.commission_by_id
    seen_tecs: set[str] = set()
    for stop in plan.stops:
        if stop.phase == "tabulation":
            if stop.site_id in seen_tecs:
                continue
            seen_tecs.add(stop.site_id)
            tec = tecs.get(stop.site_id)
            region = tec.region if tec is not None else ""
            area = mission.area_of_commission(tec) if tec is not None else None
            keys = [("region", region, region_names.get(region, region))]
            if area:
                keys.append(("area", area, area_names.get(area, area)))
            keys.append(("total", "ALL", "All stations"))
            for key in keys:
                row(*key)["tabulation"] += 1
            continue
        if stop.phase not in PHASES:
            continue
        s = station[stop.site_id]
        for key in keys_of(stop.site_id):
            r = row(*key)
            r[stop.phase] += 1
            if stop.phase == "voting":
                r["voting_urban" if s.setting.value == "urban" else "voting_rural"] += 1
                r["voting_special"] += s.kind is StationKind.SPECIAL
    total = groups.get(("total", "ALL"))
    rows = sorted(
        groups.values(), key=lambda r: ({"region": 0, "area": 1, "total": 2}[r["level"]], r["id"])
    )
    for r in rows:
        r["share_stations"] = round(r["stations"] / total["stations"], 4) if total else 0.0
        r["share_voters"] = (
            round(r["voters"] / total["voters"], 4) if total and total["voters"] else 0.0
        )
        r["share_visits"] = (
            round(r["voting"] / total["voting"], 4) if total and total["voting"] else 0.0
        )
        r["urban_share_stations"] = (
            round(r["urban_stations"] / r["stations"], 4) if r["stations"] else 0.0
        )
        r["urban_share_visits"] = round(r["voting_urban"] / r["voting"], 4) if r["voting"] else 0.0
    return rows


def coverage_csv(plan: Plan, mission: Mission) -> str:
    rows = coverage_rows(plan, mission)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def plan_summary(
    plan: Plan, mission: Mission, *, mission_path: Path | None = None
) -> dict[str, Any]:
    achieved = plan.achieved
    return {
        "mission": mission.name,
        "mission_path": str(mission_path.resolve()) if mission_path else None,
        "seed": plan.seed,
        "time_limit_s": plan.time_limit_s,
        "election_date": mission.rules.election_date.isoformat(),
        "rules": {k: str(v) for k, v in asdict(mission.rules).items()},
        "targets": asdict(plan.targets),
        "achieved": achieved,
        "targets_met": not plan.shortfalls,
        "shortfalls": [asdict(s) for s in plan.shortfalls],
        "travel": plan.stats.get("travel"),
        "solver": {k: v for k, v in plan.stats.items() if k != "travel"},
        "areas": {
            a.area_id: {k: v for k, v in a.stats.items()} | {"notes": list(a.sample.notes)}
            for a in plan.areas
        },
    }


def plan_json(plan: Plan, mission: Mission, *, mission_path: Path | None = None) -> str:
    summary = plan_summary(plan, mission, mission_path=mission_path)
    return json.dumps(summary, indent=2, ensure_ascii=False) + "\n"


def routes_geojson(plan: Plan, lines: Mapping[str, TeamLine] | None = None) -> str:
    """One LineString per team, base to base: along the roads when `lines` has the
    team's road line (`geometry_source` "roads", with `legs_m` between stops), else
    straight from stop to stop (`geometry_source` "straight_line")."""
    by_team: dict[str, list[Stop]] = defaultdict(list)
    for s in plan.stops:
        by_team[s.team_id].append(s)
    features = []
    for team_id, stops in by_team.items():
        line = (lines or {}).get(team_id)
        if line is None or not line.on_roads:
            line = straight_line(team_id, stops)
        drawn = line.to_json()
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": drawn["coordinates"]},
                "properties": {
                    "team_id": team_id,
                    "stops": sum(1 for s in stops if s.phase != "base"),
                    "voting": sum(1 for s in stops if s.phase == "voting"),
                    "depart": _iso(stops[0].depart),
                    "return": _iso(stops[-1].arrive),
                    "geometry_source": line.geometry,
                    "legs_m": drawn["legs_m"],
                },
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def write_plan(
    plan: Plan,
    mission: Mission,
    out_dir: Path,
    *,
    mission_path: Path | None = None,
    force: bool = False,
    lines: Mapping[str, TeamLine] | None = None,
) -> Path:
    """Write all plan files into `out_dir`, leaving its other files (`write_directory`).
    Route lines follow the roads the plan used (`plan_route_lines`) unless given."""
    lines = plan_route_lines(plan) if lines is None else lines
    return write_directory(
        Path(out_dir),
        {
            "visits.csv": visits_csv(plan),
            "coverage.csv": coverage_csv(plan, mission),
            "plan.json": plan_json(plan, mission, mission_path=mission_path),
            "routes.geojson": routes_geojson(plan, lines),
        },
        force=force,
    )
