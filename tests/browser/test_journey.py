"""A coordinator's way through the real app on the small demo mission: sign in, switch
mission (stored on the server), plan (saved as a version), look at the map, open an area,
check coverage, export.

The tests share one browser tab (one Streamlit session, signed in) and run in file order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

MAP_FRAME = 'iframe[title="streamlit_folium\\.st_folium"]'

pytestmark = pytest.mark.browser


def _nav(page: Page, title: str, heading: str | None = None) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=heading or title, exact=True)).to_be_visible()


# Where to click an unvisited station far from others, from stops and from the legend.
QUIET_STATION_JS = """() => {
    const markers = window.plannerLayers.stations.getLayers();
    const map = window.map;
    const size = map.getSize();
    const box = map.getContainer().getBoundingClientRect();
    const onCanvas = p => {
        const el = document.elementFromPoint(p.x + box.left, p.y + box.top);
        return el !== null && el.tagName === 'CANVAS';
    };
    const stops = [];
    window.plannerLayers.routes.eachLayer(l => {
        if (l.getLatLng) stops.push(map.latLngToContainerPoint(l.getLatLng()));
    });
    let best = null, bestGap = -1;
    for (const m of markers) {
        if (m.options.radius > 4) continue;  // visited: covered by a numbered stop
        const p = map.latLngToContainerPoint(m.getLatLng());
        if (p.x < 60 || p.y < 60 || p.x > size.x - 60 || p.y > size.y - 60) continue;
        if (!onCanvas(p)) continue;  // under the legend, a control or a stop
        let gap = Infinity;
        for (const o of markers) {
            if (o === m) continue;
            const q = map.latLngToContainerPoint(o.getLatLng());
            gap = Math.min(gap, Math.hypot(p.x - q.x, p.y - q.y));
        }
        for (const q of stops) gap = Math.min(gap, Math.hypot(p.x - q.x, p.y - q.y));
        if (gap > bestGap) { bestGap = gap; best = p; }
    }
    return {x: best.x, y: best.y};
}"""


def _screenshot(page: Page, path: Path, *, height: int) -> None:
    """Streamlit scrolls inside its own frame: a tall window shows the whole page."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(1200)  # charts and the map settle to the new size
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def _map(page: Page):
    """The map's frame, once the page has settled on one map (a rerun briefly shows two)."""
    expect(page.locator(MAP_FRAME)).to_have_count(1, timeout=60_000)
    return page.frame_locator(MAP_FRAME)


def _layer_counts(page: Page) -> dict[str, int]:
    container = _map(page).locator(".leaflet-container")
    expect(container).to_be_visible(timeout=60_000)
    page.wait_for_timeout(500)
    return container.evaluate(
        """() => {
            const layers = window.plannerLayers || {};
            const count = k => layers[k] ? layers[k].getLayers().length : 0;
            let areas = 0;
            window.map.eachLayer(l => { if (l.feature && l.feature.properties
                && l.feature.properties.area_id) areas += 1; });
            return {stations: count('stations'), tecs: count('tecs'),
                    routes: count('routes'), areas: areas};
        }"""
    )


def test_switch_to_small_demo_mission(journey_page: Page) -> None:
    """The Mission page loads the shipped Ulytau demo in place of the default."""
    page = journey_page
    expect(page.get_by_role("heading", name=re.compile("Kazakhstan"))).to_be_visible(timeout=60_000)
    page.get_by_test_id("stSelectbox").filter(has_text="Shipped missions").click()
    page.get_by_role("option", name=re.compile("ulytau-small")).click()
    page.get_by_role("button", name="Load shipped mission").click()
    # The metric, not a table cell that may hold the same number once the table has drawn;
    # and not the page's title: a Streamlit rerun racing the session check's timed
    # fragment rerun can leave the h1 out until the next rerun.
    stations = page.get_by_test_id("stMetric").filter(has_text="Polling stations")
    expect(stations.get_by_test_id("stMetricValue")).to_have_text("300")
    mission = page.get_by_role("combobox", name="Mission", exact=True)
    expect(mission).to_have_value(re.compile("Ulytau demo"))


def test_plan_small_mission_and_see_coverage(journey_page: Page) -> None:
    """Running the planner shows progress, then the saved version's coverage against every
    target."""
    page = journey_page
    _nav(page, "Plan")
    limit = page.get_by_role("spinbutton", name="Time limit (s)")
    # A limit the demo's searches do not reach: they end on their counts of work, so the
    # plan is the seed's own, whatever the machine's load.
    limit.fill("120")
    page.get_by_role("button", name="Run planner").click()
    expect(page.get_by_text("Every target is met.")).to_be_visible(timeout=150_000)
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Planning finished .* saved as version \d+"))
    ).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"Publish version \d+…"))).to_be_visible()


def test_map_shows_stations_areas_and_routes(journey_page: Page, screenshots: Path) -> None:
    """The Map page draws the AoR, its 300 stations, its TECs and every team's route;
    clicking a station opens its details."""
    page = journey_page
    _nav(page, "Map")
    counts = _layer_counts(page)
    assert counts["stations"] == 300
    assert counts["tecs"] >= 5
    assert counts["areas"] >= 1
    assert counts["routes"] >= 3  # one polyline per team (no numbered stops for all areas)

    # Choose the area: numbered stops appear for its teams.
    page.get_by_test_id("stSelectbox").filter(has_text="Area (AoR)").click()
    page.get_by_role("option", name=re.compile("AOR-01")).click()
    page.wait_for_timeout(300)
    frame = _map(page)
    expect(frame.locator(".planner-stop").first).to_be_visible(timeout=60_000)
    assert frame.locator(".planner-stop").count() >= 3 * 5

    # Click an unvisited station away from the routes: its popup and details show.
    # The map may still be settling (fitting itself to its frame): retry a few times.
    container = frame.locator(".leaflet-container")
    popup = frame.locator(".leaflet-popup-content")
    for _attempt in range(4):
        page.wait_for_timeout(500)
        container.click(position=container.evaluate(QUIET_STATION_JS))
        try:
            expect(popup).to_contain_text("Voters", timeout=3_000)
            break
        except AssertionError:
            continue
    expect(popup).to_contain_text("Voters")
    expect(popup).to_contain_text("TEC")
    expect(page.get_by_text(re.compile(r"^Station No\. "))).to_be_visible(timeout=60_000)
    _screenshot(page, screenshots / "map.png", height=1500)


def test_area_schedules_in_one_click(journey_page: Page, screenshots: Path) -> None:
    """From the start page: 'My area' (1) — the mission's only area opens with its teams,
    routes and schedules (with several areas, picking one is the second click)."""
    page = journey_page
    _nav(page, "Mission", "Ulytau demo")  # the start page
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="My area").click()  # 1
    expect(page.get_by_role("radio", name=re.compile("AOR-01"))).to_be_checked()
    expect(page.get_by_role("heading", name="Team schedules")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^STO-001 · base"))).to_be_visible()
    frame = _map(page)
    expect(frame.locator(".planner-stop").first).to_be_visible(timeout=60_000)
    _screenshot(page, screenshots / "my_area.png", height=2400)


def test_coverage_and_export(journey_page: Page, screenshots: Path) -> None:
    """Coverage charts draw; every export has its download button."""
    page = journey_page
    _nav(page, "Coverage")
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    _screenshot(page, screenshots / "coverage.png", height=2000)
    _nav(page, "Export")
    for name in (
        "visits.csv",
        "coverage.csv",
        "routes.geojson",
        "plan.json",
        "mission-pack.pdf",
        "team-packs.zip",
        "master-plan.xlsx",
        "plan.gpx",
        "plan.kml",
        "plan.ics",
    ):
        # The packs are made in the background once the page opens; their buttons come
        # when they are ready.
        slow = name in ("mission-pack.pdf", "team-packs.zip", "master-plan.xlsx")
        button = page.get_by_role("button", name=f"Download {name}")
        expect(button).to_be_visible(timeout=120_000 if slow else 5_000)
