"""A new mission from a country's own station list, in a real browser: upload, preview
with the column mapping and the report, fix the mapping, preview again, store, then plan
it and see the saved plan pass the independent check."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from planner import synthetic

from .conftest import COORDINATOR, sign_in

pytestmark = pytest.mark.browser

NAME = "Synthetic by-election 2026"


def _odd_list(folder: Path) -> Path:
    """A list whose id and region headers no vocabulary knows: `ref` and `zone`."""
    country = synthetic.generate(400, seed=5)
    source = synthetic.write_lists(country, folder)
    rows = list(csv.reader(io.StringIO(source.read_text("utf-8")), delimiter=";"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["ref", "zone", "ward", "north", "east"])
    for r in rows[1:]:
        writer.writerow([r[0], r[4], r[6], r[7], r[8]])
    path = folder / "odd-list.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_coordinator_makes_a_new_mission_from_a_station_list(
    page: Page, app_url: str, screenshots: Path, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    page.set_default_timeout(60_000)
    sign_in(page, app_url, COORDINATOR)
    page.get_by_text("New mission from a country's station list").click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Station list(s)")
    uploader.locator("input[type=file]").set_input_files(str(_odd_list(tmp_path)))
    expect(page.get_by_text("odd-list.csv")).to_be_visible()
    page.get_by_label("Mission name").fill(NAME)
    page.get_by_label("Election day").fill("2026-03-15")
    page.get_by_label("Election day").press("Enter")
    page.get_by_role("spinbutton", name="STO teams (0: one per ~67 stations)").fill("6")
    page.get_by_role("spinbutton", name="STO teams (0: one per ~67 stations)").press("Enter")
    page.get_by_role("spinbutton", name="Areas (0: one per 10 teams)").fill("2")
    page.get_by_role("spinbutton", name="Areas (0: one per 10 teams)").press("Enter")
    page.get_by_role("button", name="Preview the new mission").click()

    # The first preview: `zone` is not understood, and says so.
    expect(page.get_by_role("heading", name="Column mapping")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("Columns not used: ref, zone", exact=True)).to_be_visible()

    # The coordinator names the columns and previews again.
    mapping = page.get_by_label("Column mapping: role=column", exact=False)
    mapping.fill("station_id=ref,region=zone,district=ward")
    mapping.press("Enter")
    page.get_by_role("button", name="Preview the new mission").click()
    expect(page.get_by_text("Columns not used: none", exact=True)).to_be_visible(timeout=120_000)
    expect(page.get_by_text("your mapping").first).to_be_attached()  # a grid cell
    expect(page.get_by_role("heading", name="What planner init inferred")).to_be_visible()
    expect(page.get_by_text("approximate").first).to_be_visible()
    page.get_by_role("heading", name="Column mapping").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "new-mission-mapping.png"))

    # A district of AOR-01 moves to AOR-02; the areas' table follows.
    expect(page.get_by_role("heading", name="Areas of responsibility", exact=True)).to_be_visible()
    moves = page.get_by_test_id("stMultiSelect").filter(has_text="Districts to move")
    moves.scroll_into_view_if_needed()
    moves.click()
    page.get_by_role("option", name=re.compile(r"now AOR-01\)$")).first.click()
    page.keyboard.press("Escape")
    page.get_by_test_id("stSelectbox").filter(has_text="To area").click()
    page.get_by_role("option", name="AOR-02", exact=True).click()
    page.get_by_role("button", name="Move districts").click()
    expect(page.get_by_text("1 district(s) moved to AOR-02.", exact=False)).to_be_visible(
        timeout=60_000
    )
    page.screenshot(path=str(screenshots / "new-mission-areas.png"), full_page=True)
    page.screenshot(path=str(screenshots / "new-mission-preview.png"), full_page=True)
    # Clicked without scrolling first: a click waits for the button to be there and
    # scrolls itself, where a scroll fails if a rerun has just replaced the button.
    page.get_by_role("button", name=f"Store “{NAME}” as a new mission").click()
    stored = page.get_by_text("New mission stored: mission #")
    expect(stored).to_be_visible(timeout=60_000)
    new_id = re.search(r"mission #(\d+)", stored.inner_text())
    assert new_id is not None
    # The session now works on the new mission. (Its caption, not its title: under load a
    # Streamlit rerun beside the app's run_every session check can drop the page's h1.)
    expect(page.get_by_text(f"Stored mission #{new_id[1]}, imported")).to_be_visible()
    expect(page.get_by_text("400").first).to_be_visible()
    page.screenshot(path=str(screenshots / "new-mission-stored.png"))

    # The stored mission plans like any other, and its plan passes the check.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Plan").click()
    limit = page.get_by_role("spinbutton", name="Time limit (s)")
    limit.fill("120")
    page.get_by_role("button", name="Run planner").click()
    expect(
        page.get_by_text(re.compile(r"Planning finished .* saved as version \d+"))
    ).to_be_visible(timeout=180_000)
    expect(page.get_by_text("Every target is met.")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Independent check: no violations in \d+ team\(s\)"))
    ).to_be_visible()
    # The run's progress and its cancel button are gone once the page has settled.
    expect(page.get_by_role("button", name="Cancel planning")).to_have_count(0)
    page.get_by_text("Independent check:").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "new-mission-planned.png"))
