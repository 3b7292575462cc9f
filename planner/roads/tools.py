"""Running the OSRM command-line tools that ship in the `osrm-bindings` wheel.

Each tool runs as `python -m osrm <tool> ...` in its own process with its log appended to
a file, so a failure can be reported with the tool's own last words.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

from planner.roads.dataset import RoadsError

PROFILES = ("car", "foot", "bicycle")


def osrm_version() -> str:
    return metadata.version("osrm-bindings")


def profile_path(profile: str) -> Path:
    """One of the wheel's Lua profiles by name, or a path to a `.lua` profile."""
    import osrm

    shipped = Path(osrm.__file__).parent / "share" / "profiles" / f"{profile}.lua"
    if profile in PROFILES and shipped.is_file():
        return shipped
    custom = Path(profile)
    if custom.suffix == ".lua" and custom.is_file():
        return custom.absolute()
    raise RoadsError(
        f"profile {profile!r}: use one of {', '.join(PROFILES)} or the path of a .lua profile"
    )


def run_tool(tool: str, args: list[str], *, cwd: Path, log: Path) -> None:
    """Run one OSRM tool; raise `RoadsError` with the end of its log if it fails."""
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"$ osrm-{tool} {' '.join(args)}\n")
        handle.flush()
        done = subprocess.run(
            [sys.executable, "-m", "osrm", tool, *args],
            cwd=cwd,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    if done.returncode != 0:
        tail = log.read_text("utf-8", errors="replace").splitlines()[-8:]
        raise RoadsError(f"osrm-{tool} failed (exit {done.returncode}):\n" + "\n".join(tail))
