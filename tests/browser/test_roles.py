"""Who sees what, in a real browser: sign in through the app's form, then an LTO of one
area finds only that area's stations and teams on every page and in its downloads, and a
team account finds only its own schedule.

The server's store holds the whole default mission (10,101 stations) and a published plan
of three areas, so there is always something outside the LTO's area to leak.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from planner.store import Action, audit_log, open_store, system_user

from .conftest import (
    LTO_AREA,
    LTO_USER,
    MAP_FRAME,
    PASSWORD,
    TEAM_ID,
    Seed,
    go_offline,
    nav,
)

pytestmark = pytest.mark.browser

TEAM_IDS = re.compile(r"\b(?:STO|LTO)-\d{2,3}\b")
AREA_IDS = re.compile(r"\bAOR-\d{2}\b")


def _screenshot(page: Page, path: Path, *, height: int) -> None:
    """Streamlit scrolls inside its own frame: a tall window shows the whole page."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(1200)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def _map_facts(page: Page) -> dict:
    """What the map frame holds: layer counts, and every team id in its HTML."""
    expect(page.locator(MAP_FRAME)).to_have_count(1, timeout=60_000)
    container = page.frame_locator(MAP_FRAME).locator(".leaflet-container")
    expect(container).to_be_visible(timeout=60_000)
    page.wait_for_timeout(500)
    return container.evaluate(
        """() => {
            const layers = window.plannerLayers || {};
            const count = k => layers[k] ? layers[k].getLayers().length : 0;
            let areas = 0;
            window.map.eachLayer(l => { if (l.feature && l.feature.properties
                && l.feature.properties.area_id) areas += 1; });
            return {stations: count('stations'), tecs: count('tecs'), routes: count('routes'),
                    areas: areas, html: document.documentElement.outerHTML};
        }"""
    )


def _page_text(page: Page) -> str:
    return page.locator("body").inner_text()


def _download(page: Page, label: str) -> str:
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name=label).click()
    return Path(download.value.path()).read_text("utf-8")


def _csv_teams(text: str) -> set[str]:
    return {row["team_id"] for row in csv.DictReader(io.StringIO(text))}


def test_sign_in_page(page: Page, app_url: str, screenshots: Path) -> None:
    """The sign-in page is all a stranger gets; a wrong password gets a plain message."""
    go_offline(page, app_url)
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    page.get_by_label("Username").fill(LTO_USER)
    page.get_by_label("Password", exact=True).fill(PASSWORD + "x")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    assert "Kazakhstan" not in _page_text(page)
    page.screenshot(path=str(screenshots / "signin.png"))


def test_lto_my_area_is_its_area_only(lto_page: Page, seed: Seed) -> None:
    page = lto_page
    expect(page.get_by_role("heading", name="My area", exact=True)).to_be_visible()
    expect(page.get_by_text(f"Signed in as {LTO_USER} (LTO · {LTO_AREA})")).to_be_visible()
    nav_text = page.get_by_test_id("stSidebarNav").inner_text()
    assert all(t in nav_text for t in ("My area", "Map", "Coverage", "Export"))
    assert not any(t in nav_text for t in ("Mission", "Teams & rules", "Plan"))
    stations = page.get_by_test_id("stMetric").filter(has_text="Stations").first
    expect(stations).to_contain_text(f"{seed.area_stations:,}")
    expect(page.get_by_role("heading", name="Team schedules")).to_be_visible(timeout=60_000)
    text = _page_text(page)
    assert set(AREA_IDS.findall(text)) == {LTO_AREA}
    assert set(TEAM_IDS.findall(text)) <= seed.area_teams | {"LTO-07"}
    assert set(TEAM_IDS.findall(text)) >= seed.area_teams
    facts = _map_facts(page)
    assert facts["stations"] == seed.area_stations
    assert set(TEAM_IDS.findall(facts["html"])) <= seed.area_teams | {"LTO-07"}


def test_lto_map_counts_only_its_area(lto_page: Page, seed: Seed, screenshots: Path) -> None:
    """The Map page says, and draws, the area's 297 stations and its teams' routes only,
    while the plan also routes teams of two other areas."""
    page = lto_page
    nav(page, "Map")
    teams = len(seed.area_teams)
    expect(
        page.get_by_text(f"Stations: {seed.area_stations:,} · TECs: 9 · Areas: 1")
    ).to_be_visible()
    expect(page.get_by_text(f"Teams routed: {teams}")).to_be_visible()
    facts = _map_facts(page)
    assert facts["stations"] == seed.area_stations == 297
    assert facts["tecs"] == 9
    assert facts["areas"] == 1
    assert facts["routes"] == teams  # one line per team, no numbered stops for all areas
    assert seed.planned_teams - seed.area_teams, "the plan must route other areas too"
    assert set(TEAM_IDS.findall(facts["html"])) <= seed.area_teams | {"LTO-07"}
    assert set(AREA_IDS.findall(facts["html"])) <= {LTO_AREA}
    assert set(AREA_IDS.findall(_page_text(page))) == {LTO_AREA}
    _screenshot(page, screenshots / "lto_map.png", height=1400)


def test_lto_coverage_and_export_hold_only_its_area(lto_page: Page, seed: Seed) -> None:
    page = lto_page
    nav(page, "Coverage")
    expect(page.get_by_text(f"Your area(s) only: {LTO_AREA}")).to_be_visible()
    assert set(AREA_IDS.findall(_page_text(page))) == {LTO_AREA}
    nav(page, "Export")
    expect(page.get_by_text(f"{len(seed.area_teams)} team(s) of {LTO_AREA}")).to_be_visible()
    assert _csv_teams(_download(page, "Download visits.csv")) == set(seed.area_teams)
    geojson = _download(page, "Download routes.geojson")
    assert set(TEAM_IDS.findall(geojson)) == set(seed.area_teams)
    with open_store(data_dir=seed.data_dir) as store:  # the server's own store
        logged = audit_log(
            store, user=system_user("test"), action=Action.EXPORT_DOWNLOADED, username=LTO_USER
        )
    assert {e.detail["file"] for e in logged} >= {"visits.csv", "routes.geojson"}


def test_team_sees_only_its_schedule(team_page: Page, seed: Seed, screenshots: Path) -> None:
    """A team account: one page, its stops, its map, its files; no other team anywhere."""
    page = team_page
    expect(page.get_by_role("heading", name="My schedule", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # one page: no menu
    expect(
        page.get_by_text(f"Team {TEAM_ID} · published plan version {seed.version_id}")
    ).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    facts = _map_facts(page)
    assert set(TEAM_IDS.findall(_page_text(page))) == {TEAM_ID}
    assert set(TEAM_IDS.findall(facts["html"])) == {TEAM_ID}
    assert 0 < facts["stations"] < 30  # the stations of its own day only
    _screenshot(page, screenshots / "team_schedule.png", height=1900)
    assert _csv_teams(_download(page, f"Download {TEAM_ID}-visits.csv")) == {TEAM_ID}
