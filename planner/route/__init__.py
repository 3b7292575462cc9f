"""Route mode: visit plans from a stations table, a teams table and a travel matrix.

Used for LTO multi-day visit plans and any custom problem that is not an election day.
Read and check the inputs (`load_route_problem`), solve (`solve_route`), then write
visits.csv, unvisited.csv and summary.json (`write_route_plan`); `check_route_dir`
re-verifies a written plan from its files.

- `problem`: stations, teams and travel as plain data, and the time grid;
- `files`: reading and checking the input tables;
- `schedule`: timelines through `planner.feasibility`, the plan and its rows;
- `solve`: the problem as a router input, the answer as a plan;
- `outputs`: the files of a plan;
- `check`: the independent check of a written plan.
"""

from planner.route.check import check_route_dir, check_route_visits, is_route_plan_dir
from planner.route.files import load_route_problem, parse_time
from planner.route.outputs import (
    UNVISITED_COLUMNS,
    VISIT_COLUMNS,
    route_summary,
    unvisited_csv,
    visits_csv,
    write_route_plan,
)
from planner.route.problem import (
    PRIZE_PER_WEIGHT,
    RouteInputs,
    RouteProblem,
    RouteStation,
    RouteTeam,
    TimeGrid,
    route_problem,
)
from planner.route.schedule import RoutePlan, RouteVisit, unreachable_stations
from planner.route.solve import route_search, routing_input, solve_route

__all__ = [
    "PRIZE_PER_WEIGHT",
    "UNVISITED_COLUMNS",
    "VISIT_COLUMNS",
    "RouteInputs",
    "RoutePlan",
    "RouteProblem",
    "RouteStation",
    "RouteTeam",
    "RouteVisit",
    "TimeGrid",
    "check_route_dir",
    "check_route_visits",
    "is_route_plan_dir",
    "load_route_problem",
    "parse_time",
    "route_problem",
    "route_search",
    "route_summary",
    "routing_input",
    "solve_route",
    "unreachable_stations",
    "unvisited_csv",
    "visits_csv",
    "write_route_plan",
]
