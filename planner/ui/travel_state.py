"""The session's mission travel: its travel settings, the model a plan or re-plan runs
on (road closures from field reports applied), and each plan version's route lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from planner.field_status import ReportKind, ReportState
from planner.model import Mission, Rules
from planner.repair import (
    fixed_stops,
    kept_stops,
    kept_teams,
    repair_mission,
    resume_at,
    teams_visiting,
    voting_visits,
)
from planner.road_closures import teams_crossing
from planner.route_lines import TeamLine, plan_route_lines, plan_travel
from planner.schedule import KeptTeams, Plan, Resume, Stop, TeamAssignment
from planner.store import (
    FieldUpdateRecord,
    PlanningInputs,
    PlanVersionInfo,
    save_route_lines,
    travel_settings,
)
from planner.store import route_lines as stored_route_lines
from planner.travel import GreatCircleTravel, TravelModel
from planner.travel_source import (
    TravelSettings,
    closed_road,
    closed_travel,
    describe_travel,
    road_travel,
    travel_label,
)
from planner.ui import mission_state, session
from planner.ui.memo import per_run
from planner.ui.replan import restrict_to_area
from planner.ui.roads import available_roads, closed_cache, roads_dir
from planner.ui.shared import hold

LINES_SLOT = "route_lines"


def settings() -> TravelSettings:
    """The mission's `[travel]` settings, read once per run."""
    return per_run(
        "travel_settings",
        lambda: travel_settings(
            session.get_store(), mission_state.mission_id(), user=session.user()
        ),
    )


def model(travel: TravelSettings, rules: Rules) -> TravelModel:
    """The travel model the settings choose; road data that is not on the server is a
    ValueError that says so."""
    if travel.roads is None:
        return GreatCircleTravel.from_rules(rules)
    if travel.roads not in available_roads():
        raise ValueError(
            f"the mission plans on road data {travel.roads!r}, which is not on this server "
            "(any more); choose other road data or the straight line on Teams & rules"
        )
    return road_travel(roads_dir(travel.roads), rules, travel)


def label(travel: TravelSettings, rules: Rules) -> str:
    try:
        return travel_label(describe_travel(model(travel, rules)))
    except ValueError as exc:
        return str(exc)


def road_closures(reports: Sequence[FieldUpdateRecord]) -> tuple[list[Any], list[int]]:
    """The closed roads of the reports that still count (open or applied), and the ids of
    closure reports without the closed stretch's coordinates (road times cannot use
    those)."""
    closures, unplaced = [], []
    for r in sorted(reports, key=lambda r: r.id):
        if r.kind != ReportKind.ROAD_CLOSED or r.status == ReportState.DISMISSED:
            continue
        if r.road_points is None:
            unplaced.append(r.id)
            continue
        closures.append(closed_road(r.road_points, note=r.note, ref=f"report #{r.id}"))
    return closures, unplaced


def planning_travel(
    rules: Rules, reports: Sequence[FieldUpdateRecord]
) -> tuple[TravelModel, list[int]]:
    """What a plan or re-plan runs on: the mission's travel with the reported roads
    closed (a closed copy of the road data, made once per set of closures); and the
    closure reports it could not apply (no coordinates)."""
    base = model(settings(), rules)
    closures, unplaced = road_closures(reports)
    return closed_travel(base, closures, closed_cache()), unplaced


def version_lines(version: PlanVersionInfo, plan: Plan) -> dict[str, TeamLine]:
    """The route lines of a version's teams (as the user sees them): stored with the
    version; made from the travel the version recorded and stored the first time."""
    store, who = session.get_store(), session.user()

    def read() -> dict[str, TeamLine]:
        stored = {
            team: TeamLine.from_json(line)
            for team, line in stored_route_lines(store, version.id, user=who).items()
        }
        teams = {s.team_id for s in plan.stops}
        missing = teams - set(stored)
        if missing:
            made = plan_route_lines(plan, missing)
            if plan.stats.get("travel") is not None:  # else the reader cannot see the source
                lines = {t: line.to_json() for t, line in made.items()}
                save_route_lines(store, version.id, lines, user=who)
            stored |= made
        return {t: line for t, line in stored.items() if t in teams}

    # One version per session (the one looked at), one copy for every session of a scope.
    return hold(LINES_SLOT, ("lines", version.id, mission_state.mission_key()), read)


def closure_problem(points: Sequence[tuple[float, float]]) -> str | None:
    """Why a closed stretch ((lon, lat) points) cannot be closed on the mission's road
    data (no road near a point, no road joining them), or None; None too when the
    mission plans on straight lines (the report is kept for the planners then)."""
    from planner.roads import RoadsError
    from planner.roads.closures import match_closure

    travel = settings()
    if travel.roads is None or travel.roads not in available_roads():
        return None
    try:
        match_closure(roads_dir(travel.roads), closed_road(points))
    except (RoadsError, ValueError) as exc:
        return str(exc)
    return None


# The road calibration as the Teams & rules page shows it: label and why the default.
CALIBRATION_FIELDS: dict[str, tuple[str, str]] = {
    "urban_factor": (
        "Urban factor (× free-flow time)",
        "Traffic, lights and queues in towns; OSRM's authors advise 1.3.",
    ),
    "rural_factor": ("Rural factor", "Little traffic out of town: 1.0."),
    "night_factor": (
        "Night factor (rural share of night legs)",
        "Dark, unlit roads: 1.33, the straight-line model's 60 / 45 km/h.",
    ),
    "winter_factor": (
        "Winter factor",
        "Snow lowers speeds by 11-15 %: 1.15; 1.0 for an election without snow.",
    ),
    "max_snap_m": (
        "Farthest from a road (m)",
        "A place farther than this from any road uses the straight-line model (flagged).",
    ),
    "access_speed_kmh": (
        "Speed to the road (km/h)",
        "The few metres from a place to its nearest road are driven at this speed.",
    ),
}


def travel_from_values(
    roads: str | None, values: dict[str, float]
) -> tuple[TravelSettings, list[str]]:
    """Travel settings from the page's inputs (only factors that differ from the
    defaults are kept), and the problems found."""
    from planner.errors import Problem
    from planner.travel_source import calibration_fields, parse_travel

    defaults = calibration_fields()
    raw: dict[str, Any] = {k: float(v) for k, v in values.items() if float(v) != defaults.get(k)}
    if roads is not None:
        raw["roads"] = roads
    problems: list[Problem] = []
    parsed = parse_travel(raw, file="Teams & rules", problems=problems)
    return parsed, [p.message for p in problems]


@dataclass(frozen=True)
class AreaReplan:
    """What an area's re-plan runs: the mission (its teams to plan), the stations never
    to route to, the travel (reported roads closed), the teams' stops kept unchanged,
    the area's stops before the re-plan (to report the churn), and the road reports
    without coordinates (not applied)."""

    mission: Mission
    excluded: frozenset[str]
    travel: TravelModel
    kept: tuple[Stop, ...]
    replanned: tuple[str, ...]
    unplaced: tuple[int, ...]
    before: tuple[Stop, ...] = ()
    # The re-planned teams' openings, counts and commissions, kept where still open.
    fixed: Mapping[str, TeamAssignment] = field(default_factory=dict)
    # A re-plan from a time of day: the stops each re-planned team keeps before it.
    resume: Resume | None = None
    # The teams kept as they are, as the solver counts them.
    others: KeptTeams | None = None

    @property
    def previous_visits(self) -> dict[str, tuple[str, ...]]:
        """The re-planned teams' voting visits before: the re-plan weighs keeping them."""
        return voting_visits(self.before, self.replanned)


def moved_stations(inputs: PlanningInputs) -> frozenset[str]:
    """Stations reported at another place (dismissed reports ignored)."""
    return frozenset(
        u.station_id
        for u in inputs.updates
        if u.kind == ReportKind.STATION_MOVED
        and u.status != ReportState.DISMISSED
        and u.station_id is not None
    )


def affected_teams(inputs: PlanningInputs, plan: Plan, area_id: str) -> set[str]:
    """The area's teams whose routes in `plan` the field reports break: a station on the
    route reported closed, inaccessible or moved, or a leg over a reported closed road."""
    restricted = restrict_to_area(inputs.mission, area_id)
    teams = tuple(t.team_id for t in restricted.sto_teams)
    stations = inputs.excluded | moved_stations(inputs)
    affected = teams_visiting(plan, stations, teams=teams)
    if any(r.road_points is not None for r in inputs.road_closures):
        travel, _ = planning_travel(inputs.mission.rules, inputs.updates)
        before = plan_travel(plan) or model(settings(), inputs.mission.rules)
        affected |= teams_crossing(plan, inputs.mission, before, travel, teams=teams)
    return affected


def area_replan(
    inputs: PlanningInputs,
    plan: Plan,
    area_id: str,
    *,
    only_affected: bool,
    keep_fixed: bool = False,
    keep_before: time | None = None,
) -> AreaReplan:
    """The re-plan of `area_id` after field reports: all its teams, or with
    `only_affected` the teams whose routes the reports break (`affected_teams`; the
    others keep their routes). With `keep_fixed` the re-planned teams keep their
    openings, counts and commissions wherever those are still open, and only their voting
    visits are planned again. With `keep_before` (a time of day) every re-planned team
    keeps its stops that start before it and goes on from the last of them
    (`planner.repair.resume_at`), the election-day re-plan from the teams' current
    positions. ValueError when there is nothing to re-plan."""
    restricted = restrict_to_area(inputs.mission, area_id)
    rules = inputs.mission.rules
    travel, unplaced = planning_travel(rules, inputs.updates)
    teams = tuple(t.team_id for t in restricted.sto_teams)
    before = tuple(s for s in plan.stops if s.team_id in set(teams))
    day = rules.election_date
    if not only_affected:
        fixed = fixed_stops(plan, teams) if keep_fixed else {}
        resume = resume_at(plan, teams, keep_before, day) if keep_before is not None else None
        return AreaReplan(
            restricted, inputs.excluded, travel, (), teams, tuple(unplaced), before, fixed, resume
        )
    affected = affected_teams(inputs, plan, area_id)
    if not affected:
        raise ValueError(
            f"no route of {area_id} visits a reported station or uses a closed road: "
            "there is nothing to re-plan"
        )
    mission, visited = repair_mission(restricted, plan, area_id, affected)
    kept = tuple(kept_stops(plan, restricted, area_id, affected))
    return AreaReplan(
        mission,
        inputs.excluded | visited,
        travel,
        kept,
        tuple(sorted(affected)),
        tuple(unplaced),
        before,
        fixed_stops(plan, affected) if keep_fixed else {},
        resume_at(plan, affected, keep_before, day) if keep_before is not None else None,
        kept_teams(kept, area_id),
    )
