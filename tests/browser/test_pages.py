"""Every page of the real app opens in chromium, offline, without an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

MAP_FRAME = 'iframe[title="streamlit_folium\\.st_folium"]'

pytestmark = pytest.mark.browser

PAGES = {
    "teams": "Teams & rules",
    "plan": "Plan",
    "map": "Map",
    "my_area": "My area",
    "coverage": "Coverage",
    "export": "Export",
}


def _no_error(page: Page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)


@pytest.mark.parametrize("path", list(PAGES))
def test_page_opens(offline_page: Page, app_url: str, path: str) -> None:
    """Each page, opened by its address on the default mission, shows its title."""
    offline_page.goto(f"{app_url}/{path}")
    expect(offline_page.get_by_role("heading", name=PAGES[path], exact=True)).to_be_visible(
        timeout=60_000
    )
    # The app's own navigation (titles), not a folder listing of page files.
    nav = offline_page.get_by_test_id("stSidebarNav")
    expect(nav).to_contain_text("Teams & rules")
    expect(nav).not_to_contain_text("my_area")
    _no_error(offline_page)


def test_map_page_draws_every_station_of_default_mission(
    offline_page: Page, app_url: str, screenshots: Path
) -> None:
    """The Map page draws all 10,101 stations, the 239 TECs and the 15 AoRs with no
    network: Leaflet comes from the app."""
    offline_page.goto(f"{app_url}/map")
    frame = offline_page.frame_locator(MAP_FRAME)
    container = frame.locator(".leaflet-container")
    expect(container).to_be_visible(timeout=60_000)
    expect(frame.locator(".planner-legend")).to_contain_text("Area of responsibility")
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
    _no_error(offline_page)
    offline_page.screenshot(path=str(screenshots / "map_default_mission.png"))
