"""Writing result files into a directory the user named, touching nothing else there.

`write_directory(out_dir, files)` is used by `planner plan --out`, `planner route --out` and
`planner export --out`. What it does to `out_dir`:

- missing: created (owner-only, 0700, as plans are confidential), then written;
- empty: written;
- holding earlier output of the planner (it has `.planner-output.json`, the manifest listing
  the files the planner wrote there): the files of this run are written, replacing files of
  the same names that the manifest lists; every other file stays;
- any other non-empty directory: refused with a message, unless `force=True`, which writes
  the files of this run (replacing files of the same names) and leaves every other file;
- an existing file, or anything else that is not a directory: refused, never replaced.

A file of this run whose name exists in the directory but is not in the manifest (a file
someone else put there) is refused the same way without `force`. Nothing outside `out_dir`
is created, renamed or removed (no `DIR.old`, no temporary folder beside it), and nothing
inside it is ever deleted except the planner's own temporary files.

What a reader sees: every file is first written in full under a temporary name in
`out_dir` (`.planner-tmp-*`, flushed to disk), and only then is each moved over its final
name with `os.replace`, which is atomic on POSIX and Windows. A reader therefore never sees a
file half written, and a failure or crash while writing leaves every earlier file as it was.
The files of one run are replaced one after the other, though, not all at once: a reader
that opens several files during those few system calls can find a new `visits.csv` next to
the previous `plan.json`. A crash between two of them leaves each file whole, some from
the previous run and some from this one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

MANIFEST = ".planner-output.json"
TEMP_PREFIX = ".planner-tmp-"
WRITER = "election-planner"


class OutputDirError(ValueError):
    """The directory (or a file in it) is not the planner's to write."""


def check_file_name(name: str) -> str:
    """A plain file name: no folder part, not hidden, not the manifest."""
    if (
        not name
        or name != Path(name).name
        or "/" in name
        or "\\" in name
        or name in (".", "..")
        or name.startswith(".")
        or "\x00" in name
    ):
        raise ValueError(f"{name!r} is not a plain file name")
    return name


def read_manifest(out_dir: Path) -> set[str] | None:
    """The file names the planner wrote into `out_dir`, or None when it is not its output."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file() or path.is_symlink():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("written_by") != WRITER:
        return None
    files = data.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return set(files)


def write_directory(
    out_dir: Path, files: Mapping[str, str | bytes], *, force: bool = False
) -> Path:
    """Write `files` (plain name -> text or bytes) into `out_dir` by the rules above and
    return `out_dir`. Raises `OutputDirError` (a `ValueError`) when the directory or one of
    the names is not the planner's to write; nothing is written then."""
    out_dir = Path(out_dir)
    names = [check_file_name(name) for name in files]
    owned = check_output_dir(out_dir, names, force=force)
    if not out_dir.exists():
        out_dir.mkdir(mode=0o700, parents=True)
    for stale in out_dir.glob(f"{TEMP_PREFIX}*"):
        if owned is not None and stale.is_file() and not stale.is_symlink():
            stale.unlink(missing_ok=True)  # left by a crash of an earlier write

    temps: dict[str, Path] = {}
    try:
        listed = sorted({n for n in (owned or set()) if (out_dir / n).is_file()} | set(names))
        manifest = {"written_by": WRITER, "files": listed}
        temps[MANIFEST] = _write_temp(out_dir, json.dumps(manifest, indent=2) + "\n")
        for name in names:
            temps[name] = _write_temp(out_dir, files[name])
        # The manifest goes first: after a crash between two renames every file this run
        # had started to replace is still known as the planner's own.
        for name, temp in temps.items():
            os.replace(temp, out_dir / name)
    finally:
        for temp in temps.values():
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
    _sync_directory(out_dir)
    return out_dir


def check_output_dir(
    out_dir: Path, names: Sequence[str] = (), *, force: bool = False
) -> set[str] | None:
    """Raise `OutputDirError` unless `write_directory` may write `names` into `out_dir`
    (call it before a long computation to fail early); return the manifest's file names,
    or None when the directory is missing or not earlier planner output."""
    out_dir = Path(out_dir)
    if not (out_dir.exists() or out_dir.is_symlink()):
        return None
    if not out_dir.is_dir():
        raise OutputDirError(
            f"{out_dir} exists and is not a directory; --out needs a directory "
            "(a new one, an empty one, or one the planner wrote before)"
        )
    owned = read_manifest(out_dir)
    _check_ownership(out_dir, list(names), owned, force=force)
    return owned


def _check_ownership(
    out_dir: Path, names: list[str], owned: set[str] | None, *, force: bool
) -> None:
    """Raise `OutputDirError` unless every name may be written into `out_dir`."""
    clash = [n for n in [*names, MANIFEST] if (out_dir / n).is_dir()]
    if clash:
        raise OutputDirError(f"{out_dir / clash[0]} is a directory; it is not replaced")
    if force:
        return
    others = [
        p.name
        for p in out_dir.iterdir()
        if not p.name.startswith(TEMP_PREFIX) and (p.name != MANIFEST or owned is None)
    ]
    if owned is None and others:
        raise OutputDirError(
            f"{out_dir} is not empty and holds no earlier planner output ({MANIFEST}); "
            "choose a new or empty directory, or add --force to write "
            f"{_listing(names)} there and leave every other file in place"
        )
    foreign = [n for n in names if (out_dir / n).exists() and n not in (owned or set())]
    if foreign:
        raise OutputDirError(
            f"{out_dir / foreign[0]} exists and was not written by the planner; "
            "remove or rename it, choose another directory, or add --force to replace it"
        )


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:4])
    return shown + (f" and {len(names) - 4} more file(s)" if len(names) > 4 else "")


def _write_temp(out_dir: Path, content: str | bytes) -> Path:
    """Write `content` to a new temporary file in `out_dir` (created exclusively, owner-only,
    flushed to disk) and return its path."""
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=out_dir)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _sync_directory(out_dir: Path) -> None:
    """Make the renames durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(out_dir, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
