"""The Mission page in a real browser, offline: map layers drawn from the app's own assets."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import COORDINATOR, MAP_FRAME, sign_in

pytestmark = pytest.mark.browser


def test_mission_page_shows_default_mission_on_map(
    page: Page, app_url: str, screenshots: Path
) -> None:
    """After sign-in, the coordinator's start page names the stored default mission, its
    figures, and draws its stations."""
    blocked: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(app_url)
            else (blocked.append(route.request.url), route.abort())
        ),
    )
    sign_in(page, app_url, COORDINATOR)
    expect(page.get_by_text("Kazakhstan early presidential election 2022").first).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_text("10,101").first).to_be_visible()
    frame = page.frame_locator(MAP_FRAME)
    # Stations and TECs are canvas circle markers, AoRs are paths: both need Leaflet,
    # which must come from the app, since every other host is blocked here.
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=60_000)
    expect(frame.locator(".planner-legend")).to_contain_text("Area of responsibility")
    page.screenshot(path=str(screenshots / "mission.png"), full_page=True)
    assert not [u for u in blocked if "leaflet" in u and not u.endswith(".png")]
