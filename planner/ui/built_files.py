"""Files already built for a plan version, kept in the server for the next click.

A mission pack takes half a minute to build and a plan version never changes, so a file
built once is handed out again from here, for every user whose view of the plan is the
same. The key is a digest of everything the file is built from (the format, the version,
the team, the user's plan and the mission as the user may see them), so a different
scope, an edited teams table or another version is a different file. Least recently used
files go first when the total passes `PLANNER_BUILT_FILES_MB` (default 128 MB).

`start` builds a file on a background thread, so a page can offer it while it is made
and show how far the build has got (`status`) instead of a spinner on a click.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from planner.model import Mission
from planner.outputs import visits_csv
from planner.schedule import Plan

LIMIT_ENV = "PLANNER_BUILT_FILES_MB"
DEFAULT_LIMIT_MB = 128


def limit_bytes() -> int:
    raw = os.environ.get(LIMIT_ENV, "")
    try:
        megabytes = float(raw) if raw else DEFAULT_LIMIT_MB
    except ValueError:
        megabytes = DEFAULT_LIMIT_MB
    return max(0, int(megabytes * 1024 * 1024))


def file_key(
    fmt: str, version_id: int | None, team_id: str | None, plan: Plan, mission: Mission
) -> str:
    """A digest of what a file is built from, as the user sees it."""
    digest = hashlib.sha256()
    for part in (fmt, str(version_id), str(team_id), mission.name):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(visits_csv(plan).encode("utf-8"))
    for team in mission.teams:
        digest.update(repr(team).encode("utf-8"))
    for station in mission.stations:
        digest.update(repr(station).encode("utf-8"))
    for commission in mission.commissions:
        digest.update(repr(commission).encode("utf-8"))
    return digest.hexdigest()


# Told of each step done as a file is built: (steps done, steps in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildStatus:
    """Where a file stands: `ready`, `building` (with `done` of `total` steps when the
    build reports them), `failed` (with the reason) or `absent`."""

    state: str
    done: int = 0
    total: int = 0
    error: str = ""


class BuiltFiles:
    """Bytes by key, least recently used dropped first beyond `limit` bytes in all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._files: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._progress: dict[str, tuple[int, int]] = {}
        self._failed: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._files)

    @property
    def size(self) -> int:
        return self._size

    def get(self, key: str) -> bytes | None:
        with self._lock:
            data = self._files.get(key)
            if data is not None:
                self._files.move_to_end(key)
            return data

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            if key in self._files:
                self._size -= len(self._files.pop(key))
            if len(data) > self.limit:
                return
            self._files[key] = data
            self._size += len(data)
            while self._size > self.limit:
                _, dropped = self._files.popitem(last=False)
                self._size -= len(dropped)

    def get_or_build(self, key: str, build: Callable[[], bytes]) -> bytes:
        """The file under `key`, built by `build` if it is not kept; two users asking
        for the same file at once build it once."""
        found = self.get(key)
        if found is not None:
            return found
        with self._lock:
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            found = self.get(key)
            if found is None:
                found = build()
                self.put(key, found)
        with self._lock:
            self._building.pop(key, None)
        return found

    def start(self, key: str, build: Callable[[Progress], bytes]) -> None:
        """Build the file under `key` on a background thread, unless it is kept, being
        built, or failed before (a failure is reported by `status`, not retried)."""
        with self._lock:
            if key in self._files or key in self._progress or key in self._failed:
                return
            self._progress[key] = (0, 0)

        def report(done: int, total: int) -> None:
            with self._lock:
                self._progress[key] = (done, total)

        def run() -> None:
            try:
                data = self.get_or_build(key, lambda: build(report))
                if self.get(key) is None:  # larger than the store: built again on a click
                    with self._lock:
                        self._failed[key] = f"{len(data) / 2**20:.0f} MB, too large to keep"
            except Exception as exc:  # shown to the user on the page that asked
                with self._lock:
                    self._failed[key] = f"{type(exc).__name__}: {exc}"
            finally:
                with self._lock:
                    self._progress.pop(key, None)

        threading.Thread(target=run, name=f"build-{key[:8]}", daemon=True).start()

    def statuses(self) -> list[BuildStatus]:
        """Where every file this store knows of stands."""
        with self._lock:
            keys = [*self._files, *self._progress, *self._failed]
        return [self.status(k) for k in keys]

    def status(self, key: str) -> BuildStatus:
        with self._lock:
            if key in self._files:
                return BuildStatus("ready")
            if key in self._failed:
                return BuildStatus("failed", error=self._failed[key])
            if key in self._progress:
                done, total = self._progress[key]
                return BuildStatus("building", done, total)
            return BuildStatus("absent")


_shared: BuiltFiles | None = None


def shared() -> BuiltFiles:
    """The server's one store of built files."""
    global _shared
    if _shared is None:
        _shared = BuiltFiles(limit_bytes())
    return _shared
