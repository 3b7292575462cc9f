"""Where a plan's areas are solved: in this process, on a LocalCluster, or on a Dask cluster.

Each area is one task that gets only its own data (its `AreaProblem` and the travel
model) and returns its `AreaPlan`. Results arrive in whatever order they finish; the
caller puts them in the mission's order, so the plan does not depend on where, when or
in which order areas ran. The run stops waiting at `results_due` (wall-clock epoch
seconds): an area not back by then is cancelled and left out, and the caller reports
it as cut by the time limit.

- `Execution(workers=1)`: in this process, one area after the other (tests, debugging).
- `Execution(workers=N)`: a `distributed.LocalCluster` of N worker processes with one
  thread each, started for the run, listening on 127.0.0.1 only, no dashboard.
- `Execution(scheduler="tcp://host:8786")`: the workers of a Dask cluster that already
  runs; the run only connects to it (Dask ships tasks as pickles: use clusters you trust).

Dask is imported only when a cluster is used, so the in-process path and the command
line stay quick to start.
"""

from __future__ import annotations

import logging
import os
import threading
import time as clock
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.problem import AreaProblem
    from planner.schedule import AreaPlan
    from planner.travel import TravelModel

AreaSolve = Callable[["AreaProblem", "TravelModel"], "AreaPlan"]
Done = Callable[["AreaPlan"], None]

IN_PROCESS, LOCAL_CLUSTER, SCHEDULER = "in-process", "local-cluster", "scheduler"
# The deployment's Dask scheduler, for the command line (`--scheduler`'s default) and the
# app's plans: where the planner runs is the deployment's choice, not the mission's.
SCHEDULER_ENV = "PLANNER_SCHEDULER"
# Longest wait for an external scheduler to answer when connecting.
CONNECT_TIMEOUT_S = 10.0
# Longest wait for a LocalCluster's workers to stop when the run ends.
CLOSE_TIMEOUT_S = 5.0
# What the workers of a LocalCluster import before they take tasks, while the mission
# loads: the solver, so the first area does not wait for its imports (forked workers
# have it from their fork server already).
PRELOAD = ("planner.plan",)


@dataclass(frozen=True)
class Execution:
    """How a run's areas are executed: a deployment choice, not a mission rule, so it is
    a command-line option and a server setting rather than part of mission.toml."""

    workers: int = 2
    # Address of a running Dask scheduler; None: a LocalCluster of `workers` (or this
    # process when `workers` is 1).
    scheduler: str | None = None
    # Longest wait for that scheduler to answer before the run fails with its address.
    connect_timeout_s: float = CONNECT_TIMEOUT_S

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        if self.scheduler is not None and not self.scheduler.strip():
            raise ValueError("the scheduler address is empty")
        if self.connect_timeout_s <= 0:
            raise ValueError(f"connect_timeout_s must be positive, not {self.connect_timeout_s}")

    @property
    def kind(self) -> str:
        if self.scheduler is not None:
            return SCHEDULER
        return IN_PROCESS if self.workers <= 1 else LOCAL_CLUSTER


def process_started_at() -> float:
    """When this process started, in epoch seconds (Linux, to 10 ms; elsewhere: now), so
    that a program's time limit counts its own start and imports."""
    now = clock.time()
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        began = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start, in ticks
        return now - max(0.0, clock.clock_gettime(clock.CLOCK_BOOTTIME) - began)
    except (OSError, ValueError, IndexError, AttributeError):
        return now


def configured_scheduler() -> str | None:
    """The scheduler address `$PLANNER_SCHEDULER` names, if any."""
    return os.environ.get(SCHEDULER_ENV, "").strip() or None


class SchedulerError(RuntimeError):
    """The Dask scheduler could not be reached or started."""


class Runner:
    """Runs area solves the way `execution` says; a context manager that shuts its
    LocalCluster down (or disconnects from the scheduler) when the run ends.

    A LocalCluster starts in the background as soon as the runner is made, so its
    worker processes spawn and import the solver while the caller loads the mission.
    """

    def __init__(self, execution: Execution) -> None:
        self.execution = execution
        self._client: Any = None
        self._cluster: Any = None
        self._error: BaseException | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._closed = False
        self._prefix = f"area-{uuid.uuid4().hex[:12]}"
        if execution.kind == IN_PROCESS:
            self._ready.set()
        else:
            threading.Thread(target=self._connect, daemon=True, name="planner-dask").start()

    def _connect(self) -> None:
        client = cluster = None
        try:
            from distributed import Client, LocalCluster

            if self.execution.scheduler is not None:
                client = Client(
                    self.execution.scheduler,
                    timeout=self.execution.connect_timeout_s,
                    set_as_default=False,
                )
            else:
                _use_forkserver()
                cluster = LocalCluster(
                    n_workers=self.execution.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    # No dashboard; the scheduler's own HTTP routes (health, metrics) on
                    # a free port of 127.0.0.1 rather than 8787, which another may hold.
                    scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                    # Workers log a missed heartbeat as an error with a traceback when
                    # the machine is busy; an area's own error reaches the caller anyway.
                    silence_logs=logging.CRITICAL,
                    preload=list(PRELOAD),
                )
                client = Client(cluster, set_as_default=False)
        except BaseException as exc:  # reported by `run`, in the caller's thread
            self._error = exc
        with self._lock:
            closed = self._closed
            if not closed:
                self._client, self._cluster = client, cluster
            self._ready.set()
        if closed:  # the run ended before the cluster was up: stop what was started
            _shut(client, cluster)

    @property
    def workers(self) -> int:
        """How many workers solve areas (those of the cluster when connected to one)."""
        client = self._client
        if client is None:
            return self.execution.workers if self.execution.kind != SCHEDULER else 0
        return len(client.scheduler_info().get("workers", {}))

    def _wait_ready(self, until: float) -> bool:
        """Whether the cluster is up by `until` (epoch seconds); its start's error, raised."""
        if not self._ready.wait(max(0.0, until - clock.time())):
            return False
        if self._error is not None:
            where = self.execution.scheduler or "a LocalCluster on this machine"
            raise SchedulerError(
                f"cannot use the Dask scheduler at {where}: "
                f"{type(self._error).__name__}: {self._error}"
            ) from self._error
        return True

    def run(
        self,
        solve: AreaSolve,
        problems: Sequence[AreaProblem],
        travel: TravelModel,
        *,
        results_due: float,
        on_done: Done | None = None,
    ) -> dict[str, AreaPlan]:
        """Every area's (or part's) plan that arrived by `results_due`, by problem key.

        Areas start largest first (most teams), so the longest solves do not end the run.
        An area's error is raised here.
        """
        order = sorted(problems, key=lambda p: (-len(p.teams), p.key))
        if self.execution.kind == IN_PROCESS:
            return _run_here(solve, order, travel, results_due, on_done)
        if not self._wait_ready(results_due):
            return {}  # no cluster by the deadline: every area is cut
        return self._run_on_cluster(solve, order, travel, results_due, on_done)

    def _run_on_cluster(
        self,
        solve: AreaSolve,
        order: list[AreaProblem],
        travel: TravelModel,
        results_due: float,
        on_done: Done | None,
    ) -> dict[str, AreaPlan]:
        from distributed import as_completed

        client = self._client
        futures = [
            client.submit(
                solve,
                p,
                travel,
                key=f"{self._prefix}-{p.key}",
                pure=False,
                priority=len(order) - rank,
            )
            for rank, p in enumerate(order)
        ]
        results: dict[str, AreaPlan] = {}
        waiting = set(futures)
        try:
            arrivals = as_completed(
                futures,
                loop=client.loop,
                with_results=True,
                timeout=max(0.0, results_due - clock.time()),
            )
            for future, plan in arrivals:
                waiting.discard(future)
                results[plan.key] = plan
                if on_done is not None:
                    on_done(plan)
        except TimeoutError:
            pass  # the areas still out are cut; the caller says so
        finally:
            if waiting:
                client.cancel(list(waiting), force=True)
        return results

    def close(self) -> None:
        """Disconnect, and stop the LocalCluster's workers; safe to call twice. A cluster
        still starting is stopped by its starting thread once it is up."""
        with self._lock:
            self._closed = True
            client, cluster = self._client, self._cluster
            self._client = self._cluster = None
        _shut(client, cluster)

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _shut(client: Any, cluster: Any) -> None:
    if client is not None:
        client.close(timeout=CLOSE_TIMEOUT_S)
    if cluster is not None:
        cluster.close(timeout=CLOSE_TIMEOUT_S)


def _use_forkserver() -> None:
    """Start a LocalCluster's workers from a fork server that has imported the solver once.

    Dask's default, spawn, starts every worker as a fresh interpreter that imports Dask
    and the solver again (about a second of CPU each, several under load) and takes
    seconds to stop; forked from a server that imported both once, workers start and
    stop in a fraction of that. The fork server is a clean process of its own, not a
    fork of this one (which runs threads). Where there is none (Windows), spawn it is.
    """
    import multiprocessing

    import dask
    from distributed.utils import get_mp_context

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"})
    # Dask sets its own preload list on first use; ours replaces it before the fork
    # server starts (once it runs, it keeps what it imported).
    get_mp_context().set_forkserver_preload(["distributed", *PRELOAD])


def _run_here(
    solve: AreaSolve,
    order: list[AreaProblem],
    travel: TravelModel,
    results_due: float,
    on_done: Done | None,
) -> dict[str, AreaPlan]:
    """One area after the other in this process; none starts after `results_due`."""
    results: dict[str, AreaPlan] = {}
    for p in order:
        if clock.time() >= results_due:
            break
        plan = solve(p, travel)
        results[plan.key] = plan
        if on_done is not None:
            on_done(plan)
    return results
