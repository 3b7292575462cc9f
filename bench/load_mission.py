"""Time loading (read + validate + build) of a mission package, in fresh processes.

python bench/load_mission.py [MISSION_DIR] [--runs 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from planner.datasets import get_path

PROBE = """
import time, resource
t0 = time.perf_counter()
from planner.geodata import load_mission
t1 = time.perf_counter()
m = load_mission({path!r})
t2 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{{t1 - t0:.2f}} {{t2 - t1:.2f}} {{len(m.stations)}} {{rss:.0f}}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mission", nargs="?", default=str(get_path()))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'run':>3} {'import s':>9} {'load s':>7} {'stations':>9} {'peak MB':>8}")
    for run in range(1, args.runs + 1):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(path=args.mission)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        print(f"{run:>3} {out[0]:>9} {out[1]:>7} {int(out[2]):>9,} {out[3]:>8}")


if __name__ == "__main__":
    main()
