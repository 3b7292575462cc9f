"""Road data on the app's server: the roads directories a mission may plan on, and
building a new one from an uploaded OpenStreetMap extract in the background.

Every roads directory lives under `$PLANNER_DATA_DIR/roads/NAME` (default
`./data/roads`); the app never reads or writes road data anywhere else, and a mission
names its road data by `NAME` only (lower-case letters, digits, `-` and `_`). There are
two ways to put one there:

- upload an extract (`.osm.pbf`, at most `MAX_EXTRACT_BYTES`) on the Teams & rules page:
  it is written to `roads/.uploads/`, built by `planner roads build` in a background
  thread with its progress shown, and removed once built;
- on the server, `planner roads build EXTRACT.osm.pbf --out data/roads/NAME` (any size).

Closed variants made for re-plans after road-closure reports are cached under
`roads/.closed/`, named by the roads directory and the closures' digest.
"""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from planner.store.db import DATA_DIR_ENV, DEFAULT_DATA_DIR

ROADS_FOLDER = "roads"
UPLOADS = ".uploads"
CLOSED = ".closed"
# Extracts uploaded through the browser; build larger ones on the server (see above).
MAX_EXTRACT_BYTES = 200 * 1024 * 1024
# A finished build is reported on Teams & rules for this long.
SHOWN_AFTER_S = 3600.0
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def roads_root() -> Path:
    """`$PLANNER_DATA_DIR/roads`: where the app keeps road data."""
    return Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR) / ROADS_FOLDER


def closed_cache() -> Path:
    return roads_root() / CLOSED


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a roads directory, or None."""
    if not NAME.fullmatch(name):
        return (
            f"{name!r} cannot name road data: use 1 to 40 lower-case letters, digits, "
            "'-' or '_', starting with a letter or digit"
        )
    return None


def roads_dir(name: str) -> Path:
    """The directory of the road data called `name` (checked: no path can escape)."""
    problem = name_problem(name)
    if problem:
        raise ValueError(problem)
    return roads_root() / name


def available_roads() -> dict[str, object]:
    """Name -> `RoadsInfo` of every usable roads directory on the server (built by
    `planner roads build`, not a closed variant), by name."""
    from planner.roads import RoadsError, read_roads

    root = roads_root()
    if not root.is_dir():
        return {}
    found: dict[str, object] = {}
    for path in sorted(root.iterdir()):
        if not path.is_dir() or name_problem(path.name):
            continue
        try:
            info = read_roads(path)
        except RoadsError:
            continue
        if not info.closures:
            found[path.name] = info
    return found


RUNNING, DONE, FAILED = "running", "done", "failed"


@dataclass
class BuildStatus:
    name: str
    state: str = RUNNING
    step: str = "waiting"
    number: int = 0
    total: int = 4
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    error: str = ""

    @property
    def elapsed_s(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def fraction(self) -> float:
        return 1.0 if self.state == DONE else max(0.0, (self.number - 1) / self.total)


_BUILDS: dict[str, BuildStatus] = {}
_LOCK = threading.Lock()


def build_status(name: str) -> BuildStatus | None:
    with _LOCK:
        return _BUILDS.get(name)


def builds() -> list[BuildStatus]:
    """Builds running, or finished within the last `SHOWN_AFTER_S`."""
    now = time.monotonic()
    with _LOCK:
        return [
            b for b in _BUILDS.values() if b.finished is None or now - b.finished < SHOWN_AFTER_S
        ]


def start_build(name: str, file_name: str, data: bytes) -> BuildStatus:
    """Write the uploaded extract under `roads/.uploads/` and build `roads/NAME` from it
    in a background thread; the status says how far it is. One build per name at a time;
    an existing roads directory of that name is replaced when the build succeeds."""
    out = roads_dir(name)
    lower = file_name.lower()
    if not (lower.endswith(".osm.pbf") or lower.endswith(".pbf")):
        raise ValueError(f"{file_name}: upload an OpenStreetMap extract (.osm.pbf)")
    if len(data) > MAX_EXTRACT_BYTES:
        raise ValueError(
            f"{file_name}: {len(data) / 1e6:.0f} MB is more than the "
            f"{MAX_EXTRACT_BYTES / 1e6:.0f} MB an upload may have; build it on the server "
            f"with `planner roads build {file_name} --out {out}`"
        )
    with _LOCK:
        running = _BUILDS.get(name)
        if running is not None and running.state == RUNNING:
            raise ValueError(f"road data {name!r} is being built already")
        status = BuildStatus(name)
        _BUILDS[name] = status
    uploads = roads_root() / UPLOADS
    uploads.mkdir(parents=True, exist_ok=True, mode=0o700)
    extract = uploads / f"{name}-{uuid.uuid4().hex[:8]}.osm.pbf"
    extract.write_bytes(data)
    thread = threading.Thread(
        target=_build, args=(status, extract, out), daemon=True, name=f"roads-build-{name}"
    )
    thread.start()
    return status


def _build(status: BuildStatus, extract: Path, out: Path) -> None:
    from planner.roads import RoadsError, build_roads

    def on_step(step: str, number: int, total: int) -> None:
        with _LOCK:
            status.step, status.number, status.total = step, number, total

    try:
        build_roads(extract, out, on_step=on_step)
    except (RoadsError, OSError, ValueError) as exc:
        with _LOCK:
            status.state, status.error = FAILED, str(exc)
    except Exception as exc:  # reported on the page, never lost in a thread
        with _LOCK:
            status.state, status.error = FAILED, f"{type(exc).__name__}: {exc}"
    else:
        with _LOCK:
            status.state = DONE
    finally:
        status.finished = time.monotonic()
        extract.unlink(missing_ok=True)
