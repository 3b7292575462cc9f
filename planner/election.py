"""The election day of one area as a routing problem, and its answer as team schedules.

Each team: base -> opening station (there 45 min before polls open, until 30 min after)
-> optional voting stations (30 min each, polls open) with a meal break -> count station
(arrive 30 min before close, stay to the end of the count) -> its TEC (tabulation) -> base.
Legs before dawn and after the count use night speeds.

The schedules are the routes replayed (`planner.feasibility`), not the router's own stay
times: a team leaves its base just in time for its opening, every stay starts as early
as its route allows, and the meal break goes in the gap that keeps the stays earliest.
The router's times are one of many that fit; on the default mission they put a quarter
of the voting stays up to an hour later than they could start, after a break taken
early.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from planner.balance import Visit, repair
from planner.feasibility import Nodes, Timeline, latest_departure, replay
from planner.model import Setting, Station, Team
from planner.problem import AreaProblem
from planner.routing import solve_routing
from planner.routing_data import MealBreak, RoutingInput, RoutingResult
from planner.sampling import sample_area, station_place
from planner.schedule import NIGHT_FROM, NIGHT_TO, AreaPlan, AreaSample, Stop
from planner.travel import Place, TravelModel

MINUTE = 60


def build_routing_input(
    problem: AreaProblem, sample: AreaSample, travel: TravelModel
) -> tuple[RoutingInput, list[tuple[str, str, str]], list[Place]]:
    """Nodes: one depot per team, then each team's fixed stops, then the voting pool.

    Returns the model, a (role, site_id, tz) per node, and the node places.
    """
    rules, options = problem.rules, problem.options
    by_id = {s.station_id: s for s in problem.stations}
    tecs = {c.tec_id: c for c in problem.commissions}
    teams = planned_teams(problem, sample)
    team_index = {t.team_id: v for v, t in enumerate(teams)}
    base_tz = {a.team_id: by_id[a.opening].tz for a in sample.assignments}

    roles: list[tuple[str, str, str]] = []
    places: list[Place] = []
    required: list[int] = []
    count_before: dict[int, int] = {}  # tabulation node -> its team's count node
    for t in teams:
        roles.append(("base", t.team_id, base_tz[t.team_id]))
        places.append(Place(t.team_id, float(t.lon), float(t.lat), True))  # type: ignore[arg-type]
        required.append(-1)
    for a in sample.assignments:
        v = team_index[a.team_id]
        for role, site in (("opening", a.opening), ("counting", a.count)):
            s = by_id[site]
            roles.append((role, site, s.tz))
            places.append(station_place(s))
            required.append(v)
        if a.tabulation_tec is not None:
            c = tecs[a.tabulation_tec]
            count_before[len(roles)] = len(roles) - 1
            roles.append(("tabulation", c.tec_id, c.tz))
            places.append(Place(c.tec_id, c.lon, c.lat, True))
            required.append(v)
    for site in sample.pool:
        s = by_id[site]
        roles.append(("voting", site, s.tz))
        places.append(station_place(s))
        required.append(-1)

    n = len(places)
    day = travel.durations(places, places, night=False)
    night = travel.durations(places, places, night=True)
    role_names = np.array([r[0] for r in roles])
    night_rows = np.isin(role_names, sorted(NIGHT_FROM))
    night_cols = np.isin(role_names, sorted(NIGHT_TO))
    matrix = np.where(night_rows[:, None] | night_cols[None, :], night, day)

    service = np.zeros(n, dtype=np.int64)
    w_open = np.zeros(n, dtype=np.int64)
    w_close = np.zeros(n, dtype=np.int64)
    prize = np.zeros(n, dtype=np.int64)
    for i, (role, site, tz) in enumerate(roles):
        if role == "base":
            continue
        open_s = problem.clock(rules.polls_open, tz)
        close_s = problem.clock(rules.polls_close, tz)
        if role == "opening":
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
            count_tz = roles[count_before[i]][2]
            w_open[i] = max(close_s, problem.clock(rules.polls_close, count_tz))
            w_close[i] = problem.clock(rules.tec_arrive_until, tz, next_day=True)

    depart_earliest = np.array(
        [problem.clock(options.earliest_departure, base_tz[t.team_id]) for t in teams]
    )
    depart_latest = np.array(
        [
            problem.clock(rules.polls_open, base_tz[t.team_id])
            - rules.opening_arrive_before_min * MINUTE
            for t in teams
        ]
    )
    return_latest = np.array(
        [problem.clock(rules.return_to_base_by, base_tz[t.team_id], next_day=True) for t in teams]
    )
    breaks = tuple(
        MealBreak(
            problem.clock(rules.meal_window_start, base_tz[t.team_id]),
            problem.clock(rules.meal_window_end, base_tz[t.team_id])
            - rules.meal_break_min * MINUTE,
            rules.meal_break_min * MINUTE,
        )
        if rules.meal_fits_polling_day()
        else None
        for t in teams
    )

    urban_share = _urban_share(problem.stations)
    mix = np.zeros(n, dtype=np.int64)
    up, down = round(100 * (1 - urban_share)), round(100 * urban_share)
    for i, (role, site, _) in enumerate(roles):
        if role == "voting":
            mix[i] = up if by_id[site].setting is Setting.URBAN else -down
    band = round(100 * rules.urban_rural_tolerance_pp / 100 * options.max_voting_per_team)

    inp = RoutingInput(
        travel=matrix,
        service=service,
        window_open=w_open,
        window_close=w_close,
        prize=prize,
        required_vehicle=np.array(required, dtype=np.int64),
        starts=tuple(range(len(teams))),
        ends=tuple(range(len(teams))),
        depart_earliest=depart_earliest,
        depart_latest=depart_latest,
        return_latest=return_latest,
        max_visits=options.max_voting_per_team,
        max_drive=int(rules.max_driving_hours * 3600),
        breaks=breaks,
        mix_delta=mix,
        mix_band=max(100, band),
        # One prize unit per unit of imbalance: a station's worth of drift costs about
        # two thirds of a visit, so coverage still comes first.
        mix_penalty=1,
    )
    return inp, roles, places


def planned_teams(problem: AreaProblem, sample: AreaSample) -> tuple[Team, ...]:
    """The teams that got an opening and a count station, in assignment order."""
    by_id = {t.team_id: t for t in problem.teams}
    return tuple(by_id[a.team_id] for a in sample.assignments)


def _urban_share(stations: tuple[Station, ...]) -> float:
    if not stations:
        return 0.0
    return sum(s.setting is Setting.URBAN for s in stations) / len(stations)


def solve_area(problem: AreaProblem, travel: TravelModel) -> AreaPlan:
    """Sample, route and schedule one area."""
    sample = sample_area(problem, travel)
    if not sample.assignments:
        empty = {"teams": len(problem.teams), "planned_teams": 0, "voting_visits": 0}
        return AreaPlan(problem.area_id, (), sample, empty)
    inp, roles, places = build_routing_input(problem, sample, travel)
    result = _route(problem, inp)
    if not any(result.routes) and any(b is not None for b in inp.breaks):
        # Long counts can swallow the meal window; plan without the break rather than not at all.
        inp = replace(inp, breaks=())
        sample = replace(
            sample, notes=(*sample.notes, "meal break left out: no feasible plan with it")
        )
        result = _route(problem, inp)
    result, dropped = _rebalance(problem, sample, roles, result)
    stops = _stops(problem, sample, inp, roles, places, result)
    visits = sum(1 for s in stops if s.phase == "voting")
    if not any(result.routes):
        sample = replace(
            sample, notes=(*sample.notes, f"routing found no feasible plan ({result.status})")
        )
    stats: dict[str, Any] = {
        "teams": len(problem.teams),
        "planned_teams": len(inp.starts),
        "pool": len(sample.pool),
        "voting_visits": visits,
        "dropped_for_balance": dropped,
        "travel_s": result.travel_total,
        "solved": float(any(result.routes)),
        "status": result.status,
        "search_s": round(result.stats.get("wall_s", 0.0), 2),
        "lns_rounds": int(result.stats.get("lns_rounds", 0)),
    }
    return AreaPlan(problem.area_id, tuple(stops), sample, stats)


def _route(problem: AreaProblem, inp: RoutingInput) -> RoutingResult:
    options = problem.options
    return solve_routing(
        inp,
        time_limit_s=problem.time_limit_s,
        solution_limit=options.solution_limit,
        rounds=min(options.max_rounds, options.rounds_per_team * inp.num_vehicles),
        seed=problem.seed,
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
    rules = problem.rules
    dropped = repair(
        visits,
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
    for v, team in enumerate(planned_teams(problem, sample)):
        route = result.routes[v]
        if not route:
            continue
        timeline = team_timeline(inp, nodes, v, route)
        base = inp.starts[v]
        tz = roles[route[0]][2]
        depot = places[base]
        at = problem.to_datetime
        stops.append(
            Stop(
                team.team_id, 0, "base", team.team_id, "base",
                at(timeline.depart, tz), at(timeline.depart, tz), 0, depot.lat, depot.lon,
            )
        )  # fmt: skip
        prev = base
        for seq, stop in enumerate(timeline.stops, start=1):
            role, site, node_tz = roles[stop.node]
            place = places[stop.node]
            stops.append(
                Stop(
                    team.team_id, seq, role, site, "tec" if role == "tabulation" else "station",
                    at(stop.start, node_tz), at(stop.depart, node_tz),
                    round(int(inp.travel[prev, stop.node]) / 60), place.lat, place.lon,
                )
            )  # fmt: skip
            prev = stop.node
        stops.append(
            Stop(
                team.team_id, len(route) + 1, "base", team.team_id, "base",
                at(timeline.back, tz), at(timeline.back, tz),
                round(int(inp.travel[prev, inp.ends[v]]) / 60), depot.lat, depot.lon,
            )
        )  # fmt: skip
    return stops
