"""The background planning job: result, failure and cancel, with no process left behind."""

from __future__ import annotations

import dataclasses
import os
import time

from ui_support import small_mission

from planner.ui.jobs import CANCELLED, DONE, FAILED, SolveJob


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
