"""Time the Map page's server-side render for a mission and its plan, and weigh its HTML.

    python scripts/measure_map.py                       # default mission, solves once (60 s)
    python scripts/measure_map.py --plan /tmp/kz.pickle # reuse a plan pickled by an earlier run

Prints the folium build time, the time to render the map to HTML, the time streamlit-folium
spends turning it into the component's script, and the HTML size, for the whole-country
view (every route, no numbered stops) and for one area with numbered stops.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit_folium import _get_map_string  # noqa: E402

from planner.datasets import get_path  # noqa: E402
from planner.geodata import load_mission  # noqa: E402
from planner.maps.render import map_html, plan_map  # noqa: E402
from planner.maps.selection import MapView  # noqa: E402
from planner.plan import solve  # noqa: E402

LIMIT_S = 3.0
LIMIT_MB = 5.0


def _measure(mission, plan, view: MapView, repeat: int) -> dict[str, float]:
    builds, renders, scripts, sizes = [], [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        fmap = plan_map(mission, plan, view)
        built = time.perf_counter()
        html = map_html(fmap)
        rendered = time.perf_counter()
        _get_map_string(fmap)
        scripted = time.perf_counter()
        builds.append(built - started)
        renders.append(rendered - built)
        scripts.append(scripted - rendered)
        sizes.append(len(html.encode("utf-8")))
    return {
        "build_s": statistics.median(builds),
        "render_s": statistics.median(renders),
        "component_s": statistics.median(scripts),
        "total_s": statistics.median(
            b + r + s for b, r, s in zip(builds, renders, scripts, strict=True)
        ),
        "html_mb": max(sizes) / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mission", nargs="?", default=str(get_path()))
    parser.add_argument("--plan", type=Path, help="pickled Plan; solved and written here if absent")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    mission = load_mission(args.mission)
    print(
        f"mission: {mission.name}: {len(mission.stations):,} stations, "
        f"loaded in {time.perf_counter() - started:.2f} s"
    )
    if args.plan and args.plan.exists():
        plan = pickle.loads(args.plan.read_bytes())
    else:
        started = time.perf_counter()
        plan = solve(mission, time_limit_s=args.time_limit, seed=mission.seed, workers=args.workers)
        print(f"solved in {time.perf_counter() - started:.1f} s")
        if args.plan:
            args.plan.write_bytes(pickle.dumps(plan))
    teams = len({s.team_id for s in plan.stops})
    print(f"plan: {teams} teams, {len(plan.stops):,} stops, achieved {plan.achieved}")

    first_area = plan.areas[0].area_id if plan.areas else None
    views = {
        "whole mission, all routes": MapView(),
        f"area {first_area}, numbered stops": MapView(area_id=first_area),
    }
    ok = True
    print(f"{'view':<36}{'build':>8}{'render':>8}{'comp.':>8}{'total':>8}{'HTML MB':>9}")
    for label, view in views.items():
        m = _measure(mission, plan, view, args.repeat)
        ok &= m["total_s"] <= LIMIT_S and m["html_mb"] <= LIMIT_MB
        print(
            f"{label:<36}{m['build_s']:>8.2f}{m['render_s']:>8.2f}{m['component_s']:>8.2f}"
            f"{m['total_s']:>8.2f}{m['html_mb']:>9.2f}"
        )
    print(f"limits: {LIMIT_S} s, {LIMIT_MB} MB: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
