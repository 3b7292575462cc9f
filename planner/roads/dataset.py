"""A roads directory: the OSRM data built from one OpenStreetMap extract, and what we know
about it (`roads.json`).

The directory holds only files we wrote, listed in `roads.json`, so it can be replaced or
removed without touching anything else: a build or a closure writes into a temporary
sibling and moves it into place, refuses a non-empty directory that is not a roads
directory, and never deletes a file it did not list.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

META_FILE = "roads.json"
# OSRM names every file after a base path; ours is always `roads.osrm`.
OSRM_BASE = "roads.osrm"
FORMAT = 1


class RoadsError(ValueError):
    """A roads directory or extract that cannot be used; the message names the path."""


@dataclass(frozen=True)
class ClosureRecord:
    """A closed road as applied to a roads directory (see `planner.roads.closures`)."""

    points: tuple[tuple[float, float], ...]
    note: str = ""
    ref: str = ""
    segments: int = 0


@dataclass(frozen=True)
class RoadsInfo:
    """What `roads.json` says: the extract it came from, its date and extent, and how it
    was built. `closures` is empty for a plain build and lists the closed roads of a
    closed variant (`closed_from` then names the directory it was made from)."""

    directory: Path
    source_file: str
    source_sha256: str
    source_bytes: int
    osm_timestamp: str | None
    osm_timestamp_from: str
    bbox: tuple[float, float, float, float]
    profile: str
    algorithm: str
    osrm_version: str
    built_at: str
    build_seconds: float
    files: tuple[str, ...]
    closures: tuple[ClosureRecord, ...] = ()
    closed_from: str | None = None
    format: int = FORMAT

    @property
    def osm_date(self) -> str | None:
        """The extract's date (YYYY-MM-DD), for showing next to a plan's travel source."""
        return self.osm_timestamp[:10] if self.osm_timestamp else None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("directory")
        data["bbox"] = list(self.bbox)
        data["files"] = list(self.files)
        data["closures"] = [
            {**asdict(c), "points": [list(p) for p in c.points]} for c in self.closures
        ]
        return data


def write_info(info: RoadsInfo) -> None:
    """Write `roads.json` (to a temporary name first, so a reader never sees half a file)."""
    path = info.directory / META_FILE
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(info.to_json(), indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(partial, path)


def read_roads(directory: Path | str) -> RoadsInfo:
    """The metadata of a roads directory, after checking that its files are all there."""
    directory = Path(directory)
    meta = directory / META_FILE
    if not directory.is_dir():
        raise RoadsError(
            f"{directory}: no such roads directory (build one with `planner roads build`)"
        )
    if not meta.is_file():
        raise RoadsError(
            f"{directory}: not a roads directory (no {META_FILE}; build one with "
            "`planner roads build`)"
        )
    try:
        data = json.loads(meta.read_text("utf-8"))
        if data.get("format") != FORMAT:
            raise RoadsError(
                f"{meta}: format {data.get('format')!r} is not {FORMAT}; rebuild the directory"
            )
        closures = tuple(
            ClosureRecord(
                points=tuple((float(p[0]), float(p[1])) for p in c["points"]),
                note=str(c.get("note", "")),
                ref=str(c.get("ref", "")),
                segments=int(c.get("segments", 0)),
            )
            for c in data.get("closures", [])
        )
        info = RoadsInfo(
            directory=directory,
            source_file=str(data["source_file"]),
            source_sha256=str(data["source_sha256"]),
            source_bytes=int(data["source_bytes"]),
            osm_timestamp=data.get("osm_timestamp"),
            osm_timestamp_from=str(data["osm_timestamp_from"]),
            bbox=tuple(float(v) for v in data["bbox"]),  # type: ignore[arg-type]
            profile=str(data["profile"]),
            algorithm=str(data["algorithm"]),
            osrm_version=str(data["osrm_version"]),
            built_at=str(data["built_at"]),
            build_seconds=float(data["build_seconds"]),
            files=tuple(str(f) for f in data["files"]),
            closures=closures,
            closed_from=data.get("closed_from"),
        )
    except RoadsError:
        raise
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise RoadsError(f"{meta}: cannot read the roads metadata: {exc}") from exc
    if len(info.bbox) != 4:
        raise RoadsError(f"{meta}: field 'bbox' must hold 4 numbers")
    missing = [f for f in info.files if not (directory / f).is_file()]
    if missing:
        raise RoadsError(
            f"{directory}: {len(missing)} file(s) listed in {META_FILE} are missing "
            f"(e.g. {missing[0]}); rebuild the directory"
        )
    return info


def _replaceable(out: Path) -> tuple[str, ...] | None:
    """The files to remove when replacing `out`, or None when `out` does not exist.

    An empty directory is fine; a roads directory is fine when it holds nothing but the
    files its metadata lists; anything else is refused."""
    if not out.exists():
        return None
    if not out.is_dir():
        raise RoadsError(f"{out}: exists and is not a directory")
    present = {p.name for p in out.iterdir()}
    if not present:
        return ()
    if META_FILE not in present:
        raise RoadsError(
            f"{out}: the directory is not empty and was not written by `planner roads`; "
            "choose a new or empty directory"
        )
    listed = set(read_roads(out).files) | {META_FILE}
    foreign = sorted(present - listed)
    if foreign:
        raise RoadsError(
            f"{out}: holds files that `planner roads` did not write (e.g. {foreign[0]}); "
            "choose a new or empty directory"
        )
    return tuple(sorted(present))


@contextmanager
def staged_directory(out: Path) -> Iterator[Path]:
    """A fresh temporary sibling of `out` to write into; on success it replaces `out`.

    On failure the sibling and everything in it (all ours) is removed and `out` is left
    as it was."""
    out = Path(out).absolute()
    if not out.parent.is_dir():
        raise RoadsError(f"{out.parent}: no such directory (create it first)")
    old_files = _replaceable(out)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    stage.chmod(0o777 & ~umask)  # mkdtemp makes it private; a roads directory is not
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    _replace(stage, out, old_files)


def _replace(stage: Path, out: Path, old_files: tuple[str, ...] | None) -> None:
    if old_files is None:
        os.rename(stage, out)
        return
    if not old_files:
        out.rmdir()
        os.rename(stage, out)
        return
    retired = out.with_name(f".{out.name}.{uuid.uuid4().hex}.old")
    os.rename(out, retired)
    os.rename(stage, out)
    for name in old_files:
        (retired / name).unlink(missing_ok=True)
    retired.rmdir()
