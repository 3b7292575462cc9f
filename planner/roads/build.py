"""Build a roads directory from an OpenStreetMap extract with the real OSRM tools.

extract (Lua profile) -> partition -> customize: the multi-level Dijkstra (MLD) pipeline,
so that a road closure only re-runs `customize`, which takes seconds, instead of a full
contraction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from planner.roads.dataset import OSRM_BASE, RoadsInfo, staged_directory, write_info
from planner.roads.extract import check_extract, extract_facts
from planner.roads.tools import osrm_version, profile_path, run_tool

BUILD_LOG = "build.log"
STEPS = ("read the extract", "osrm-extract", "osrm-partition", "osrm-customize")

# Called with (step name, step number from 1, number of steps) as each step starts.
StepCallback = Callable[[str, int, int], None]


def build_roads(
    extract: Path,
    out: Path,
    *,
    profile: str = "car",
    threads: int | None = None,
    on_step: StepCallback | None = None,
) -> RoadsInfo:
    """Build `out` from `extract`; returns its metadata (also written to `roads.json`)."""
    extract = Path(extract)
    check_extract(extract)
    lua = profile_path(profile)
    started = time.perf_counter()

    def step(index: int) -> None:
        if on_step is not None:
            on_step(STEPS[index], index + 1, len(STEPS))

    with staged_directory(Path(out)) as stage:
        step(0)
        facts = extract_facts(extract)
        log = stage / BUILD_LOG
        thread_args = ["--threads", str(threads)] if threads else []
        step(1)
        run_tool(
            "extract",
            ["-p", str(lua), str(extract.absolute()), "-o", OSRM_BASE, *thread_args],
            cwd=stage,
            log=log,
        )
        step(2)
        run_tool("partition", [OSRM_BASE, *thread_args], cwd=stage, log=log)
        step(3)
        run_tool("customize", [OSRM_BASE, *thread_args], cwd=stage, log=log)
        info = RoadsInfo(
            directory=Path(out).absolute(),
            source_file=extract.name,
            source_sha256=facts.sha256,
            source_bytes=facts.size,
            osm_timestamp=facts.timestamp,
            osm_timestamp_from=facts.timestamp_from,
            bbox=facts.bbox,
            profile=profile if profile in ("car", "foot", "bicycle") else lua.name,
            algorithm="MLD",
            osrm_version=osrm_version(),
            built_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            build_seconds=round(time.perf_counter() - started, 2),
            files=tuple(sorted(p.name for p in stage.iterdir())),
        )
        write_info(replace(info, directory=stage))
    return info
