"""Server memory before, during and after many sessions: what closed sessions leave behind.

python bench/session_memory.py [--data-dir DIR] [--sessions 17] [--ttl 10] [--rounds 2]

Starts the app on the browser tests' seeded store (seeded into DIR once and reused),
with one LTO account per area besides the coordinator. A warm-up session (the
coordinator: Mission, Map, My area) loads what every later session shares; then the
server's resident memory (VmRSS) is the baseline. Then `--sessions` browser sessions
(LTOs of every area, then coordinators) sign in and look at their pages, all open at
once; they are closed, and once the server has shut the disconnected sessions down
(`server.disconnectedSessionTTL`, set to `--ttl` seconds here) memory is read again;
`--rounds` times. Prints baseline, peak and after each round, in MB, and the last after /
baseline.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psutil  # noqa: E402
from playwright.sync_api import Browser, BrowserContext, sync_playwright  # noqa: E402
from weblink import wait_for_content  # noqa: E402

from tests.browser.conftest import (  # noqa: E402
    CHROMIUM_ARGS,
    COORDINATOR,
    PASSWORD,
    seed_store,
    serve_app_process,
)

SEEDED_MARK = "session-memory-seeded"
COORDINATOR_PAGES = ("mission", "map", "my_area")
LTO_PAGES = ("my_area", "map")


@dataclass(frozen=True)
class MemoryRun:
    baseline_mb: float
    peak_mb: float
    after_mb: float  # after the last round
    sessions: int
    after_each_mb: tuple[float, ...] = ()  # after each round

    @property
    def ratio(self) -> float:
        return self.after_mb / self.baseline_mb


def lto_name(area_id: str) -> str:
    return f"lto-{area_id.lower()}"


def seed(folder: Path) -> list[str]:
    """The browser tests' store, plus one LTO account per area; returns every LTO."""
    from planner.datasets import get_path
    from planner.geodata import load_mission
    from planner.store import Role, open_store, system_user, users_add

    areas = [a.area_id for a in load_mission(get_path()).areas]
    if not (folder / SEEDED_MARK).exists():
        print(f"seeding the store in {folder}…", file=sys.stderr)
        seeded = seed_store(folder)
        with open_store(data_dir=folder) as store:
            for area in areas:
                users_add(
                    store,
                    lto_name(area),
                    role=Role.LTO,
                    user=system_user("bench"),
                    area_ids=[area],
                    mission_id=seeded.mission_id,
                    password=PASSWORD,
                )
        (folder / SEEDED_MARK).write_text("seeded by bench/session_memory.py\n")
    return [lto_name(a) for a in areas]


@contextmanager
def running_app(data_dir: Path | None, ttl_s: int) -> Iterator[tuple[str, int, list[str]]]:
    """The app on the seeded store: (address, server pid, LTO usernames)."""
    with tempfile.TemporaryDirectory(prefix="session-memory-") as tmp:
        folder = data_dir or Path(tmp) / "data"
        ltos = seed(folder)
        env = {
            "PLANNER_SESSION_CHECK_SECONDS": "30",
            "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(ttl_s),
        }
        with serve_app_process(folder, log_name="session-memory.log", env=env) as (url, proc):
            yield url, proc.pid, ltos


def rss_mb(pid: int) -> float:
    """Resident memory of the server and its children (a plan run is a child)."""
    proc = psutil.Process(pid)
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        with suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return total / 2**20


def open_session(browser: Browser, url: str, user: str, pages: tuple[str, ...]) -> BrowserContext:
    """A browser session signed in as `user` that has looked at `pages` (left open)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{url}/{pages[0]}")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for index, name in enumerate(pages):
        if index:
            page.goto(f"{url}/{name}")
        with_map = name != "my_area" or user != COORDINATOR
        wait_for_content(page, name, with_map=with_map)
    return context


def settle(pid: int, seconds: float) -> float:
    """Memory after `seconds` of quiet (the lowest of the last few readings)."""
    readings = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        readings.append(rss_mb(pid))
        time.sleep(1)
    return min(readings[-3:]) if readings else rss_mb(pid)


def measure(
    url: str,
    pid: int,
    ltos: list[str],
    *,
    sessions: int,
    ttl_s: int,
    pages: bool = True,
    rounds: int = 1,
) -> MemoryRun:
    users = [(lto, LTO_PAGES) for lto in ltos]
    while len(users) < sessions:
        users.append((COORDINATOR, COORDINATOR_PAGES))
    users = users[:sessions]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            open_session(browser, url, COORDINATOR, COORDINATOR_PAGES).close()
            baseline = settle(pid, ttl_s + 10)
            print(f"baseline {baseline:.0f} MB", file=sys.stderr)
            peak = baseline
            afters = []
            for _ in range(rounds):
                contexts = []
                for user, wanted in users:
                    contexts.append(
                        open_session(browser, url, user, wanted if pages else wanted[:1])
                    )
                    peak = max(peak, rss_mb(pid))
                    print(f"  {user}: {rss_mb(pid):.0f} MB", file=sys.stderr)
                for context in contexts:
                    context.close()
                afters.append(settle(pid, ttl_s + 10))
                print(f"after the round: {afters[-1]:.0f} MB", file=sys.stderr)
        finally:
            browser.close()
    return MemoryRun(baseline, peak, afters[-1], len(users), tuple(afters))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, help="seed here once, reuse after")
    parser.add_argument("--sessions", type=int, default=17)
    parser.add_argument("--ttl", type=int, default=10, help="disconnected sessions kept (s)")
    parser.add_argument("--rounds", type=int, default=2, help="sessions open and close again")
    args = parser.parse_args()
    started = time.monotonic()
    with running_app(args.data_dir, args.ttl) as (url, pid, ltos):
        run = measure(url, pid, ltos, sessions=args.sessions, ttl_s=args.ttl, rounds=args.rounds)
    print(
        f"sessions {run.sessions}: baseline {run.baseline_mb:.0f} MB, peak {run.peak_mb:.0f} MB, "
        f"after each round {', '.join(f'{a:.0f}' for a in run.after_each_mb)} MB "
        f"(the last {run.ratio:.2f} of baseline); "
        f"{time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
