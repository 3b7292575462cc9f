"""Where a plan's areas run (in this process, a LocalCluster, a Dask scheduler started
apart) and the run's deadline: the same plan everywhere, a limit that holds, cuts said."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from planner.datasets import SMALL_MISSION, get_path
from planner.execution import Execution, Runner, SchedulerError
from planner.outputs import plan_summary, visits_csv
from planner.plan import run_area, solve
from planner.problem import AreaProblem, PlanOptions, area_problems
from planner.routing import solve_routing
from planner.routing_data import RoutingInput
from planner.schedule import AreaPlan
from planner.travel import GreatCircleTravel, TravelModel
from tests.support.missions import LIGHT_SEARCH, multi_area_mission

VENV_BIN = Path(sys.executable).parent
# Generous: areas stop on their counts of work long before it.
LIMIT_S = 120.0
# A run's deadline in the test of a late area: long enough for the two small areas to
# come back on a busy machine.
DEADLINE_S = 8.0


def _mission():
    return multi_area_mission(stations=(40, 80, 120), teams=6, districts=2, seed=5)


def _allowed(limit_s: float) -> float:
    """The promise: a run ends within its limit plus 5 % and 2 s."""
    return limit_s * 1.05 + 2


@pytest.fixture(scope="module")
def in_process_plan():
    return solve(_mission(), time_limit_s=LIMIT_S, seed=11, workers=1, options=LIGHT_SEARCH)


def test_a_local_cluster_gives_the_in_process_plan_byte_for_byte(in_process_plan) -> None:
    """Areas solved by two worker processes, in whatever order they finish: the same
    visits.csv as one after the other in this process, and nothing cut."""
    on_cluster = solve(_mission(), time_limit_s=LIMIT_S, seed=11, workers=2, options=LIGHT_SEARCH)
    assert on_cluster.stats["execution"] == "local-cluster"
    assert on_cluster.stats["workers"] == 2
    assert in_process_plan.stats["execution"] == "in-process"
    assert on_cluster.stats["reproducible"] and on_cluster.stats["cut_areas"] == []
    assert [a.area_id for a in on_cluster.areas] == ["A1", "A2", "A3"]
    assert visits_csv(on_cluster) == visits_csv(in_process_plan)
    assert on_cluster.achieved["opening"] == 6


def test_a_local_cluster_listens_on_this_machine_only() -> None:
    """Scheduler, workers and their HTTP routes bind 127.0.0.1; no dashboard, no 8787."""
    psutil = pytest.importorskip("psutil")
    with Runner(Execution(workers=2)) as runner:
        runner.run(
            run_area,
            [],
            GreatCircleTravel.from_rules(_mission().rules),
            results_due=time.time() + LIMIT_S,
        )
        ours = {os.getpid()} | {p.pid for p in psutil.Process().children(recursive=True)}
        listening = [
            c.laddr
            for c in psutil.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN and c.pid in ours
        ]
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening)
    assert 8787 not in {addr.port for addr in listening}


def _late_in_a3(problem: AreaProblem, travel: TravelModel) -> AreaPlan:
    """An area task whose A3 never comes back in time (a worker stuck elsewhere)."""
    if problem.area_id == "A3":
        time.sleep(60)
    return run_area(problem, travel)


def test_an_area_not_back_by_the_deadline_is_cancelled() -> None:
    """The run stops waiting at its deadline and cancels the late area; the areas that
    came back keep their plans (the plan then reports the missing one as cut)."""
    mission = _mission()
    travel = GreatCircleTravel.from_rules(mission.rules)
    problems = area_problems(mission, replace(LIGHT_SEARCH, seed=11))
    with Runner(Execution(workers=2)) as runner:
        runner.run(run_area, [], travel, results_due=time.time() + LIMIT_S)  # started
        began = time.time()
        arrived: list[str] = []
        results = runner.run(
            _late_in_a3,
            problems,
            travel,
            results_due=began + DEADLINE_S,
            on_done=lambda area: arrived.append(area.area_id),
        )
        waited = time.time() - began
    assert DEADLINE_S <= waited < DEADLINE_S + 2
    assert sorted(results) == sorted(arrived) == ["A1", "A2"]
    assert all(not results[a].stats["cut_by_time"] for a in results)


def test_areas_that_cannot_start_before_the_deadline_are_cut_not_run() -> None:
    """A deadline already past: every area is reported cut, none is solved."""
    plan = solve(_mission(), time_limit_s=5, seed=1, workers=1, deadline=time.time())
    assert plan.stats["cut_areas"] == ["A1", "A2", "A3"]
    assert plan.stops == ()
    assert all("cut by the time limit" in n for n in plan.notes)
    assert plan.shortfalls and "cut by the time limit" in plan.shortfalls[0].reason


def test_a_plan_with_no_cut_says_it_is_reproducible(in_process_plan) -> None:
    summary = plan_summary(in_process_plan, _mission())
    assert summary["reproducible"] is True and summary["cut_by_time"] == []
    assert all(area["cut_by_time"] is False for area in summary["areas"].values())


def _grid_input(stations: int, vehicles: int) -> RoutingInput:
    rng = np.random.default_rng(0)
    points = rng.uniform(0, 3600, size=(vehicles + stations, 2))
    travel = np.rint(np.linalg.norm(points[:, None] - points[None, :], axis=2)).astype(np.int64)
    n = len(points)
    return RoutingInput(
        travel=travel,
        service=np.full(n, 600, dtype=np.int64),
        window_open=np.zeros(n, dtype=np.int64),
        window_close=np.full(n, 12 * 3600, dtype=np.int64),
        prize=np.array([0] * vehicles + [10] * stations, dtype=np.int64),
        required_vehicle=np.full(n, -1, dtype=np.int64),
        starts=tuple(range(vehicles)),
        ends=tuple(range(vehicles)),
        depart_earliest=np.zeros(vehicles, dtype=np.int64),
        depart_latest=np.zeros(vehicles, dtype=np.int64),
        return_latest=np.full(vehicles, 12 * 3600, dtype=np.int64),
    )


def test_the_router_says_when_its_time_limit_stopped_it() -> None:
    """Work counts reached: not cut. A limit far too short for the counts: cut."""
    inp = _grid_input(stations=30, vehicles=2)
    counted = solve_routing(inp, time_limit_s=60, solution_limit=5, rounds=2, seed=1)
    assert not counted.cut_by_time
    rushed = solve_routing(
        _grid_input(stations=150, vehicles=6),
        time_limit_s=0.2,
        solution_limit=10_000,
        rounds=10_000,
        seed=1,
    )
    assert rushed.cut_by_time


def test_execution_refuses_no_workers_and_an_empty_address() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Execution(workers=0)
    with pytest.raises(ValueError, match="empty"):
        Execution(scheduler="  ")


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    port = _free_port()  # nothing listens there
    problems = area_problems(_mission(), PlanOptions(seed=1))
    with (
        Runner(Execution(scheduler=f"tcp://127.0.0.1:{port}", connect_timeout_s=1)) as runner,
        pytest.raises(SchedulerError, match=f"127.0.0.1:{port}"),
    ):
        runner.run(
            run_area,
            problems,
            GreatCircleTravel.from_rules(_mission().rules),
            results_due=time.time() + 60,
        )


# --- the command line: whole runs, as a user starts them ---------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _planner(*args: object, timeout: float = 300) -> tuple[float, int, str]:
    """Run the `planner` program: its wall time until its own process ends (as a shell
    measures it), its exit code and its output."""
    with tempfile.TemporaryFile("w+") as output:
        began = time.monotonic()
        code = subprocess.run(
            [str(VENV_BIN / "planner"), *map(str, args)],
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=timeout,
        ).returncode
        wall = time.monotonic() - began
        output.seek(0)
        return wall, code, output.read()


@pytest.mark.slow
def test_the_time_limit_holds_for_the_whole_run_and_cuts_are_reported(tmp_path: Path) -> None:
    """The default mission with a limit far below its work: the program (start, load,
    solve, write) ends within the limit plus 5 % and 2 s, and says what was cut."""
    limit = 8.0
    wall, code, output = _planner("plan", "--out", tmp_path, "--time-limit", limit, "--seed", 7)
    assert code == 0, output
    assert wall <= _allowed(limit), f"{wall:.1f} s for a limit of {limit} s"
    meta = json.loads((tmp_path / "plan.json").read_text("utf-8"))
    assert meta["reproducible"] is False and meta["cut_by_time"]
    assert meta["solver"]["execution"] == "local-cluster"
    assert all(meta["areas"][a]["cut_by_time"] for a in meta["cut_by_time"])
    assert "NOT reproducible" in output and "The time limit cut" in output


@pytest.fixture
def dask_cluster() -> Iterator[str]:
    """A `dask scheduler` and two `dask worker` processes, started apart on free ports
    of 127.0.0.1, stopped (with everything they started) whatever the test does."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(VENV_BIN / "dask")
    common = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "start_new_session": True}
    local = ("--host", "127.0.0.1", "--no-dashboard")
    started = [
        subprocess.Popen(
            [dask, "scheduler", "--port", str(port), *local],
            stderr=subprocess.DEVNULL,
            **common,
        )
    ]
    try:
        for _ in range(2):
            started.append(
                subprocess.Popen(
                    [dask, "worker", address, "--nthreads", "1", "--no-nanny", *local],
                    stderr=subprocess.DEVNULL,
                    **common,
                )
            )
        from distributed import Client

        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(started):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)


@pytest.mark.slow
def test_an_external_dask_scheduler_gives_the_local_cluster_plan(
    dask_cluster: str, tmp_path: Path
) -> None:
    """`planner plan --scheduler` on a scheduler and two workers started apart writes the
    same visits.csv as the default LocalCluster, byte for byte."""
    mission = get_path(SMALL_MISSION)
    local, remote = tmp_path / "local", tmp_path / "remote"
    _, code, output = _planner("plan", mission, "--out", local, "--time-limit", LIMIT_S)
    assert code == 0, output
    _, code, output = _planner(
        "plan", mission, "--out", remote, "--time-limit", LIMIT_S, "--scheduler", dask_cluster
    )
    assert code == 0, output
    assert "reproducible" in output and "NOT" not in output
    meta = json.loads((remote / "plan.json").read_text("utf-8"))
    assert meta["solver"]["execution"] == "scheduler" and meta["solver"]["workers"] == 2
    assert (remote / "visits.csv").read_bytes() == (local / "visits.csv").read_bytes()
