"""Time and memory of the mission pack PDF (cover + every team) for a full plan.

python bench/export_pack.py [PLAN_DIR] [--out DIR] [--zip]

PLAN_DIR defaults to /tmp/kz-plan; when it holds no visits.csv, the default mission is
planned into it first (`planner plan --out PLAN_DIR --time-limit 60`). Prints wall time
and peak resident memory (resource.getrusage maxrss) per step, writes mission-pack.pdf to
--out and renders its page 2 (the first team page) to PNG with poppler's pdftoppm.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from planner.datasets import get_path
from planner.exports import load_plan_dir, mission_pack_pdf, team_pack_zip
from planner.geodata import load_mission


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ensure_plan(plan_dir: Path) -> None:
    if (plan_dir / "visits.csv").is_file():
        return
    print(f"no plan in {plan_dir}: planning the default mission (60 s) ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "planner.cli", "plan", "--out", str(plan_dir), "--time-limit", "60"],
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("plan_dir", nargs="?", default="/tmp/kz-plan", type=Path)
    parser.add_argument("--out", default=Path("/tmp/kz-pack"), type=Path)
    parser.add_argument("--zip", action="store_true", help="also time the per-team zip")
    args = parser.parse_args()
    _ensure_plan(args.plan_dir)
    args.out.mkdir(parents=True, exist_ok=True)

    rows: list[tuple[str, float, float, str]] = []
    t0 = time.perf_counter()
    mission = load_mission(get_path())
    view = load_plan_dir(args.plan_dir, mission)
    rows.append(("load mission + plan", time.perf_counter() - t0, _peak_mb(), ""))

    t0 = time.perf_counter()
    pdf = mission_pack_pdf(view)
    elapsed = time.perf_counter() - t0
    pack = args.out / "mission-pack.pdf"
    pack.write_bytes(pdf)
    rows.append((f"pack PDF, {len(view.teams)} teams", elapsed, _peak_mb(),
                 f"{len(pdf) / 1e6:.1f} MB"))  # fmt: skip

    if args.zip:
        t0 = time.perf_counter()
        data = team_pack_zip(view)
        elapsed = time.perf_counter() - t0
        (args.out / "team-packs.zip").write_bytes(data)
        rows.append(("team pack zip (PDF+GPX+KML+ICS)", elapsed, _peak_mb(),
                     f"{len(data) / 1e6:.1f} MB"))  # fmt: skip

    print(f"{'step':<34} {'wall s':>7} {'peak MB':>8} {'size':>8}")
    for name, seconds, peak, size in rows:
        print(f"{name:<34} {seconds:>7.1f} {peak:>8.0f} {size:>8}")
    print(f"plan version {view.version}; pack written to {pack}")

    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found (apt-get install poppler-utils): no page image")
        return
    prefix = args.out / "team-page"
    for old in args.out.glob("team-page*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "2", "-l", "2", str(pack), str(prefix)], check=True
    )
    image = next(iter(sorted(args.out.glob("team-page*.png"))), None)
    print(f"page 2 (first team) rendered to {image}")


if __name__ == "__main__":
    main()
