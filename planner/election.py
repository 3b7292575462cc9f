"""The election day of one area as a routing problem, and its answer as team schedules.

Each team, for the phases the mission observes (`Rules.phases`): base -> opening station
(there 45 min before polls open, until 30 min after) -> optional voting stations (30 min
each, polls open) with a meal break -> count station (arrive 30 min before close, stay to
the end of the count), or closing station (arrive before the close, stay a set time after
it) and then the count at a commission (from a set time after the close) -> the
commission it follows the tabulation to -> base. Legs before dawn and after the close use
night speeds.

The schedules are the routes replayed (`planner.feasibility`), not the router's own stay
times: a team leaves its base just in time for its opening, every stay starts as early
as its route allows, and the meal break goes in the gap that keeps the stays earliest.
The router's times are one of many that fit; on the default mission they put a quarter
of the voting stays up to an hour later than they could start, after a break taken
early.

An election-day re-plan from a time of day (`AreaProblem.resume`) keeps each team's
stops before it: the team's route starts at its last kept stop at its departure (a start
node of its own), its fixed stops already made are not routed again, nothing new starts
before the time, and its duty day, visit cap and meal break count what it has done.
"""

from __future__ import annotations

import math
import time as clock
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import numpy as np

from planner.balance import Visit, repair
from planner.capacity import visits_per_team
from planner.feasibility import Nodes, Timeline, latest_departure, replay
from planner.greedy import greedy_routes
from planner.model import CountingPlace, Rules, Setting, Station, Team
from planner.problem import AreaProblem
from planner.routing import solve_routing
from planner.routing_data import DEFAULT_SEARCH, MealBreak, RoutingInput, RoutingResult
from planner.sampling import sample_area, station_place
from planner.schedule import (
    NIGHT_FROM,
    NIGHT_TO,
    NO_ROUTE,
    TIME_CUT,
    UNFIT,
    AreaPlan,
    AreaSample,
    Resume,
    Stop,
    TeamAssignment,
)
from planner.travel import Place, TravelModel

MINUTE = 60


def build_routing_input(
    problem: AreaProblem, sample: AreaSample, travel: TravelModel
) -> tuple[RoutingInput, list[tuple[str, str, str]], list[Place]]:
    """Nodes: one depot per team, then each team's fixed stops, then the voting pool.

    Returns the model, a (role, site_id, tz) per node, and the node places.
    """
    rules, options = problem.rules, problem.options
    phases = rules.phases
    by_id = {s.station_id: s for s in problem.stations}
    tecs = {c.tec_id: c for c in problem.commissions}
    teams = planned_teams(problem, sample)
    team_index = {t.team_id: v for v, t in enumerate(teams)}
    base_tz = {a.team_id: _base_tz(problem, a) for a in sample.assignments}
    count_at_commission = phases.counting is CountingPlace.COMMISSION

    resume = problem.resume
    roles: list[tuple[str, str, str]] = []
    places: list[Place] = []
    required: list[int] = []
    # Tabulation node -> its team's stop before it (the count, closing or count commission).
    count_before: dict[int, int] = {}
    for t in teams:
        roles.append(("base", t.team_id, base_tz[t.team_id]))
        places.append(Place(t.team_id, float(t.lon), float(t.lat), True))  # type: ignore[arg-type]
        required.append(-1)
    for a in sample.assignments:
        v = team_index[a.team_id]
        done = resume.phases_done(a.team_id) if resume is not None else frozenset()
        fixed = (
            ("opening", a.opening),
            ("closing", a.closing),
            ("counting", None if count_at_commission else a.count),
        )
        for role, site in fixed:
            if site is None or role in done:
                continue
            s = by_id[site]
            roles.append((role, site, s.tz))
            places.append(station_place(s))
            required.append(v)
        if count_at_commission and a.count is not None and "counting" not in done:
            c = tecs[a.count]
            roles.append(("counting", c.tec_id, c.tz))
            places.append(Place(c.tec_id, c.lon, c.lat, True))
            required.append(v)
        if a.tabulation_tec is not None and "tabulation" not in done:
            c = tecs[a.tabulation_tec]
            if required[-1] == v:
                count_before[len(roles)] = len(roles) - 1
            roles.append(("tabulation", c.tec_id, c.tz))
            places.append(Place(c.tec_id, c.lon, c.lat, True))
            required.append(v)
    for site in sample.pool:
        s = by_id[site]
        roles.append(("voting", site, s.tz))
        places.append(station_place(s))
        required.append(-1)
    # Where each leg from a node is driven as if from (night or day): its role, or for a
    # start node the phase of the kept stop it stands for.
    leg_phase = [r[0] for r in roles]
    start_node: dict[int, int] = {}
    for v, t in enumerate(teams):
        done_stops = resume.done(t.team_id) if resume is not None else ()
        if not done_stops or done_stops[-1].site_type == "base":
            continue
        last = done_stops[-1]
        start_node[v] = len(roles)
        site_tz, place = _kept_site(problem, last, base_tz[t.team_id])
        roles.append(("start", last.site_id, site_tz))
        places.append(place)
        required.append(-1)
        leg_phase.append(last.phase)

    n = len(places)
    day = travel.durations(places, places, night=False)
    night = travel.durations(places, places, night=True)
    night_rows = np.isin(np.array(leg_phase), sorted(NIGHT_FROM))
    night_cols = np.isin(np.array(leg_phase), sorted(NIGHT_TO))
    matrix = np.where(night_rows[:, None] | night_cols[None, :], night, day)

    service = np.zeros(n, dtype=np.int64)
    w_open = np.zeros(n, dtype=np.int64)
    w_close = np.zeros(n, dtype=np.int64)
    prize = np.zeros(n, dtype=np.int64)
    count_end: dict[str, int] = {}  # a commission's count, when it ends
    for i, (role, site, tz) in enumerate(roles):
        if role in ("base", "start"):
            continue
        open_s = problem.clock(rules.polls_open, tz)
        close_s = problem.clock(rules.polls_close, tz)
        if role == "counting" and count_at_commission:
            start = close_s + rules.commission_count_start_after_close_min * MINUTE
            w_open[i] = w_close[i] = start
            service[i] = problem.commission_count_min.get(site, 0) * MINUTE
            count_end[site] = start + int(service[i])
        elif role == "closing":
            w_open[i] = w_close[i] = close_s - rules.closing_arrive_before_close_min * MINUTE
            service[i] = (
                rules.closing_arrive_before_close_min + rules.closing_stay_after_close_min
            ) * MINUTE
        elif role == "opening":
            w_open[i] = w_close[i] = open_s - rules.opening_arrive_before_min * MINUTE
            service[i] = (
                rules.opening_arrive_before_min + rules.opening_stay_after_open_min
            ) * MINUTE
        elif role == "voting":
            w_open[i] = open_s
            w_close[i] = close_s - rules.voting_stay_min * MINUTE
            service[i] = rules.voting_stay_min * MINUTE
            prize[i] = round(options.prize_per_weight * sample.weights[site])
        elif role == "counting":
            w_open[i] = w_close[i] = close_s - rules.count_arrive_before_close_min * MINUTE
            service[i] = (
                rules.count_arrive_before_close_min * MINUTE
                + rules.count_minutes(by_id[site].voters) * MINUTE
            )
        else:  # tabulation
            # Polls close at the TEC, and at the team's count station: a TEC whose clock is
            # ahead (another time zone) must not open before the count, or the router could
            # visit it first.
            count_tz = roles[count_before[i]][2] if i in count_before else tz
            w_open[i] = max(close_s, problem.clock(rules.polls_close, count_tz))
            w_close[i] = problem.clock(rules.tec_arrive_until, tz, next_day=True)
    if count_end:
        # The tabulation a team follows after a commission's count starts when that count
        # ends: the window keeps the two in order.
        counted = {
            v: site
            for (role, site, _), v in zip(roles, required, strict=True)
            if role == "counting"
        }
        for i, (role, _site, _tz) in enumerate(roles):
            if role == "tabulation" and counted.get(required[i]) in count_end:
                w_open[i] = max(w_open[i], count_end[counted[required[i]]])

    if resume is not None:
        # Nothing new starts before the re-plan's time, in local time where it happens.
        for i, (role, _site, tz) in enumerate(roles):
            if role in ("base", "start"):
                continue
            resumed = max(int(w_open[i]), problem.clock(resume.at, tz))
            if resumed <= w_close[i]:
                w_open[i] = resumed

    depart_earliest = np.array(
        [problem.clock(options.earliest_departure, base_tz[t.team_id]) for t in teams]
    )
    return_latest = np.array(
        [problem.clock(rules.return_to_base_by, base_tz[t.team_id], next_day=True) for t in teams]
    )
    depart_latest = (
        np.array(
            [
                problem.clock(rules.polls_open, base_tz[t.team_id])
                - rules.opening_arrive_before_min * MINUTE
                for t in teams
            ]
        )
        if phases.opening
        else return_latest.copy()
    )
    breaks = tuple(
        MealBreak(
            problem.clock(rules.meal_window_start, base_tz[t.team_id]),
            problem.clock(rules.meal_window_end, base_tz[t.team_id])
            - rules.meal_break_min * MINUTE,
            rules.meal_break_min * MINUTE,
        )
        if rules.meal_break(phases)
        else None
        for t in teams
    )

    max_visits = visits_per_team(problem, travel)[0]
    caps: tuple[int, ...] = ()
    drive_caps: tuple[int, ...] = ()
    if resume is not None:
        depart_earliest, depart_latest, return_latest, breaks = _resumed_days(
            problem, teams, base_tz, depart_earliest, depart_latest, return_latest, breaks
        )
        caps = tuple(
            max(0, max_visits - sum(s.phase == "voting" for s in resume.done(t.team_id)))
            for t in teams
        )
        # What the kept stops drove (their legs, to the minute) counts against the cap.
        drive_caps = tuple(
            max(
                0,
                int(rules.max_driving_hours * 3600)
                - 60 * sum(s.travel_min for s in resume.done(t.team_id)),
            )
            for t in teams
        )

    urban_share = _urban_share(problem.stations)
    mix = np.zeros(n, dtype=np.int64)
    up, down = round(100 * (1 - urban_share)), round(100 * urban_share)
    for i, (role, site, _) in enumerate(roles):
        if role == "voting":
            mix[i] = up if by_id[site].setting is Setting.URBAN else -down
    mix_start = _mix_start(problem, teams, up, down)
    band = round(100 * rules.urban_rural_tolerance_pp / 100 * max_visits)

    inp = RoutingInput(
        travel=matrix,
        service=service,
        window_open=w_open,
        window_close=w_close,
        prize=prize,
        required_vehicle=np.array(required, dtype=np.int64),
        starts=tuple(start_node.get(v, v) for v in range(len(teams))),
        ends=tuple(range(len(teams))),
        depart_earliest=depart_earliest,
        depart_latest=depart_latest,
        return_latest=return_latest,
        max_visits=max_visits,
        vehicle_max_visits=caps,
        vehicle_max_drive=drive_caps,
        max_drive=int(rules.max_driving_hours * 3600),
        max_duty=int(rules.max_duty_hours * 3600),
        breaks=breaks,
        mix_delta=mix,
        mix_band=max(100, band),
        # One prize unit per unit of imbalance: a station's worth of drift costs about
        # two thirds of a visit, so coverage still comes first.
        mix_penalty=1,
        mix_start=mix_start,
    )
    return inp, roles, places


def planned_teams(problem: AreaProblem, sample: AreaSample) -> tuple[Team, ...]:
    """The teams that got an opening and a count station, in assignment order."""
    by_id = {t.team_id: t for t in problem.teams}
    return tuple(by_id[a.team_id] for a in sample.assignments)


def _kept_site(problem: AreaProblem, stop: Stop, fallback_tz: str) -> tuple[str, Place]:
    """The time zone and place of a kept stop's site, as the router's other nodes have
    them (a station's setting decides its speeds); the stop's own position for a site the
    problem does not list."""
    for s in problem.stations:
        if s.station_id == stop.site_id and stop.site_type == "station":
            return s.tz, station_place(s)
    for c in problem.commissions:
        if c.tec_id == stop.site_id and stop.site_type == "tec":
            return c.tz, Place(c.tec_id, c.lon, c.lat, True)
    return fallback_tz, Place(stop.site_id, stop.lon, stop.lat, True)


def _seconds(problem: AreaProblem, at: datetime) -> int:
    """An instant as seconds from the problem's reference, as the router counts."""
    return int((at - problem.reference).total_seconds())


def _meal_taken(rules: Rules, stops: Sequence[Stop]) -> bool:
    """Whether a gap between `stops` (kept before a re-plan's time) holds the meal break
    as the checker looks for it: the drive plus an idle break inside the meal window."""
    if len(stops) < 2:
        return False
    tz = stops[0].arrive.tzinfo
    day = rules.election_date
    need = timedelta(minutes=rules.meal_break_min)
    start = datetime.combine(day, rules.meal_window_start, tzinfo=tz)
    latest = datetime.combine(day, rules.meal_window_end, tzinfo=tz) - need
    for prev, nxt in pairwise(stops):
        idle = nxt.arrive - prev.depart - timedelta(minutes=nxt.travel_min)
        if idle >= need and prev.depart <= latest and nxt.arrive - need >= start:
            return True
    return False


def _resumed_days(
    problem: AreaProblem,
    teams: Sequence[Team],
    base_tz: dict[str, str],
    depart_earliest: np.ndarray,
    depart_latest: np.ndarray,
    return_latest: np.ndarray,
    breaks: tuple[MealBreak | None, ...],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[MealBreak | None, ...]]:
    """Each team's departure window, latest return and meal break in a re-plan from a
    time of day (`AreaProblem.resume`). A team with kept stops leaves its last one at
    its departure, exactly; it is back within `max_duty_hours` of its kept departure
    from the base; its meal break is one the kept stops do not already hold, after it
    goes on. A team without kept stops leaves its base no earlier than the time."""
    resume = problem.resume
    assert resume is not None
    rules = problem.rules
    earliest, latest, back = depart_earliest.copy(), depart_latest.copy(), return_latest.copy()
    meals = list(breaks)
    duty = int(rules.max_duty_hours * 3600)
    for v, team in enumerate(teams):
        done = resume.done(team.team_id)
        if not done:
            earliest[v] = max(int(earliest[v]), problem.clock(resume.at, base_tz[team.team_id]))
            latest[v] = max(int(latest[v]), int(earliest[v]))
            continue
        earliest[v] = latest[v] = _seconds(problem, done[-1].depart)
        if done[0].phase == "base":
            back[v] = min(int(back[v]), _seconds(problem, done[0].depart) + duty)
        meal = meals[v] if v < len(meals) else None
        if meal is not None:
            if _meal_taken(rules, done) or max(meal.earliest, int(earliest[v])) > meal.latest:
                meals[v] = None
            else:
                meals[v] = replace(meal, earliest=max(meal.earliest, int(earliest[v])))
    return earliest, latest, back, tuple(meals)


def _mix_start(problem: AreaProblem, teams: Sequence[Team], up: int, down: int) -> tuple[int, ...]:
    """Per team, the urban/rural mix of the visits that stay in a re-plan: its own made
    before the re-plan's time and an even share of the kept teams'; the router steers
    the new visits to balance them (empty when nothing stays)."""
    if problem.resume is None and problem.kept_teams is None:
        return ()
    urban = {s.station_id: s.setting is Setting.URBAN for s in problem.stations}

    def mix(sites: Iterable[str]) -> int:
        return sum(up if urban[s] else -down for s in sites if s in urban)

    kept = problem.kept_teams
    share = mix(kept.voting) / max(1, len(teams)) if kept is not None else 0.0
    resume = problem.resume
    return tuple(
        round(share)
        + (
            mix(s.site_id for s in resume.done(t.team_id) if s.phase == "voting")
            if resume is not None
            else 0
        )
        for t in teams
    )


def _site_type(problem: AreaProblem, role: str) -> str:
    """Where a stop of this phase is: a commission (tabulation, a count at the
    commission) or a station."""
    at_commission = role == "counting" and problem.rules.phases.counting is CountingPlace.COMMISSION
    return "tec" if role == "tabulation" or at_commission else "station"


def _base_tz(problem: AreaProblem, assignment: TeamAssignment) -> str:
    """The zone a team's day is counted in: its first fixed stop's (the base has none)."""
    by_id = {s.station_id: s for s in problem.stations}
    tecs = {c.tec_id: c for c in problem.commissions}
    for site in (assignment.opening, assignment.closing, assignment.count):
        if site in by_id:
            return by_id[site].tz
        if site in tecs:
            return tecs[site].tz
    if assignment.tabulation_tec in tecs:
        return tecs[assignment.tabulation_tec].tz
    return problem.stations[0].tz if problem.stations else "UTC"


def _urban_share(stations: tuple[Station, ...]) -> float:
    if not stations:
        return 0.0
    return sum(s.setting is Setting.URBAN for s in stations) / len(stations)


def solve_area(problem: AreaProblem, travel: TravelModel) -> AreaPlan:
    """Sample, route and schedule one area (or one part of one) by its deadline;
    `cut_by_time` in its stats says whether the deadline stopped any search before its
    work count. In a re-plan from a time of day, stats["kept_before"] says what was kept
    before it."""
    plan = _solve_area(problem, travel)
    if problem.resume is None:
        return plan
    return _keep_days_so_far(problem, travel, plan)


def _keep_days_so_far(problem: AreaProblem, travel: TravelModel, plan: AreaPlan) -> AreaPlan:
    """A re-plan from a time of day never loses what a team did before it: a team whose
    rest of the day could not be planned keeps its stops before the time and drives back
    to its base from the last of them, with a note saying so."""
    resume = problem.resume
    assert resume is not None
    routed = {s.team_id for s in plan.stops}
    stops, notes = list(plan.stops), list(plan.sample.notes)
    for team in problem.teams:
        done = resume.done(team.team_id)
        if team.team_id in routed or not done:
            continue
        last = done[-1]
        _tz, place = _kept_site(problem, last, "UTC")
        base = Place(team.team_id, float(team.lon), float(team.lat), True)  # type: ignore[arg-type]
        leg = int(travel.durations([place], [base], night=True)[0, 0])
        back = last.depart + timedelta(seconds=leg)
        stops.extend(done)
        if last.site_type != "base":
            stops.append(
                Stop(
                    team.team_id, last.seq + 1, "base", team.team_id, "base", back, back,
                    round(leg / 60), base.lat, base.lon,
                )
            )  # fmt: skip
        why = plan.sample.unplanned.get(team.team_id, "no route")
        notes.append(
            f"{team.team_id}: keeps its stops before {resume.at:%H:%M} and drives back to "
            f"its base; the rest of its day could not be planned ({why})"
        )
    stats = {**plan.stats, "kept_before": _kept_before(resume, stops)}
    sample = replace(plan.sample, notes=tuple(notes))
    return replace(plan, stops=tuple(stops), sample=sample, stats=stats)


def _solve_area(problem: AreaProblem, travel: TravelModel) -> AreaPlan:
    if problem.deadline is None:
        problem = replace(problem, deadline=clock.time() + problem.time_limit_s)
    sample = _resume_sample(problem, sample_area(problem, travel))
    cut = problem.seconds_left() <= 0  # sampling ran into the deadline
    if not sample.assignments:
        empty = {
            "teams": len(problem.teams),
            "planned_teams": 0,
            "routed_teams": 0,
            "voting_visits": 0,
            "cut_by_time": cut,
        }
        return AreaPlan(problem.area_id, (), sample, empty, problem.part)
    inp, roles, places = build_routing_input(problem, sample, travel)
    unfit = _unfit_days(problem, inp, roles, sample)
    if unfit.notes:
        sample = replace(
            sample,
            assignments=tuple(
                replace(a, tabulation_tec=None) if a.team_id in unfit.no_tabulation else a
                for a in sample.assignments
                if a.team_id not in unfit.dropped
            ),
            notes=(*sample.notes, *unfit.notes),
            unplanned=sample.unplanned | dict.fromkeys(unfit.dropped, UNFIT),
        )
    if not sample.assignments:
        empty = {
            "teams": len(problem.teams),
            "planned_teams": 0,
            "routed_teams": 0,
            "voting_visits": 0,
            "cut_by_time": cut,
        }
        return AreaPlan(problem.area_id, (), sample, empty, problem.part)
    if unfit.dropped or unfit.no_tabulation:
        inp, roles, places = build_routing_input(problem, sample, travel)
    if unfit.no_meal:
        team_ids = [t.team_id for t in planned_teams(problem, sample)]
        inp = replace(
            inp,
            breaks=tuple(
                None if team_ids[v] in unfit.no_meal else b for v, b in enumerate(inp.breaks)
            ),
        )
    inp = _duty_departures(problem, inp, roles)
    result = _route(problem, inp)
    cut = cut or result.cut_by_time
    timed_out = result.cut_by_time
    if not any(result.routes) and not timed_out and any(b is not None for b in inp.breaks):
        # The breaks together may leave no plan; plan without them rather than not at all.
        inp = replace(inp, breaks=())
        sample = replace(
            sample, notes=(*sample.notes, "meal break left out: no feasible plan with it")
        )
        result = _route(problem, inp)
        cut = cut or result.cut_by_time
    if not any(result.routes):
        greedy = greedy_routes(inp, schedule_nodes(problem, inp, roles))
        if any(greedy.routes):
            sample = replace(
                sample,
                notes=(
                    *sample.notes,
                    f"routing found no plan ({result.status}): fixed stops and voting visits "
                    "by cheapest insertion instead",
                ),
            )
            result = replace(greedy, status=f"{result.status}, GREEDY", stats=result.stats)
    result, dropped = _rebalance(problem, sample, roles, result)
    stops = _stops(problem, sample, inp, roles, places, result)
    visits = sum(1 for s in stops if s.phase == "voting")
    if not any(result.routes):
        cause = TIME_CUT if result.cut_by_time else NO_ROUTE
        sample = replace(
            sample,
            notes=(*sample.notes, f"routing found no feasible plan ({result.status})"),
            unplanned=sample.unplanned | {a.team_id: cause for a in sample.assignments},
        )
    stats: dict[str, Any] = {
        "teams": len(problem.teams),
        "planned_teams": len(inp.starts),
        "routed_teams": sum(1 for route in result.routes if route),
        "pool": len(sample.pool),
        "voting_visits": visits,
        "dropped_for_balance": dropped,
        "travel_s": result.travel_total,
        "solved": float(any(result.routes)),
        "status": result.status,
        "search_s": round(result.stats.get("wall_s", 0.0), 2),
        "lns_rounds": int(result.stats.get("lns_rounds", 0)),
        "cut_by_time": cut,
        "no_tabulation": len(unfit.no_tabulation),
    }
    return AreaPlan(problem.area_id, tuple(stops), sample, stats, problem.part)


def _kept_before(resume: Resume, stops: Sequence[Stop]) -> dict[str, Any]:
    """What a re-plan from a time of day kept, for plan.json and the churn report: the
    time, and per team the stops before it (base departure left out) still in the plan."""
    planned = {s.team_id for s in stops}
    kept = {
        team: sum(1 for s in done if s.phase != "base")
        for team, done in sorted(resume.so_far.items())
        if team in planned
    }
    return {"time": f"{resume.at:%H:%M}", "stops": sum(kept.values()), "teams": kept}


def _resume_sample(problem: AreaProblem, sample: AreaSample) -> AreaSample:
    """A re-plan from a time of day (`AreaProblem.resume`): each team's fixed stops made
    before it stay the ones it made (even where since reported closed), and the voting
    pool holds no station visited before it nor one whose last voting stay would start
    before it."""
    resume = problem.resume
    if resume is None:
        return sample
    rules = problem.rules
    assignments = []
    for a in sample.assignments:
        done = {s.phase: s.site_id for s in resume.done(a.team_id) if s.phase != "base"}
        assignments.append(
            replace(
                a,
                opening=done.get("opening", a.opening),
                count=done.get("counting", a.count),
                tabulation_tec=done.get("tabulation", a.tabulation_tec),
                closing=done.get("closing", a.closing),
            )
        )
    visited = resume.stations_done
    tz = {s.station_id: s.tz for s in problem.stations}

    def still_open(site: str) -> bool:
        last_start = problem.clock(rules.polls_close, tz[site]) - rules.voting_stay_min * MINUTE
        return last_start >= problem.clock(resume.at, tz[site])

    pool = tuple(site for site in sample.pool if site not in visited and still_open(site))
    return replace(sample, assignments=tuple(assignments), pool=pool)


@dataclass(frozen=True)
class _Unfit:
    """Teams whose fixed stops cannot all be routed: left out (`dropped`), routed without
    the tabulation (`no_tabulation`) or without the meal break (`no_meal`); with a note
    on each."""

    dropped: frozenset[str]
    no_tabulation: frozenset[str]
    no_meal: frozenset[str]
    notes: tuple[str, ...]


def _unfit_days(
    problem: AreaProblem, inp: RoutingInput, roles: list[tuple[str, str, str]], sample: AreaSample
) -> _Unfit:
    """Each team's fixed stops alone, in the order of their windows, replayed as the
    schedules are (`schedule_nodes`) from its earliest departure. A team late even so
    would make its whole area's routing infeasible: it goes without the meal break if
    that is enough, else without the tabulation, else without both, else it is left out,
    and the note says why."""
    rules = problem.rules
    nodes = schedule_nodes(problem, inp, roles)
    found: dict[str, set[str]] = {"dropped": set(), "no_tabulation": set(), "no_meal": set()}
    notes: list[str] = []
    for v, team in enumerate(planned_teams(problem, sample)):
        fixed = sorted(
            (i for i in range(inp.num_nodes) if inp.required_vehicle[i] == v),
            key=lambda i: (int(inp.window_open[i]), i),
        )
        meal = inp.meal(v)

        def fits(route: list[int], meal: MealBreak | None, v: int = v) -> Timeline:
            return replay(
                nodes,
                route,
                start=inp.starts[v],
                end=inp.ends[v],
                depart=int(inp.depart_earliest[v]),
                return_latest=int(inp.return_latest[v]),
                meal=meal,
            )

        def ok(timeline: Timeline, route: list[int], meal: MealBreak | None, v: int = v) -> bool:
            return (
                timeline.on_time
                and timeline.travel <= inp.drive_cap(v)
                and _duty(nodes, inp, v, route, meal, timeline) <= inp.max_duty
            )

        without_tabulation = [i for i in fixed if roles[i][0] != "tabulation"]
        # What to give up, least first.
        attempts: list[tuple[list[int], MealBreak | None, tuple[str, ...]]] = [(fixed, meal, ())]
        if meal is not None:
            attempts.append((fixed, None, ("no_meal",)))
        if len(without_tabulation) < len(fixed):
            attempts.append((without_tabulation, meal, ("no_tabulation",)))
            if meal is not None:
                attempts.append((without_tabulation, None, ("no_tabulation", "no_meal")))
        given_up = next(
            (flags for route, m, flags in attempts if ok(fits(route, m), route, m)), None
        )
        if given_up == ():
            continue
        route = fixed if given_up else without_tabulation
        timeline = fits(route, None)
        why = _why_late(rules, roles, timeline, _duty(nodes, inp, v, route, None, timeline))
        if given_up is None:
            found["dropped"].add(team.team_id)
            notes.append(f"{team.team_id}: not routed: {why} even leaving at the earliest")
            continue
        for flag in given_up:
            found[flag].add(team.team_id)
        if "no_tabulation" in given_up:
            notes.append(f"{team.team_id}: does not follow the tabulation: {why}")
        if "no_meal" in given_up:
            notes.append(f"{team.team_id}: meal break left out: its fixed stops leave no room")
    return _Unfit(
        frozenset(found["dropped"]),
        frozenset(found["no_tabulation"]),
        frozenset(found["no_meal"]),
        tuple(notes),
    )


def _duty(
    nodes: Nodes,
    inp: RoutingInput,
    v: int,
    route: list[int],
    meal: MealBreak | None,
    timeline: Timeline,
) -> int:
    """Vehicle `v`'s duty on `route` as the schedule makes it (`team_timeline`): from
    the latest departure that is back as early, to the return; 0 when not on time (the
    other checks say why)."""
    if not timeline.on_time:
        return 0
    depart = latest_departure(
        nodes,
        route,
        start=inp.starts[v],
        end=inp.ends[v],
        earliest=int(inp.depart_earliest[v]),
        latest=int(inp.depart_latest[v]),
        return_latest=int(inp.return_latest[v]),
        meal=meal,
    )
    return timeline.back - depart


def _duty_departures(
    problem: AreaProblem, inp: RoutingInput, roles: list[tuple[str, str, str]]
) -> RoutingInput:
    """The router's earliest departures raised so that the duty day holds as the schedule
    makes it. The router ends a team's stay at its TEC on arrival, the schedule at
    `tabulation_until` (`schedule_nodes`), so the router's span bound alone would let a
    team that follows the tabulation leave too early. Its evening is fixed (the count or
    closing, then the TEC): its fixed stops alone, replayed, come back when its whole day
    does, and it leaves no earlier than that less `max_duty`."""
    nodes = schedule_nodes(problem, inp, roles)
    earliest = inp.depart_earliest.copy()
    for v in range(inp.num_vehicles):
        fixed = sorted(
            (i for i in range(inp.num_nodes) if inp.required_vehicle[i] == v),
            key=lambda i: (int(inp.window_open[i]), i),
        )
        if not fixed or roles[fixed[-1]][0] != "tabulation":
            continue
        timeline = replay(
            nodes,
            fixed,
            start=inp.starts[v],
            end=inp.ends[v],
            depart=int(inp.depart_earliest[v]),
            return_latest=int(inp.return_latest[v]),
        )
        if timeline.on_time:
            latest = int(inp.depart_latest[v])
            earliest[v] = min(latest, max(int(earliest[v]), timeline.back - inp.max_duty))
    return replace(inp, depart_earliest=earliest)


def _why_late(
    rules: Rules, roles: list[tuple[str, str, str]], timeline: Timeline, duty: int = 0
) -> str:
    """The first thing a replayed day misses, in words."""
    late = next((stop for stop in timeline.stops if stop.late), None)
    if late is not None:
        role, site, _tz = roles[late.node]
        return f"its {role} at {site} would start {math.ceil(late.late / 60)} min late"
    if timeline.return_late:
        return (
            f"it would be back at the base {math.ceil(timeline.return_late / 60)} min after "
            f"{rules.return_to_base_by:%H:%M}"
        )
    if duty > rules.max_duty_hours * 3600:
        return (
            f"its duty day would last {duty / 3600:.1f} h from leaving the base to the "
            f"return, more than {rules.max_duty_hours:g}"
        )
    return (
        f"its fixed stops need {timeline.travel / 3600:.1f} h of driving, more than "
        f"{rules.max_driving_hours:g}"
    )


def _route(problem: AreaProblem, inp: RoutingInput) -> RoutingResult:
    options = problem.options
    # `area_problems` sets the counts; a limit left open would let the router fall back
    # on its own time-based work, which is not reproducible across machines.
    if options.solution_limit is None or options.max_rounds is None:
        raise ValueError("an area problem needs its search counts (planner.search_work)")
    search = DEFAULT_SEARCH
    if options.first_solutions is not None:
        starts = search.first_solutions[: max(1, options.first_solutions)]
        search = replace(search, first_solutions=starts)
    return solve_routing(
        inp,
        time_limit_s=max(0.01, problem.seconds_left()),
        solution_limit=options.solution_limit,
        rounds=min(options.max_rounds, options.rounds_per_team * inp.num_vehicles),
        seed=problem.seed,
        search=search,
        pyvrp_iterations=options.pyvrp_iterations or 0,
    )


def _rebalance(
    problem: AreaProblem,
    sample: AreaSample,
    roles: list[tuple[str, str, str]],
    result: RoutingResult,
) -> tuple[RoutingResult, int]:
    """Drop the voting visits that break the area's urban/rural or district rules."""
    by_id = {s.station_id: s for s in problem.stations}
    visits = [
        Visit(
            site,
            by_id[site].district,
            by_id[site].setting is Setting.URBAN,
            sample.weights.get(site, 0.0),
        )
        for route in result.routes
        for node in route
        if roles[node][0] == "voting"
        for site in (roles[node][1],)
    ]
    # Visits that stay: the other teams' (a re-plan of some teams) and those made before
    # a re-plan's time.
    stay = set(problem.kept_teams.voting) if problem.kept_teams is not None else set()
    if problem.resume is not None:
        stay |= {
            s.site_id
            for team in problem.teams
            for s in problem.resume.done(team.team_id)
            if s.phase == "voting"
        }
    made = [
        Visit(site, by_id[site].district, by_id[site].setting is Setting.URBAN, 0.0)
        for site in sorted(stay)
        if site in by_id
    ]
    rules = problem.rules
    dropped = repair(
        visits,
        fixed=made,
        district_sizes=Counter(s.district for s in problem.stations),
        area_stations=len(problem.stations),
        urban_share=_urban_share(problem.stations),
        tolerance_pp=rules.urban_rural_tolerance_pp,
        factor=rules.district_max_share_factor,
    )
    if not dropped:
        return result, 0
    routes, starts = [], []
    for route, times in zip(result.routes, result.starts, strict=True):
        keep = [
            (n, t)
            for n, t in zip(route, times, strict=True)
            if not (roles[n][0] == "voting" and roles[n][1] in dropped)
        ]
        routes.append(tuple(n for n, _ in keep))
        starts.append(tuple(t for _, t in keep))
    return replace(result, routes=tuple(routes), starts=tuple(starts)), len(dropped)


def schedule_nodes(
    problem: AreaProblem, inp: RoutingInput, roles: list[tuple[str, str, str]]
) -> Nodes:
    """The router's nodes as the schedule sees them: a TEC's stay lasts at least
    `rules.tec_min_stay_min` and until the tabulation ends (the router leaves it out: it only
    delays the return, which has the whole morning after)."""
    rules = problem.rules
    service = inp.service.copy()
    until = np.full(inp.num_nodes, -1, dtype=np.int64)
    for i, (role, _site, tz) in enumerate(roles):
        if role == "tabulation":
            service[i] = rules.tec_min_stay_min * MINUTE
            until[i] = problem.clock(rules.tabulation_until, tz, next_day=True)
    return Nodes(inp.travel, service, inp.window_open, inp.window_close, until)


def team_timeline(inp: RoutingInput, nodes: Nodes, v: int, route: Sequence[int]) -> Timeline:
    """Vehicle `v`'s day: it leaves its base as late as it can without coming back later,
    every stay starts as early as it can, and the meal break goes where it fits."""
    meal = inp.meal(v)
    depart = latest_departure(
        nodes,
        route,
        start=inp.starts[v],
        end=inp.ends[v],
        earliest=int(inp.depart_earliest[v]),
        latest=int(inp.depart_latest[v]),
        return_latest=int(inp.return_latest[v]),
        meal=meal,
    )
    return replay(
        nodes,
        route,
        start=inp.starts[v],
        end=inp.ends[v],
        depart=depart,
        return_latest=int(inp.return_latest[v]),
        meal=meal,
    )


def _stops(
    problem: AreaProblem,
    sample: AreaSample,
    inp: RoutingInput,
    roles: list[tuple[str, str, str]],
    places: list[Place],
    result: RoutingResult,
) -> list[Stop]:
    """Every team's schedule, replayed on the router's travel (`team_timeline`)."""
    nodes = schedule_nodes(problem, inp, roles)
    stops: list[Stop] = []
    at = problem.to_datetime
    for v, team in enumerate(planned_teams(problem, sample)):
        route = result.routes[v]
        done = problem.resume.done(team.team_id) if problem.resume is not None else ()
        if not route and not done:
            continue
        base = inp.ends[v]
        depot = places[base]
        if done:
            # The kept stops as they are; the rest of the day from the last of them.
            timeline = replay(
                nodes,
                route,
                start=inp.starts[v],
                end=base,
                depart=int(inp.depart_earliest[v]),
                return_latest=int(inp.return_latest[v]),
                meal=inp.meal(v),
            )
            tz = _base_tz(problem, sample.assignments[v])
            stops.extend(done)
            first = done[-1].seq + 1
        else:
            timeline = team_timeline(inp, nodes, v, route)
            tz = roles[route[0]][2]
            stops.append(
                Stop(
                    team.team_id, 0, "base", team.team_id, "base",
                    at(timeline.depart, tz), at(timeline.depart, tz), 0, depot.lat, depot.lon,
                )
            )  # fmt: skip
            first = 1
        prev = inp.starts[v]
        for seq, stop in enumerate(timeline.stops, start=first):
            role, site, node_tz = roles[stop.node]
            place = places[stop.node]
            stops.append(
                Stop(
                    team.team_id, seq, role, site, _site_type(problem, role),
                    at(stop.start, node_tz), at(stop.depart, node_tz),
                    round(int(inp.travel[prev, stop.node]) / 60), place.lat, place.lon,
                )
            )  # fmt: skip
            prev = stop.node
        stops.append(
            Stop(
                team.team_id, first + len(route), "base", team.team_id, "base",
                at(timeline.back, tz), at(timeline.back, tz),
                round(int(inp.travel[prev, base]) / 60), depot.lat, depot.lon,
            )
        )  # fmt: skip
    return stops
