"""What a re-plan after one field report changes: the default mission's areas, one closed
voting station and one closed opening station each.

For each area: plan it, report a station closed (the first voting stop, then the first
opening, of the area's first team in id order), re-plan the teams the report affects
(`planner.repair`; the others keep their routes) and count the churn (`planner.churn`)
and the coverage of the area before and after.

    python bench/replan.py                       # areas AOR-01 and AOR-02, 20 s each
    python bench/replan.py --areas AOR-05 --time-limit 30

The counts depend on the seed, not on the machine's load.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import print_table

from planner.churn import churn
from planner.datasets import DEFAULT_MISSION, get_path
from planner.geodata import load_mission
from planner.model import Mission
from planner.plan import solve
from planner.repair import kept_stops, repair_mission, teams_visiting, with_kept_routes
from planner.schedule import Plan, Stop
from planner.ui.replan import restrict_to_area


def coverage(stops: list[Stop]) -> str:
    """Stops per phase (TECs followed for tabulation), as o/v/c/t."""
    count = Counter(s.phase for s in stops if s.site_type != "base")
    return "/".join(str(count[p]) for p in ("opening", "voting", "counting", "tabulation"))


def replan(
    mission: Mission, plan: Plan, area_id: str, closed: str, args: argparse.Namespace
) -> list[object]:
    teams = [t.team_id for t in mission.sto_teams]
    affected = teams_visiting(plan, {closed}, teams=teams)
    restricted, visited = repair_mission(mission, plan, area_id, affected)
    kept = kept_stops(plan, mission, area_id, affected)
    again = solve(
        restricted,
        time_limit_s=args.time_limit,
        seed=args.seed,
        workers=1,
        excluded=visited | {closed},
    )
    merged = with_kept_routes(again, kept, area_id)
    moved = churn(plan.stops, merged.stops).as_dict()
    return [
        len(teams),
        moved["teams_changed"],
        moved["stops_added"],
        moved["stops_dropped"],
        moved["stops_retimed"],
        moved["stops_reordered"],
        coverage(list(plan.stops)),
        coverage(list(merged.stops)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", nargs="+", default=["AOR-01", "AOR-02"])
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=20221120)
    args = parser.parse_args(argv)
    whole = load_mission(get_path(DEFAULT_MISSION))
    rows = []
    for area_id in args.areas:
        mission = restrict_to_area(whole, area_id)
        plan = solve(mission, time_limit_s=args.time_limit, seed=args.seed, workers=1)
        first = min(s.team_id for s in plan.stops)
        route = sorted(plan.stops_of(first), key=lambda s: s.seq)
        for phase in ("voting", "opening"):
            closed = next(s.site_id for s in route if s.phase == phase)
            rows.append(
                [area_id, f"{phase} {closed}", *replan(mission, plan, area_id, closed, args)]
            )
    print_table(
        [
            "area",
            "closed station",
            "teams",
            "changed",
            "added",
            "dropped",
            "retimed",
            "reordered",
            "before o/v/c/t",
            "after o/v/c/t",
        ],
        rows,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
