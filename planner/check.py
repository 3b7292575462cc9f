"""An independent check of a plan, from its visits file and the mission alone.

It trusts nothing the solver computed: it re-reads the times in `visits.csv`, recomputes
travel with the travel model, and re-applies the rules. Tests run it on every plan they
make; coordinators run `planner check PLAN_DIR` before publishing.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import numpy as np

from planner.balance import district_cap, urban_share_ok
from planner.model import (
    OWN_COMMISSION,
    CountingPlace,
    Mission,
    Setting,
    StationKind,
    Team,
    TeamKind,
    commission_at_level,
)
from planner.outputs import parse_visits, read_visits, visits_csv
from planner.schedule import Plan, is_night_leg
from planner.travel import GreatCircleTravel, Place, TravelModel, great_circle_km

# Times in visits.csv are written to the minute; allow for that rounding.
TOLERANCE = timedelta(minutes=1)
# Coordinates are written with 5 decimals: half a unit of the 5th decimal, plus float noise.
COORDINATE_TOLERANCE = 0.5e-5 + 1e-9
# Violations named in a saved version's record of its check (all are counted).
LISTED_VIOLATIONS = 20


@dataclass(frozen=True, slots=True)
class Violation:
    team_id: str
    seq: int | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.team_id if self.seq is None else f"{self.team_id} stop {self.seq}"
        return f"{where}: [{self.rule}] {self.message}"


@dataclass(frozen=True)
class CheckReport:
    violations: tuple[Violation, ...]
    warnings: tuple[Violation, ...]
    teams: int
    stops: int

    @property
    def ok(self) -> bool:
        return not self.violations


Report = Callable[[str, int | None, str, str], None]


@dataclass(frozen=True, slots=True)
class _Row:
    team_id: str
    seq: int
    phase: str
    site_id: str
    site_type: str
    arrive: datetime
    depart: datetime


def check_plan_dir(
    plan_dir: Path, mission: Mission, travel: TravelModel | None = None
) -> CheckReport:
    rows = read_visits(Path(plan_dir) / "visits.csv")
    return check_visits(rows, mission, travel)


def check_plan(plan: Plan, mission: Mission, travel: TravelModel | None = None) -> CheckReport:
    """The check of a plan held in memory, on the text its visits.csv would have: what the
    app saves is checked exactly as `planner check` would check the written plan."""
    return check_visits(parse_visits(visits_csv(plan)), mission, travel)


def check_record(report: CheckReport) -> dict[str, object]:
    """A check's outcome as plain data, kept with a saved plan version: counts and the
    first `LISTED_VIOLATIONS` violations in words."""
    return {
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "teams": report.teams,
        "stops": report.stops,
        "listed": [str(v) for v in report.violations[:LISTED_VIOLATIONS]],
    }


def check_visits(
    rows: list[dict[str, str]], mission: Mission, travel: TravelModel | None = None
) -> CheckReport:
    travel = travel or GreatCircleTravel.from_rules(mission.rules)
    rules = mission.rules
    violations: list[Violation] = []
    warnings: list[Violation] = []
    parsed: dict[str, list[_Row]] = defaultdict(list)
    for raw in rows:
        parsed[raw["team_id"]].append(
            _Row(
                raw["team_id"],
                int(raw["seq"]),
                raw["phase"],
                raw["site_id"],
                raw["site_type"],
                datetime.fromisoformat(raw["arrive"]),
                datetime.fromisoformat(raw["depart"]),
            )
        )
    teams = {t.team_id: t for t in mission.teams}
    stations = mission.station_by_id
    tecs = mission.commission_by_id

    def bad(team: str, seq: int | None, rule: str, msg: str) -> None:
        violations.append(Violation(team, seq, rule, msg))

    phases = mission.phases
    per_commission = phases.teams_per_commission
    phase_use: dict[tuple[str, str], list[str]] = defaultdict(list)
    tec_use: dict[tuple[str, str], list[str]] = defaultdict(list)
    for team_id, stops in parsed.items():
        stops.sort(key=lambda r: r.seq)
        team = teams.get(team_id)
        if team is None or team.kind is not TeamKind.STO:
            bad(team_id, None, "team", "not an STO team of this mission")
            continue
        area_id = team.area_id if team.area_id in mission.area_by_id else None
        visits = [r for r in stops if r.phase != "base"]
        if not visits:
            bad(team_id, None, "structure", "team has no stops")
            continue
        _check_sequence(team_id, visits, mission, bad)
        seen_sites = Counter(r.site_id for r in visits if r.site_type == "station")
        for site, n in seen_sites.items():
            if n > 1 and not (n == 2 and rules.allow_same_opening_count):
                bad(team_id, None, "revisit", f"station {site} visited {n} times")

        for r in visits:
            if r.site_type == "station":
                s = stations.get(r.site_id)
                if s is None:
                    bad(team_id, r.seq, "site", f"unknown station {r.site_id}")
                    continue
                if s.kind is StationKind.ABROAD:
                    bad(team_id, r.seq, "abroad", f"station {r.site_id} is abroad")
                if s.unlocated and not rules.route_unlocated_stations:
                    bad(
                        team_id,
                        r.seq,
                        "unlocated",
                        f"station {r.site_id} has no coordinates of its own "
                        "(rules.route_unlocated_stations is false)",
                    )
                if area_id is None or mission.area_of_station(s) != area_id:
                    bad(
                        team_id,
                        r.seq,
                        "area",
                        f"station {r.site_id} is outside area {team.area_id}",
                    )
                phase_use[r.phase, r.site_id].append(team_id)
                _check_window(r, s.tz, s.voters, mission, bad)
            elif r.site_type == "tec":
                c = tecs.get(r.site_id)
                if c is None:
                    bad(team_id, r.seq, "site", f"unknown TEC {r.site_id}")
                    continue
                if area_id is None or mission.area_of_commission(c) != area_id:
                    bad(team_id, r.seq, "area", f"TEC {r.site_id} is outside area {team.area_id}")
                tec_use[r.phase, r.site_id].append(team_id)
                if r.phase == "counting":
                    _check_commission_count(r, c.tz, mission, bad)
                else:
                    _check_tabulation(r, c.tz, mission, bad)
            if r.depart < r.arrive:
                bad(team_id, r.seq, "time", "departs before it arrives")

        _check_commissions(team, visits, mission, travel, bad)
        _check_return(team_id, stops, mission, bad)
        _check_duty(team_id, stops, mission, bad)

        legs = _leg_seconds(stops, mission, travel)
        _check_legs(team_id, stops, legs, bad)
        _check_meal(team_id, stops, legs, mission, bad)

    for (phase, site), users in phase_use.items():
        if len(users) > 1:
            bad(
                users[1],
                None,
                "duplicate",
                f"station {site} visited in {phase} by {', '.join(users)}",
            )
    for (phase, tec), users in tec_use.items():
        if len(users) > per_commission:
            what = "followed" if phase == "tabulation" else "observed counting"
            limit = f" (at most {per_commission})" if per_commission > 1 else ""
            bad(
                users[per_commission],
                None,
                "duplicate",
                f"TEC {tec} {what} by {', '.join(users)}{limit}",
            )
    violations.extend(coordinate_violations(rows, mission))
    warnings.extend(_representativeness(parsed, mission))
    return CheckReport(
        tuple(violations), tuple(warnings), len(parsed), sum(len(v) for v in parsed.values())
    )


def coordinate_violations(rows: list[dict[str, str]], mission: Mission) -> list[Violation]:
    """Each stop's lat/lon in visits.csv (which the GPX and KML exports send teams to)
    against the mission's station, TEC or team base. visits.csv rounds to 5 decimals, so a
    difference of up to half a unit in the 5th decimal (about half a metre) is rounding.
    Stops at a site the mission does not know, and bases of teams without a position in
    the mission, are left to the other checks; rows without coordinate columns (a schedule
    typed by hand) have nothing to compare."""
    out = []
    for raw in rows:
        if "lat" not in raw and "lon" not in raw:
            continue
        team_id, seq = raw.get("team_id", ""), int(raw["seq"])
        site_type, site_id = raw.get("site_type", ""), raw.get("site_id", "")
        place = _place(mission, site_type, site_id)
        if place is None:
            continue
        try:
            lat, lon = float(raw["lat"]), float(raw["lon"])
        except (KeyError, TypeError, ValueError):
            lat = lon = math.nan
        if not (math.isfinite(lat) and math.isfinite(lon)):
            shown = f"{raw.get('lat')!r}, {raw.get('lon')!r}"
            message = f"{site_type} {site_id}: coordinates {shown} are not numbers"
            out.append(Violation(team_id, seq, "coordinates", message))
            continue
        if abs(lat - place.lat) <= COORDINATE_TOLERANCE and (
            abs(lon - place.lon) <= COORDINATE_TOLERANCE
        ):
            continue
        ends = (np.array([v]) for v in (place.lon, place.lat, lon, lat))
        km = float(great_circle_km(*ends)[0])
        distance = f"{km:.1f} km" if km >= 1 else f"{km * 1000:.0f} m"
        message = (
            f"{site_type} {site_id} is at {place.lat:.5f}, {place.lon:.5f} in the mission, "
            f"but visits.csv puts the stop at {lat:.5f}, {lon:.5f}, {distance} away"
        )
        out.append(Violation(team_id, seq, "coordinates", message))
    return out


def _check_sequence(team_id: str, visits: list[_Row], mission: Mission, bad: Report) -> None:
    """The day's stops in the order of the phases the mission observes
    (`Mission.phases`): an opening first, the evening station (count or closing) last of
    the stations, a count at a commission after it, the tabulation at the very end; no
    stop of a phase that is not observed."""
    phases = mission.phases
    observed = set(phases.names)
    for r in visits:
        if r.phase not in observed:
            bad(team_id, r.seq, r.phase, f"{r.phase} is not observed in this mission")
    names = [r.phase for r in visits]
    if phases.opening and (names[0] != "opening" or names.count("opening") != 1):
        bad(team_id, visits[0].seq, "opening", "exactly one opening, as the first stop")
    at_stations = [r.phase for r in visits if r.site_type == "station"]
    evening = phases.evening_station
    if evening is not None and (
        at_stations.count(evening) != 1 or not at_stations or at_stations[-1] != evening
    ):
        what = "count" if evening == "counting" else "closing"
        bad(team_id, None, evening, f"exactly one {what}, as the last station")
    if phases.counting is CountingPlace.COMMISSION:
        counts = [k for k, r in enumerate(visits) if r.phase == "counting"]
        last_station = max(
            (k for k, r in enumerate(visits) if r.site_type == "station"), default=-1
        )
        if len(counts) != 1 or visits[counts[0]].site_type != "tec" or counts[0] < last_station:
            bad(team_id, None, "counting", "exactly one count at a commission, after the stations")
    if names.count("tabulation") > 1 or ("tabulation" in names and names[-1] != "tabulation"):
        bad(team_id, None, "tabulation", "at most one tabulation, after the count")


def _check_commissions(
    team: Team, visits: list[_Row], mission: Mission, travel: TravelModel, bad: Report
) -> None:
    """The commissions a team's evening leads to, and the night drives the sampler allows.

    A count at the commission is at the closing station's commission; the tabulation is
    at `Phases.tabulation_level` above the commission of the count (or closing) station,
    or of the count. The evening station is within `max_base_to_count_min` of night
    driving from the base, and within `max_count_to_tec_min` of the commission it leads
    to; the drive from the tabulation back to the base takes at most
    `max_drive_home_after_tabulation_min`. All are hard rules, in the sampler and here
    alike: a stop further away makes the drive with the protocol, or the night back to
    the base, too long to plan on. The
    sampler never picks one; a plan that has one was changed by hand or made under other
    rules.
    """
    rules = mission.rules
    phases = mission.phases
    stations, tecs = mission.station_by_id, mission.commission_by_id
    evening = next(
        (r for r in visits if r.phase == phases.evening_station and r.site_id in stations),
        None,
    )
    count_tec = next(
        (r for r in visits if r.phase == "counting" and r.site_type == "tec" and r.site_id in tecs),
        None,
    )
    tabulation = next((r for r in visits if r.phase == "tabulation" and r.site_id in tecs), None)
    anchor: str | None = None
    if evening is not None:
        anchor = stations[evening.site_id].tec_id
        if count_tec is not None and count_tec.site_id != anchor:
            bad(
                team.team_id,
                count_tec.seq,
                "counting",
                f"the closing station's ballots are counted at {anchor}, not {count_tec.site_id}",
            )
    elif count_tec is not None:
        anchor = count_tec.site_id
    if tabulation is not None:
        level = phases.tabulation_level
        if anchor is not None:
            expected = commission_at_level(anchor, level, tecs)
            if tabulation.site_id != expected:
                what = "the count"
                if evening is not None:
                    what = "count station" if evening.phase == "counting" else "closing station"
                bad(
                    team.team_id,
                    tabulation.seq,
                    "tabulation",
                    f"{what} reports to {expected}, not {tabulation.site_id}",
                )
        elif level != OWN_COMMISSION and tecs[tabulation.site_id].level.value != level:
            bad(
                team.team_id,
                tabulation.seq,
                "tabulation",
                f"{tabulation.site_id} is not a {level} commission",
            )
    if evening is not None:
        _check_evening_links(team, evening, mission, travel, bad)
    if tabulation is not None and team.lon is not None and team.lat is not None:
        c = tecs[tabulation.site_id]
        home = Place(c.tec_id, c.lon, c.lat, True)
        base = Place(team.team_id, team.lon, team.lat, True)
        leg = int(travel.durations([home], [base], night=True)[0, 0])
        if leg > rules.max_drive_home_after_tabulation_min * 60:
            bad(
                team.team_id,
                tabulation.seq,
                "drive-home",
                f"{leg // 60} min of night driving back to the base after the "
                f"tabulation, more than {rules.max_drive_home_after_tabulation_min}",
            )


def _check_evening_links(
    team: Team,
    evening: _Row,
    mission: Mission,
    travel: TravelModel,
    bad: Report,
) -> None:
    """The evening station is near the commission it leads to, and near the base."""
    rules, phases, tecs = mission.rules, mission.phases, mission.commission_by_id
    s = mission.station_by_id[evening.site_id]
    here = Place(s.station_id, s.lon, s.lat, s.setting is Setting.URBAN)
    linked: str | None = None
    if phases.counting is CountingPlace.COMMISSION:
        linked = s.tec_id
    elif phases.tabulation:
        linked = commission_at_level(s.tec_id, phases.tabulation_level, tecs)
    if linked is not None and linked in tecs:
        c = tecs[linked]
        tec = Place(c.tec_id, c.lon, c.lat, True)
        leg = int(travel.durations([here], [tec], night=True)[0, 0])
        if leg > rules.max_count_to_tec_min * 60:
            bad(
                team.team_id,
                evening.seq,
                "count-to-TEC",
                f"{leg // 60} min from its TEC, more than {rules.max_count_to_tec_min}",
            )
    if team.lon is not None and team.lat is not None:
        base = Place(team.team_id, team.lon, team.lat, True)
        leg = int(travel.durations([base], [here], night=True)[0, 0])
        if leg > rules.max_base_to_count_min * 60:
            bad(
                team.team_id,
                evening.seq,
                "count-to-base",
                f"{leg // 60} min of night driving from the base, "
                f"more than {rules.max_base_to_count_min}",
            )


def _check_tabulation(r: _Row, tz: str, mission: Mission, bad: Report) -> None:
    """At the commission by `tec_arrive_until`, for at least `tec_min_stay_min`, and until
    `tabulation_until` (both next day)."""
    rules = mission.rules
    until = rules.local(rules.tabulation_until, tz, next_day=True)
    latest = rules.local(rules.tec_arrive_until, tz, next_day=True)
    if r.arrive > latest + TOLERANCE:
        bad(r.team_id, r.seq, "window", f"arrives at the TEC after {latest:%H:%M}")
    if r.depart - r.arrive + TOLERANCE < timedelta(minutes=rules.tec_min_stay_min):
        bad(r.team_id, r.seq, "window", f"stays at the TEC less than {rules.tec_min_stay_min} min")
    if r.depart + TOLERANCE < until:
        bad(r.team_id, r.seq, "window", f"leaves the TEC at {r.depart:%H:%M}, before {until:%H:%M}")


def _check_commission_count(r: _Row, tz: str, mission: Mission, bad: Report) -> None:
    """At the commission by the start of its count, and there until its expected end."""
    rules = mission.rules
    close_at = rules.local(rules.polls_close, tz)
    start = close_at + timedelta(minutes=rules.commission_count_start_after_close_min)
    voters = [s.voters for s in mission.stations if s.tec_id == r.site_id]
    end = start + timedelta(minutes=rules.commission_count_minutes(voters))
    if r.arrive > start + TOLERANCE:
        bad(r.team_id, r.seq, "window", f"arrives for the count at {r.arrive:%H:%M}, too late")
    if r.depart + TOLERANCE < end:
        bad(r.team_id, r.seq, "window", "leaves before the expected end of the count")


def _check_return(team_id: str, stops: list[_Row], mission: Mission, bad: Report) -> None:
    """The team is back at its base by `return_to_base_by` (next day, the base's zone as
    the file gives it)."""
    rules = mission.rules
    last = stops[-1]
    if last.phase != "base" or last.arrive.tzinfo is None:
        return
    day = rules.election_date + timedelta(days=1)
    latest = datetime.combine(day, rules.return_to_base_by, tzinfo=last.arrive.tzinfo)
    if last.arrive > latest + TOLERANCE:
        bad(team_id, last.seq, "return", f"back at the base after {latest:%H:%M} next day")


def _check_duty(team_id: str, stops: list[_Row], mission: Mission, bad: Report) -> None:
    """From leaving the base to being back takes at most `max_duty_hours`."""
    first, last = stops[0], stops[-1]
    if first.phase != "base" or last.phase != "base" or len(stops) < 2:
        return
    longest = timedelta(hours=mission.rules.max_duty_hours)
    duty = last.arrive - first.depart
    if duty > longest + TOLERANCE:
        bad(
            team_id,
            last.seq,
            "duty",
            f"duty day of {duty.total_seconds() / 3600:.1f} h from leaving the base at "
            f"{first.depart:%H:%M} to the return at {last.arrive:%H:%M}, more than "
            f"{mission.rules.max_duty_hours:g} h",
        )


def _place(mission: Mission, site_type: str, site_id: str) -> Place | None:
    """Where a stop is, or None for a site the mission does not know (reported elsewhere)."""
    if site_type == "station" and site_id in mission.station_by_id:
        s = mission.station_by_id[site_id]
        return Place(s.station_id, s.lon, s.lat, s.setting is Setting.URBAN)
    if site_type == "tec" and site_id in mission.commission_by_id:
        c = mission.commission_by_id[site_id]
        return Place(c.tec_id, c.lon, c.lat, True)
    team = next((t for t in mission.teams if t.team_id == site_id), None)
    if site_type == "base" and team is not None and team.lon is not None and team.lat is not None:
        return Place(team.team_id, team.lon, team.lat, True)
    return None


def _check_window(r: _Row, tz: str, voters: int, mission: Mission, bad: Report) -> None:
    rules = mission.rules
    open_at = rules.local(rules.polls_open, tz)
    close_at = rules.local(rules.polls_close, tz)
    if r.phase == "opening":
        if r.arrive > open_at - timedelta(minutes=rules.opening_arrive_before_min) + TOLERANCE:
            bad(
                r.team_id, r.seq, "window", f"arrives for the opening at {r.arrive:%H:%M}, too late"
            )
        if r.depart + TOLERANCE < open_at + timedelta(minutes=rules.opening_stay_after_open_min):
            bad(r.team_id, r.seq, "window", f"leaves the opening at {r.depart:%H:%M}, too early")
    elif r.phase == "voting":
        if r.arrive + TOLERANCE < open_at or r.depart > close_at + TOLERANCE:
            bad(r.team_id, r.seq, "window", "voting visit outside polling hours")
        if r.depart - r.arrive + TOLERANCE < timedelta(minutes=rules.voting_stay_min):
            bad(r.team_id, r.seq, "window", "voting visit shorter than the set stay")
    elif r.phase == "closing":
        before = timedelta(minutes=rules.closing_arrive_before_close_min)
        if r.arrive > close_at - before + TOLERANCE:
            bad(
                r.team_id, r.seq, "window", f"arrives for the closing at {r.arrive:%H:%M}, too late"
            )
        if r.depart + TOLERANCE < close_at + timedelta(minutes=rules.closing_stay_after_close_min):
            bad(r.team_id, r.seq, "window", f"leaves the closing at {r.depart:%H:%M}, too early")
    elif r.phase == "counting":
        if r.arrive > close_at - timedelta(minutes=rules.count_arrive_before_close_min) + TOLERANCE:
            bad(r.team_id, r.seq, "window", f"arrives for the count at {r.arrive:%H:%M}, too late")
        end = close_at + timedelta(minutes=rules.count_minutes(voters))
        if r.depart + TOLERANCE < end:
            bad(r.team_id, r.seq, "window", "leaves before the expected end of the count")


def _leg_seconds(stops: list[_Row], mission: Mission, travel: TravelModel) -> list[int | None]:
    """Driving time the travel model needs for each leg (None where a site is unknown)."""
    legs: list[int | None] = []
    for prev, nxt in pairwise(stops):
        a = _place(mission, prev.site_type, prev.site_id)
        b = _place(mission, nxt.site_type, nxt.site_id)
        if a is None or b is None:
            legs.append(None)
            continue
        night = is_night_leg(prev.phase, nxt.phase)
        legs.append(int(travel.durations([a], [b], night=night)[0, 0]))
    return legs


def _check_legs(team_id: str, stops: list[_Row], legs: list[int | None], bad: Report) -> None:
    for (prev, nxt), need in zip(pairwise(stops), legs, strict=True):
        if need is None:
            continue
        if nxt.arrive + TOLERANCE < prev.depart + timedelta(seconds=need):
            planned = (nxt.arrive - prev.depart).total_seconds() / 60
            bad(
                team_id,
                nxt.seq,
                "travel",
                f"{math.ceil(need / 60)} min needed from {prev.site_id}, "
                f"only {planned:.0f} planned",
            )


def _check_meal(
    team_id: str, stops: list[_Row], legs: list[int | None], mission: Mission, bad: Report
) -> None:
    """Some gap between stops must hold the drive plus an idle half hour in the meal window."""
    rules = mission.rules
    if not rules.meal_break(mission.phases) or len(stops) < 2:
        return
    tz = stops[0].arrive.tzinfo
    day = rules.election_date
    start = datetime.combine(day, rules.meal_window_start, tzinfo=tz)
    latest = datetime.combine(day, rules.meal_window_end, tzinfo=tz) - timedelta(
        minutes=rules.meal_break_min
    )
    need = timedelta(minutes=rules.meal_break_min)
    for (prev, nxt), leg in zip(pairwise(stops), legs, strict=True):
        idle = nxt.arrive - prev.depart - timedelta(seconds=leg or 0)
        if idle + TOLERANCE < need:
            continue
        if prev.depart <= latest + TOLERANCE and nxt.arrive - need + TOLERANCE >= start:
            return
    bad(
        team_id,
        None,
        "meal",
        f"no {rules.meal_break_min}-minute meal break fits between stops in the meal window",
    )


def _representativeness(parsed: dict[str, list[_Row]], mission: Mission) -> list[Violation]:
    """Warnings (not errors): urban/rural mix and district caps of voting visits per area."""
    out: list[Violation] = []
    rules = mission.rules
    teams = {t.team_id: t for t in mission.teams}
    visits_by_area: dict[str, list[str]] = defaultdict(list)
    for team_id, stops in parsed.items():
        team = teams.get(team_id)
        if team is None or team.area_id is None:
            continue
        visits_by_area[team.area_id].extend(
            r.site_id for r in stops if r.phase == "voting" and r.site_id in mission.station_by_id
        )
    for area_id, visited in visits_by_area.items():
        area = mission.area_by_id.get(area_id)
        if area is None:
            continue
        pool = [s for s in mission.stations if mission.area_of_station(s) == area_id]
        if not visited or not pool:
            continue
        share = sum(s.setting is Setting.URBAN for s in pool) / len(pool)
        urban = sum(mission.station_by_id[v].setting is Setting.URBAN for v in visited)
        got = urban / len(visited)
        if not urban_share_ok(urban, len(visited), share, rules.urban_rural_tolerance_pp):
            out.append(
                Violation(
                    area_id,
                    None,
                    "urban-rural",
                    f"{got:.0%} of visits urban vs {share:.0%} of stations",
                )
            )
        per_district = Counter(mission.station_by_id[v].district for v in visited)
        sizes = Counter(s.district for s in pool)
        for district, n in per_district.items():
            cap = district_cap(
                len(visited), sizes[district], len(pool), rules.district_max_share_factor
            )
            if n > cap:
                out.append(
                    Violation(
                        area_id,
                        None,
                        "district-share",
                        f"district {district}: {n} visits, cap {cap}",
                    )
                )
    return out
