"""Memory of the app's server around rejected uploads, measured in a real browser session.

    python scripts/measure_upload_memory.py                  # this checkout
    python scripts/measure_upload_memory.py --app-root DIR   # another checkout's app.py

Starts `streamlit run app.py` on a new store holding the default mission, signs in as a
coordinator in Debian's chromium, and uploads on the Mission page's "Stations / TEC
files" tab, one after another:

1. a 200,000-row stations CSV whose every row names an unknown TEC (read in full, refused);
2. the same rows with valid TECs while `PLANNER_UPLOAD_MAX_ROWS=100000` (refused unread);
3. a zipped shapefile of 300,000 points with a 1 GB member of zeros (a zip bomb).

Prints the resident memory (VmRSS) of the Streamlit process before and after each, once
its answer is on the page and the server has been idle for a few seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"
IDLE_S = 8.0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _files(folder: Path) -> dict[str, Path]:
    """The three uploads, made from the default mission's stations."""
    import geopandas as gpd
    import shapely

    from planner.datasets import get_path
    from planner.geodata import load_mission

    mission = load_mission(get_path())
    stations = mission.stations

    def rows(n: int, *, bad: bool) -> Iterator[dict[str, object]]:
        for i in range(n):
            s = stations[i % len(stations)]
            yield {
                "station_id": f"PS-{i:07d}",
                "tec_id": f"NO-TEC-{i}" if bad else s.tec_id,
                "voters": 500 + i % 1500,
                "lat": s.lat,
                "lon": s.lon,
                "name": f"School No. {i}",
                "address": f"Street {i % 977}, house {i % 31}",
                "region": s.region,
                "district": s.district,
                "kind": s.kind.value,
                "setting": s.setting.value,
                "tz": s.tz,
            }

    out = {}
    for name, bad in (("stations-200k-unknown-tecs.csv", True), ("stations-200k.csv", False)):
        path = folder / name
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(next(rows(1, bad=bad))))
            writer.writeheader()
            writer.writerows(rows(200_000, bad=bad))
        out[name] = path
    points = list(rows(300_000, bad=False))
    frame = gpd.GeoDataFrame(
        points,
        geometry=[shapely.Point(p["lon"], p["lat"]) for p in points],
        crs="EPSG:4326",
    ).drop(columns=["lat", "lon"])
    shp = folder / "shp"
    shp.mkdir()
    frame.to_file(shp / "stations.shp")
    bomb = folder / "stations-300k-with-1gb-junk.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(shp.iterdir()):
            archive.write(path, path.name)
        with archive.open("junk.bin", "w", force_zip64=True) as junk:
            block = b"\0" * (1 << 20)
            for _ in range(1024):
                junk.write(block)
    out[bomb.name] = bomb
    return out


def _store(data_dir: Path) -> None:
    from planner.datasets import get_path
    from planner.geodata import load_mission
    from planner.store import Role, import_mission, open_store, system_user, users_add

    admin = system_user("measure")
    with open_store(data_dir=data_dir) as store:
        import_mission(store, load_mission(get_path()), user=admin)
        users_add(store, "coord", role=Role.COORDINATOR, user=admin, password=PASSWORD)


@contextlib.contextmanager
def _server(app_root: Path, data_dir: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (data_dir.parent / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=app_root, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, **env, "PLANNER_DATA_DIR": str(data_dir)},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            time.sleep(0.3)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


class _Sampler:
    """The highest resident memory of a process, sampled every 50 ms while in use."""

    def __init__(self, pid: int) -> None:
        import threading

        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError, RuntimeError):
                self.peak = max(self.peak, _rss_mb(self.pid))
            time.sleep(0.05)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _answer(page) -> str:  # type: ignore[no-untyped-def]
    found = page.get_by_text("not loaded").or_(page.get_by_text("stored:"))
    return found.first.inner_text().splitlines()[0][:100] if found.count() else ""


def _upload(page, path: Path) -> str:  # type: ignore[no-untyped-def]
    """Upload `path` as the stations file and wait for the page's (new) answer."""
    from playwright.sync_api import expect

    previous = _answer(page)
    page.get_by_role("tab", name="Stations / TEC files").click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Stations file")
    uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    button = page.get_by_role("button", name="Check and replace")
    expect(button).to_be_enabled(timeout=120_000)
    button.click()
    deadline = time.monotonic() + 600
    while (answer := _answer(page)) in ("", previous) and time.monotonic() < deadline:
        time.sleep(0.2)
    return answer


def _session(app_root: Path, data_dir: Path, env: dict[str, str], uploads) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    _store(data_dir)
    with _server(app_root, data_dir, env) as (url, pid), sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(url)
        page.get_by_label("Username").fill("coord")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("Upload your own data")).to_be_visible(timeout=120_000)
        page.get_by_text("Upload your own data").click()
        time.sleep(IDLE_S)
        print(f"{'server started, signed in, Mission page':44} {'':>9} {_rss_mb(pid):9.0f}")
        for label, path in uploads:
            with _Sampler(pid) as sampler:
                answer = _upload(page, path)
                time.sleep(IDLE_S)
            print(f"{label:44} {sampler.peak:9.0f} {_rss_mb(pid):9.0f}  {answer}")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--app-root", type=Path, default=ROOT)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="upload-memory-"))
    try:
        files = _files(work)
        print(f"{'step':44} {'peak MB':>9} {'after MB':>9}  answer on the page")
        print("-- default limits")
        _session(
            args.app_root,
            work / "data-a",
            {},
            [
                ("200,000-row CSV, every TEC unknown", files["stations-200k-unknown-tecs.csv"]),
                ("300,000 points + 1 GB of zeros (.zip)", files["stations-300k-with-1gb-junk.zip"]),
                ("the same CSV again", files["stations-200k-unknown-tecs.csv"]),
                ("the same zip again", files["stations-300k-with-1gb-junk.zip"]),
                ("the same CSV a third time", files["stations-200k-unknown-tecs.csv"]),
            ],
        )
        print("-- PLANNER_UPLOAD_MAX_ROWS=100000")
        _session(
            args.app_root,
            work / "data-b",
            {"PLANNER_UPLOAD_MAX_ROWS": "100000"},
            [("200,000-row CSV, valid", files["stations-200k.csv"])],
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
