"""Who observes what: seeded, stratified choices that officials cannot predict.

For one area (or one part of a dense area) this picks, before any routing, each team's
fixed stops for the phases the mission observes (`Rules.phases`):
- an opening station;
- an evening station: the count station (counting at the station) or the closing station;
- a count commission when counting at the commission: the closing station's commission,
  or one near the base when the closing is not observed;
- the commission the team follows the tabulation to: `Phases.tabulation_level` above the
  count (or closing) station's commission, at most `teams_per_commission` teams each, as
  many distinct commissions as possible first.
CP-SAT chooses them together (distinct stations, the evening station close to the
commission it leads to, the urban/rural mix of openings and evening stations near the
area's); when its work limit ends without an answer, a greedy assignment takes over, so a
team with candidates always gets a day. Then a pool of candidate voting stations is drawn
at random, stratified by district so that no district can receive more than its cap of
visits; the router decides which pool stations each team actually visits.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from planner.balance import district_cap
from planner.capacity import visits_per_team
from planner.model import CountingPlace, Setting, Station, StationKind, commission_at_level
from planner.problem import AreaProblem
from planner.repair import with_stops_done
from planner.schedule import (
    NO_COMMISSION,
    NO_EVENING,
    NO_OPENING,
    TAKEN,
    AreaSample,
    TeamAssignment,
)
from planner.travel import Place, TravelModel, great_circle_km

# The plan's "distinct TECs" objective dominates everything else in the CP-SAT model.
TEC_WEIGHT = 1_000_000
# With several teams per commission, each team following one after the first.
FOLLOW_WEIGHT = 100_000
# One opening or count outside the area's urban/rural band costs more than any travel saving.
MIX_WEIGHT = 10_000
# When not every team can be planned: each planned team outweighs everything else.
PLANNED_WEIGHT = 1_000_000_000
# Cost of a choice nobody can reach (never chosen: such candidates are filtered out).
UNREACHABLE = 10**9


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
    # Fixed stops a re-plan's teams made before its time stay theirs, even if reported
    # closed since (`planner.election` routes none of them again).
    so_far = problem.resume.so_far if problem.resume is not None else {}
    made = {s.site_id for stops in so_far.values() for s in stops if s.phase != "voting"}
    return [
        s
        for s in problem.stations
        if (s.station_id not in problem.excluded or s.station_id in made)
        and s.kind is not StationKind.ABROAD
        and (rules.route_unlocated_stations or not s.unlocated)
    ]


@dataclass(frozen=True)
class _Candidates:
    """Per team, what it may be given, as indices into the area's stations or commission
    ids; plus, per evening station and per count commission, the commission its
    tabulation goes to (None: none it may follow)."""

    opening: list[list[int]]
    evening: list[list[int]]
    # Count commissions chosen directly (counting at the commission, closing not observed).
    count_commissions: list[list[str]]
    # Commissions followed directly (tabulation without a count or closing station).
    follow_only: list[list[str]]
    follow_of_station: dict[int, str | None]
    follow_of_commission: dict[str, str | None]
    # The commission that counts an evening station's ballots (counting at the commission).
    count_of_station: dict[int, str]
    # Travel from each team's base to each candidate commission, seconds (night).
    base_to_commission: dict[tuple[int, str], int]
    # (team, commission) pairs too far from the team's base to drive home after the
    # tabulation there (`max_drive_home_after_tabulation_min`).
    too_far_home: frozenset[tuple[int, str]] = frozenset()
    # Commissions a re-plan keeps for the team (by index) that followed them before.
    kept_for: dict[str, int] = field(default_factory=dict)

    def follows(self, t: int, tec: str | None) -> str | None:
        """The commission team `t` may follow a protocol to, if it may."""
        if tec is None or (t, tec) in self.too_far_home or self.kept_for.get(tec, t) != t:
            return None
        return tec


def sample_area(problem: AreaProblem, travel: TravelModel) -> AreaSample:
    rng = np.random.default_rng(problem.seed)
    rules, options = problem.rules, problem.options
    phases = rules.phases
    stations = routable_stations(problem)
    notes: list[str] = []
    teams = problem.teams
    weights = {
        s.station_id: float(w)
        for s, w in zip(stations, rng.uniform(1.0, 2.0, len(stations)), strict=True)
    }
    had = _previous_visits(problem, weights.keys())
    for station_id in had:
        weights[station_id] += options.keep_visit_weight

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
    tec_col = {c: j for j, c in enumerate(tec_ids)}
    # Each station's night drive to its own commission and to the one its protocol goes
    # to at the tabulation level, a column per commission for the stations that need it
    # (a matrix to every commission of a large area would take gigabytes).
    wanted: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(stations):
        above = commission_at_level(s.tec_id, phases.tabulation_level, tecs)
        for tec in {s.tec_id, above}:
            if tec is not None and tec in tecs:
                wanted[tec].append(i)
    legs: dict[tuple[int, str], int] = {}
    for tec, rows in wanted.items():
        seat = tecs[tec]
        column = travel.durations(
            [places[i] for i in rows], [Place(tec, seat.lon, seat.lat, True)], night=True
        )[:, 0]
        legs.update(((i, tec), int(d)) for i, d in zip(rows, column, strict=True))

    def leg_to(i: int, tec: str | None) -> int:
        return legs.get((i, tec), UNREACHABLE) if tec is not None else UNREACHABLE

    followable = tecs.keys() - problem.foreign_commissions
    level = phases.tabulation_level

    def follow_of(tec: str) -> str | None:
        if not phases.tabulation:
            return None
        target = commission_at_level(tec, level, tecs)
        return target if target in followable else None

    follow_of_station = {i: follow_of(s.tec_id) for i, s in enumerate(stations)}
    count_of_station = {
        i: s.tec_id
        for i, s in enumerate(stations)
        if phases.counting is CountingPlace.COMMISSION and s.tec_id in followable
    }
    count_minutes = problem.commission_count_min
    count_ends = {
        c: rules.commission_count_start_after_close_min + count_minutes.get(c, 0) for c in tec_ids
    }
    evening = phases.evening_station
    direct_count = phases.counting is CountingPlace.COMMISSION and evening is None
    direct_follow = (
        phases.tabulation and evening is None and phases.counting is not CountingPlace.COMMISSION
    )
    base_to_tec = (
        travel.durations(bases, tec_places, night=True)
        if (direct_count or direct_follow) and tec_places
        else np.zeros((len(bases), len(tec_places)), dtype=np.int64)
    )
    reach_s = (
        (rules.polls_open.hour * 60 + rules.polls_open.minute - rules.opening_arrive_before_min)
        - (options.earliest_departure.hour * 60 + options.earliest_departure.minute)
    ) * 60
    urban = np.array([s.setting is Setting.URBAN for s in stations])
    urban_share = float(urban.mean()) if len(stations) else 0.0

    # How far an evening station may be from the commission it leads to, by night: the
    # count commission (its count starts a set time after the close, the closing stay
    # comes first) or else the tabulation commission.
    if evening == "closing" and phases.counting is CountingPlace.COMMISSION:
        link_s = 60 * min(
            rules.max_count_to_tec_min,
            rules.commission_count_start_after_close_min - rules.closing_stay_after_close_min,
        )
        links = np.array(
            [leg_to(i, count_of_station.get(i)) for i in range(len(stations))], dtype=np.int64
        )
        linked = links <= link_s
    elif phases.tabulation:
        # Whether or not this team may follow it: the checker holds every count station
        # to the commission it reports to.
        reports_to = [commission_at_level(s.tec_id, level, tecs) for s in stations]
        links = np.array(
            [leg_to(i, tec) if tec is not None else 0 for i, tec in enumerate(reports_to)],
            dtype=np.int64,
        )
        linked = links <= rules.max_count_to_tec_min * 60
    else:
        linked = np.ones(len(stations), dtype=bool)

    commission_stations = Counter(s.tec_id for s in stations)
    count_tecs = sorted(c for c in commission_stations if c in followable)
    follow_tecs = sorted({f for c in commission_stations if (f := follow_of(c)) is not None})
    # The night drive home after the tabulation: a team follows a protocol only to a
    # commission within `max_drive_home_after_tabulation_min` of its base.
    home_tecs = sorted({f for f in follow_of_station.values() if f is not None} | set(follow_tecs))
    home_row = {c: j for j, c in enumerate(home_tecs)}
    home_s = (
        travel.durations([tec_places[tec_col[c]] for c in home_tecs], bases, night=True)
        if home_tecs
        else np.zeros((0, len(bases)), dtype=np.int64)
    )
    home_near = home_s <= rules.max_drive_home_after_tabulation_min * 60

    def home_ok(t: int, follow: str | None) -> bool:
        return follow is None or bool(home_near[home_row[follow], t])

    too_far_home = frozenset(
        (t, c) for c, j in home_row.items() for t in np.flatnonzero(~home_near[j]).tolist()
    )
    cands = _Candidates([], [], [], [], follow_of_station, {}, count_of_station, {}, too_far_home)
    for t in range(len(teams)):
        if phases.opening:
            ok_open = np.flatnonzero(in_range[t] & (base_night[t] <= reach_s))
            cands.opening.append(_stratified_pick(ok_open, urban, options.opening_candidates, rng))
        else:
            cands.opening.append([])
        if evening is not None:
            ok_evening = np.flatnonzero(
                in_range[t] & linked & (base_night[t] <= rules.max_base_to_count_min * 60)
            )
            cands.evening.append(_per_tec_pick(ok_evening, stations, options.count_candidates, rng))
        else:
            cands.evening.append([])
        if direct_count:
            near = [
                c
                for c in count_tecs
                if base_to_tec[t, tec_col[c]] <= rules.max_base_to_count_min * 60
            ]
            for c in near:
                cands.base_to_commission[t, c] = int(base_to_tec[t, tec_col[c]])
            cands.count_commissions.append(near)
        else:
            cands.count_commissions.append([])
        if direct_follow:
            near = [
                c
                for c in follow_tecs
                if base_to_tec[t, tec_col[c]] <= rules.max_base_to_count_min * 60 and home_ok(t, c)
            ]
            for c in near:
                cands.base_to_commission[t, c] = int(base_to_tec[t, tec_col[c]])
            cands.follow_only.append(near)
        else:
            cands.follow_only.append([])
    for c in count_tecs:
        fits = count_ends[c] * 60 + problem.clock(rules.polls_close, tecs[c].tz) <= problem.clock(
            rules.tec_arrive_until, tecs[c].tz, next_day=True
        )
        cands.follow_of_commission[c] = follow_of(c) if fits else None
    if evening == "closing" and phases.counting is CountingPlace.COMMISSION:
        # The tabulation follows the count: only when the count ends in time for it.
        for i, c in count_of_station.items():
            if cands.follow_of_commission.get(c) is None:
                cands.follow_of_station[i] = None

    _keep_fixed_stops(problem, stations, cands)
    _not_again(problem, stations, cands)

    unplanned: dict[str, str] = {}
    for t, team in enumerate(teams):
        if phases.opening and not cands.opening[t]:
            unplanned[team.team_id] = NO_OPENING
            notes.append(f"{team.team_id}: no station reachable from the base before the opening")
        elif evening is not None and not cands.evening[t]:
            unplanned[team.team_id] = NO_EVENING
            notes.append(f"{team.team_id}: {_no_evening_note(problem)}")
        elif direct_count and not cands.count_commissions[t]:
            unplanned[team.team_id] = NO_COMMISSION
            notes.append(
                f"{team.team_id}: no commission to observe the count at within "
                f"{rules.max_base_to_count_min} min of the base at night"
            )

    # First ask for every team that has candidates; only if that is impossible let CP-SAT
    # leave teams out (it then plans as many as it can).
    reachable = [team.team_id not in unplanned for team in teams]
    assignments, status = _choose(
        problem, stations, cands, base_night, urban, urban_share, rng, required=reachable
    )
    if assignments is None:
        assignments, status = _choose(
            problem,
            stations,
            cands,
            base_night,
            urban,
            urban_share,
            rng,
            required=[False] * len(teams),
        )
    if assignments is None:
        notes.append(
            f"the choice of fixed stops stopped at its work limit ({status}): "
            "teams were given theirs greedily (urban/rural mix not balanced)"
        )
        assignments = _greedy(problem, stations, cands, base_night, reachable)
    planned = {a.team_id for a in assignments}
    for t, team in enumerate(teams):
        if team.team_id in planned or team.team_id in unplanned:
            continue
        unplanned[team.team_id] = TAKEN
        notes.append(
            f"{team.team_id}: not planned: its {_candidate_counts(cands, t)} were all taken "
            "by other teams"
        )

    fixed = {s for a in assignments for s in (a.opening, a.closing) if s is not None}
    if phases.counting is CountingPlace.STATION:
        fixed |= {a.count for a in assignments if a.count is not None}
    per_team = visits_per_team(problem, travel)[1]
    expected_visits = len(teams) * per_team
    # A re-plan of some of the area's teams draws the share of the stations around them
    # that the whole area's plan drew (the pool for every team of the area, over all its
    # stations), and caps districts as that plan did: a pool sized for the re-planned
    # teams alone, spread over the whole area, left them few stations near their routes.
    share = 0.0
    if problem.kept_teams is not None:
        expected_visits = (len(teams) + problem.kept_teams.teams) * per_team
        share = options.pool_factor * expected_visits / max(1, len(problem.stations))
    caps = district_caps(stations, expected_visits, rules.district_max_share_factor)
    eligible = in_range.any(axis=0)
    pool = (
        _voting_pool(
            stations,
            eligible,
            fixed,
            caps,
            options.pool_factor * len(teams) * per_team,
            rng,
            share=share,
        )
        if phases.voting
        else []
    )
    if phases.voting and had:
        # What the re-planned teams visited before is offered again, wherever still in
        # reach of a team and not a fixed stop now.
        index = {s.station_id: i for i, s in enumerate(stations)}
        drawn = set(pool)
        pool += [s for s in had if s not in drawn and s not in fixed and eligible[index[s]]]
    followed_in_reach = {
        tec
        for t in range(len(teams))
        for tec in (
            *(cands.follows(t, cands.follow_of_station.get(s)) for s in cands.evening[t]),
            *(
                cands.follows(t, cands.follow_of_commission.get(c))
                for c in cands.count_commissions[t]
            ),
            *cands.follow_only[t],
        )
        if tec is not None
    }
    counted_in_reach = {
        tec
        for t in range(len(teams))
        for tec in (
            *(cands.count_of_station.get(s) for s in cands.evening[t]),
            *cands.count_commissions[t],
        )
        if tec is not None
    }
    return AreaSample(
        tuple(assignments),
        tuple(pool),
        weights,
        caps,
        tuple(notes),
        unplanned=unplanned,
        commissions_in_reach={
            "tabulation": len(followed_in_reach),
            "counting": len(counted_in_reach),
        },
    )


def _previous_visits(problem: AreaProblem, routable: Iterable[str]) -> list[str]:
    """The voting visits this problem's teams had in the plan a re-plan changes
    (`AreaProblem.previous_visits`), still routable and not already made before the
    re-plan's time, in a fixed order."""
    ours = {t.team_id for t in problem.teams}
    made: set[str] = set()
    if problem.resume is not None:
        made = {s.site_id for t in ours for s in problem.resume.done(t) if s.phase == "voting"}
    allowed = set(routable) - made
    seen: dict[str, None] = {}
    for team in sorted(ours & problem.previous_visits.keys()):
        for station_id in problem.previous_visits[team]:
            if station_id in allowed:
                seen.setdefault(station_id)
    return list(seen)


def _keep_fixed_stops(problem: AreaProblem, stations: list[Station], cands: _Candidates) -> None:
    """A re-plan that keeps teams' fixed stops (`AreaProblem.kept`) offers each such team
    only its own opening, count or closing station and count commission, each where it is
    still open; a stop the field reports closed is chosen anew from the usual candidates.
    The commission it followed comes with its evening station, as before."""
    kept = problem.kept if problem.resume is None else with_stops_done(problem.kept, problem.resume)
    if not kept:
        return
    phases = problem.rules.phases
    index = {s.station_id: i for i, s in enumerate(stations)}
    evening_at_count = phases.evening_station == "counting"
    # What a kept team keeps, by station index and by commission: no other team gets it.
    owner: dict[int, int] = {}
    owner_of_commission: dict[str, int] = {}
    for t, team in enumerate(problem.teams):
        keep = kept.get(team.team_id)
        if keep is None:
            continue
        if phases.opening and keep.opening in index:
            cands.opening[t] = [index[keep.opening]]
            owner[index[keep.opening]] = t
        evening = keep.count if evening_at_count else keep.closing
        if phases.evening_station is not None and evening in index:
            cands.evening[t] = [index[evening]]
            owner[index[evening]] = t
        if keep.count in cands.count_commissions[t]:
            cands.count_commissions[t][:] = [keep.count]
        if keep.tabulation_tec in cands.follow_only[t]:
            cands.follow_only[t][:] = [keep.tabulation_tec]
        for tec in (keep.tabulation_tec, keep.count):
            if tec is not None and tec not in index:
                owner_of_commission[tec] = t
        if keep.tabulation_tec is not None:
            cands.kept_for[keep.tabulation_tec] = t
    for t in range(len(problem.teams)):
        for offered in (cands.opening, cands.evening):
            offered[t][:] = [i for i in offered[t] if owner.get(i, t) == t]
        for named in (cands.count_commissions, cands.follow_only):
            named[t][:] = [c for c in named[t] if owner_of_commission.get(c, t) == t]


def _not_again(problem: AreaProblem, stations: list[Station], cands: _Candidates) -> None:
    """In a re-plan from a time of day, a team is offered no opening or evening station
    it has already visited to observe voting: that would be a second visit."""
    if problem.resume is None:
        return
    for t, team in enumerate(problem.teams):
        voted = {s.site_id for s in problem.resume.done(team.team_id) if s.phase == "voting"}
        if not voted:
            continue
        for offered in (cands.opening, cands.evening):
            offered[t][:] = [i for i in offered[t] if stations[i].station_id not in voted]


def _no_evening_note(problem: AreaProblem) -> str:
    rules = problem.rules
    phases = rules.phases
    what = "count" if phases.evening_station == "counting" else "closing"
    reach = f"{rules.max_base_to_count_min} min of the base and in range of it"
    if phases.counting is CountingPlace.COMMISSION:
        return f"no {what} station close enough to its commission's count, within {reach}"
    if phases.tabulation:
        return f"no {what} station within {rules.max_count_to_tec_min} min of its TEC, {reach}"
    return f"no {what} station within {reach}"


def _candidate_counts(cands: _Candidates, t: int) -> str:
    parts = [
        f"{len(cands.opening[t])} opening",
        f"{len(cands.evening[t])} evening-station",
        f"{len(cands.count_commissions[t])} count-commission",
    ]
    return ", ".join(p for p in parts if not p.startswith("0 ")) + " candidates"


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


def _choose(
    problem: AreaProblem,
    stations: list[Station],
    cands: _Candidates,
    base_night: np.ndarray,
    urban: np.ndarray,
    urban_share: float | None,
    rng: np.random.Generator,
    *,
    required: list[bool],
) -> tuple[list[TeamAssignment] | None, str]:
    """Every team's fixed stops by CP-SAT, and the solver's status."""
    rules = problem.rules
    phases = rules.phases
    per_commission = phases.teams_per_commission
    model = cp_model.CpModel()
    n = len(problem.teams)
    opening, evening, direct = cands.opening, cands.evening, cands.count_commissions
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    y: dict[tuple[int, int], cp_model.IntVar] = {}
    z: dict[tuple[int, str], cp_model.IntVar] = {}
    active: dict[int, cp_model.IntVar] = {}
    for t in range(n):
        for s in opening[t]:
            x[t, s] = model.new_bool_var(f"open_{t}_{s}")
        for s in evening[t]:
            y[t, s] = model.new_bool_var(f"count_{t}_{s}")
        for c in direct[t]:
            z[t, c] = model.new_bool_var(f"at_{t}_{c}")
        # A team is planned only if it gets a stop for every fixed phase observed.
        active[t] = model.new_bool_var(f"active_{t}")
        if required[t]:
            model.add(active[t] == 1)
        if phases.opening:
            model.add(sum(x[t, s] for s in opening[t]) == active[t])
        if phases.evening_station is not None:
            model.add(sum(y[t, s] for s in evening[t]) == active[t])
        if phases.counting is CountingPlace.COMMISSION and phases.evening_station is None:
            model.add(sum(z[t, c] for c in direct[t]) == active[t])
        if not rules.allow_same_opening_count:
            for s in set(opening[t]) & set(evening[t]):
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
    # Opening and evening stations are never shared between teams in either phase.
    for s in set(by_station_open) & set(by_station_count):
        model.add(sum(by_station_open[s]) + sum(by_station_count[s]) <= 1)

    # Counting at the commission: at most `teams_per_commission` teams at each count.
    if phases.counting is CountingPlace.COMMISSION:
        at_count: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for (_t, s), var in y.items():
            at_count[cands.count_of_station[s]].append(var)
        for (_t, c), var in z.items():
            at_count[c].append(var)
        for group in at_count.values():
            if len(group) > per_commission:
                model.add(sum(group) <= per_commission)

    # Tabulation: team t follows its count (or closing) protocol to commission k.
    follow: dict[tuple[int, str], cp_model.IntVar] = {}
    for t in range(n):
        tecs_t: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for s in evening[t]:
            tec = cands.follows(t, cands.follow_of_station.get(s))
            if tec is not None:
                tecs_t[tec].append(y[t, s])
        for c in direct[t]:
            tec = cands.follows(t, cands.follow_of_commission.get(c))
            if tec is not None:
                tecs_t[tec].append(z[t, c])
        for tec, vars_ in tecs_t.items():
            f = model.new_bool_var(f"follow_{t}_{tec}")
            model.add(f <= sum(vars_))
            follow[t, tec] = f
        if cands.follow_only[t]:
            only = []
            for tec in cands.follow_only[t]:
                f = model.new_bool_var(f"follow_{t}_{tec}")
                follow[t, tec] = f
                only.append(f)
            model.add(sum(only) <= active[t])
    by_tec: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (_t, tec), f in follow.items():
        by_tec[tec].append(f)
    distinct: list[cp_model.IntVar] = []
    for tec, group in by_tec.items():
        if per_commission == 1:
            model.add_at_most_one(group)
        else:
            model.add(sum(group) <= per_commission)
            d = model.new_bool_var(f"distinct_{tec}")
            model.add(d <= sum(group))
            distinct.append(d)

    # Urban/rural mix of openings and of evening stations near the area's: soft, so a team
    # that can only reach town stations still gets a plan.
    mix_excess: list[cp_model.IntVar] = []
    if urban_share is not None:
        low, high = urban_bounds(n, urban_share, rules.urban_rural_tolerance_pp)
        for chosen in (x, y):
            if not chosen:
                continue
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
    for (t, c), var in z.items():
        cost.append(var * (cands.base_to_commission[t, c] // 60))
    for (t, c), var in follow.items():
        if (t, c) in cands.base_to_commission and cands.follow_only[t]:
            cost.append(var * (cands.base_to_commission[t, c] // 60))
    if per_commission == 1:
        gain = TEC_WEIGHT * sum(follow.values())
    else:
        gain = TEC_WEIGHT * sum(distinct) + FOLLOW_WEIGHT * sum(follow.values())
    if not any(required):
        gain += PLANNED_WEIGHT * sum(active.values())
    model.maximize(gain - MIX_WEIGHT * sum(mix_excess) - sum(cost))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = int(problem.seed % (2**31))
    solver.parameters.max_deterministic_time = problem.options.sampling_work_limit
    solver.parameters.max_time_in_seconds = max(0.01, problem.seconds_left())
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, name
    result = []
    for t, team in enumerate(problem.teams):
        if not solver.value(active[t]):
            continue
        open_at = next((s for s in opening[t] if solver.value(x[t, s])), None)
        evening_at = next((s for s in evening[t] if solver.value(y[t, s])), None)
        direct_at = next((c for c in direct[t] if solver.value(z[t, c])), None)
        followed = next((tec for (u, tec), f in follow.items() if u == t and solver.value(f)), None)
        result.append(
            _assignment(
                problem, stations, cands, team.team_id, open_at, evening_at, direct_at, followed
            )
        )
    return result, name


def _assignment(
    problem: AreaProblem,
    stations: list[Station],
    cands: _Candidates,
    team_id: str,
    opening: int | None,
    evening: int | None,
    direct: str | None,
    followed: str | None,
) -> TeamAssignment:
    """A team's fixed stops from the chosen indices: the evening station is the count
    station when counting at the station, else the closing station (whose commission then
    holds the count when counting at the commission)."""
    phases = problem.rules.phases
    open_id = stations[opening].station_id if opening is not None else None
    evening_id = stations[evening].station_id if evening is not None else None
    if phases.counting is CountingPlace.STATION:
        return TeamAssignment(team_id, open_id, evening_id, followed)
    count: str | None = None
    if phases.counting is CountingPlace.COMMISSION:
        count = direct if evening is None else cands.count_of_station[evening]
    return TeamAssignment(team_id, open_id, count, followed, evening_id)


def _greedy(
    problem: AreaProblem,
    stations: list[Station],
    cands: _Candidates,
    base_night: np.ndarray,
    reachable: list[bool],
) -> list[TeamAssignment]:
    """Fixed stops without CP-SAT: teams with the fewest candidates choose first, each the
    nearest free ones, preferring a commission nobody follows yet. Distinct stations and
    the per-commission limits hold; the urban/rural mix is not balanced."""
    rules = problem.rules
    per_commission = rules.phases.teams_per_commission
    taken: set[int] = set()
    at_count: Counter[str] = Counter()
    following: Counter[str] = Counter()

    def fewest(t: int) -> tuple[int, int]:
        lists = (cands.opening[t], cands.evening[t], cands.count_commissions[t])
        return min((len(c) for c in lists if c), default=0), t

    result: dict[int, TeamAssignment] = {}
    for t in sorted((t for t in range(len(problem.teams)) if reachable[t]), key=fewest):

        def nearest(s: int, t: int = t) -> tuple[int, int]:
            return int(base_night[t, s]), s

        opening = next((s for s in sorted(cands.opening[t], key=nearest) if s not in taken), None)
        if rules.phases.opening and opening is None:
            continue

        def free(s: int, opening: int | None = opening) -> bool:
            if s in taken or (s == opening and not rules.allow_same_opening_count):
                return False
            count = cands.count_of_station.get(s)
            return count is None or at_count[count] < per_commission

        def spread(s: int, t: int = t) -> tuple[int, int, int]:
            """A commission nobody follows first, then one with room, then the rest."""
            tec = cands.follows(t, cands.follow_of_station.get(s))
            if tec is None or following[tec] >= per_commission:
                return 2, int(base_night[t, s]), s
            return min(following[tec], 1), int(base_night[t, s]), s

        evening = next((s for s in sorted(cands.evening[t], key=spread) if free(s)), None)
        if rules.phases.evening_station is not None and evening is None:
            continue

        def nearest_commission(c: str, t: int = t) -> tuple[int, int, str]:
            return at_count[c] + following[c], cands.base_to_commission[t, c], c

        direct = min(
            (c for c in cands.count_commissions[t] if at_count[c] < per_commission),
            key=nearest_commission,
            default=None,
        )
        if cands.count_commissions[t] and direct is None:
            continue
        if evening is not None:
            tec = cands.follows(t, cands.follow_of_station.get(evening))
        elif direct is not None:
            tec = cands.follows(t, cands.follow_of_commission.get(direct))
        else:
            tec = min(cands.follow_only[t], key=nearest_commission, default=None)
        if tec is not None and following[tec] >= per_commission:
            tec = None
        team_id = problem.teams[t].team_id
        chosen = _assignment(problem, stations, cands, team_id, opening, evening, direct, tec)
        taken.update(s for s in (opening, evening) if s is not None)
        if rules.phases.counting is CountingPlace.COMMISSION and chosen.count is not None:
            at_count[chosen.count] += 1
        if tec is not None:
            following[tec] += 1
        result[t] = chosen
    return [result[t] for t in sorted(result)]


def _voting_pool(
    stations: list[Station],
    eligible: np.ndarray,
    fixed: set[str],
    caps: dict[str, int],
    size: float,
    rng: np.random.Generator,
    *,
    share: float = 0.0,
) -> list[str]:
    """Random candidate voting stations, stratified by district and capped per district:
    `size` of them, or `share` of the stations available if that is more."""
    by_district: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(stations):
        if eligible[i] and s.station_id not in fixed and s.kind is not StationKind.ABROAD:
            by_district[s.district].append(i)
    available = sum(len(v) for v in by_district.values())
    if available == 0:
        return []
    size = max(size, share * available)
    pool: list[str] = []
    for district in sorted(by_district):
        members = np.array(by_district[district])
        target = math.ceil(size * len(members) / available)
        take = min(len(members), caps.get(district, 1), target)
        picked = rng.choice(members, size=take, replace=False)
        pool.extend(stations[i].station_id for i in sorted(int(p) for p in picked))
    return pool
