"""Uploaded files to a mission: checked completely, used only once nothing is wrong.

The loaders read paths, so uploads are written to a private temporary folder under their
own names (the suffix tells the format) and read from there. Every problem comes back as
`Problem(file, row, field, message)` with the uploaded file's name, never a traceback.

Before anything is read, each upload is held to `planner.upload_limits`: its size, the
sizes its archive declares (an archive is unpacked as a stream with the same caps), and
its row count. What passes is read in a process of its own (`planner.ui.upload_reader`):
pandas and GDAL keep memory they have used, and a server that read a large file would
keep it too; the reading process gives all of it back when it ends.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from planner.errors import MissionDataError, Problem
from planner.model import Mission, StationKind
from planner.upload_limits import (
    UploadLimits,
    archive_problems,
    extract_capped,
    file_rows,
    layer_rows,
    rows_problem,
    size_problem,
)

STATION_TYPES = ["csv", "xlsx", "xls", "geojson", "json", "gpkg", "zip"]
PACKAGE_TYPES = ["zip", "gpkg", "toml"]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# A reading process that takes longer than this is stopped (a 2-million-row file takes
# a few minutes at most).
READ_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its name and its bytes (from Streamlit's `getvalue()`, which hands
    over the uploader's own bytes; `getbuffer()` would copy them)."""

    name: str
    data: bytes


# Problems and warnings listed for one upload; a file with more usually repeats one
# mistake, and a list of 200,000 would only weigh on the page and the server.
MAX_LISTED = 1_000


@dataclass
class UploadResult:
    """A new mission (None if anything is wrong), the problems, and the warnings (the
    first `MAX_LISTED` of each; `problem_count`/`warning_count` say how many in all)."""

    mission: Mission | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    message: str = ""
    problem_count: int = 0
    warning_count: int = 0

    def __post_init__(self) -> None:
        self.problem_count = max(self.problem_count, len(self.problems))
        self.warning_count = max(self.warning_count, len(self.warnings))
        del self.problems[MAX_LISTED:]
        del self.warnings[MAX_LISTED:]

    @property
    def ok(self) -> bool:
        return self.mission is not None and not self.problems


def _safe_name(name: str) -> str:
    base = PurePosixPath(name.replace("\\", "/")).name
    return base or "upload"


def _write(folder: Path, upload: Upload) -> Path:
    path = folder / _safe_name(upload.name)
    with path.open("wb") as out:
        out.write(upload.data)
    return path


def _rename(
    problems: Sequence[Problem], folder: Path, names: dict[str, str] | None = None
) -> list[Problem]:
    """Problems name the uploaded file (`names`: path -> upload name), not the temporary
    folder it was read from."""
    prefix = str(folder) + "/"
    out = []
    for p in problems:
        file = p.file
        for path, name in (names or {}).items():
            file = file.replace(path, name)
        out.append(dataclasses.replace(p, file=file.replace(prefix, "")))
    return out


def _sized(uploads: Sequence[Upload], limits: UploadLimits) -> list[Problem]:
    return [p for u in uploads if (p := size_problem(u.name, len(u.data), limits)) is not None]


def _checked_file(path: Path, name: str, limits: UploadLimits) -> list[Problem]:
    """An archive's declared sizes (a zipped shapefile; an .xlsx is a zip too), then the
    rows, counted without reading the file into memory."""
    if path.suffix.lower() in (".zip", ".xlsx"):
        problems = archive_problems(path, name, limits)
        if problems:
            return problems
    try:
        rows = file_rows(path)
    except Exception:  # unreadable: the reader says why, with the format's own words
        return []
    problem = None if rows is None else rows_problem(name, rows, limits)
    return [problem] if problem is not None else []


def _in_own_process(work: Path, reader: str, names: str, /, **arguments: Any) -> UploadResult:
    """Run `reader` (a function of this module) in a process of its own, exchanging the
    request and the answer through files in `work`; its memory is all given back when it
    ends. `names`: the uploads, for a message when the reading process fails."""
    request, answer = work / "request.pickle", work / "result.pickle"
    fd = os.open(request, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        pickle.dump((reader, arguments), out, protocol=pickle.HIGHEST_PROTOCOL)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    try:
        done = subprocess.run(
            [sys.executable, "-m", "planner.ui.upload_reader", str(request), str(answer)],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=READ_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        message = f"reading took longer than {READ_TIMEOUT_S:.0f} s and was stopped"
        return UploadResult(None, [Problem(names, None, None, message)])
    if done.returncode != 0 or not answer.exists():
        last = (done.stderr.strip().splitlines() or [""])[-1]
        message = f"the file could not be read (the reader stopped, exit {done.returncode})"
        return UploadResult(None, [Problem(names, None, None, f"{message}: {last}".rstrip(": "))])
    with answer.open("rb") as f:
        result: UploadResult = pickle.load(f)
    return result


def upload_limits() -> UploadLimits:
    """The limits the app holds uploads to: `PLANNER_UPLOAD_*` settings, the upload size
    being Streamlit's `server.maxUploadSize` (the same number by default)."""
    import streamlit as st

    server_mb = int(st.get_option("server.maxUploadSize"))
    return dataclasses.replace(UploadLimits.from_environment(), max_upload_mb=server_mb)


def load_package(uploads: Sequence[Upload], *, limits: UploadLimits | None = None) -> UploadResult:
    """A whole mission package: a .zip holding mission.gpkg and mission.toml (in any one
    folder), or a .gpkg with its .toml uploaded alongside."""
    if not uploads:
        return UploadResult(None, [Problem("upload", None, None, "no file was uploaded")])
    limits = limits or UploadLimits.from_environment()
    if problems := _sized(uploads, limits):
        return UploadResult(None, problems)
    with tempfile.TemporaryDirectory(prefix="planner-upload-") as tmp:
        folder = Path(tmp)
        problems = []
        for upload in uploads:
            path = _write(folder, upload)
            if path.suffix.lower() == ".zip":
                unpacked = folder / (path.stem + "_unpacked")
                unpacked.mkdir()
                problems += archive_problems(path, upload.name, limits) or extract_capped(
                    path, unpacked, upload.name, limits
                )
                path.unlink()
            elif path.suffix.lower() not in (".gpkg", ".toml"):
                problems.append(
                    Problem(
                        upload.name,
                        None,
                        None,
                        "a mission package is a .zip (mission.gpkg + mission.toml) or a "
                        ".gpkg with its .toml",
                    )
                )
        if problems:
            return UploadResult(None, problems)
        gpkgs = sorted(p for p in folder.rglob("*.gpkg") if not p.name.startswith("."))
        if len(gpkgs) != 1:
            found = ", ".join(p.name for p in gpkgs) or "none"
            names = ", ".join(u.name for u in uploads)
            return UploadResult(
                None,
                [
                    Problem(
                        names,
                        None,
                        None,
                        f"expected exactly one GeoPackage (.gpkg) in the upload; found: {found}",
                    )
                ],
            )
        gpkg = gpkgs[0]
        tomls = sorted(gpkg.parent.glob("*.toml")) or sorted(folder.rglob("*.toml"))
        if not tomls:
            return UploadResult(
                None,
                [
                    Problem(
                        gpkg.name,
                        None,
                        None,
                        "the mission settings file (mission.toml) is missing: upload it "
                        "with the .gpkg or put both in the .zip",
                    )
                ],
            )
        settings = next((t for t in tomls if t.name == "mission.toml"), tomls[0])
        if settings.parent != gpkg.parent or settings.name != "mission.toml":
            (gpkg.parent / "mission.toml").write_bytes(settings.read_bytes())
        try:
            rows = layer_rows(gpkg)
        except Exception:  # unreadable: the reader says why
            rows = 0
        if (problem := rows_problem(gpkg.name, rows, limits, "features in a layer")) is not None:
            return UploadResult(None, [problem])
        target = gpkg.parent if gpkg.name == "mission.gpkg" else gpkg
        return _in_own_process(
            folder, "read_package", gpkg.name, folder=folder, target=target, name=gpkg.name
        )


def read_package(folder: Path, target: Path, name: str) -> UploadResult:
    """Load and check a package already written to `folder` (in the reading process)."""
    from planner.geodata import load_mission

    try:
        mission = load_mission(target)
    except MissionDataError as exc:
        return UploadResult(None, _rename(exc.problems, folder))
    except Exception as exc:  # unreadable input in a form no check anticipated
        return UploadResult(None, [Problem(name, None, None, f"cannot read: {exc}")])
    return UploadResult(
        mission,
        message=(
            f"{mission.name}: {len(mission.stations):,} stations, "
            f"{len(mission.commissions)} TECs, {len(mission.teams)} teams"
        ),
    )


def _outside_every_area(mission: Mission, file: str) -> list[Problem]:
    """A warning for each station in the country that falls in none of the areas (by its
    district when areas are made of districts, else by its region): it would not be planned."""
    placed_by = "district" if mission.area_of_district else "region"
    return [
        Problem(
            file,
            s.station_id,
            placed_by,
            f"{placed_by} {getattr(s, placed_by)!r} is in none of the mission's areas: "
            "the station will not be planned",
        )
        for s in mission.stations
        if s.kind is not StationKind.ABROAD and mission.area_of_station(s) is None
    ]


def replace_layers(
    mission: Mission,
    *,
    stations: Upload | None = None,
    commissions: Upload | None = None,
    limits: UploadLimits | None = None,
) -> UploadResult:
    """The mission with its stations and/or TECs replaced by uploaded files.

    TECs are read first, so uploaded stations are checked against the new TECs; uploaded
    TECs alone must still hold every TEC the current stations refer to. Stations must lie
    in the mission's regions to belong to an area (warned, not refused).
    """
    if stations is None and commissions is None:
        return UploadResult(None, [Problem("upload", None, None, "no file was uploaded")])
    limits = limits or UploadLimits.from_environment()
    given = [u for u in (commissions, stations) if u is not None]
    if problems := _sized(given, limits):
        return UploadResult(None, problems)
    with tempfile.TemporaryDirectory(prefix="planner-upload-") as tmp:
        folder = Path(tmp)
        paths: dict[str, Path | None] = {"stations": None, "commissions": None}
        problems = []
        for kind, upload in (("commissions", commissions), ("stations", stations)):
            if upload is None:
                continue
            (folder / kind).mkdir()
            path = _write(folder / kind, upload)
            problems += _checked_file(path, upload.name, limits)
            paths[kind] = path
        if problems:
            return UploadResult(None, problems)
        return _in_own_process(
            folder,
            "read_layers",
            ", ".join(u.name for u in given),
            folder=folder,
            mission=mission,
            stations=(stations.name, paths["stations"]) if stations is not None else None,
            commissions=(commissions.name, paths["commissions"])
            if commissions is not None
            else None,
        )


def read_layers(
    folder: Path,
    mission: Mission,
    stations: tuple[str, Path] | None,
    commissions: tuple[str, Path] | None,
) -> UploadResult:
    """`replace_layers` on files already written to `folder` (in the reading process)."""
    from planner.geodata import load_commissions, load_stations

    problems: list[Problem] = []
    warnings: list[Problem] = []
    names = {str(given[1]): given[0] for given in (stations, commissions) if given is not None}
    new_commissions = list(mission.commissions)
    if commissions is not None:
        name, path = commissions
        try:
            new_commissions, warns = load_commissions(path, outline=mission.outline)
            warnings += warns
        except MissionDataError as exc:
            problems += exc.problems
        except Exception as exc:  # unreadable input in a form no check anticipated
            problems.append(Problem(name, None, None, f"cannot read: {exc}"))
    if problems:
        return UploadResult(None, _rename(problems, folder, names))
    new_stations = list(mission.stations)
    if stations is not None:
        name, path = stations
        try:
            new_stations, warns = load_stations(
                path, outline=mission.outline, commissions=new_commissions
            )
            warnings += warns
        except MissionDataError as exc:
            problems += exc.problems
        except Exception as exc:  # unreadable input in a form no check anticipated
            problems.append(Problem(name, None, None, f"cannot read: {exc}"))
    elif commissions is not None:
        known = {c.tec_id for c in new_commissions}
        for s in mission.stations:
            if s.tec_id not in known:
                problems.append(
                    Problem(
                        commissions[0],
                        None,
                        "tec_id",
                        f"TEC {s.tec_id!r} of station {s.station_id} is not in this file",
                    )
                )
    if problems:
        return UploadResult(None, _rename(problems, folder, names))
    new = dataclasses.replace(
        mission, stations=tuple(new_stations), commissions=tuple(new_commissions)
    )
    if mission.areas and stations is not None:
        warnings += _outside_every_area(new, stations[0])
    parts = []
    if stations is not None:
        parts.append(f"{len(new_stations):,} stations from {stations[0]}")
    if commissions is not None:
        parts.append(f"{len(new_commissions)} TECs from {commissions[0]}")
    return UploadResult(new, warnings=_rename(warnings, folder, names), message="; ".join(parts))


def rename_problems(problems: Sequence[Problem], folder: Path) -> list[Problem]:
    """Problems naming the uploaded files rather than the temporary folder they sit in."""
    return _rename(problems, folder)


def stage_uploads(
    folder: Path,
    uploads: Sequence[Upload],
    *,
    suffixes: Sequence[str],
    limits: UploadLimits | None = None,
) -> tuple[list[Path], list[Problem]]:
    """Write uploads into `folder` (made here, private) under their own plain names, in
    order; refuse names twice, file types not in `suffixes` (".csv", …), and files or
    archives beyond the upload limits (`planner.upload_limits`: size, rows, members,
    unpacked sizes, unsafe paths). The paths, or the problems (then nothing is to be read)."""
    limits = limits or UploadLimits.from_environment()
    problems: list[Problem] = _sized(uploads, limits)
    if problems:
        return [], problems
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths: list[Path] = []
    seen: set[str] = set()
    allowed = ", ".join(suffixes)
    for upload in uploads:
        name = _safe_name(upload.name)
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in suffixes:
            problems.append(
                Problem(upload.name, None, None, f"unsupported file type; use one of {allowed}")
            )
            continue
        if name.casefold() in seen:
            problems.append(Problem(upload.name, None, None, "a file of this name came twice"))
            continue
        seen.add(name.casefold())
        path = _write(folder, upload)
        problems += _checked_file(path, upload.name, limits)
        paths.append(path)
    return paths, problems
