"""The background planning job: result, failure and cancel, with no process left behind,
and no file: each way a run ends removes its folder (a stopped server leaves only a note
that the run was interrupted)."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from planner.ui import job_files
from planner.ui.jobs import CANCELLED, DONE, FAILED, SolveJob
from tests.support.missions import small_mission

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's data directory, where the runs keep their folders."""
    folder = tmp_path / "data"
    monkeypatch.setenv("PLANNER_DATA_DIR", str(folder))
    return folder


def _jobs(data_dir: Path) -> list[Path]:
    root = data_dir / job_files.JOBS_FOLDER
    return sorted(root.glob("job-*")) if root.exists() else []


def _until(condition, timeout_s: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _wait(job: SolveJob, timeout_s: float = 90):
    deadline = time.monotonic() + timeout_s
    while not (status := job.poll()).finished:
        assert time.monotonic() < deadline, "the job did not end"
        time.sleep(0.2)
    return status


def _gone(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_job_reports_each_area_and_returns_the_plan() -> None:
    job = SolveJob(small_mission(), time_limit_s=30, seed=1, workers=1, areas=["AOR-01"])
    status = _wait(job)
    assert status.state == DONE
    assert status.areas_done == ["AOR-01"] and status.fraction == 1.0
    assert status.plan.achieved["opening"] == 3
    assert job.poll() is status  # finished: stays as it is


def test_job_failure_is_a_message() -> None:
    mission = small_mission()
    broken = dataclasses.replace(
        mission,
        stations=tuple(dataclasses.replace(s, tz="Nowhere/Atlantis") for s in mission.stations),
    )
    status = _wait(SolveJob(broken, time_limit_s=30, seed=1))
    assert status.state == FAILED
    assert "Nowhere/Atlantis" in status.error
    assert status.plan is None


def test_cancel_stops_the_solver_and_its_workers() -> None:
    job = SolveJob(small_mission(), time_limit_s=60, seed=1, workers=2)
    time.sleep(1.0)
    status = job.cancel()
    assert status.state == CANCELLED
    deadline = time.monotonic() + 5
    while not _gone(job.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(job.pid)
    assert job.cancel().state == CANCELLED


def test_a_run_keeps_its_files_private_in_the_data_directory(data_dir: Path) -> None:
    """Never in the system's temporary directory; the mission input is read and removed at
    once; the folder is gone when the run ends."""
    job = SolveJob(small_mission(), time_limit_s=3, seed=1, workers=1)
    (folder,) = _jobs(data_dir)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (data_dir / "jobs").stat().st_mode & 0o777 == 0o700
    marker = job_files.read_marker(folder)
    assert marker is not None and marker["state"] == "running"
    assert marker["worker"]["pid"] == job.pid
    _until(lambda: not (folder / "input.pickle").exists())
    assert _wait(job).state == DONE
    assert _jobs(data_dir) == []


@pytest.mark.parametrize("ending", ["failed", "cancelled", "crashed"])
def test_every_end_of_a_run_removes_its_folder(data_dir: Path, ending: str) -> None:
    mission = small_mission()
    if ending == "failed":
        mission = dataclasses.replace(
            mission,
            stations=tuple(dataclasses.replace(s, tz="Nowhere/X") for s in mission.stations),
        )
    job = SolveJob(mission, time_limit_s=60, seed=1, workers=1)
    assert len(_jobs(data_dir)) == 1
    if ending == "cancelled":
        time.sleep(1.0)
        job.cancel()
    elif ending == "crashed":
        time.sleep(1.0)
        os.killpg(job.pid, signal.SIGKILL)  # the solver dies as an abort would kill it
    status = _wait(job)
    assert status.state == {"failed": FAILED, "cancelled": CANCELLED, "crashed": FAILED}[ending]
    assert _jobs(data_dir) == []


SERVER = """
import signal, sys, time
from tests.support.missions import small_mission
from planner.ui.jobs import SolveJob

# Streamlit stops its server on SIGTERM and the interpreter then exits normally.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
job = SolveJob(small_mission(), time_limit_s=300, seed=1, workers=2,
               meta={"label": "a long run", "mission_id": 1})
print(job.pid, flush=True)
while True:
    time.sleep(0.2)
"""


def _server(data_dir: Path) -> tuple[subprocess.Popen, int]:
    """A stand-in for the app's server process with one run going."""
    env = {**os.environ, "PLANNER_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT / "tests")}
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    assert proc.stdout is not None
    worker = int(proc.stdout.readline())
    _until(lambda: not (_jobs(data_dir)[0] / "input.pickle").exists())
    return proc, worker


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_a_run_of_a_stopped_server_leaves_only_a_note(data_dir: Path, how: int) -> None:
    """Server stopped: its exit stops the run and removes the data; server killed: the run
    stops itself, and the next start removes the data. Either way the run is listed as
    interrupted, and dismissing it removes the last file."""
    proc, worker = _server(data_dir)
    (folder,) = _jobs(data_dir)
    proc.send_signal(how)
    proc.wait(timeout=30)
    _until(lambda: _gone(worker))  # no solver left running
    root = data_dir / "jobs"
    job_files._swept.discard(root.resolve())  # as if the app started again
    (run,) = job_files.interrupted_runs(root, mission_id=1)
    assert run["meta"]["label"] == "a long run" and run["state"] == "interrupted"
    assert [p.name for p in folder.iterdir()] == [job_files.MARKER]
    assert job_files.interrupted_runs(root, mission_id=2) == []
    job_files.dismiss(root, run["id"])
    assert _jobs(data_dir) == []


def test_a_run_of_a_live_server_is_left_alone(data_dir: Path) -> None:
    job = SolveJob(small_mission(), time_limit_s=3, seed=1, workers=1)
    root = data_dir / "jobs"
    assert job_files.sweep(root) == []
    (folder,) = _jobs(data_dir)
    assert json.loads((folder / job_files.MARKER).read_text())["state"] == "running"
    assert _wait(job).state == DONE
