"""Planning runs in the background, so the page stays live, shows progress and can cancel.

`SolveJob` runs `planner.plan.solve` in a separate Python process
(`python -m planner.ui.solve_worker`) in a session of its own, so cancelling stops the
solver and every worker process it started (its LocalCluster), at once, and nothing of
the web server is copied into it. Progress (one line per finished area) comes back on
the process's output, read by a thread; the plan comes back as a pickle file in the
run's private folder in the data directory (`planner.ui.job_files`). `poll()` never
blocks.

The time limit counts from the moment the job starts: the process's start, its imports
and its cluster are inside it. On a Dask cluster (`scheduler`), cancelling stops the
job's process; the cluster drops the areas not yet started, and the ones running stop
at the job's deadline.

The folder goes on every way a run ends: finished, failed or cancelled (removed when the
end is seen), the process crashed (likewise), the session holding the run gone or the
server stopping (the process is stopped, the data files removed and the run marked
interrupted, by a finalizer that also runs at exit), the server killed (the process stops
itself when its server is gone; the next start cleans up and marks the run interrupted).
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.model import Mission
from planner.schedule import KeptTeams, Resume, TeamAssignment
from planner.travel import TravelModel
from planner.ui.job_files import (
    jobs_root,
    mark_interrupted,
    new_job_folder,
    process_start,
    read_marker,
    write_marker,
    write_private,
)

RUNNING, DONE, FAILED, CANCELLED = "running", "done", "failed", "cancelled"
# A run ends within its time limit plus 5 % and 2 s; one that outlives it by this much
# more is stopped as failed.
GRACE_S = 30.0
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _reap(process: subprocess.Popen, folder: Path) -> None:
    """Stop a run nobody waits for any more (the server is stopping, or the session that
    started it is gone); remove its data and mark it interrupted."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
    mark_interrupted(folder, "the run was stopped before it finished (the app stopped)")


# The finalizers of the runs started by this process, so that a server stopping by a
# signal stops them too: Streamlit's server ends the process by re-raising the signal
# once it has shut down, and exit handlers (which call finalizers) do not run then.
_finalizers: list[weakref.finalize[Any, Any]] = []
_finalizers_lock = threading.Lock()


def stop_all_runs() -> None:
    """Stop every run of this process still going, as its finalizer does (called when the
    server shuts down)."""
    with _finalizers_lock:
        running, _finalizers[:] = list(_finalizers), []
    for finalizer in running:
        finalizer()


def _keep(finalizer: weakref.finalize[Any, Any]) -> None:
    with _finalizers_lock:
        _finalizers[:] = [f for f in _finalizers if f.alive]
        _finalizers.append(finalizer)


@dataclass
class JobStatus:
    state: str
    areas_done: list[str] = field(default_factory=list)
    total: int = 0
    elapsed_s: float = 0.0
    error: str = ""
    plan: Any = None

    @property
    def finished(self) -> bool:
        return self.state != RUNNING

    @property
    def fraction(self) -> float:
        return len(self.areas_done) / self.total if self.total else 0.0


class SolveJob:
    """One planning run in a child process.

    `areas` are the AoR ids expected to report (for the progress display); `meta` is
    whatever the caller wants back with the result (what was planned, for which mission).
    """

    def __init__(
        self,
        mission: Mission,
        *,
        time_limit_s: float,
        seed: int,
        workers: int = 1,
        scheduler: str | None = None,
        excluded: frozenset[str] = frozenset(),
        kept: Mapping[str, TeamAssignment] | None = None,
        resume: Resume | None = None,
        kept_teams: KeptTeams | None = None,
        previous_visits: Mapping[str, tuple[str, ...]] | None = None,
        areas: list[str] | None = None,
        meta: dict[str, Any] | None = None,
        root: Path | None = None,
        travel: TravelModel | None = None,
    ) -> None:
        self.time_limit_s = float(time_limit_s)
        self.mission = mission  # what the plan is checked against when it is saved
        self.travel = travel
        self.areas = list(areas or [])
        self.meta = dict(meta or {})
        self.started = time.monotonic()
        deadline = time.time() + self.time_limit_s  # when the whole job must end
        self._lock = threading.Lock()
        self._status = JobStatus(RUNNING, total=len(self.areas))
        self._outcome: dict[str, Any] = {}
        self._folder = new_job_folder(root or jobs_root(), self.meta)
        self._result = self._folder / "plan.pickle"
        options = {
            "time_limit_s": self.time_limit_s,
            "seed": int(seed),
            "workers": int(workers),
            "scheduler": scheduler,
            "deadline": deadline,
            "excluded": frozenset(excluded),
            "kept": dict(kept or {}),
            "resume": resume,
            "kept_teams": kept_teams,
            "previous_visits": dict(previous_visits or {}),
            "travel": travel,
        }
        source = self._folder / "input.pickle"
        write_private(source, pickle.dumps((mission, options), protocol=pickle.HIGHEST_PROTOCOL))
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
        )
        self._process = subprocess.Popen(
            [sys.executable, "-m", "planner.ui.solve_worker", str(source), str(self._result)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            start_new_session=True,  # its own process group: cancel reaches its workers
        )
        marker = read_marker(self._folder) or {}
        worker = {"pid": self._process.pid, "start": process_start(self._process.pid)}
        write_marker(self._folder, {**marker, "worker": worker})
        # When the server stops, a run still going is stopped; once no session holds the
        # job (and its output has ended), its files are removed.
        self._finalizer = weakref.finalize(self, _reap, self._process, self._folder)
        _keep(self._finalizer)
        self._stderr: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True, name="planner-job")
        self._reader.start()
        self._errors = threading.Thread(target=self._read_errors, daemon=True)
        self._errors.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                if "progress" in event:
                    if event["progress"] not in self._status.areas_done:
                        self._status.areas_done.append(str(event["progress"]))
                    self._status.total = max(self._status.total, int(event.get("total", 0)))
                else:
                    self._outcome = event

    def _read_errors(self) -> None:
        assert self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr = [*self._stderr[-20:], line.rstrip()]

    def poll(self) -> JobStatus:
        """The run's state now; collects the plan once the child has written it."""
        with self._lock:
            status = self._status
            status.elapsed_s = time.monotonic() - self.started
            if status.finished:
                return status
            code = self._process.poll()
            if code is None:
                if status.elapsed_s > 1.05 * self.time_limit_s + 2 + GRACE_S:
                    self._stop()
                    status.state = FAILED
                    status.error = (
                        f"planning did not finish within {status.elapsed_s:.0f} s "
                        f"(time limit {self.time_limit_s:.0f} s) and was stopped"
                    )
                return status
        self._reader.join(timeout=5)  # the last lines may still be in the pipe
        with self._lock:
            if self._outcome.get("done") and self._result.exists():
                try:
                    status.plan = pickle.loads(self._result.read_bytes())
                    status.state = DONE
                except Exception as exc:  # a truncated file: report, do not raise
                    status.state = FAILED
                    status.error = f"the plan could not be read back: {exc}"
            else:
                status.state = FAILED
                status.error = self._outcome.get("error") or (
                    f"the planning process stopped unexpectedly (exit code {code})"
                    + (f": {self._stderr[-1]}" if self._stderr else "")
                )
            self._cleanup()
            return status

    def cancel(self) -> JobStatus:
        """Stop the run and its workers; a finished run is left as it is."""
        with self._lock:
            if not self._status.finished:
                self._stop()
                self._status.state = CANCELLED
            self._status.elapsed_s = time.monotonic() - self.started
            return self._status

    def _stop(self) -> None:
        if self._process.poll() is None:
            try:
                os.killpg(self._process.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self._process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    self._process.kill()
                self._process.wait(timeout=5)
        self._cleanup()

    def _cleanup(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)
