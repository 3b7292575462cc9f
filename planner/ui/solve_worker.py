"""The planning process behind the app's Plan page: `python -m planner.ui.solve_worker IN OUT`.

Reads `(mission, options)` pickled in IN and removes IN at once (the mission stays on
disk no longer than it must), runs `planner.plan.solve`, and writes the plan pickled to
OUT. Progress goes to stdout, one JSON line per event: `{"progress": area, "done": n,
"total": m}`, then `{"done": true}` or `{"error": "message"}`. The options' `deadline`
is when the job must end; the plan is due early enough to be written back. When the
server that started it is gone (its parent changes), the process stops itself and its
workers.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import sys
import threading
import time
from pathlib import Path


def _say(**event: object) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


PARENT_CHECK_S = 1.0


def _stop_when_orphaned(parent: int) -> None:
    """Stop this run (its whole process group) once the server that started it is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os.killpg(os.getpgrp(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def main(argv: list[str]) -> int:
    source, target = Path(argv[0]), Path(argv[1])
    _stop_when_orphaned(os.getppid())
    partial = target.with_suffix(".partial")
    try:
        from planner.plan import solve, write_reserve_s

        try:
            mission, options = pickle.loads(source.read_bytes())
        finally:
            source.unlink(missing_ok=True)
        if options.get("deadline") is not None:
            options["deadline"] -= write_reserve_s(mission)

        def progress(area_id: str, done: int, total: int) -> None:
            _say(progress=area_id, done=done, total=total)

        plan = solve(mission, on_progress=progress, **options)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(target)
        _say(done=True)
        return 0
    except Exception as exc:  # reported to the page, which shows it as a message
        _say(error=f"{type(exc).__name__}: {exc}")
        return 1
    finally:
        partial.unlink(missing_ok=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
