"""Files already built for a plan version, kept in the server for the next click.

A mission pack takes half a minute to build and a plan version never changes, so a file
built once is handed out again from here, for every user whose view of the plan is the
same. The key is a digest of everything the file is built from (the format, the version,
the team, the user's plan and the mission as the user may see them), so a different
scope, an edited teams table or another version is a different file. Least recently used
files go first when the total passes `PLANNER_BUILT_FILES_MB` (default 128 MB).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable

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


class BuiltFiles:
    """Bytes by key, least recently used dropped first beyond `limit` bytes in all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._files: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}

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


_shared: BuiltFiles | None = None


def shared() -> BuiltFiles:
    """The server's one store of built files."""
    global _shared
    if _shared is None:
        _shared = BuiltFiles(limit_bytes())
    return _shared
