"""Upload limits: size, rows and archives checked before anything is read whole, and the
server's memory given back after a rejected upload."""

from __future__ import annotations

import gc
import io
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.proto.Common_pb2 import FileURLs as FileURLsProto
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

from planner.datasets import SMALL_MISSION, get_path
from planner.store import list_missions, open_store, system_user
from planner.ui.upload_memory import drop_files
from planner.ui.uploads import MAX_LISTED, Upload, load_package, replace_layers
from planner.upload_limits import (
    UploadLimits,
    archive_problems,
    csv_rows,
    extract_capped,
    zipped_shapefile_rows,
)
from tests.support.app import app, button, texts
from tests.support.missions import small_mission

ROOT = Path(__file__).resolve().parents[1]
GB = 1_000_000_000
ADMIN = system_user("test")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _shapefile_zip(folder: Path, points: int, *, junk_bytes: int = 0) -> bytes:
    """A zipped point shapefile of `points` stations, with a junk member of zeros."""
    mission = small_mission()
    tec = mission.commissions[0]
    frame = gpd.GeoDataFrame(
        {
            "station_id": [f"PS-{i}" for i in range(points)],
            "tec_id": [tec.tec_id] * points,
            "voters": [900] * points,
        },
        geometry=[shapely.Point(tec.lon + i * 1e-6, tec.lat) for i in range(points)],
        crs="EPSG:4326",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        folder.mkdir()
        frame.to_file(folder / "stations.shp")
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
        if junk_bytes:
            with archive.open("junk.bin", "w", force_zip64=True) as junk:
                block = b"\0" * (1 << 22)
                for _ in range(junk_bytes // len(block)):
                    junk.write(block)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking(tmp_path: Path) -> None:
    """A zipped shapefile with a 1 GB junk member: refused in well under the time it takes
    to inflate a gigabyte, naming the member."""
    data = _shapefile_zip(tmp_path / "shp", 500, junk_bytes=1 << 30)
    assert len(data) < 5_000_000
    started = time.process_time()
    result = replace_layers(small_mission(), stations=Upload("stations.zip", data))
    spent = time.process_time() - started
    assert not result.ok
    (problem,) = result.problems
    assert problem.file == "stations.zip" and problem.field == "junk.bin"
    assert "unpacks to 1,074 MB" in problem.message
    assert spent < 0.5, f"{spent:.2f} s of CPU: the archive was inflated"


def test_too_many_points_are_refused_from_the_dbf_header(tmp_path: Path) -> None:
    data = _shapefile_zip(tmp_path / "shp", 2_000)
    limits = UploadLimits(max_rows=1_000)
    result = replace_layers(small_mission(), stations=Upload("stations.zip", data), limits=limits)
    assert [p.message for p in result.problems] == [
        "the file holds 2,000 rows; at most 1,000 are read"
    ]


def test_too_many_csv_rows_are_refused_before_reading(tmp_path: Path) -> None:
    header = "station_id,tec_id,voters,lat,lon\n"
    body = "".join(f"PS-{i},TEC-75,900,43.2,76.9\n" for i in range(200_000))
    path = tmp_path / "s.csv"
    path.write_text(header + body)
    assert csv_rows(path) == 200_000
    path.write_text(header + body.rstrip("\n"))  # no line break after the last row
    assert csv_rows(path) == 200_000
    started = time.monotonic()
    result = replace_layers(
        small_mission(),
        stations=Upload("s.csv", (header + body).encode()),
        limits=UploadLimits(max_rows=100_000),
    )
    assert [p.message for p in result.problems] == [
        "the file holds 200,000 rows; at most 100,000 are read"
    ]
    assert time.monotonic() - started < 2.0  # no reading process was started


def test_an_upload_over_the_size_limit_is_refused_unread() -> None:
    limits = UploadLimits(max_upload_mb=1)
    big = Upload("big.csv", b"x" * (2 * 1024 * 1024))
    result = replace_layers(small_mission(), stations=big, limits=limits)
    assert result.problems[0].message == "the file is 2 MB; uploads are limited to 1 MB"
    assert load_package([big], limits=limits).problems[0].file == "big.csv"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_archive_members_count_and_paths(tmp_path: Path) -> None:
    limits = UploadLimits(max_members=3, max_archive_bytes=100)
    path = tmp_path / "a.zip"
    path.write_bytes(_zip({f"f{i}.txt": b"x" * 30 for i in range(4)} | {"../up.txt": b""}))
    messages = [(p.field, p.message) for p in archive_problems(path, "a.zip", limits)]
    assert (None, "the archive holds 5 files; at most 3 are accepted") in messages
    assert ("../up.txt", "unsafe path in the archive") in messages
    assert (None, "the archive unpacks to 120 bytes; at most 100 bytes are accepted") in messages


def test_an_archive_that_understates_its_size_is_stopped_at_the_cap(tmp_path: Path) -> None:
    """A member whose headers say 1,000 bytes but that inflates to 10 MB: unpacking stops
    at the declared size, and nothing of it is kept."""
    content = b"\0" * 10_000_000
    path = tmp_path / "liar.zip"
    path.write_bytes(_zip({"data.bin": content}))
    raw = bytearray(path.read_bytes())
    real = struct.pack("<I", len(content))
    assert raw.count(real) == 2  # the local header and the central directory
    path.write_bytes(bytes(raw).replace(real, struct.pack("<I", 1_000)))
    assert archive_problems(path, "liar.zip", UploadLimits()) == []  # it looks harmless
    into = tmp_path / "out"
    into.mkdir()
    (problem,) = extract_capped(path, into, "liar.zip", UploadLimits())
    assert problem.file == "liar.zip"
    assert sum(p.stat().st_size for p in into.rglob("*") if p.is_file()) <= 1_000


def test_zipped_shapefile_rows_read_only_the_dbf_header(tmp_path: Path) -> None:
    path = tmp_path / "s.zip"
    path.write_bytes(_shapefile_zip(tmp_path / "shp", 1_234))
    assert zipped_shapefile_rows(path) == 1_234


def test_streamlit_takes_the_same_upload_size() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["maxUploadSize"] == UploadLimits().max_upload_mb


def test_limits_from_the_environment() -> None:
    limits = UploadLimits.from_environment({"PLANNER_UPLOAD_MAX_ROWS": "3_000_000"})
    assert limits.max_rows == 3_000_000 and limits.max_members == UploadLimits().max_members
    with pytest.raises(ValueError, match="PLANNER_UPLOAD_MAX_MEMBERS"):
        UploadLimits.from_environment({"PLANNER_UPLOAD_MAX_MEMBERS": "0"})
    with pytest.raises(ValueError, match="PLANNER_UPLOAD_MAX_ROWS"):
        UploadLimits.from_environment({"PLANNER_UPLOAD_MAX_ROWS": "many"})


def test_a_rejected_large_file_gives_its_memory_back() -> None:
    """200,000 rows, every one with an unknown TEC: read in full (in its own process) and
    refused. The server's memory is what it was, and the report lists the first
    problems and counts them all."""
    mission = small_mission()
    lines = ["station_id,tec_id,voters,lat,lon"]
    lines += [f"PS-{i},NO-TEC-{i},900,43.2,76.9" for i in range(200_000)]
    data = "\n".join(lines).encode()
    del lines
    replace_layers(mission, stations=Upload("warm.csv", b"station_id\nx"))  # imports, caches
    gc.collect()
    before = _rss_mb()
    result = replace_layers(mission, stations=Upload("s.csv", data))
    assert not result.ok
    assert result.problem_count >= 200_000 and len(result.problems) == MAX_LISTED
    del result, data
    gc.collect()
    assert _rss_mb() - before < 30, f"{_rss_mb() - before:.0f} MB kept"


def _package_zip(extra: dict[str, bytes] | None = None, *, zeros: int = 0) -> bytes:
    """The shipped small mission package zipped, with `extra` members and a member of
    `zeros` zero bytes (streamed in, never held whole)."""
    folder = get_path(SMALL_MISSION)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("mission.gpkg", "mission.toml"):
            archive.write(folder / name, f"ulytau/{name}")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
        if zeros:
            with archive.open("ulytau/junk.bin", "w", force_zip64=True) as junk:
                block = b"\0" * (1 << 20)
                for _ in range(zeros // len(block)):
                    junk.write(block)
    return buffer.getvalue()


def test_a_member_packed_like_a_zip_bomb_is_refused_unread(tmp_path: Path) -> None:
    """64 MB of zeros packed to 64 KB, under every size cap: refused by its ratio before
    anything is unpacked (a real package beside it does not help)."""
    data = _package_zip(zeros=64 << 20)
    assert len(data) < 1_000_000
    started = time.process_time()
    result = load_package([Upload("ulytau.zip", data)])
    spent = time.process_time() - started
    assert not result.ok and result.mission is None
    (problem,) = result.problems
    assert (problem.file, problem.field) == ("ulytau.zip", "ulytau/junk.bin")
    assert "times its packed size; at most 200 times is accepted" in problem.message
    assert spent < 0.5, f"{spent:.2f} s of CPU: the archive was inflated"
    # The same archive with a ratio cap above its own is read (and the junk ignored).
    assert load_package([Upload("ulytau.zip", data)], limits=UploadLimits(max_ratio=2_000)).ok


def test_streamlit_copies_of_read_uploads_are_dropped() -> None:
    """Streamlit's own in-memory file manager holds an upload until `drop_files`."""
    manager = MemoryUploadedFileManager("/upload")
    records = [UploadedFileRec(f"id-{i}", f"f{i}.csv", "text/csv", b"x" * 1000) for i in range(3)]
    for record in records:
        manager.add_file("session", record)
    files = [UploadedFile(r, FileURLsProto()) for r in records[:2]]
    drop_files(manager, "session", [*files, None])
    assert [r.file_id for r in manager.get_files("session", ["id-0", "id-1", "id-2"])] == ["id-2"]


MALLOC_PROBE = """
import sys
{setup}
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
freed = bytearray(30 << 20)  # freeing a 30 MB block raises glibc's mmap threshold
del freed
before = rss()
kept, big = [], []
for i in range(100):  # 4 MB buffers between small objects that stay
    big.append(bytearray(b"x" * (4 << 20)))
    kept.append(bytearray(100_000))
del big
print(rss() - before)
"""


def _kept_mb(setup: str) -> float:
    """Memory kept by a fresh process after the probe, under glibc's defaults: without the
    `MALLOC_*` variables a Dask nanny leaves in this process's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_"))}
    done = subprocess.run(
        [sys.executable, "-c", MALLOC_PROBE.format(setup=setup)],
        capture_output=True, text=True, check=True, cwd=ROOT, env=env,
    )  # fmt: skip
    return float(done.stdout)


def test_freed_upload_sized_buffers_go_back_to_the_system() -> None:
    """400 MB of 4 MB buffers, freed: kept by the process under glibc's own threshold,
    given back once `large_buffers_from_the_system` has fixed it."""
    assert _kept_mb("") > 150
    setup = "from planner.ui.upload_memory import large_buffers_from_the_system\n"
    assert _kept_mb(setup + "large_buffers_from_the_system()") < 50


# --- In the app: refused with a message, nothing stored, nothing left behind ---------------


def _upload_in_app(seeded, monkeypatch, tmp_path: Path, uploader: str, files, button_label: str):
    """Upload `files` as a coordinator on the Mission page; the page, after the answer.
    Temporary files go to a folder of the test's own, which must be empty afterwards."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    at = app(seeded.folder, "coord").run()
    at.file_uploader(key=uploader).set_value(files)
    at.run()
    button(at, button_label).click().run()
    assert not at.exception
    assert list(temp.iterdir()) == []
    return at


def _stored_missions(seeded) -> int:
    with open_store(data_dir=seeded.folder) as store:
        return len(list_missions(store, user=ADMIN))


def test_app_refuses_too_many_rows_and_stores_nothing(app_store, monkeypatch, tmp_path) -> None:
    seeded = app_store("ulytau")
    monkeypatch.setenv("PLANNER_UPLOAD_MAX_ROWS", "100000")
    header = "station_id,tec_id,voters,lat,lon\n"
    data = (header + "".join(f"PS-{i},TEC-1,900,48.1,67.1\n" for i in range(200_000))).encode()
    at = _upload_in_app(
        seeded, monkeypatch, tmp_path, "stations_file_0",
        ("stations.csv", data, "text/csv"), "Check and replace",
    )  # fmt: skip
    assert "Stations/TECs not loaded: 1 problem(s) found" in texts(at.error)
    report = at.dataframe[0].value
    assert list(report["file"]) == ["stations.csv"]
    assert list(report["message"]) == ["the file holds 200,000 rows; at most 100,000 are read"]
    assert at.file_uploader(key="stations_file_1").value is None  # a new, empty uploader
    assert _stored_missions(seeded) == 1


@pytest.mark.parametrize(
    ("variables", "package", "field", "message"),  # message: a regular expression
    [
        (
            {},
            lambda: _package_zip({f"ulytau/extra-{i}.txt": b"x" for i in range(120)}),
            None,
            r"the archive holds 122 files; at most 100 are accepted",
        ),
        (
            {"PLANNER_UPLOAD_MAX_MEMBER_BYTES": "100000"},
            _package_zip,
            "ulytau/mission.gpkg",
            r"unpacks to 573,440 bytes; one file may unpack to at most 100,000 bytes",
        ),
        (
            {},
            lambda: _package_zip(zeros=64 << 20),
            "ulytau/junk.bin",
            r"unpacks to 67 MB, 1,0\d\d times its packed size; at most 200 times is accepted "
            r"\(a zip bomb, not data\)",
        ),
    ],
    ids=["too-many-members", "member-too-large", "zip-bomb-ratio"],
)
def test_app_refuses_hostile_archives_and_stores_nothing(
    app_store, monkeypatch, tmp_path, variables, package, field, message
) -> None:
    seeded = app_store("ulytau")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    at = _upload_in_app(
        seeded, monkeypatch, tmp_path, "package_files_0",
        [("ulytau.zip", package(), "application/zip")], "Check and load package",
    )  # fmt: skip
    assert "Mission package not loaded" in texts(at.error)
    assert "Nothing was stored or replaced" in texts(at.error)
    report = at.dataframe[0].value
    assert list(report["file"]) == ["ulytau.zip"]
    (shown_message,) = report["message"]
    assert re.fullmatch(message, shown_message), shown_message
    assert list(report["field"]) == [field or ""]
    assert _stored_missions(seeded) == 1
