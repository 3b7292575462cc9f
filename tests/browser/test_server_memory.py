"""The server's memory comes back once sessions have closed: an LTO's area and a
coordinator's mission stay in memory while someone looks at them, not after everyone has
left (`planner.ui.shared`; the 17-session measurement is `bench/session_memory.py`)."""

from __future__ import annotations

import time

import psutil
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from .conftest import (
    COORDINATOR,
    LTO_USER,
    MAP_FRAME,
    ROOT,
    Seed,
    go_offline,
    serve_app_process,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Streamlit keeps a closed session this long in case it reconnects (default 120 s).
TTL_S = 2
SESSIONS = ((LTO_USER, "my_area"), (COORDINATOR, "map")) * 2
# After everyone has left, within this share of the memory before they came.
ALLOWED = 1.2
LOG = ROOT / "test-output" / "server-memory.log"


def _rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def _look(browser: Browser, url: str, args: dict, user: str, page_name: str) -> BrowserContext:
    """A session signed in as `user` that has drawn the map of `page_name` (left open):
    the page has loaded what it shows."""
    context = browser.new_context(**args)
    page = context.new_page()
    page.set_default_timeout(60_000)
    go_offline(page, url)
    sign_in(page, url, user)
    page.goto(f"{url}/{page_name}")
    expect(page.frame_locator(MAP_FRAME).locator(".leaflet-container")).to_be_visible()
    return context


def _notes() -> list[str]:
    return [line for line in LOG.read_text().splitlines() if "closed session(s)" in line]


def _close_and_wait(contexts: list[BrowserContext], *, within_s: float = 40) -> None:
    """Close the sessions' browsers, then wait until the server has shut every closed
    session down and nothing they held is left (its log says so)."""
    seen = len(_notes())
    for context in contexts:
        context.close()
    end = time.monotonic() + within_s
    while time.monotonic() < end:
        if any(n.endswith("0 shared value(s) left, held by 0") for n in _notes()[seen:]):
            return
        time.sleep(0.5)
    raise AssertionError(f"the server did not let go of the closed sessions: {_notes()[seen:]}")


def _rss_now(pid: int) -> float:
    """The server's memory, the lowest of three readings a second apart."""
    readings = []
    for _ in range(3):
        readings.append(_rss_mb(pid))
        time.sleep(1)
    return min(readings)


def test_memory_comes_back_after_the_sessions_close(
    browser: Browser, seed: Seed, browser_context_args: dict
) -> None:
    env = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(TTL_S)}
    with serve_app_process(seed.data_dir, log_name=LOG.name, env=env) as (url, proc):
        # What the first look at each page loads for good (modules, the store, caches).
        _close_and_wait([_look(browser, url, browser_context_args, u, p) for u, p in SESSIONS[:2]])
        before = _rss_now(proc.pid)
        contexts = [_look(browser, url, browser_context_args, u, p) for u, p in SESSIONS]
        peak = _rss_mb(proc.pid)
        _close_and_wait(contexts)
        after = _rss_now(proc.pid)
    print(f"server memory: {before:.0f} MB before, {peak:.0f} at the peak, {after:.0f} after")
    assert after <= before * ALLOWED, f"{before:.0f} MB before, {peak:.0f} peak, {after:.0f} after"
