"""How much an uploaded file may hold, checked before it is read.

A mission package or a station file can come from anyone; one that is too large, holds
too many rows or is a zip bomb is refused from what can be learnt without reading it
whole: its size, the sizes its archive's central directory declares, the row count a
stream of its lines or its format's header gives. Archives are unpacked as a stream with
the same caps, so an archive that understates its sizes is stopped at the cap too.

The defaults, and why:

- `max_upload_mb = 200` (MiB, Streamlit's own default): India's 1.05 million polling
  stations, the largest station list there is, are about 140 MB of CSV; the shipped
  Kazakhstan package is 5 MB. `.streamlit/config.toml`'s `server.maxUploadSize` is the same.
- `max_rows = 2_000_000`: twice India's station count. Reading a million rows takes about
  1.2 GB for a moment, in a process of its own (`planner.ui.uploads`).
- `max_member_bytes = 1_000_000_000` (uncompressed): the largest single file of a package
  or a zipped shapefile, the `.dbf` of India's stations (a shapefile pads its text, about
  800 bytes a row) or its GeoPackage.
- `max_archive_bytes = 1_500_000_000`: all members together (the `.dbf` with its `.shp`,
  `.shx` and the rest, with room to spare).
- `max_members = 100`: a shapefile has a dozen side files at most, a package two.
- `max_ratio = 200`, for members that unpack to more than `ratio_from_bytes = 10_000_000`:
  deflate packs the shipped GeoPackages about 3 to 1 and the shipped stations as a
  shapefile's `.dbf` (its text padded with spaces) 27 to 1; a `.dbf` of wide, mostly empty
  text fields packs tighter, hence the room. A zip bomb's member of zeros packs about
  1,000 to 1. A member past the ratio is refused unread, so an archive a few MB in size
  cannot fill the disk up to the other caps.

Each can be changed with an environment variable of the same name in upper case after
`PLANNER_UPLOAD_` (for example `PLANNER_UPLOAD_MAX_ROWS=3000000`); the upload size is the
app's `server.maxUploadSize`.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from planner.errors import Problem

MIB = 1024 * 1024
ENV_PREFIX = "PLANNER_UPLOAD_"
_CHUNK = 1 << 20
# Shapefile side files; the .dbf header holds the record count.
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml")


@dataclass(frozen=True, slots=True)
class UploadLimits:
    max_upload_mb: int = 200
    max_rows: int = 2_000_000
    max_member_bytes: int = 1_000_000_000
    max_archive_bytes: int = 1_500_000_000
    max_members: int = 100
    max_ratio: int = 200
    ratio_from_bytes: int = 10_000_000

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * MIB

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> UploadLimits:
        """The defaults, with any `PLANNER_UPLOAD_<FIELD>` variable applied (a whole
        number above 0; ValueError names the variable otherwise)."""
        env = os.environ if env is None else env
        values = {}
        for f in dataclasses.fields(cls):
            name = ENV_PREFIX + f.name.upper()
            if name not in env:
                continue
            try:
                value = int(env[name].replace("_", ""))
            except ValueError:
                raise ValueError(f"{name}={env[name]!r} is not a whole number") from None
            if value <= 0:
                raise ValueError(f"{name}={value} must be more than 0")
            values[f.name] = value
        return cls(**values)


def _size(n: int) -> str:
    """Bytes in decimal megabytes, as the archive limits are set."""
    return f"{n / 1e6:,.0f} MB" if n >= 1_000_000 else f"{n:,} bytes"


def size_problem(name: str, size: int, limits: UploadLimits) -> Problem | None:
    """An upload larger than the limit."""
    if size <= limits.max_upload_bytes:
        return None
    # In MiB, which Streamlit calls MB, like its `server.maxUploadSize`.
    message = f"the file is {size / MIB:,.0f} MB; uploads are limited to {limits.max_upload_mb} MB"
    return Problem(name, None, None, message)


def rows_problem(name: str, rows: int, limits: UploadLimits, what: str = "rows") -> Problem | None:
    if rows <= limits.max_rows:
        return None
    return Problem(
        name, None, None, f"the file holds {rows:,} {what}; at most {limits.max_rows:,} are read"
    )


def archive_problems(path: Path, name: str, limits: UploadLimits) -> list[Problem]:
    """What the central directory of a zip archive says is wrong with it, read without
    unpacking anything: too many members, a member or all of them too large once
    unpacked or packed far more tightly than data is, an unsafe path, or not an archive
    at all."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return [Problem(name, None, None, "not a readable .zip archive")]
    problems = []
    if len(members) > limits.max_members:
        problems.append(
            Problem(name, None, None, f"the archive holds {len(members):,} files; at most "
                    f"{limits.max_members} are accepted")
        )  # fmt: skip
    for m in members:
        if m.file_size > limits.max_member_bytes:
            problems.append(
                Problem(name, None, m.filename, f"unpacks to {_size(m.file_size)}; one file may "
                        f"unpack to at most {_size(limits.max_member_bytes)}")
            )  # fmt: skip
        elif m.file_size > limits.ratio_from_bytes and (
            m.file_size > limits.max_ratio * max(m.compress_size, 1)
        ):
            ratio = m.file_size / max(m.compress_size, 1)
            problems.append(
                Problem(name, None, m.filename, f"unpacks to {_size(m.file_size)}, {ratio:,.0f} "
                        f"times its packed size; at most {limits.max_ratio} times is accepted "
                        "(a zip bomb, not data)")
            )  # fmt: skip
        parts = PurePosixPath(m.filename.replace("\\", "/")).parts
        if m.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            problems.append(Problem(name, None, m.filename, "unsafe path in the archive"))
    total = sum(m.file_size for m in members)
    if total > limits.max_archive_bytes:
        problems.append(
            Problem(name, None, None, f"the archive unpacks to {_size(total)}; at most "
                    f"{_size(limits.max_archive_bytes)} are accepted")
        )  # fmt: skip
    return problems


class _Capped(ValueError):
    """An archive member that unpacked to more than it declared or than a cap allows."""


def extract_capped(path: Path, into: Path, name: str, limits: UploadLimits) -> list[Problem]:
    """Unpack a checked archive (`archive_problems` first) as a stream, stopping any member
    at its declared size and the whole at the archive cap; only regular files are
    written, under `into`."""
    into = into.resolve()
    total = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for m in archive.infolist():
                if m.is_dir():
                    continue
                target = (into / m.filename.replace("\\", "/")).resolve()
                if not target.is_relative_to(into):
                    return [Problem(name, None, m.filename, "unsafe path in the archive")]
                target.parent.mkdir(parents=True, exist_ok=True)
                cap = min(m.file_size, limits.max_member_bytes)
                written = 0
                with archive.open(m) as source, target.open("wb") as out:
                    while chunk := source.read(_CHUNK):
                        written += len(chunk)
                        total += len(chunk)
                        if written > cap or total > limits.max_archive_bytes:
                            raise _Capped(m.filename)
                        out.write(chunk)
    except _Capped as exc:
        shutil.rmtree(into, ignore_errors=True)
        into.mkdir()
        message = "unpacks to more than it declares or than the limits allow"
        return [Problem(name, None, str(exc), message)]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        return [Problem(name, None, None, f"not a readable .zip archive ({exc})")]
    return []


def csv_rows(path: Path) -> int:
    """Data rows of a CSV file at most (its lines after the header, counted as a stream;
    a quoted value holding a line break counts twice, which only errs on the safe side)."""
    lines = 0
    last = b"\n"
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1  # a last line without its line break
    return max(0, lines - 1)


def xlsx_rows(path: Path) -> int:
    """Rows of the first sheet, as a stream (the sheet's own dimension is not trusted)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return max(0, sum(1 for _ in sheet.iter_rows(values_only=True)) - 1)
    finally:
        workbook.close()


def zipped_shapefile_rows(path: Path) -> int | None:
    """The record count in the `.dbf` header of a zipped shapefile (its first 8 bytes are
    all that is unpacked); None when the archive holds no `.dbf`."""
    with zipfile.ZipFile(path) as archive:
        dbfs = [m for m in archive.infolist() if m.filename.lower().endswith(".dbf")]
        if not dbfs:
            return None
        count = 0
        for member in dbfs:
            with archive.open(member) as dbf:
                header = dbf.read(8)
            if len(header) == 8:
                count = max(count, struct.unpack("<I", header[4:8])[0])
        return count


def layer_rows(path: Path) -> int:
    """Features of the largest layer of a vector file, as GDAL counts them (from a
    GeoPackage's contents table, a shapefile's header, or a pass over a GeoJSON file)."""
    import pyogrio

    counts = [
        int(pyogrio.read_info(path, layer=str(name), force_feature_count=True)["features"])
        for name in pyogrio.list_layers(path)[:, 0]
    ]
    return max(counts, default=0)


def file_rows(path: Path) -> int | None:
    """Rows of a station or TEC file by its kind; None for a kind counted when read."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return csv_rows(path)
    if suffix == ".xlsx":
        return xlsx_rows(path)
    if suffix == ".zip":
        return zipped_shapefile_rows(path)
    if suffix in (".gpkg", ".geojson", ".json", ".shp"):
        return layer_rows(path)
    return None
