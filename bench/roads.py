"""How wrong is the straight line? Plans of Almaty city replayed on road times, and back.

Plans the default mission's Almaty city (region KZ75: its 748 stations and 9 TECs, with
the 14 teams of AOR-02 based in the city) once on the straight-line model and once on
road times from the Almaty OpenStreetMap extract (OSRM, calibrated as `RoadCalibration`
says), then replays every team's route, leaving its base when the plan says, on the
other model (`planner.feasibility.replay`, the schedules' own timing model):

- behind plan: stops the team reaches later than its schedule says (more than a minute);
- slip min: minutes behind schedule at the worst stop;
- missed: windows missed by more than a minute (the checker's tolerance), and which: an
  opening reached after 06:15, a count after 19:30, a voting stay that no longer fits
  the polling day, a TEC reached too late, a return to base after the latest return, a
  meal break that no longer fits;
- late min: minutes past all windows, summed (seconds included).

    python bench/roads.py                       # builds the extract's roads in a temp dir
    python bench/roads.py --roads roads/almaty  # an existing roads directory
    python bench/roads.py --time-limit 30 --teams 6

Times depend on the machine's load (the OSRM build and the two plans); the table's
counts do not: the same seed gives the same plans.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import print_table
from shapely.geometry import Point

from planner.check import check_visits
from planner.datasets import get_path
from planner.election import build_routing_input, planned_teams, schedule_nodes
from planner.feasibility import replay
from planner.geodata import load_mission
from planner.model import Area, Mission
from planner.outputs import parse_visits, visits_csv
from planner.plan import solve
from planner.problem import PlanOptions, area_problems
from planner.schedule import Plan
from planner.travel import GreatCircleTravel, TravelModel

ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT / "geodata" / "sources" / "kz" / "roads" / "almaty_2012.osm.pbf"
CITY_REGION = "KZ75"
CITY_AREA = "AOR-02"
SLIP_S = 60  # a stop reached more than a minute after its scheduled time is behind plan


def almaty_city(mission: Mission, *, teams: int | None = None) -> Mission:
    """Almaty city alone: its region's stations and TECs, and the teams of its area whose
    base lies in the city, as one area (the first `teams` of them)."""
    region = next(r for r in mission.regions if r.region_id == CITY_REGION)
    assert region.geometry is not None
    city_teams = tuple(
        replace(t, area_id="ALMATY")
        for t in mission.sto_teams
        if t.area_id == CITY_AREA
        and t.lon is not None
        and t.lat is not None
        and region.geometry.contains(Point(t.lon, t.lat))
    )
    return replace(
        mission,
        regions=(region,),
        districts=tuple(d for d in mission.districts if d.region_id == CITY_REGION),
        stations=tuple(s for s in mission.stations if s.region == CITY_REGION),
        commissions=tuple(c for c in mission.commissions if c.region == CITY_REGION),
        areas=(Area("ALMATY", "Almaty city", (CITY_REGION,), region.geometry),),
        teams=city_teams[:teams] if teams else city_teams,
    )


@dataclass(frozen=True)
class TeamReplay:
    team_id: str
    stops: int
    behind: int  # stops reached more than a minute after the schedule says
    slip_min: float  # minutes behind schedule at the worst stop
    missed: tuple[str, ...]  # windows missed by more than a minute: phase, return or meal
    late_min: float  # minutes past the windows, summed


def replay_plan(
    plan: Plan, mission: Mission, travel: TravelModel, options: PlanOptions
) -> list[TeamReplay]:
    """Every team's route of `plan`, replayed on `travel` from the planned departure."""
    problems = {p.area_id: p for p in area_problems(mission, options)}
    out = []
    for area in plan.areas:
        problem = problems[area.area_id]
        inp, roles, _ = build_routing_input(problem, area.sample, travel)
        nodes = schedule_nodes(problem, inp, roles)
        vehicles = {t.team_id: v for v, t in enumerate(planned_teams(problem, area.sample))}
        node_of = {}
        for i, (role, site, _tz) in enumerate(roles):
            owner = int(inp.required_vehicle[i])
            node_of[role, site, owner] = i
        by_team: dict[str, list] = {}
        for s in area.stops:
            by_team.setdefault(s.team_id, []).append(s)
        for team_id, stops in by_team.items():
            stops.sort(key=lambda s: s.seq)
            v = vehicles[team_id]
            visits = [s for s in stops if s.phase != "base"]
            route = [
                node_of.get((s.phase, s.site_id, v), node_of.get((s.phase, s.site_id, -1)))
                for s in visits
            ]
            depart = int((stops[0].depart - problem.reference).total_seconds())
            timeline = replay(
                nodes,
                [int(n) for n in route if n is not None],
                start=inp.starts[v],
                end=inp.ends[v],
                depart=depart,
                return_latest=int(inp.return_latest[v]),
                meal=inp.meal(v),
            )
            planned = [int((s.arrive - problem.reference).total_seconds()) for s in visits]
            slips = [t.start - p for t, p in zip(timeline.stops, planned, strict=True)]
            missed = [roles[t.node][0] for t in timeline.stops if t.late > SLIP_S]
            missed += ["return"] * (timeline.return_late > SLIP_S)
            missed += ["meal"] * timeline.meal_missed
            out.append(
                TeamReplay(
                    team_id,
                    len(visits),
                    sum(1 for d in slips if d > SLIP_S),
                    round(max([0, *slips]) / 60, 1),
                    tuple(missed),
                    round(timeline.late / 60, 1),
                )
            )
    return out


def travel_violations(plan: Plan, mission: Mission, travel: TravelModel) -> int:
    """`planner check` on the other model: legs shorter than its drive."""
    report = check_visits(parse_visits(visits_csv(plan)), mission, travel)
    return sum(1 for v in report.violations if v.rule == "travel")


def print_replay(title: str, rows: Sequence[TeamReplay]) -> None:
    print(f"\n{title}")
    table: list[list[object]] = [
        [r.team_id, r.stops, r.behind, r.slip_min, len(r.missed), r.late_min, ", ".join(r.missed)]
        for r in rows
    ]
    every = [m for r in rows for m in r.missed]
    table.append(
        [
            "all teams",
            sum(r.stops for r in rows),
            sum(r.behind for r in rows),
            max((r.slip_min for r in rows), default=0.0),
            len(every),
            round(sum(r.late_min for r in rows), 1),
            ", ".join(f"{every.count(m)} {m}" for m in dict.fromkeys(every)),
        ]
    )
    headers = ["team", "stops", "behind plan", "slip min", "missed", "late min", "which"]
    print_table(headers, table)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roads", type=Path, help="roads directory (default: build one)")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--teams", type=int, default=None, help="first N city teams")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)

    from planner.roads import RoadTravel, build_roads

    mission = almaty_city(load_mission(get_path()), teams=args.teams)
    seed = mission.seed if args.seed is None else args.seed
    options = replace(PlanOptions(), seed=seed, time_limit_s=args.time_limit)
    with tempfile.TemporaryDirectory(prefix="bench-roads-") as tmp:
        roads_dir = args.roads
        if roads_dir is None:
            started = time.perf_counter()
            roads_dir = build_roads(EXTRACT, Path(tmp) / "almaty").directory
            print(
                f"built the Almaty roads in {time.perf_counter() - started:.1f} s", file=sys.stderr
            )
        straight = GreatCircleTravel.from_rules(mission.rules)
        road = RoadTravel.from_rules(roads_dir, mission.rules)
        plans = {}
        for name, travel in (("straight line", straight), ("roads", road)):
            started = time.perf_counter()
            plans[name] = solve(
                mission, time_limit_s=args.time_limit, seed=seed, workers=1, travel=travel
            )
            wall = time.perf_counter() - started
            print(f"planned on {name} in {wall:.1f} s: {plans[name].achieved}", file=sys.stderr)
        stations = len(mission.stations)
        teams = len(mission.sto_teams)
        print(
            f"Almaty city: {stations} stations, {teams} teams, seed {seed}, "
            f"time limit {args.time_limit:g} s; roads: {road.info.source_file} "
            f"(OSM data of {road.info.osm_date})"
        )
        for planned_on, replayed_on, model in (
            ("straight line", "roads", road),
            ("roads", "straight line", straight),
        ):
            rows = replay_plan(plans[planned_on], mission, model, options)
            print_replay(f"Planned on the {planned_on}, driven on the {replayed_on}:", rows)
            bad = travel_violations(plans[planned_on], mission, model)
            print(f"`planner check` on the {replayed_on}: {bad} leg(s) shorter than the drive")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
