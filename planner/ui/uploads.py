"""Uploaded files to a mission: checked completely, used only once nothing is wrong.

The loaders read paths, so uploads are written to a private temporary folder under their
own names (the suffix tells the format) and read from there. Every problem comes back as
`Problem(file, row, field, message)` with the uploaded file's name, never a traceback.
"""

from __future__ import annotations

import dataclasses
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from planner.errors import MissionDataError, Problem
from planner.geodata import load_commissions, load_mission, load_stations
from planner.model import Mission, StationKind

MAX_ZIP_BYTES = 500_000_000  # uncompressed: refuse archives that would fill the disk
STATION_TYPES = ["csv", "xlsx", "xls", "geojson", "json", "gpkg", "zip"]
PACKAGE_TYPES = ["zip", "gpkg", "toml"]


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass
class UploadResult:
    """A new mission (None if anything is wrong), the problems, and the warnings."""

    mission: Mission | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.mission is not None and not self.problems


def _safe_name(name: str) -> str:
    base = PurePosixPath(name.replace("\\", "/")).name
    return base or "upload"


def _write(folder: Path, upload: Upload) -> Path:
    path = folder / _safe_name(upload.name)
    path.write_bytes(upload.data)
    return path


def _rename(problems: Sequence[Problem], folder: Path) -> list[Problem]:
    """Problems name the uploaded file, not the temporary folder it was read from."""
    prefix = str(folder) + "/"
    return [dataclasses.replace(p, file=p.file.replace(prefix, "")) for p in problems]


def _extract(archive: Path, into: Path) -> list[Problem]:
    name = archive.name
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                return [Problem(name, None, None, "the archive is too large to unpack")]
            for m in members:
                target = (into / m.filename).resolve()
                if not str(target).startswith(str(into.resolve())):
                    return [Problem(name, None, None, f"unsafe path in archive: {m.filename}")]
            zf.extractall(into)
    except zipfile.BadZipFile:
        return [Problem(name, None, None, "not a readable .zip archive")]
    return []


def load_package(uploads: Sequence[Upload]) -> UploadResult:
    """A whole mission package: a .zip holding mission.gpkg and mission.toml (in any one
    folder), or a .gpkg with its .toml uploaded alongside."""
    if not uploads:
        return UploadResult(None, [Problem("upload", None, None, "no file was uploaded")])
    with tempfile.TemporaryDirectory(prefix="planner-upload-") as tmp:
        folder = Path(tmp)
        problems: list[Problem] = []
        for upload in uploads:
            path = _write(folder, upload)
            if path.suffix.lower() == ".zip":
                unpacked = folder / (path.stem + "_unpacked")
                unpacked.mkdir()
                problems += _extract(path, unpacked)
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
        target = gpkg.parent if gpkg.name == "mission.gpkg" else gpkg
        try:
            mission = load_mission(target)
        except MissionDataError as exc:
            return UploadResult(None, _rename(exc.problems, folder))
        except Exception as exc:  # unreadable input in a form no check anticipated
            return UploadResult(None, [Problem(gpkg.name, None, None, f"cannot read: {exc}")])
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
    mission: Mission, *, stations: Upload | None = None, commissions: Upload | None = None
) -> UploadResult:
    """The mission with its stations and/or TECs replaced by uploaded files.

    TECs are read first, so uploaded stations are checked against the new TECs; uploaded
    TECs alone must still hold every TEC the current stations refer to. Stations must lie
    in the mission's regions to belong to an area (warned, not refused).
    """
    if stations is None and commissions is None:
        return UploadResult(None, [Problem("upload", None, None, "no file was uploaded")])
    with tempfile.TemporaryDirectory(prefix="planner-upload-") as tmp:
        folder = Path(tmp)
        problems: list[Problem] = []
        warnings: list[Problem] = []
        new_commissions = list(mission.commissions)
        if commissions is not None:
            try:
                new_commissions, warns = load_commissions(
                    _write(folder, commissions), outline=mission.outline
                )
                warnings += warns
            except MissionDataError as exc:
                problems += exc.problems
            except Exception as exc:  # unreadable input in a form no check anticipated
                problems.append(Problem(commissions.name, None, None, f"cannot read: {exc}"))
        if problems:
            return UploadResult(None, _rename(problems, folder))
        new_stations = list(mission.stations)
        if stations is not None:
            try:
                new_stations, warns = load_stations(
                    _write(folder, stations), outline=mission.outline, commissions=new_commissions
                )
                warnings += warns
            except MissionDataError as exc:
                problems += exc.problems
            except Exception as exc:  # unreadable input in a form no check anticipated
                problems.append(Problem(stations.name, None, None, f"cannot read: {exc}"))
        elif commissions is not None:
            known = {c.tec_id for c in new_commissions}
            for s in mission.stations:
                if s.tec_id not in known:
                    problems.append(
                        Problem(
                            commissions.name,
                            None,
                            "tec_id",
                            f"TEC {s.tec_id!r} of station {s.station_id} is not in this file",
                        )
                    )
        if problems:
            return UploadResult(None, _rename(problems, folder))
        new = dataclasses.replace(
            mission, stations=tuple(new_stations), commissions=tuple(new_commissions)
        )
        if mission.areas and stations is not None:
            warnings += _outside_every_area(new, stations.name)
        parts = []
        if stations is not None:
            parts.append(f"{len(new_stations):,} stations from {stations.name}")
        if commissions is not None:
            parts.append(f"{len(new_commissions)} TECs from {commissions.name}")
        return UploadResult(new, warnings=_rename(warnings, folder), message="; ".join(parts))
