"""Route mode on election-day areas of real geography: our search against plain PyVRP.

Instances are route-mode problems built from the default mission (`geodata/kazakhstan-2022`):
an area's STO teams at their bases and a seeded sample of the area's stations near them,
each worth a seeded random weight of 1-150, a 30-minute stay starting between 07:00 and
19:30, teams out from 06:00 and back by 20:30; travel is the planner's great-circle
model. Three kinds of area (as in the issue that asked for route mode's quality):

    city    AOR-02 (Almaty)           600 stations, 12 teams
    mixed   AOR-04 (Karagandy)        700 stations, 10 teams
    rural   AOR-11 (Kostanay)         400 stations,  6 teams

Solvers, each in its own process, at most two at once, on the same `RoutingInput`
(`planner.route.routing_input`):

- `ours`: route mode's search, `planner.route.route_search` (PyVRP for the iterations the
  time limit stands for, with set partitioning over its routes);
- `pyvrp`: PyVRP 0.14 alone on the same model (`planner.pyvrp_router`'s encoding), for
  the wall-clock time limit.

Every plan is replayed (`planner.feasibility`) and scored by the weight it visits; a
plan breaking a rule scores 0 and is listed.

    python bench/route_areas.py --limits 5,30 --seeds 0,1,2
    python bench/route_areas.py --kinds rural --limits 5 --minutes 10,100  # time units
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock
from pathlib import Path
from statistics import mean
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from toptw import print_table

# kind -> (area, stations, teams)
KINDS = {"city": ("AOR-02", 600, 12), "mixed": ("AOR-04", 700, 10), "rural": ("AOR-11", 400, 6)}
SOLVERS = ("ours", "pyvrp")
MAX_JOBS = 2
STAY_MIN, OPEN, CLOSE, LEAVE, BACK = 30, clock(7, 0), clock(19, 30), clock(6, 0), clock(20, 30)
# Stations sampled among those within this distance of some team base (km).
REACH_KM = 150.0


@dataclass(frozen=True)
class Job:
    kind: str
    solver: str
    limit: float
    seed: int
    minutes: int  # seconds of the instance per minute: 60 = real time; 600 = x10 ...


@dataclass(frozen=True)
class Row:
    kind: str
    solver: str
    limit: float
    seed: int
    minutes: int
    weight: float
    feasible: bool
    visits: int
    wall_s: float
    cpu_s: float
    work: float
    cut_by_time: bool
    problem: str


def area_problem(kind: str, *, instance_seed: int = 20221120):  # type: ignore[no-untyped-def]
    """The route-mode problem of one kind of area (module docstring)."""
    from planner.datasets import get_path
    from planner.geodata import load_mission
    from planner.route import RouteStation, RouteTeam, route_problem
    from planner.travel import GreatCircleTravel, great_circle_km

    area_id, n_stations, n_teams = KINDS[kind]
    mission = load_mission(get_path())
    area = mission.area_by_id[area_id]
    teams = [t for t in mission.sto_teams if t.area_id == area_id and t.lat is not None]
    teams = sorted(teams, key=lambda t: t.team_id)[:n_teams]
    regions = set(area.region_ids)
    pool = [s for s in mission.stations if s.region in regions]
    lon = np.array([s.lon for s in pool])
    lat = np.array([s.lat for s in pool])
    bases = np.array([(t.lon, t.lat) for t in teams], dtype=float)
    km = great_circle_km(lon[:, None], lat[:, None], bases[None, :, 0], bases[None, :, 1])
    near = [s for s, d in zip(pool, km.min(axis=1), strict=True) if d <= REACH_KM]
    rng = np.random.default_rng(instance_seed)
    picked = sorted(rng.choice(len(near), size=min(n_stations, len(near)), replace=False))
    weights = rng.integers(1, 151, size=len(picked))
    tz = ZoneInfo(near[0].tz)
    day = mission.rules.election_date
    reference = datetime.combine(day, clock(0), tzinfo=tz)

    def at(moment: clock) -> int:
        return moment.hour * 3600 + moment.minute * 60

    stations = [
        RouteStation(
            near[i].station_id,
            STAY_MIN * 60,
            at(OPEN),
            at(CLOSE),
            float(w),
            lat=near[i].lat,
            lon=near[i].lon,
        )
        for i, w in zip(picked, weights, strict=True)
    ]
    route_teams = [
        RouteTeam(t.team_id, at(LEAVE), at(BACK), start_lat=t.lat, start_lon=t.lon) for t in teams
    ]
    travel = GreatCircleTravel.from_rules(mission.rules)
    return route_problem(stations, route_teams, reference=reference, travel=travel)


def scaled(inp, factor: int):  # type: ignore[no-untyped-def]
    """The same instance with every time multiplied by `factor`."""
    from dataclasses import replace

    return replace(
        inp,
        travel=inp.travel * factor,
        service=inp.service * factor,
        window_open=inp.window_open * factor,
        window_close=inp.window_close * factor,
        depart_earliest=inp.depart_earliest * factor,
        depart_latest=inp.depart_latest * factor,
        return_latest=inp.return_latest * factor,
    )


def run_pyvrp_alone(inp, limit: float, seed: int) -> tuple[list[list[int]], dict]:  # type: ignore[no-untyped-def]
    """PyVRP's own search on route mode's model, for the wall-clock limit."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    from planner.pyvrp_router import MAX_PENALTY, _encode

    began = time.perf_counter()
    enc = _encode(inp)
    penalty = min(MAX_PENALTY, max(1e5, enc.worth * int(inp.prize.max(initial=0))))
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=penalty))
    left = max(0.01, limit - (time.perf_counter() - began))
    result = pyvrp.solve(
        enc.data, MaxRuntime(left), seed=seed, collect_stats=False, display=False, params=params
    )
    routes: list[list[int]] = [[] for _ in range(inp.num_vehicles)]
    free = [list(vs) for vs in enc.vehicles]
    for route in result.best.routes():
        visits = [enc.clients[a.idx] for a in route if a.is_client()]
        routes[free[route.vehicle_type()].pop(0)] = visits
    return routes, {"iterations_done": result.num_iterations}


def score(inp, routes: list[list[int]]) -> tuple[int, int, str]:  # type: ignore[no-untyped-def]
    """(prize, visits, problem): every route replayed from its earliest departure."""
    from planner.feasibility import Nodes, replay

    nodes = Nodes.of(inp)
    seen: set[int] = set()
    for v, route in enumerate(routes):
        if not route:
            continue
        timeline = replay(
            nodes,
            route,
            start=inp.starts[v],
            end=inp.ends[v],
            depart=int(inp.depart_earliest[v]),
            return_latest=int(inp.return_latest[v]),
        )
        if not timeline.on_time:
            return 0, 0, f"vehicle {v} is late"
        if seen & set(route) or len(set(route)) < len(route):
            return 0, 0, f"vehicle {v} repeats a station"
        if len(route) > inp.visit_caps[v]:
            return 0, 0, f"vehicle {v} over its cap"
        seen |= set(route)
    return int(sum(int(inp.prize[n]) for n in seen)), len(seen), ""


def run_job(job: Job) -> Row:
    warnings.simplefilter("ignore")
    from planner.route import route_search, routing_input

    problem = area_problem(job.kind)
    inp, _ = routing_input(problem)
    inp = scaled(inp, job.minutes // 60) if job.minutes != 60 else inp
    cpu = time.process_time()
    began = time.perf_counter()
    if job.solver == "ours":
        result = route_search(inp, time_limit_s=job.limit, seed=job.seed)
        routes = [list(r) for r in result.routes]
        info = {**result.stats, "cut_by_time": result.cut_by_time}
    else:
        routes, info = run_pyvrp_alone(inp, job.limit, job.seed)
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu
    prize, visits, problem_text = score(inp, routes)
    return Row(
        job.kind,
        job.solver,
        job.limit,
        job.seed,
        job.minutes,
        prize / problem.prize_per_weight,
        not problem_text,
        visits,
        wall,
        cpu,
        float(info.get("iterations_done", 0)),
        bool(info.get("cut_by_time", False)),
        problem_text,
    )


def run_jobs(jobs: Sequence[Job], workers: int) -> list[Row]:
    rows: list[Row] = []
    ctx = mp.get_context("fork")
    with ctx.Pool(max(1, min(MAX_JOBS, workers)), maxtasksperchild=1) as pool:
        for k, row in enumerate(pool.imap(run_job, jobs), start=1):
            rows.append(row)
            print(
                f"[{k}/{len(jobs)}] {row.kind} x{row.minutes // 60} {row.solver} {row.limit:g}s "
                f"seed {row.seed}: {row.weight:g} ({row.wall_s:.1f} s)",
                file=sys.stderr,
            )
    return rows


def report(rows: list[Row], args: argparse.Namespace) -> None:
    by: dict[tuple, list[Row]] = defaultdict(list)  # type: ignore[type-arg]
    for r in rows:
        by[(r.kind, r.minutes, r.limit, r.solver)].append(r)
    header = ["area", "time unit", "limit s"]
    for s in args.solvers:
        header += [f"{s} weight (range)", f"{s} wall s"]
    if "ours" in args.solvers and "pyvrp" in args.solvers:
        header.append("ours / pyvrp %")
    table = []
    for kind in args.kinds:
        for minutes in args.minutes:
            for limit in args.limits:
                line: list[object] = [kind, f"x{minutes // 60}", f"{limit:g}"]
                means = {}
                for s in args.solvers:
                    runs = by[(kind, minutes, limit, s)]
                    if not runs:
                        line += ["-", "-"]
                        continue
                    weights = sorted(r.weight for r in runs)
                    means[s] = mean(weights)
                    shown = f"{means[s]:,.0f}"
                    if len(weights) > 1:
                        shown += f" ({weights[0]:,.0f}-{weights[-1]:,.0f})"
                    line += [shown, f"{mean(r.wall_s for r in runs):.1f}"]
                if "ours" in means and "pyvrp" in means:
                    line.append(f"{100 * means['ours'] / max(1e-9, means['pyvrp']):.2f}")
                table.append(line)
    print_table(header, table)
    header = ["solver", "runs", "mean work (iterations)", "cut by time", "infeasible"]
    table = [
        [
            s,
            len([r for r in rows if r.solver == s]),
            f"{mean(r.work for r in rows if r.solver == s):,.0f}",
            sum(r.cut_by_time for r in rows if r.solver == s),
            sum(not r.feasible for r in rows if r.solver == s),
        ]
        for s in args.solvers
        if any(r.solver == s for r in rows)
    ]
    print_table(header, table)
    for r in rows:
        if not r.feasible:
            print(f"- infeasible: {r.kind} {r.solver} {r.limit:g}s seed {r.seed}: {r.problem}")


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--kinds", type=lambda t: t.split(","), default=list(KINDS))
    p.add_argument("--limits", type=lambda t: [float(x) for x in t.split(",")], default=[5.0, 30.0])
    p.add_argument("--seeds", type=lambda t: [int(x) for x in t.split(",")], default=[0])
    p.add_argument("--solvers", type=lambda t: t.split(","), default=list(SOLVERS))
    p.add_argument(
        "--minutes",
        type=lambda t: [60 * int(x) for x in t.split(",")],
        default=[60],
        help="times multiplied by these factors (1 = seconds as planned; 10, 100: other units)",
    )
    p.add_argument("--jobs", type=int, default=MAX_JOBS)
    args = p.parse_args(argv)
    jobs = [
        Job(kind, solver, limit, seed, minutes)
        for limit in args.limits
        for kind in args.kinds
        for minutes in args.minutes
        for seed in args.seeds
        for solver in args.solvers
    ]
    load = os.getloadavg()
    began = time.perf_counter()
    rows = run_jobs(jobs, args.jobs)
    print(
        f"# route mode on areas: {len(jobs)} runs in {time.perf_counter() - began:.0f} s, "
        f"load average before {'/'.join(f'{x:.1f}' for x in load)}, after "
        f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())}\n"
    )
    report(rows, args)


if __name__ == "__main__":
    main()
