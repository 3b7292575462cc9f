"""A new mission from a country-sized station list through the app's upload, in a real
browser: 50,000 stations of a synthetic foreign country (three hierarchy levels in
Mongolian, no voters, no commission positions, 2 % without coordinates, two time zones),
uploaded, the column mapping confirmed, the mission inferred and stored, then planned in
the app with every target met and the saved plan passing the independent check.

Too slow for CI (`-m scale` runs it): it records how long each step took and the app
server's peak memory in test-output/scale-new-mission.json.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from planner import synthetic

from .conftest import COORDINATOR, ROOT, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.scale]

STATIONS = 50_000
TEAMS = 150  # the reference mission's count; areas: the app's default, one per 10 teams
PLAN_LIMIT_S = 900
NAME = "Synthetic general election 2026"


def _server_peak_mb(port: int) -> float | None:
    """The peak resident memory (VmHWM) of the child process serving `port`, in MB."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(re.search(r"^PPid:\s+(\d+)", status, re.M)[1])  # type: ignore[index]
        if ppid == os.getpid() and b"streamlit" in command and str(port).encode() in command:
            peak = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
            return int(peak[1]) / 1024 if peak else None
    return None


def test_a_country_sized_list_becomes_a_stored_mission(
    page: Page, app_url: str, screenshots: Path, tmp_path: Path
) -> None:
    country = synthetic.generate(STATIONS, seed=0)
    listed = synthetic.write_lists(country, tmp_path)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.set_default_timeout(120_000)
    sign_in(page, app_url, COORDINATOR)
    timings: dict[str, float] = {}

    began = time.monotonic()
    page.get_by_text("New mission from a country's station list").click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Station list(s)")
    uploader.locator("input[type=file]").set_input_files(str(listed))
    expect(page.get_by_text("stations.csv")).to_be_visible()
    timings["upload_s"] = time.monotonic() - began
    page.get_by_label("Mission name").fill(NAME)
    page.get_by_label("Election day").fill("2026-06-14")
    page.get_by_label("Election day").press("Enter")
    teams = page.get_by_role("spinbutton", name=re.compile(r"^STO teams"))
    teams.fill(str(TEAMS))
    teams.press("Enter")

    began = time.monotonic()
    page.get_by_role("button", name="Preview the new mission").click()
    # The mapping is confirmed as recognised: every column used, none to fix.
    expect(page.get_by_role("heading", name="Column mapping")).to_be_visible(timeout=600_000)
    expect(page.get_by_text("Columns not used: none", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="What planner init inferred")).to_be_visible()
    timings["preview_s"] = time.monotonic() - began
    counted = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Stations", exact=True))
    expect(counted).to_contain_text(f"{STATIONS:,}")
    page.screenshot(path=str(screenshots / "scale-new-mission-preview.png"))

    began = time.monotonic()
    page.get_by_role("button", name=f"Store “{NAME}” as a new mission").click()
    stored = page.get_by_text("New mission stored: mission #")
    expect(stored).to_be_visible(timeout=600_000)
    new_id = re.search(r"mission #(\d+)", stored.inner_text())
    assert new_id is not None
    expect(page.get_by_text(f"Stored mission #{new_id[1]}, imported")).to_be_visible()
    polling = page.get_by_test_id("stMetric").filter(has_text="Polling stations")
    expect(polling).to_contain_text(f"{STATIONS:,}")
    timings["store_s"] = time.monotonic() - began
    page.screenshot(path=str(screenshots / "scale-new-mission-stored.png"))

    began = time.monotonic()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Plan").click()
    limit = page.get_by_role("spinbutton", name="Time limit (s)")
    limit.fill(str(PLAN_LIMIT_S))
    limit.press("Enter")
    page.get_by_role("button", name="Run planner").click()
    finished = page.get_by_text(re.compile(r"Planning finished .* saved as version \d+"))
    expect(finished).to_be_visible(timeout=(PLAN_LIMIT_S + 300) * 1000)
    timings["plan_s"] = time.monotonic() - began
    expect(page.get_by_text("Every target is met.")).to_be_visible()
    routed = page.get_by_test_id("stMetric").filter(has_text="Teams routed")
    expect(routed).to_contain_text(f"{TEAMS} of {TEAMS}")
    expect(
        page.get_by_text(f"Independent check: no violations in {TEAMS} team(s)", exact=False)
    ).to_be_visible()
    # The run's progress and its cancel button are gone once the page has settled.
    expect(page.get_by_role("button", name="Cancel planning")).to_have_count(0)
    page.get_by_text("Independent check:").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "scale-new-mission-planned.png"))

    port = int(app_url.rsplit(":", 1)[1])
    record = {
        "stations": STATIONS,
        "teams": TEAMS,
        "plan_limit_s": PLAN_LIMIT_S,
        **{k: round(v, 1) for k, v in timings.items()},
        "server_peak_mb": _server_peak_mb(port),
        "cpus": os.cpu_count(),
    }
    out = ROOT / "test-output" / "scale-new-mission.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1), encoding="utf-8")
    print(record)
