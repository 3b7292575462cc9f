"""Concurrency soak of the mission store: simulated users in threads, then a count of
what was written against what can be read back.

    python scripts/soak_store.py                       # 20 users, 60 s, SQLite in a temp dir
    python scripts/soak_store.py --seconds 10 --threads 8 --database postgresql://...

Coordinators read the whole plan, file field updates and edit the teams table (two of
them editing at once must get a clean conflict, never a silent overwrite); LTOs read their
area's plan rows and file field updates for their area; team accounts read their own
published schedule. Every call goes through a session token, as the app's would.

Allowed outcomes: success, `ConflictError` (someone else saved the teams table first),
`BusyError` (database busy past its timeout; nothing saved, retryable). Anything else is
an error. A lost write is a field update, teams edit or audit entry that was reported
saved but cannot be read back. Exit status 1 on any error or lost write.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from planner.datasets import SMALL_MISSION, get_path
from planner.field_status import ReportKind
from planner.geodata import load_mission as load_package
from planner.model import Mission
from planner.plan import solve
from planner.schedule import Plan
from planner.store import (
    BusyError,
    ConflictError,
    FieldReport,
    Role,
    Store,
    add_field_update,
    authenticate,
    field_updates,
    import_mission,
    load_mission,
    load_plan,
    mission_info,
    open_store,
    publish,
    save_plan,
    session_user,
    system_user,
    update_teams,
    users_add,
)
from planner.store import models as m

PASSWORD = "steady load from many hands"


@dataclass
class Worker:
    name: str
    role: Role
    token: str = ""
    stations: list[str] = field(default_factory=list)
    reads: int = 0
    writes: int = 0
    teams_edits: int = 0
    conflicts: int = 0
    busy: int = 0
    errors: list[str] = field(default_factory=list)
    written: dict[int, str] = field(default_factory=dict)
    edits: dict[int, str] = field(default_factory=dict)  # teams version -> marker
    read_s: list[float] = field(default_factory=list)
    write_s: list[float] = field(default_factory=list)


@dataclass
class SoakResult:
    database: str
    threads: int
    seconds: float
    reads: int
    field_updates: int
    teams_edits: int
    conflicts: int
    busy: int
    errors: list[str]
    lost_writes: int
    writes_per_s: float
    write_transactions_per_s: float
    reads_per_s: float
    read_p95_ms: float
    write_p95_ms: float

    @property
    def ok(self) -> bool:
        return not self.errors and self.lost_writes == 0

    def summary(self) -> str:
        return (
            f"{self.threads} users for {self.seconds:.1f} s on {self.database}: "
            f"{self.field_updates} field updates + {self.teams_edits} teams edits "
            f"({self.writes_per_s:.1f} writes/s; {self.write_transactions_per_s:.1f} write "
            f"transactions/s with the audit entries of plan reads), {self.reads} plan reads "
            f"({self.reads_per_s:.1f}/s), p95 read {self.read_p95_ms:.0f} ms / write "
            f"{self.write_p95_ms:.0f} ms; {self.conflicts} clean conflicts, {self.busy} busy, "
            f"{len(self.errors)} errors, {self.lost_writes} lost writes"
        )


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _setup(
    store: Store, mission: Mission, plan: Plan, threads: int
) -> tuple[int, int, list[Worker]]:
    admin = system_user("soak")
    mission_id = import_mission(store, mission, user=admin)
    version = save_plan(store, mission_id, plan, user=admin)
    publish(store, version, user=admin)
    planned = sorted({s.team_id for s in plan.stops})
    areas = [a.area_id for a in mission.areas if any(t.area_id == a.area_id for t in mission.teams)]
    coordinators = max(2, threads // 5)
    teams = max(1, threads // 5) if threads >= 3 else 0
    workers: list[Worker] = []
    for i in range(threads):
        if i < coordinators:
            w = Worker(f"soak-coord-{i}", Role.COORDINATOR)
            users_add(store, w.name, role=w.role, user=admin, password=PASSWORD)
        elif i < coordinators + teams:
            w = Worker(f"soak-team-{i}", Role.TEAM)
            team = planned[i % len(planned)]
            users_add(store, w.name, role=w.role, user=admin, password=PASSWORD, team_id=team)
        else:
            w = Worker(f"soak-lto-{i}", Role.LTO)
            area = areas[i % len(areas)]
            users_add(store, w.name, role=w.role, user=admin, password=PASSWORD, area_ids=[area])
        w.token = authenticate(store, w.name, PASSWORD).token
        user = session_user(store, w.token)
        if w.role is not Role.TEAM:
            w.stations = [s.station_id for s in load_mission(store, mission_id, user=user).stations]
        workers.append(w)
    return mission_id, version, workers


def _run_worker(
    store: Store, w: Worker, mission_id: int, version: int, deadline: float, seed: int
) -> None:
    rng = random.Random(seed)
    n = 0

    def timed(bucket: list[float], call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = call()
        bucket.append(time.perf_counter() - started)
        return result

    while time.perf_counter() < deadline:
        n += 1
        try:
            user = session_user(store, w.token)
            roll = rng.random()
            if w.role is Role.TEAM or roll < 0.5:
                timed(w.read_s, lambda u=user: load_plan(store, version, user=u))
                w.reads += 1
            elif w.role is Role.COORDINATOR and roll < 0.7:
                marker = f"{w.name}#{n}"
                expected = mission_info(store, mission_id, user=user).teams_version
                teams = load_mission(store, mission_id, user=user).teams
                edited = (replace(teams[0], base_name=marker), *teams[1:])
                try:
                    new = timed(
                        w.write_s,
                        lambda t=edited, u=user, v=expected: update_teams(
                            store, mission_id, t, user=u, expected_version=v
                        ),
                    )
                except ConflictError:
                    w.conflicts += 1
                else:
                    w.teams_edits += 1
                    w.edits[new] = marker
            else:
                note = f"{w.name}#{n}"
                kind = rng.choice(
                    [ReportKind.STATION_CLOSED, ReportKind.STATION_INACCESSIBLE, ReportKind.NOTE]
                )
                report = (
                    FieldReport(ReportKind.NOTE, note=note)
                    if kind == ReportKind.NOTE
                    else FieldReport(kind, station_id=rng.choice(w.stations), note=note)
                )
                update_id = timed(
                    w.write_s,
                    lambda r=report, u=user: add_field_update(store, mission_id, r, user=u),
                )
                w.writes += 1
                w.written[update_id] = note
        except BusyError:
            w.busy += 1
        except Exception as exc:
            w.errors.append(f"{type(exc).__name__}: {exc}")


def _verify(store: Store, mission_id: int, workers: list[Worker], initial_version: int) -> int:
    """Writes reported saved that cannot be read back."""
    admin = system_user("soak-check")
    stored = {u.id: u.note for u in field_updates(store, mission_id, user=admin)}
    lost = sum(1 for w in workers for uid, note in w.written.items() if stored.get(uid) != note)
    edits = {v: mk for w in workers for v, mk in w.edits.items()}
    info = mission_info(store, mission_id, user=admin)
    lost += max(0, initial_version + len(edits) - info.teams_version)
    if edits:
        base = load_mission(store, mission_id, user=admin).teams[0].base_name
        lost += base != edits[max(edits)]
    with store.engine.connect() as conn:
        viewed = conn.scalar(
            select(func.count())
            .select_from(m.AuditEntry)
            .where(m.AuditEntry.action == "plan_viewed", m.AuditEntry.username.like("soak-%"))
        )
    lost += max(0, sum(w.reads for w in workers) - int(viewed or 0))
    return lost


def run_soak(
    *,
    seconds: float = 60.0,
    threads: int = 20,
    url: str | None = None,
    mission: Mission | None = None,
    plan: Plan | None = None,
    time_limit_s: float = 5.0,
    seed: int = 1,
    **store_options: Any,
) -> SoakResult:
    """Run the soak and check the result; a temporary SQLite store unless `url`."""
    with tempfile.TemporaryDirectory(prefix="planner-soak-") as tmp:
        mission = mission or load_package(get_path(SMALL_MISSION))
        plan = plan or solve(mission, time_limit_s=time_limit_s, seed=seed, workers=1)
        target = url or f"sqlite:///{Path(tmp, 'planner.db').as_posix()}"
        store = open_store(target, **store_options)
        try:
            mission_id, version, workers = _setup(store, mission, plan, threads)
            initial = mission_info(store, mission_id, user=system_user()).teams_version
            started = time.perf_counter()
            deadline = started + seconds
            pool = [
                threading.Thread(
                    target=_run_worker,
                    args=(store, w, mission_id, version, deadline, seed * 1000 + i),
                    name=w.name,
                )
                for i, w in enumerate(workers)
            ]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            elapsed = time.perf_counter() - started
            lost = _verify(store, mission_id, workers, initial)
            reads = sum(w.reads for w in workers)
            writes = sum(w.writes for w in workers)
            edits = sum(w.teams_edits for w in workers)
            return SoakResult(
                database=store.dialect,
                threads=threads,
                seconds=elapsed,
                reads=reads,
                field_updates=writes,
                teams_edits=edits,
                conflicts=sum(w.conflicts for w in workers),
                busy=sum(w.busy for w in workers),
                errors=[e for w in workers for e in w.errors][:50],
                lost_writes=lost,
                writes_per_s=(writes + edits) / elapsed,
                write_transactions_per_s=(writes + edits + reads) / elapsed,
                reads_per_s=reads / elapsed,
                read_p95_ms=_p95([x for w in workers for x in w.read_s]),
                write_p95_ms=_p95([x for w in workers for x in w.write_s]),
            )
        finally:
            store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--database", help="database URL (default: SQLite in a temp dir)")
    parser.add_argument("--mission", type=Path, help=f"mission package (default {SMALL_MISSION})")
    parser.add_argument("--time-limit", type=float, default=5.0, help="solver seconds")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    mission = load_package(args.mission) if args.mission else None
    result = run_soak(
        seconds=args.seconds,
        threads=args.threads,
        url=args.database,
        mission=mission,
        time_limit_s=args.time_limit,
    )
    if args.json:
        print(json.dumps(asdict(result), indent=2))
    else:
        print(result.summary())
        for error in result.errors[:10]:
            print(f"  error: {error}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
