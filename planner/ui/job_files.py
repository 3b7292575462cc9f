"""Where a planning run keeps its files, and what is left of a run that did not finish.

Each run has a private folder under `jobs/` in the app's data directory (never the
system's temporary directory: the pickled mission in it is as confidential as the store)
holding the mission input, the plan once written, and `job.json`: who started the run,
for which mission, and which server process it belongs to. The folder is removed when the
run ends; when the server stops, or the session that started the run goes away, first,
the data files are removed and `job.json` is kept, marked interrupted, so the app can say
so after a restart. At the first look after a start, folders of a server that is no
longer running (stopped by a kill or a power cut) are cleaned up and marked the same way.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.store.db import data_directory

JOBS_FOLDER = "jobs"
MARKER = "job.json"
RUNNING, INTERRUPTED = "running", "interrupted"
_JOB_NAME = re.compile(r"job-[A-Za-z0-9_]+")
_swept: set[Path] = set()


def jobs_root(data_dir: str | Path | None = None) -> Path:
    """The folder of the run folders (created private to the owner)."""
    root = data_directory(data_dir) / JOBS_FOLDER
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def process_start(pid: int) -> str | None:
    """What identifies a process beyond its reusable id: its start time ("" where the
    system does not tell); None when no such process runs."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return ""
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(process: Mapping[str, Any] | None) -> bool:
    if not process:
        return False
    start = process_start(int(process["pid"]))
    return start is not None and start == process.get("start")


def this_process() -> dict[str, Any]:
    return {"pid": os.getpid(), "start": process_start(os.getpid())}


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, in full or not at all."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    partial.replace(path)


def read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((folder / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def write_marker(folder: Path, marker: Mapping[str, Any]) -> None:
    write_private(folder / MARKER, json.dumps(dict(marker), default=str).encode("utf-8"))


def new_job_folder(root: Path, meta: Mapping[str, Any]) -> Path:
    """A private folder for a new run, marked running under this server process."""
    sweep_once(root)
    folder = Path(tempfile.mkdtemp(prefix="job-", dir=root))
    write_marker(
        folder,
        {"state": RUNNING, "server": this_process(), "started_at": time.time(), "meta": meta},
    )
    return folder


def remove_data(folder: Path) -> None:
    """Every file of the run but its marker (the mission input, the plan)."""
    for path in folder.iterdir():
        if path.name == MARKER:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def mark_interrupted(folder: Path, reason: str) -> None:
    """What is left of a run that did not finish: its marker, saying so."""
    if not folder.is_dir():
        return  # the run ended and cleaned up after itself
    remove_data(folder)
    marker = read_marker(folder) or {"meta": {}}
    if marker.get("state") == INTERRUPTED:
        return
    write_marker(folder, {**marker, "state": INTERRUPTED, "ended_at": time.time(), "why": reason})


def _stop_orphan(worker: Mapping[str, Any] | None) -> None:
    """A run's process still solving after its server died stops at once (it also stops
    by itself within a second or two once it sees its server gone)."""
    if _alive(worker) and worker is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(int(worker["pid"]), signal.SIGTERM)


def sweep(root: Path) -> list[Path]:
    """Clean up the folders of runs whose server process is gone; returns them."""
    swept = []
    for folder in sorted(root.glob("job-*")):
        if not folder.is_dir() or not _JOB_NAME.fullmatch(folder.name):
            continue
        marker = read_marker(folder)
        if marker is None:
            if time.time() - folder.stat().st_mtime > 60:  # not one being created now
                shutil.rmtree(folder, ignore_errors=True)
            continue
        if marker.get("state") != RUNNING or _alive(marker.get("server")):
            continue
        _stop_orphan(marker.get("worker"))
        mark_interrupted(folder, "the app stopped before the run finished")
        swept.append(folder)
    return swept


def sweep_once(root: Path) -> None:
    """`sweep` the first time this server process looks at `root`."""
    key = root.resolve()
    if key not in _swept:
        _swept.add(key)
        sweep(root)


def interrupted_runs(root: Path, mission_id: int | None = None) -> list[dict[str, Any]]:
    """Runs that did not finish (newest first): `id`, `started_at`, `ended_at`, `why`,
    and the run's `meta` (label, kind, area, user, mission)."""
    sweep_once(root)
    runs = []
    for folder in root.glob("job-*"):
        marker = read_marker(folder)
        if marker is None or marker.get("state") != INTERRUPTED:
            continue
        meta = marker.get("meta") or {}
        if mission_id is not None and meta.get("mission_id") != mission_id:
            continue
        runs.append({"id": folder.name, **marker})
    return sorted(runs, key=lambda r: -float(r.get("started_at") or 0))


def dismiss(root: Path, job_id: str) -> None:
    """Forget an interrupted run once its message has been read."""
    if not _JOB_NAME.fullmatch(job_id):
        raise ValueError(f"not a run: {job_id!r}")
    folder = root / job_id
    marker = read_marker(folder)
    if marker is not None and marker.get("state") == INTERRUPTED:
        shutil.rmtree(folder, ignore_errors=True)
