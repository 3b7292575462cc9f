"""Every page of the real app opens in chromium for a signed-in coordinator, offline,
without an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import MAP_FRAME, nav

pytestmark = pytest.mark.browser

PAGES = {
    "Teams & rules": "Teams & rules",
    "Plan": "Plan",
    "Map": "Map",
    "My area": "My area",
    "Coverage": "Coverage",
    "Export": "Export",
}


def _no_error(page: Page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)


@pytest.mark.parametrize("title", list(PAGES))
def test_page_opens(coordinator_page: Page, title: str) -> None:
    """Each page, opened from the navigation on the default mission, shows its title."""
    nav(coordinator_page, title, PAGES[title])
    # The app's own navigation (titles), not a folder listing of page files.
    sidebar = coordinator_page.get_by_test_id("stSidebarNav")
    expect(sidebar).to_contain_text("Teams & rules")
    expect(sidebar).not_to_contain_text("my_area")
    _no_error(coordinator_page)


def test_map_page_draws_every_station_of_default_mission(
    coordinator_page: Page, screenshots: Path
) -> None:
    """The coordinator's Map page draws all 10,101 stations (those abroad listed, not
    drawn), the 239 TECs and the 15 AoRs with no network: Leaflet comes from the app."""
    page = coordinator_page
    nav(page, "Map")
    expect(page.get_by_text("Stations: 10,101 (68 abroad, not on the map)")).to_be_visible()
    expect(page.get_by_text("Areas: 15")).to_be_visible()
    expect(page.locator(MAP_FRAME)).to_have_count(1, timeout=60_000)
    frame = page.frame_locator(MAP_FRAME)
    container = frame.locator(".leaflet-container")
    expect(container).to_be_visible(timeout=60_000)
    expect(frame.locator(".planner-legend")).to_contain_text("Area of responsibility")
    credit = frame.locator(".leaflet-control-attribution")
    expect(credit).to_contain_text("Leaflet")
    expect(credit.locator("svg, img")).to_have_count(0)  # no flag, no national symbol
    expect(frame.locator("canvas").first).to_be_visible()
    counts = container.evaluate(
        """() => {
            const layers = window.plannerLayers || {};
            let areas = 0;
            window.map.eachLayer(l => { if (l.feature && l.feature.properties
                && l.feature.properties.area_id) areas += 1; });
            return {
                stations: layers.stations ? layers.stations.getLayers().length : 0,
                tecs: layers.tecs ? layers.tecs.getLayers().length : 0,
                areas: areas,
            };
        }"""
    )
    assert counts["stations"] == 10_101 - 68  # stations abroad are not on the country map
    assert counts["tecs"] == 239
    assert counts["areas"] >= 15
    _no_error(page)
    page.screenshot(path=str(screenshots / "map_default_mission.png"))
