"""Who observes what: seeded, stratified choices that officials cannot predict.

For one area this picks, before any routing:
- each team's opening and count station with CP-SAT (distinct stations, the count station
  close to its TEC, as many distinct TECs followed to tabulation as possible, the
  urban/rural mix of openings and counts near the area's);
- a pool of candidate voting stations drawn at random, stratified by district so that no
  district can receive more than its cap of visits.
The router then decides which pool stations each team actually visits.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np
from ortools.sat.python import cp_model

from planner.balance import district_cap
from planner.model import Setting, Station, StationKind
from planner.problem import AreaProblem
from planner.schedule import AreaSample, TeamAssignment
from planner.travel import Place, TravelModel, great_circle_km

# The plan's "distinct TECs" objective dominates everything else in the CP-SAT model.
TEC_WEIGHT = 1_000_000
# One opening or count outside the area's urban/rural band costs more than any travel saving.
MIX_WEIGHT = 10_000


def station_place(s: Station) -> Place:
    return Place(s.station_id, s.lon, s.lat, s.setting is Setting.URBAN)


def district_caps(stations: list[Station], visits: int, factor: float) -> dict[str, int]:
    """Most visits each district may get when the area makes about `visits` visits."""
    counts = Counter(s.district for s in stations)
    return {d: district_cap(visits, n, len(stations), factor) for d, n in counts.items()}


def urban_bounds(n: int, urban_share: float, tolerance_pp: float) -> tuple[int, int]:
    """How many of `n` choices may be urban for the mix to stay within the tolerance."""
    tol = tolerance_pp / 100.0
    low = max(0, math.ceil(n * (urban_share - tol) - 1e-9))
    high = min(n, math.floor(n * (urban_share + tol) + 1e-9))
    return low, max(low, high)


def routable_stations(problem: AreaProblem) -> list[Station]:
    """The stations a team may visit: not abroad, not reported unusable, and placed by
    their own coordinates unless the rules allow routing to unlocated ones."""
    rules = problem.rules
    return [
        s
        for s in problem.stations
        if s.station_id not in problem.excluded
        and s.kind is not StationKind.ABROAD
        and (rules.route_unlocated_stations or not s.unlocated)
    ]


def sample_area(problem: AreaProblem, travel: TravelModel) -> AreaSample:
    rng = np.random.default_rng(problem.seed)
    rules, options = problem.rules, problem.options
    stations = routable_stations(problem)
    notes: list[str] = []
    teams = problem.teams
    weights = {
        s.station_id: float(w)
        for s, w in zip(stations, rng.uniform(1.0, 2.0, len(stations)), strict=True)
    }

    places = [station_place(s) for s in stations]
    bases = [Place(t.team_id, float(t.lon), float(t.lat), True) for t in teams]  # type: ignore[arg-type]
    base_night = travel.durations(bases, places, night=True)
    base_lon = np.array([b.lon for b in bases])
    base_lat = np.array([b.lat for b in bases])
    st_lon = np.array([p.lon for p in places])
    st_lat = np.array([p.lat for p in places])
    base_km = rules.detour_factor * great_circle_km(
        base_lon[:, None], base_lat[:, None], st_lon[None, :], st_lat[None, :]
    )
    in_range = base_km <= rules.max_base_distance_km

    tecs = {c.tec_id: c for c in problem.commissions}
    tec_ids = sorted(tecs)
    tec_places = [Place(c, tecs[c].lon, tecs[c].lat, True) for c in tec_ids]
    to_tec_matrix = travel.durations(places, tec_places, night=True)
    tec_col = {c: j for j, c in enumerate(tec_ids)}
    to_tec = np.array(
        [
            to_tec_matrix[i, tec_col[s.tec_id]] if s.tec_id in tec_col else 10**9
            for i, s in enumerate(stations)
        ]
    )

    reach_s = (
        (rules.polls_open.hour * 60 + rules.polls_open.minute - rules.opening_arrive_before_min)
        - (options.earliest_departure.hour * 60 + options.earliest_departure.minute)
    ) * 60
    urban = np.array([s.setting is Setting.URBAN for s in stations])
    urban_share = float(urban.mean()) if len(stations) else 0.0

    opening_cands: list[list[int]] = []
    count_cands: list[list[int]] = []
    for t in range(len(teams)):
        ok_open = np.flatnonzero(in_range[t] & (base_night[t] <= reach_s))
        opening_cands.append(_stratified_pick(ok_open, urban, options.opening_candidates, rng))
        ok_count = np.flatnonzero(
            in_range[t]
            & (to_tec <= rules.max_count_to_tec_min * 60)
            & (base_night[t] <= rules.max_base_to_count_min * 60)
        )
        count_cands.append(_per_tec_pick(ok_count, stations, options.count_candidates, rng))
        if not opening_cands[-1]:
            notes.append(
                f"{teams[t].team_id}: no station reachable from the base before the opening"
            )
        if not count_cands[-1]:
            notes.append(
                f"{teams[t].team_id}: no count station within "
                f"{rules.max_count_to_tec_min} min of its TEC, "
                f"{rules.max_base_to_count_min} min of the base and in range of it"
            )

    # First ask for every team that has candidates; only if that is impossible let CP-SAT
    # leave teams out (it then plans as many as it can).
    reachable = [bool(o and c) for o, c in zip(opening_cands, count_cands, strict=True)]
    assignments = _choose_open_count(
        problem,
        stations,
        opening_cands,
        count_cands,
        base_night,
        urban,
        urban_share,
        rng,
        required=reachable,
    )
    if assignments is None:
        assignments = _choose_open_count(
            problem,
            stations,
            opening_cands,
            count_cands,
            base_night,
            urban,
            urban_share,
            rng,
            required=[False] * len(teams),
        )
    if assignments is None:
        notes.append("no opening/count assignment found in the search limit")
        assignments = []
    planned = {a.team_id for a in assignments}
    notes.extend(
        f"{t.team_id}: not planned (no distinct opening and count station available)"
        for t in teams
        if t.team_id not in planned and not any(n.startswith(t.team_id) for n in notes)
    )

    fixed = {a.opening for a in assignments} | {a.count for a in assignments}
    expected_visits = len(teams) * options.expected_visits_per_team
    caps = district_caps(stations, expected_visits, rules.district_max_share_factor)
    eligible = in_range.any(axis=0)
    pool = _voting_pool(stations, eligible, fixed, caps, options.pool_factor * expected_visits, rng)
    return AreaSample(tuple(assignments), tuple(pool), weights, caps, tuple(notes))


def _stratified_pick(
    indices: np.ndarray, urban: np.ndarray, k: int, rng: np.random.Generator
) -> list[int]:
    """Up to `k` indices at random, urban and rural in their proportions."""
    if len(indices) <= k:
        return [int(i) for i in indices]
    chosen: list[int] = []
    for flag in (True, False):
        part = indices[urban[indices] == flag]
        take = round(k * len(part) / len(indices))
        if take and len(part):
            chosen.extend(
                int(i) for i in rng.choice(part, size=min(take, len(part)), replace=False)
            )
    return sorted(chosen)


def _per_tec_pick(
    indices: np.ndarray, stations: list[Station], k: int, rng: np.random.Generator
) -> list[int]:
    """Up to `k` count candidates spread over as many TECs as possible."""
    by_tec: dict[str, list[int]] = defaultdict(list)
    for i in indices:
        by_tec[stations[i].tec_id].append(int(i))
    per = max(2, math.ceil(k / max(1, len(by_tec))))
    chosen: list[int] = []
    for tec in sorted(by_tec):
        group = np.array(by_tec[tec])
        take = min(per, len(group))
        chosen.extend(int(i) for i in rng.choice(group, size=take, replace=False))
    return sorted(chosen)


def _choose_open_count(
    problem: AreaProblem,
    stations: list[Station],
    opening_cands: list[list[int]],
    count_cands: list[list[int]],
    base_night: np.ndarray,
    urban: np.ndarray,
    urban_share: float | None,
    rng: np.random.Generator,
    *,
    required: list[bool],
) -> list[TeamAssignment] | None:
    rules = problem.rules
    model = cp_model.CpModel()
    n = len(problem.teams)
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    y: dict[tuple[int, int], cp_model.IntVar] = {}
    active: dict[int, cp_model.IntVar] = {}
    for t in range(n):
        for s in opening_cands[t]:
            x[t, s] = model.new_bool_var(f"open_{t}_{s}")
        for s in count_cands[t]:
            y[t, s] = model.new_bool_var(f"count_{t}_{s}")
        # A team is planned only if it gets both an opening and a count station.
        active[t] = model.new_bool_var(f"active_{t}")
        if required[t]:
            model.add(active[t] == 1)
        model.add(sum(x[t, s] for s in opening_cands[t]) == active[t])
        model.add(sum(y[t, s] for s in count_cands[t]) == active[t])
        if not rules.allow_same_opening_count:
            for s in set(opening_cands[t]) & set(count_cands[t]):
                model.add(x[t, s] + y[t, s] <= 1)
    by_station_open: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_station_count: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (_t, s), var in x.items():
        by_station_open[s].append(var)
    for (_t, s), var in y.items():
        by_station_count[s].append(var)
    for group in (*by_station_open.values(), *by_station_count.values()):
        if len(group) > 1:
            model.add_at_most_one(group)
    # Opening and count stations are never shared between teams in either phase.
    for s in set(by_station_open) & set(by_station_count):
        model.add(sum(by_station_open[s]) + sum(by_station_count[s]) <= 1)

    # Tabulation: team t follows its count protocol to TEC k; one team per TEC.
    follow: dict[tuple[int, str], cp_model.IntVar] = {}
    for t in range(n):
        tecs_t: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for s in count_cands[t]:
            tecs_t[stations[s].tec_id].append(y[t, s])
        for tec, vars_ in tecs_t.items():
            f = model.new_bool_var(f"follow_{t}_{tec}")
            model.add(f <= sum(vars_))
            follow[t, tec] = f
    by_tec: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (_t, tec), f in follow.items():
        by_tec[tec].append(f)
    for group in by_tec.values():
        model.add_at_most_one(group)

    # Urban/rural mix of openings and of counts near the area's: soft, so a team that can
    # only reach town stations still gets a plan.
    mix_excess: list[cp_model.IntVar] = []
    if urban_share is not None:
        low, high = urban_bounds(n, urban_share, rules.urban_rural_tolerance_pp)
        for chosen in (x, y):
            total = sum(var for (t, s), var in chosen.items() if urban[s])
            over = model.new_int_var(0, n, "over")
            under = model.new_int_var(0, n, "under")
            model.add(total - over <= high)
            model.add(total + under >= low)
            mix_excess.extend((over, under))

    noise = rng.integers(0, 60, size=len(stations))
    cost = []
    for (t, s), var in x.items():
        cost.append(var * (int(base_night[t, s]) // 60 + int(noise[s])))
    for (t, s), var in y.items():
        cost.append(var * (int(base_night[t, s]) // 60 + int(noise[s])))
    model.maximize(TEC_WEIGHT * sum(follow.values()) - MIX_WEIGHT * sum(mix_excess) - sum(cost))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = int(problem.seed % (2**31))
    solver.parameters.max_deterministic_time = 0.5
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    result = []
    for t, team in enumerate(problem.teams):
        if not solver.value(active[t]):
            continue
        opening = next(s for s in opening_cands[t] if solver.value(x[t, s]))
        count = next(s for s in count_cands[t] if solver.value(y[t, s]))
        tec = stations[count].tec_id
        follows = (t, tec) in follow and solver.value(follow[t, tec])
        result.append(
            TeamAssignment(
                team.team_id,
                stations[opening].station_id,
                stations[count].station_id,
                tec if follows else None,
            )
        )
    return result


def _voting_pool(
    stations: list[Station],
    eligible: np.ndarray,
    fixed: set[str],
    caps: dict[str, int],
    size: float,
    rng: np.random.Generator,
) -> list[str]:
    """Random candidate voting stations, stratified by district and capped per district."""
    by_district: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(stations):
        if eligible[i] and s.station_id not in fixed and s.kind is not StationKind.ABROAD:
            by_district[s.district].append(i)
    available = sum(len(v) for v in by_district.values())
    if available == 0:
        return []
    pool: list[str] = []
    for district in sorted(by_district):
        members = np.array(by_district[district])
        target = math.ceil(size * len(members) / available)
        take = min(len(members), caps.get(district, 1), target)
        picked = rng.choice(members, size=take, replace=False)
        pool.extend(stations[i].station_id for i in sorted(int(p) for p in picked))
    return pool
