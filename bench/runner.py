"""Run solver jobs in at most two fresh worker processes and score them.

Each job runs in its own process (`maxtasksperchild=1`), so one solver's memory or state
never leaks into the next, and the machine never has more than `jobs` solvers running.
"""

from __future__ import annotations

import multiprocessing as mp
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from evaluate import Score, evaluate
from instances import Instance
from solvers import Run

MAX_JOBS = 2


@dataclass
class Job:
    instance: Instance
    solver: str
    time_limit_s: float
    call: Callable[..., Run]
    kwargs: dict[str, Any]
    # post-processing of the routes before scoring (e.g. a repair), optional
    post: Callable[[Any, list[list[int]]], list[list[int]]] | None = None


@dataclass
class Outcome:
    job: Job
    run: Run
    score: Score


def _work(job: Job) -> Outcome:
    warnings.simplefilter("ignore")
    run = job.call(job.instance.inp, job.time_limit_s, **job.kwargs)
    routes = run.routes if job.post is None else job.post(job.instance.inp, run.routes)
    run.solver = job.solver
    return Outcome(job, run, evaluate(job.instance.inp, routes))


def run_jobs(
    jobs: Iterable[Job],
    *,
    workers: int = MAX_JOBS,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    jobs = list(jobs)
    workers = max(1, min(MAX_JOBS, workers))
    outcomes: list[Outcome] = []
    if workers == 1:
        for job in jobs:
            outcomes.append(_work(job))
            if on_done:
                on_done(outcomes[-1])
        return outcomes
    ctx = mp.get_context("fork")
    with ctx.Pool(workers, maxtasksperchild=1) as pool:
        for outcome in pool.imap(_work, jobs):
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    return outcomes
