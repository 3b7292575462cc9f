"""Time what the Map page does to show a stored plan of the default mission, from a cold
start: read the mission and the plan version from the store as the signed-in user, build
the plan, and draw the map.

    python scripts/measure_plan_load.py                        # solves once (60 s, 2 workers)
    python scripts/measure_plan_load.py --plan /tmp/kz.pickle  # reuse a plan pickled earlier

Uses a temporary SQLite store (the default); set PLANNER_DATABASE_URL to measure on
PostgreSQL. Prints the first (cold) read and the median of a few more, for a coordinator
(every area) and an LTO of one area.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.datasets import get_path  # noqa: E402
from planner.geodata import load_mission as load_package  # noqa: E402
from planner.maps.render import map_html, plan_map  # noqa: E402
from planner.maps.selection import MapView  # noqa: E402
from planner.plan import solve  # noqa: E402
from planner.store import (  # noqa: E402
    Role,
    get_user,
    import_mission,
    load_mission,
    load_plan,
    open_store,
    plan_versions,
    publish,
    save_plan,
    system_user,
    users_add,
)
from planner.ui.versions import plan_from_version  # noqa: E402

LIMIT_S = 2.0
PASSWORD = "measurement only 2022"


def _once(store, mission_id: int, user) -> dict[str, float]:
    started = time.perf_counter()
    mission = load_mission(store, mission_id, user=user)
    mission_s = time.perf_counter() - started
    version = plan_versions(store, mission_id, user=user)[0]
    stops = load_plan(store, version.id, user=user)
    plan = plan_from_version(version, stops, mission)
    loaded = time.perf_counter()
    html = map_html(plan_map(mission, plan, MapView()))
    drawn = time.perf_counter()
    return {
        "mission_s": mission_s,
        "plan_s": loaded - started - mission_s,
        "load_s": loaded - started,
        "map_s": drawn - loaded,
        "stops": len(stops),
        "html_mb": len(html.encode()) / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, help="a pickled Plan of the default mission")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    mission = load_package(get_path())
    if args.plan is not None and args.plan.exists():
        plan = pickle.loads(args.plan.read_bytes())
    else:
        print(f"solving the default mission ({args.time_limit:.0f} s, 2 workers)…", flush=True)
        plan = solve(mission, time_limit_s=args.time_limit, seed=mission.seed, workers=2)
        if args.plan is not None:
            args.plan.write_bytes(pickle.dumps(plan))
    admin = system_user("measure")
    with tempfile.TemporaryDirectory() as folder, open_store(data_dir=folder) as store:
        started = time.perf_counter()
        mission_id = import_mission(store, mission, user=admin)
        import_s = time.perf_counter() - started
        version = save_plan(store, mission_id, plan, user=admin)
        publish(store, version, user=admin)
        users_add(store, "coord", role=Role.COORDINATOR, user=admin, password=PASSWORD)
        users_add(store, "lto", role=Role.LTO, area_ids=["AOR-02"], user=admin, password=PASSWORD)
        print(f"store: {store.url}; import {import_s:.2f} s; plan of {len(plan.stops)} stops")
        worst = 0.0
        for name in ("coord", "lto"):
            user = get_user(store, name)
            runs = [_once(store, mission_id, user) for _ in range(args.repeat + 1)]
            cold = runs[0]  # the first read in this process, as after a server start
            med = {k: statistics.median(r[k] for r in runs[1:]) for k in runs[0]}
            worst = max(worst, cold["load_s"], med["load_s"])
            for label, r in (("cold", cold), ("warm", med)):
                print(
                    f"{name:5s} {label}: mission {r['mission_s']:.2f} s + plan version "
                    f"({int(r['stops'])} stops) {r['plan_s']:.2f} s = {r['load_s']:.2f} s "
                    f"to load; map drawn in {r['map_s']:.2f} s ({r['html_mb']:.1f} MB HTML)"
                )
    verdict = "ok" if worst <= LIMIT_S else "TOO SLOW"
    print(
        f"loading a stored plan for the Map page: {worst:.2f} s (limit {LIMIT_S:.0f} s) {verdict}"
    )
    return 0 if worst <= LIMIT_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
