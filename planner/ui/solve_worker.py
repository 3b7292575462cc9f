"""The planning process behind the app's Plan page: `python -m planner.ui.solve_worker IN OUT`.

Reads `(mission, options)` pickled in IN, runs `planner.plan.solve`, and writes the plan
pickled to OUT. Progress goes to stdout, one JSON line per event: `{"progress": area,
"done": n, "total": m}`, then `{"done": true}` or `{"error": "message"}`. The options'
`deadline` is when the job must end; the plan is due early enough to be written back.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path


def _say(**event: object) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    source, target = Path(argv[0]), Path(argv[1])
    try:
        from planner.plan import solve, write_reserve_s

        mission, options = pickle.loads(source.read_bytes())
        if options.get("deadline") is not None:
            options["deadline"] -= write_reserve_s(mission)

        def progress(area_id: str, done: int, total: int) -> None:
            _say(progress=area_id, done=done, total=total)

        plan = solve(mission, on_progress=progress, **options)
        partial = target.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(target)
        _say(done=True)
        return 0
    except Exception as exc:  # reported to the page, which shows it as a message
        _say(error=f"{type(exc).__name__}: {exc}")
        return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
