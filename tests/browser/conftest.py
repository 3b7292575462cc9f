"""Serve the real app with `streamlit run` and drive it with Debian's chromium, offline."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

# Assertions and actions wait for the page up to this long. A Streamlit rerun takes well
# under a second on an idle machine but several on two cores that also run the other
# worker's solver tests; a wait that ends as soon as the page is right costs nothing when
# it is quick.
WAIT_MS = 60_000
expect.set_options(timeout=WAIT_MS)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
# Chromium flags for a closed network: no background calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MAP_FRAME = 'iframe[title="streamlit_folium\\.st_folium"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is required for browser tests: apt-get install -y chromium")
    return {"executable_path": chromium, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 1400, "height": 1000}}


# The server's store: the default mission, one account per role, and one published plan
# of a few areas (solving all 150 teams would slow the suite down for nothing).
PASSWORD = "correct horse battery staple"
LTO_AREA = "AOR-07"  # Atyrau: 297 stations, teams STO-098 .. STO-102
LTO_USER, TEAM_USER, TEAM_ID, COORDINATOR = "lto-atyrau", "sto-100", "STO-100", "coord"
PLANNED_AREAS = ("AOR-07", "AOR-08", "AOR-09")
SESSION_CHECK_SECONDS = 2


@dataclass(frozen=True)
class Seed:
    """What the server's store holds, as the tests expect to find it."""

    data_dir: Path
    mission_id: int
    version_id: int
    area_stations: int  # stations of LTO_AREA
    area_teams: frozenset[str]  # STO teams of LTO_AREA routed in the plan
    planned_teams: frozenset[str]  # every team routed in the plan


def seed_store(data_dir: Path) -> Seed:
    """Store the default mission, the accounts and a published plan, before the server
    starts (so the app finds a used store and bootstraps nothing)."""
    from dataclasses import replace

    from planner.datasets import get_path
    from planner.geodata import load_mission
    from planner.plan import solve
    from planner.store import (
        Role,
        import_mission,
        open_store,
        publish,
        save_plan,
        system_user,
        users_add,
    )
    from tests.support.missions import LIGHT_SEARCH

    mission = load_mission(get_path())
    some = replace(mission, teams=tuple(t for t in mission.teams if t.area_id in PLANNED_AREAS))
    # The lightest search: the pages show a plan, whatever its depth.
    plan = solve(some, time_limit_s=60, seed=mission.seed, workers=1, options=LIGHT_SEARCH)
    admin = system_user("test-admin")
    with open_store(data_dir=data_dir) as store:
        mission_id = import_mission(store, mission, user=admin)
        version = save_plan(store, mission_id, plan, user=admin)
        publish(store, version, user=admin)
        for name, kw in {
            COORDINATOR: {"role": Role.COORDINATOR},
            LTO_USER: {"role": Role.LTO, "area_ids": [LTO_AREA], "mission_id": mission_id},
            TEAM_USER: {"role": Role.TEAM, "team_id": TEAM_ID, "mission_id": mission_id},
        }.items():
            users_add(store, name, user=admin, password=PASSWORD, **kw)
    routed = {s.team_id for s in plan.stops}
    area_teams = {t.team_id for t in mission.sto_teams if t.area_id == LTO_AREA}
    return Seed(
        data_dir,
        mission_id,
        version,
        sum(1 for s in mission.stations if mission.area_of_station(s) == LTO_AREA),
        frozenset(area_teams & routed),
        frozenset(routed),
    )


@pytest.fixture(scope="session")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    return seed_store(tmp_path_factory.mktemp("server-store") / "data")


@contextlib.contextmanager
def serve_app(
    data_dir: Path, *, log_name: str = "streamlit.log", env: dict[str, str] | None = None
) -> Iterator[str]:
    """`streamlit run app.py` on the store in `data_dir` (with `env` added to the server's
    environment); yields its address, stops it after."""
    with serve_app_process(data_dir, log_name=log_name, env=env) as (url, _):
        yield url


@contextlib.contextmanager
def serve_app_process(
    data_dir: Path, *, log_name: str = "streamlit.log", env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """As `serve_app`, yielding the server's process too (its memory is measured)."""
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "PLANNER_DATA_DIR": str(data_dir),
        # An open page notices a session ended elsewhere within seconds (default 30).
        "PLANNER_SESSION_CHECK_SECONDS": str(SESSION_CHECK_SECONDS),
        **(env or {}),
    }
    env.pop("PLANNER_DATABASE_URL", None)
    log = (ROOT / "test-output").joinpath(log_name)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"streamlit did not start; see {log}")
            time.sleep(0.3)
        try:
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def app_url(seed: Seed) -> Iterator[str]:
    with serve_app(seed.data_dir) as url:
        yield url


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def throttle(page: Page, kbps: float, latency_ms: float) -> None:
    """Chromium's network emulation: `kbps` down and up, `latency_ms` added per request."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": latency_ms,
            "downloadThroughput": kbps * 1000 / 8,
            "uploadThroughput": kbps * 1000 / 8,
        },
    )


def go_offline(page: Page, app_url: str) -> list[str]:
    """Abort every request that is not for the app itself; returns the blocked URLs."""
    blocked: list[str] = []

    def handle(route) -> None:
        if route.request.url.startswith(app_url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", handle)
    return blocked


def sign_in(page: Page, app_url: str, username: str, password: str = PASSWORD) -> None:
    """Open the app and sign in through its own form."""
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible(timeout=60_000)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=60_000)


def nav(page: Page, title: str, heading: str | None = None) -> None:
    """Go to a page through the sidebar (the session, and the sign-in, stay)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=heading or title, exact=True)).to_be_visible(
        timeout=60_000
    )


@pytest.fixture
def offline_page(page: Page, app_url: str) -> Page:
    """A page that can only reach the app (as on a laptop with no internet)."""
    go_offline(page, app_url)
    page.set_default_timeout(60_000)
    return page


def _session_page(browser: Browser, app_url: str, args: dict, username: str) -> Iterator[Page]:
    context = browser.new_context(**args)
    page = context.new_page()
    page.set_default_timeout(60_000)
    go_offline(page, app_url)
    sign_in(page, app_url, username)
    yield page
    context.close()


@pytest.fixture(scope="module")
def journey_page(browser: Browser, app_url: str, browser_context_args: dict) -> Iterator[Page]:
    """One browser tab kept across a module's tests, signed in as the coordinator: one
    Streamlit session, in order."""
    yield from _session_page(browser, app_url, browser_context_args, COORDINATOR)


@pytest.fixture(scope="module")
def coordinator_page(browser: Browser, app_url: str, browser_context_args: dict) -> Iterator[Page]:
    yield from _session_page(browser, app_url, browser_context_args, COORDINATOR)


@pytest.fixture(scope="module")
def lto_page(browser: Browser, app_url: str, browser_context_args: dict) -> Iterator[Page]:
    yield from _session_page(browser, app_url, browser_context_args, LTO_USER)


@pytest.fixture(scope="module")
def team_page(browser: Browser, app_url: str, browser_context_args: dict) -> Iterator[Page]:
    yield from _session_page(browser, app_url, browser_context_args, TEAM_USER)


FAILURES = ROOT / "test-output" / "failures"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # type: ignore[no-untyped-def]
    """A failed browser test leaves a screenshot of each of its pages in
    test-output/failures/, taken before the test's fixtures close them: what the page
    showed when an expectation gave up."""
    report = yield
    if report.when == "call" and report.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        pages = [v for v in getattr(item, "funcargs", {}).values() if isinstance(v, Page)]
        for k, page in enumerate(pages):
            name = "".join(c if c.isalnum() or c in "-_." else "_" for c in item.name)
            with contextlib.suppress(Exception):  # a page already closed says nothing
                page.screenshot(path=str(FAILURES / f"{name}-{k}.png"), full_page=True)
    return report
