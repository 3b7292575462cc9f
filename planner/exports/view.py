"""A plan as the exporters see it: every team's stops, enriched from the mission.

`load_plan_dir(plan_dir, mission)` reads `visits.csv` (and `plan.json` when present) and
returns a `PlanView`: plain frozen data with, per stop, the station's number, name,
address, voters and TEC, the local times in the stop's own time zone, and the distance
from the previous stop. Every exporter takes a `PlanView` and returns bytes, so the CLI,
the app's download buttons and the tests share one path.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np

from planner.estimates import commission_note, station_note
from planner.model import Mission
from planner.outputs import VISIT_COLUMNS, parse_visits, plan_digest, read_visits, version_name
from planner.route_lines import TeamLine, plan_route_lines, read_route_lines, route_lines_label
from planner.schedule import PHASES, Plan, Stop
from planner.travel import great_circle_km
from planner.travel_source import travel_label

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

PHASE_LABELS = {
    "opening": "Opening",
    "voting": "Voting",
    "closing": "Closing",
    "counting": "Counting",
    "tabulation": "Tabulation",
}


@dataclass(frozen=True)
class StopView:
    """One stop of a team's day, with what a team needs to find and observe it."""

    team_id: str
    seq: int
    phase: str  # base | opening | voting | counting | tabulation
    site_id: str
    site_type: str  # station | tec | base
    arrive: datetime  # aware, in `tz`
    depart: datetime  # aware, in `tz`
    tz: str
    travel_min: int
    # From the previous stop: along the roads when the team's line follows them, else
    # great-circle x the mission's detour factor.
    km: float
    lat: float
    lon: float
    number: str = ""
    name: str = ""
    address: str = ""
    voters: int | None = None
    tec_id: str = ""
    tec_name: str = ""
    district: str = ""
    setting: str = ""
    kind: str = ""
    # What the team must know was estimated (`planner.estimates`): "position approximate
    # (at its commission)", "voters estimated"; "" when nothing.
    note: str = ""

    @property
    def label(self) -> str:
        """Phase for people: 'Opening', ..., 'Base (depart)' and 'Base (return)'."""
        if self.phase == "base":
            return "Base (depart)" if self.seq == 0 else "Base (return)"
        return PHASE_LABELS.get(self.phase, self.phase.title())

    @property
    def utc_offset(self) -> str:
        """'+06:00' style offset of the arrival time."""
        return utc_offset(self.arrive)

    @property
    def place(self) -> str:
        """The site for people: 'No. 23, School 5' for a station, else its name."""
        if self.site_type == "station" and self.number and self.number not in self.name:
            return f"No. {self.number}, {self.name}"
        return self.name or self.site_id

    @property
    def title(self) -> str:
        """'01 Opening: Polling station No. 23, Astana' - short enough for a GPS unit."""
        return f"{self.seq:02d} {self.label}: {self.place}"

    def description(self) -> str:
        """Times, address, voters, TEC and the leg from the previous stop, one per line."""
        zone = f"{self.tz}, UTC{self.utc_offset}"
        if self.phase == "base" and self.seq == 0:
            lines = [f"Leave {self.depart:%Y-%m-%d %H:%M} ({zone})"]
        elif self.depart == self.arrive:
            lines = [f"Arrive {self.arrive:%Y-%m-%d %H:%M} ({zone})"]
        else:
            lines = [f"Arrive {self.arrive:%Y-%m-%d %H:%M}, leave {self.depart:%H:%M} ({zone})"]
        if self.address:
            lines.append(f"Address: {self.address}")
        if self.voters is not None:
            lines.append(f"Voters: {self.voters}")
        if self.tec_name:
            lines.append(f"TEC: {self.tec_name}")
        if self.note:
            lines.append(f"Note: {self.note}")
        lines.append(f"Site: {self.site_type} {self.site_id}")
        if self.seq > 0:
            lines.append(f"From previous stop: {self.travel_min} min, {self.km:.1f} km")
        return "\n".join(lines)


@dataclass(frozen=True)
class TeamView:
    team_id: str
    area_id: str
    area_name: str
    base_name: str
    base_lat: float
    base_lon: float
    tz: str  # the team's home zone (that of its opening station)
    stops: tuple[StopView, ...]
    # The route as drawn: along the roads or straight between stops (`planner.route_lines`).
    line: TeamLine | None = None

    @property
    def on_roads(self) -> bool:
        return self.line is not None and self.line.on_roads

    @property
    def path(self) -> tuple[tuple[float, float], ...]:
        """(lon, lat) points of the route as drawn."""
        if self.on_roads and self.line is not None:
            return self.line.coordinates
        return tuple((s.lon, s.lat) for s in self.stops)

    @property
    def visits(self) -> tuple[StopView, ...]:
        """Stops other than the base."""
        return tuple(s for s in self.stops if s.phase != "base")

    @property
    def km(self) -> float:
        return round(sum(s.km for s in self.stops), 1)

    @property
    def travel_min(self) -> int:
        return sum(s.travel_min for s in self.stops)

    def count(self, phase: str) -> int:
        return sum(1 for s in self.stops if s.phase == phase)


@dataclass(frozen=True)
class PlanView:
    """Everything the exporters need, with no file handle or solver object inside."""

    mission_name: str
    election_date: date
    version: str  # 'version 3 · 1f2e3d4c' (`version_name`): on every page and file
    teams: tuple[TeamView, ...]
    targets: dict[str, int]
    achieved: dict[str, int]
    shortfalls: tuple[dict[str, Any], ...] = ()
    seed: int | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    detour_factor: float = 1.3
    area_geometry: dict[str, BaseGeometry] = field(default_factory=dict, repr=False)
    digest: str = ""  # the whole plan's fingerprint (`plan_digest`), part of `version`
    targets_scope: str = "the whole mission"  # what `targets` are a target of
    # The travel source the plan used (`planner.travel_source.describe_travel`).
    travel: dict[str, Any] = field(default_factory=dict)

    @property
    def travel_label(self) -> str:
        return travel_label(self.travel)

    @property
    def route_label(self) -> str:
        return route_lines_label({t.team_id: t.line for t in self.teams if t.line is not None})

    @property
    def team_ids(self) -> tuple[str, ...]:
        return tuple(t.team_id for t in self.teams)

    def team(self, team_id: str) -> TeamView:
        for t in self.teams:
            if t.team_id == team_id:
                return t
        known = ", ".join(self.team_ids[:8]) + (" ..." if len(self.teams) > 8 else "")
        raise ValueError(f"unknown team {team_id!r}; the plan has {len(self.teams)} teams: {known}")

    @property
    def stops(self) -> tuple[StopView, ...]:
        return tuple(s for t in self.teams for s in t.stops)


def utc_offset(dt: datetime) -> str:
    """'+05:00' for a datetime in UTC+5."""
    delta = dt.utcoffset()
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def version_of(visits_text: str) -> str:
    """The fingerprint of a visits.csv text (`plan_digest` of its rows)."""
    return plan_digest(_stops_from_rows(parse_visits(visits_text), "visits.csv"))


def _stops_from_rows(rows: list[dict[str, str]], source: str) -> list[Stop]:
    if rows:
        missing = [c for c in VISIT_COLUMNS if c not in rows[0]]
        if missing:
            raise ValueError(f"{source}: missing column(s) {', '.join(missing)}")
    stops = []
    for i, r in enumerate(rows, start=1):
        try:
            stops.append(
                Stop(
                    r["team_id"],
                    int(r["seq"]),
                    r["phase"],
                    r["site_id"],
                    r["site_type"],
                    datetime.fromisoformat(r["arrive"]),
                    datetime.fromisoformat(r["depart"]),
                    int(r["travel_min"]),
                    float(r["lat"]),
                    float(r["lon"]),
                )
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: row {i}: {exc}") from None
    return stops


def load_plan_dir(plan_dir: Path, mission: Mission) -> PlanView:
    """Read a directory written by `planner plan` and enrich it from `mission`."""
    plan_dir = Path(plan_dir)
    visits = plan_dir / "visits.csv"
    if not visits.is_file():
        raise FileNotFoundError(f"{plan_dir}: no visits.csv (is this a plan directory?)")
    stops = _stops_from_rows(read_visits(visits), str(visits))
    meta_file = plan_dir / "plan.json"
    meta = json.loads(meta_file.read_text("utf-8")) if meta_file.is_file() else {}
    return build_view(stops, mission, meta=meta, lines=read_route_lines(plan_dir))


def view_from_plan(
    plan: Plan,
    mission: Mission,
    *,
    mission_path: Path | None = None,
    version: str | None = None,
    digest: str | None = None,
    lines: Mapping[str, TeamLine] | None = None,
) -> PlanView:
    """The view of a solved `Plan`, identical to `load_plan_dir` on its written directory
    (times to the minute and coordinates to 5 decimals, as in visits.csv). `version` and
    `digest` name the whole stored version when `plan` is a part of it. Route lines:
    `lines` (as stored with the plan), else made from the travel source it recorded."""
    from planner.outputs import plan_summary, visits_csv

    text = visits_csv(plan)
    stops = _stops_from_rows(parse_visits(text), "visits.csv")
    summary = plan_summary(plan, mission, mission_path=mission_path, version=version)
    meta = json.loads(json.dumps(summary))
    lines = plan_route_lines(plan) if lines is None else lines
    return build_view(stops, mission, meta=meta, digest=digest, lines=lines)


def build_view(
    stops: list[Stop],
    mission: Mission,
    *,
    meta: dict[str, Any] | None = None,
    digest: str | None = None,
    lines: Mapping[str, TeamLine] | None = None,
) -> PlanView:
    """Group stops by team (in order of appearance), sort by seq and enrich each stop.

    `meta` is the content of plan.json; without it targets come from the mission and the
    achieved coverage is counted from the stops, and the version is named by the stops'
    fingerprint. `lines`: the teams' route lines (teams without one are drawn straight).
    """
    meta = meta or {}
    digest = digest or plan_digest(stops)
    named = meta.get("plan_version")
    version = named if isinstance(named, str) and digest in named else version_name(None, digest)
    by_team: dict[str, list[Stop]] = {}
    for s in stops:
        by_team.setdefault(s.team_id, []).append(s)
    lines = lines or {}
    teams = tuple(
        _team_view(team_id, sorted(rows, key=lambda s: s.seq), mission, lines.get(team_id))
        for team_id, rows in by_team.items()
    )
    targets = {p: int(getattr(mission.targets, p)) for p in PHASES}
    targets |= {k: int(v) for k, v in (meta.get("targets") or {}).items() if k in PHASES}
    achieved = meta.get("achieved") or _achieved(stops)
    shortfalls = meta.get("shortfalls")
    if shortfalls is None:
        shortfalls = [
            {"phase": p, "target": targets[p], "achieved": achieved.get(p, 0), "reason": ""}
            for p in PHASES
            if achieved.get(p, 0) < targets[p]
        ]
    parameters: dict[str, Any] = {
        "mission": meta.get("mission", mission.name),
        "mission_path": meta.get("mission_path") or "",
        "plan_version": version,
        "targets_scope": str(meta.get("targets_scope") or "the whole mission"),
        "seed": meta.get("seed"),
        "time_limit_s": meta.get("time_limit_s"),
        "election_date": mission.rules.election_date.isoformat(),
        "teams": len(teams),
        "stops": sum(len(t.stops) for t in teams),
        "travel": travel_label(meta.get("travel") or (meta.get("solver") or {}).get("travel")),
        "route_lines": route_lines_label({t.team_id: t.line for t in teams if t.line}),
    }
    parameters |= {f"target_{p}": targets[p] for p in PHASES}
    rules = meta.get("rules") or {k: str(getattr(mission.rules, k)) for k in _rule_names(mission)}
    parameters |= {f"rule_{k}": v for k, v in rules.items()}
    return PlanView(
        mission_name=str(meta.get("mission", mission.name)),
        election_date=mission.rules.election_date,
        version=version,
        teams=teams,
        targets=targets,
        achieved={p: int(achieved.get(p, 0)) for p in PHASES},
        shortfalls=tuple(shortfalls),
        seed=meta.get("seed"),
        parameters=parameters,
        detour_factor=mission.rules.detour_factor,
        area_geometry={a.area_id: a.geometry for a in mission.areas if a.geometry is not None},
        digest=digest,
        targets_scope=str(meta.get("targets_scope") or "the whole mission"),
        travel=dict(meta.get("travel") or (meta.get("solver") or {}).get("travel") or {}),
    )


def _rule_names(mission: Mission) -> list[str]:
    return list(type(mission.rules).__dataclass_fields__)


def _achieved(stops: list[Stop]) -> dict[str, int]:
    counts = Counter(s.phase for s in stops if s.phase in PHASES)
    counts["tabulation"] = len({s.site_id for s in stops if s.phase == "tabulation"})
    return {p: counts.get(p, 0) for p in PHASES}


def _team_view(
    team_id: str, stops: list[Stop], mission: Mission, line: TeamLine | None = None
) -> TeamView:
    team = next((t for t in mission.teams if t.team_id == team_id), None)
    if team is None:
        raise ValueError(f"visits.csv names team {team_id!r}, which is not in the mission")
    stations, tecs = mission.station_by_id, mission.commission_by_id
    area = mission.area_by_id.get(team.area_id or "")
    home_tz = _home_tz(stops, mission)
    lon = np.array([s.lon for s in stops])
    lat = np.array([s.lat for s in stops])
    km = np.zeros(len(stops))
    if len(stops) > 1:
        km[1:] = great_circle_km(lon[:-1], lat[:-1], lon[1:], lat[1:]) * mission.rules.detour_factor
    if line is not None and line.on_roads and len(line.legs_m) == len(stops) - 1:
        for k, metres in enumerate(line.legs_m, start=1):
            if metres is not None:
                km[k] = metres / 1000
    views = []
    for s, dist in zip(stops, km, strict=True):
        extra: dict[str, Any] = {}
        tz = home_tz
        if s.site_type == "station":
            st = stations.get(s.site_id)
            if st is None:
                raise ValueError(
                    f"visits.csv: team {team_id} stop {s.seq} names station {s.site_id!r},"
                    " which is not in the mission"
                )
            tec = tecs.get(st.tec_id)
            tz = st.tz
            extra = {
                "number": st.number,
                "name": st.name,
                "address": st.address,
                "voters": st.voters,
                "tec_id": st.tec_id,
                "tec_name": tec.name if tec else "",
                "district": st.district,
                "setting": st.setting.value,
                "kind": st.kind.value,
                "note": station_note(st),
            }
        elif s.site_type == "tec":
            tec = tecs.get(s.site_id)
            if tec is None:
                raise ValueError(
                    f"visits.csv: team {team_id} stop {s.seq} names TEC {s.site_id!r},"
                    " which is not in the mission"
                )
            tz = tec.tz
            extra = {
                "name": tec.name,
                "tec_id": tec.tec_id,
                "tec_name": tec.name,
                "note": commission_note(tec),
            }
        else:
            extra = {"name": team.base_name}
        zone = ZoneInfo(tz)
        views.append(
            StopView(
                team_id=team_id,
                seq=s.seq,
                phase=s.phase,
                site_id=s.site_id,
                site_type=s.site_type,
                arrive=s.arrive.astimezone(zone),
                depart=s.depart.astimezone(zone),
                tz=tz,
                travel_min=s.travel_min,
                km=round(float(dist), 1),
                lat=s.lat,
                lon=s.lon,
                **extra,
            )
        )
    base = next((s for s in stops if s.site_type == "base"), stops[0])
    return TeamView(
        team_id=team_id,
        area_id=team.area_id or "",
        area_name=area.name if area else "",
        base_name=team.base_name,
        base_lat=team.lat if team.lat is not None else base.lat,
        base_lon=team.lon if team.lon is not None else base.lon,
        tz=home_tz,
        stops=tuple(views),
        line=line,
    )


def _home_tz(stops: list[Stop], mission: Mission) -> str:
    """The zone of the team's first station (as the solver times the base), else its TEC's."""
    for s in stops:
        if s.site_type == "station" and s.site_id in mission.station_by_id:
            return mission.station_by_id[s.site_id].tz
        if s.site_type == "tec" and s.site_id in mission.commission_by_id:
            return mission.commission_by_id[s.site_id].tz
    return "UTC"
