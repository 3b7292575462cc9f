"""Teams, rules and targets as the coordinator edits them: tables and forms in, checked
dataclasses out, with every problem listed in words a coordinator understands."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from planner.allocation import allocate_teams, area_voters
from planner.capacity import target_warnings as capacity_warnings
from planner.errors import Problem
from planner.ids import id_problem, shown
from planner.model import (
    OWN_COMMISSION,
    CommissionLevel,
    CountingPlace,
    Mission,
    Phases,
    Rules,
    Targets,
    Team,
    TeamKind,
)
from planner.ranges import ranges_of
from planner.rules_check import mission_rules_problems, read_phases, read_rules, read_targets
from planner.schedule import PHASES
from planner.ui.replan import planned_areas

TEAM_COLUMNS = ["team_id", "kind", "area_id", "base_name", "lat", "lon"]

# Labels and help for the rules form, in the order shown; anything not listed is kept.
RULE_FIELDS: dict[str, tuple[str, str]] = {
    "election_date": ("Election day", ""),
    "polls_open": ("Polls open", "local time"),
    "polls_close": ("Polls close", "local time"),
    "opening_arrive_before_min": ("Opening: arrive before polls open (min)", ""),
    "opening_stay_after_open_min": ("Opening: stay after polls open (min)", ""),
    "voting_stay_min": ("Voting visit stay (min)", "usually 20–60"),
    "meal_break_min": ("Meal break (min)", "0 for none"),
    "meal_window_start": ("Meal break window from", ""),
    "meal_window_end": ("Meal break window to", ""),
    "count_arrive_before_close_min": ("Count: arrive before polls close (min)", ""),
    "count_base_minutes": ("Count duration for the reference ballots (min)", ""),
    "count_base_ballots": ("Reference ballots", ""),
    "expected_turnout": ("Expected turnout (0–1)", ""),
    "tabulation_until": ("Tabulation observed until", "next day, local time"),
    "max_count_to_tec_min": ("Count station to TEC, at most (min)", ""),
    "detour_factor": ("Road detour factor", "road distance / straight line"),
    "urban_speed_kmh": ("Urban speed (km/h)", ""),
    "rural_day_speed_kmh": ("Rural speed by day (km/h)", ""),
    "rural_night_speed_kmh": ("Rural speed at night (km/h)", ""),
    "parking_min": ("Parking per stop (min)", ""),
    "max_base_distance_km": ("Furthest station from the base (km)", ""),
    "max_driving_hours": ("Driving per team, at most (h)", ""),
    "max_duty_hours": ("Duty day, at most (h)", "from leaving the base to being back"),
    "urban_rural_tolerance_pp": ("Urban/rural mix tolerance (pp)", ""),
    "district_max_share_factor": ("District cap (× its share of stations)", ""),
    "allow_same_opening_count": ("Same station may be opening and count", ""),
    "closing_arrive_before_close_min": ("Closing: arrive before polls close (min)", ""),
    "closing_stay_after_close_min": ("Closing: stay after polls close (min)", ""),
    "commission_count_start_after_close_min": (
        "Count at the commission: starts after polls close (min)",
        "when counting at the commission",
    ),
}

# The phases observed (`[phases]`, `planner.model.Phases`): label and help per field.
PHASE_FIELDS: dict[str, tuple[str, str]] = {
    "opening": ("Observe the opening", ""),
    "voting": ("Voting visits", ""),
    "closing": (
        "Observe the closing",
        "the close of polls and the sealing at a station; only when the count is not "
        "observed at the station",
    ),
    "counting": (
        "Count observed at",
        "station: from before the close to the end of its count; commission: at the "
        "commission the same night; none",
    ),
    "tabulation": ("Follow the tabulation", ""),
    "tabulation_level": (
        "Tabulation at",
        "own: the commission the station reports to; or the first commission of a level above it",
    ),
    "teams_per_commission": ("Teams per commission, at most", "for the tabulation and counts"),
}
# The fields of PHASE_FIELDS that take one of a few words.
PHASE_CHOICES: dict[str, list[str]] = {
    "counting": [c.value for c in CountingPlace],
    "tabulation_level": [OWN_COMMISSION, *(level.value for level in CommissionLevel)],
}


# ---------------------------------------------------------------------------------------
# Teams
# ---------------------------------------------------------------------------------------


def teams_frame(mission: Mission) -> pd.DataFrame:
    """The mission's teams as an editable table."""
    return pd.DataFrame(
        [
            {
                "team_id": t.team_id,
                "kind": t.kind.value,
                "area_id": t.area_id or "",
                "base_name": t.base_name,
                "lat": t.lat,
                "lon": t.lon,
            }
            for t in mission.teams
        ],
        columns=TEAM_COLUMNS,
    ).astype({"lat": "float64", "lon": "float64"})


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _number(value: Any) -> float | None:
    if _blank(value):
        return None
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return math.nan
    return number


def teams_from_rows(
    rows: Sequence[Mapping[str, Any]], mission: Mission
) -> tuple[list[Team], list[tuple[int, str, str]]]:
    """Check an edited teams table; returns the teams and (row, field, message) problems.

    Rows are numbered from 1 as shown. A team needs an id (unique), a kind (sto/lto), an
    area of the mission or none, and a base position with both coordinates or neither.
    """
    problems: list[tuple[int, str, str]] = []
    teams: list[Team] = []
    areas = set(mission.area_by_id)
    seen: Counter[str] = Counter()
    for index, row in enumerate(rows, start=1):
        team_id = "" if _blank(row.get("team_id")) else str(row["team_id"]).strip()
        if not team_id:
            problems.append((index, "team_id", "every team needs an id"))
        elif (unsafe := id_problem(team_id)) is not None:
            problems.append((index, "team_id", f"{shown(team_id)!r} {unsafe}"))
        elif seen[team_id]:
            problems.append((index, "team_id", f"{team_id!r} is used by another row"))
        seen[team_id] += 1
        kind_text = "" if _blank(row.get("kind")) else str(row["kind"]).strip().lower()
        if kind_text not in ("sto", "lto"):
            problems.append((index, "kind", f"must be 'sto' or 'lto', not {kind_text!r}"))
        area_id = None if _blank(row.get("area_id")) else str(row["area_id"]).strip()
        if area_id is not None and area_id not in areas:
            known = ", ".join(sorted(areas)) or "none"
            problems.append((index, "area_id", f"unknown area {area_id!r}; areas: {known}"))
        lat, lon = _number(row.get("lat")), _number(row.get("lon"))
        for name, value, limit in (("lat", lat, 90), ("lon", lon, 180)):
            if value is not None and (math.isnan(value) or not -limit <= value <= limit):
                problems.append((index, name, f"must be a number from -{limit} to {limit}"))
        if (lat is None) != (lon is None):
            missing = "lat" if lat is None else "lon"
            problems.append((index, missing, "give both coordinates of the base, or neither"))
        base = "" if _blank(row.get("base_name")) else str(row["base_name"]).strip()
        if problems and problems[-1][0] == index:
            continue
        teams.append(
            Team(
                team_id,
                TeamKind(kind_text),
                area_id,
                base,
                None if lon is None else float(lon),
                None if lat is None else float(lat),
            )
        )
    return teams, problems


def team_warnings(mission: Mission) -> list[str]:
    """Things that will limit a plan without stopping it."""
    notes = []
    sto = mission.sto_teams
    no_area = [t.team_id for t in sto if t.area_id is None]
    no_base = [t.team_id for t in sto if t.area_id is not None and (t.lat is None or t.lon is None)]
    if no_area:
        notes.append(
            f"{len(no_area)} STO team(s) have no area and will not be planned: "
            f"{', '.join(no_area[:8])}{' …' if len(no_area) > 8 else ''}"
        )
    if no_base:
        notes.append(
            f"{len(no_base)} STO team(s) have no base position and will not be planned: "
            f"{', '.join(no_base[:8])}{' …' if len(no_base) > 8 else ''}"
        )
    with_teams = {t.area_id for t in sto if t.area_id}
    empty = [a.area_id for a in mission.areas if a.area_id not in with_teams]
    if empty and sto:
        notes.append(f"no STO team in {len(empty)} area(s): {', '.join(empty)}")
    outside = []
    for t in sto:
        area = mission.area_by_id.get(t.area_id or "")
        if area is None or area.geometry is None or t.lat is None or t.lon is None:
            continue
        from shapely.geometry import Point

        if not area.geometry.buffer(0.05).contains(Point(t.lon, t.lat)):
            outside.append(t.team_id)
    if outside:
        notes.append(f"base outside its area for {len(outside)} team(s): {', '.join(outside[:8])}")
    return notes


def resize_teams(mission: Mission, count: int, *, prefix: str = "STO-") -> Mission:
    """The mission with exactly `count` STO teams (new ones unplaced; LTO teams kept)."""
    if count < 0:
        raise ValueError("the number of STO teams cannot be negative")
    sto = list(mission.sto_teams)
    others = [t for t in mission.teams if t.kind is not TeamKind.STO]
    if count <= len(sto):
        sto = sto[:count]
    else:
        taken = {t.team_id for t in mission.teams}
        number = 1
        while len(sto) < count:
            team_id = f"{prefix}{number:03d}"
            number += 1
            if team_id in taken:
                continue
            sto.append(Team(team_id, TeamKind.STO, None, "", None, None))
    return dataclasses.replace(mission, teams=tuple(sto + others))


def allocate(mission: Mission, *, count: int | None = None, reallocate: bool = False) -> Mission:
    """Teams to AoRs and bases in proportion to voters (`planner.allocation`).

    `count`: first make the number of STO teams this; `reallocate`: also move teams that
    already have an area and base. Raises ValueError (with a message for the page) when
    the teams cannot cover every area.
    """
    if count is not None:
        mission = resize_teams(mission, count)
    if reallocate:
        mission = dataclasses.replace(
            mission,
            teams=tuple(
                dataclasses.replace(t, area_id=None, base_name="", lat=None, lon=None)
                if t.kind is TeamKind.STO
                else t
                for t in mission.teams
            ),
        )
    sto = len(mission.sto_teams)
    areas = len(mission.areas)
    if sto < areas:
        raise ValueError(
            f"{sto} STO team(s) cannot cover {areas} areas: every area needs at least one "
            "team — add teams"
        )
    return allocate_teams(mission)


def allocation_table(mission: Mission) -> pd.DataFrame:
    """Per AoR: share of voters against share of STO teams."""
    voters = area_voters(mission)
    total_voters = sum(voters.values()) or 1
    teams = Counter(t.area_id for t in mission.sto_teams if t.area_id)
    total_teams = sum(teams.values()) or 1
    return pd.DataFrame(
        [
            {
                "area": a.area_id,
                "name": a.name,
                "voters": voters.get(a.area_id, 0),
                "voter_share_%": round(100 * voters.get(a.area_id, 0) / total_voters, 1),
                "sto_teams": teams.get(a.area_id, 0),
                "team_share_%": round(100 * teams.get(a.area_id, 0) / total_teams, 1),
            }
            for a in mission.areas
        ]
    )


# ---------------------------------------------------------------------------------------
# Rules and targets
# ---------------------------------------------------------------------------------------


def rule_values(rules: Rules) -> dict[str, Any]:
    return {f.name: getattr(rules, f.name) for f in dataclasses.fields(Rules)}


FORM = "Teams & rules form"


def _worded(problems: Sequence[Problem], labels: Mapping[str, str]) -> list[str]:
    """`Label: message` for each problem of the form (the field's name when unlabelled)."""
    out = []
    for p in problems:
        name = (p.field or "").split(".", 1)[-1]
        label = labels.get(name, name)
        message = p.message[:1].upper() + p.message[1:]
        out.append(f"{label}: {message}")
    return out


def phases_from_values(values: Mapping[str, Any], base: Phases) -> tuple[Phases | None, list[str]]:
    """New phase settings from form values, or why they cannot be used."""
    merged = {f.name: getattr(base, f.name) for f in dataclasses.fields(Phases)} | dict(values)
    phases, problems = read_phases(merged, file=FORM)
    return phases, _worded(problems, {name: label for name, (label, _) in PHASE_FIELDS.items()})


def rules_from_values(values: Mapping[str, Any], base: Rules) -> tuple[Rules | None, list[str]]:
    """New rules from form values (the phases as a mapping of `PHASE_FIELDS` under
    "phases"), or every reason they cannot be used (the checks of `planner.rules_check`,
    as for mission.toml)."""
    values = dict(values)
    problems: list[str] = []
    entered = values.pop("phases", None)
    if isinstance(entered, Mapping):
        phases, problems = phases_from_values(entered, base.phases)
        base = dataclasses.replace(base, phases=phases or base.phases)
    rules, rule_problems = read_rules(values, file=FORM, base=base)
    problems += _worded(rule_problems, {name: label for name, (label, _) in RULE_FIELDS.items()})
    return (None, problems) if problems else (rules, [])


def targets_from_values(values: Mapping[str, Any]) -> tuple[Targets | None, list[str]]:
    """New targets from form values (a value for every phase), or every reason not."""
    full = {phase: values.get(phase) for phase in PHASES}
    full = {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in full.items()}
    targets, problems = read_targets(full, file=FORM)
    return targets, _worded(problems, {})


def widget_bounds(name: str, value: Any, cls: type = Rules) -> dict[str, Any]:
    """`min_value`/`max_value` for the form widget of a setting, from its declared range;
    none when the current value lies outside (a mission stored before the range existed
    must still open, and its value is then reported when applied)."""
    allowed = ranges_of(cls).get(name)
    if allowed is None:
        return {}
    low, high = allowed.low, allowed.high
    if (low is not None and value < low) or (high is not None and value > high):
        return {}
    kind = type(value)
    bounds = {"min_value": low, "max_value": high}
    if kind in (int, float):
        bounds = {k: None if v is None else kind(v) for k, v in bounds.items()}
    return {k: v for k, v in bounds.items() if v is not None}


def target_warnings(mission: Mission) -> list[str]:
    """Targets the teams and commissions cannot reach (`planner.capacity`), said before
    anyone waits for a plan."""
    return capacity_warnings(mission)


def plan_blockers(mission: Mission, excluded: Iterable[str] = ()) -> list[str]:
    """Reasons no plan can be made at all (empty when planning can start)."""
    problems = []
    if not mission.stations:
        problems.append("The mission has no polling stations: load stations on the Mission page")
    if not mission.sto_teams:
        problems.append(
            "The mission has no STO teams: add teams on the Teams & rules page "
            "(e.g. 'Allocate teams to AoRs automatically')"
        )
    elif not planned_areas(mission):
        problems.append(
            "No STO team has both an area and a base position: allocate teams on the "
            "Teams & rules page"
        )
    usable = {s.station_id for s in mission.stations} - set(excluded)
    if mission.stations and not usable:
        problems.append("Every station is reported closed or inaccessible")
    labels = {name: label for name, (label, _) in RULE_FIELDS.items()}
    for problem in _worded(
        mission_rules_problems(mission.rules, mission.targets, file=FORM), labels
    ):
        problems.append(f"Rules: {problem} (correct it on the Teams & rules page)")
    return problems
