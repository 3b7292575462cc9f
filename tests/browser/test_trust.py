"""One plan version, named alike everywhere, on a 1280 x 720 laptop: a coordinator opens
the published version (not a newer draft) and the sidebar says which one teams see; a
re-plan of one area counts every team; the map lets the page scroll until it is clicked;
metrics, toggles and labels are not cut; a coordinator on My area is not told it is theirs,
and its re-plan form refuses a time to keep stops before that is not HH:MM;
a team's open page shows a newly published version without a click."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import (
    COORDINATOR,
    LTO_AREA,
    MAP_FRAME,
    TEAM_ID,
    TEAM_USER,
    Seed,
    go_offline,
    sign_in,
)

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 720}
LONG = 60_000


@pytest.fixture(scope="module")
def draft(seed: Seed) -> Iterator[tuple[str, str]]:
    """A re-plan of LTO_AREA saved on top of the published version and left unpublished
    (as an LTO's would be): the names of the published version and of the draft."""
    from planner.store import (
        load_mission,
        load_plan,
        open_store,
        plan_version,
        publish,
        save_plan,
        system_user,
    )
    from planner.ui.replan import restrict_to_area
    from planner.ui.versions import plan_from_version

    admin = system_user("test-admin")
    with open_store(data_dir=seed.data_dir) as store:
        mission = load_mission(store, seed.mission_id, user=admin)
        info = plan_version(store, seed.version_id, user=admin)
        whole = plan_from_version(info, load_plan(store, info.id, user=admin), mission)
        area = restrict_to_area(mission, LTO_AREA)
        teams = {t.team_id for t in area.teams}
        part = plan_from_version(info, [s for s in whole.stops if s.team_id in teams], area)
        new = save_plan(store, seed.mission_id, part, user=admin, parent=info.id, areas=[LTO_AREA])
        names = (info.name, plan_version(store, new, user=admin).name)
    yield names
    with open_store(data_dir=seed.data_dir) as store:  # teams see the seeded version again
        publish(store, seed.version_id, user=admin)


def _laptop(browser: Browser, app_url: str, username: str) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.set_default_timeout(60_000)
    go_offline(page, app_url)
    sign_in(page, app_url, username)
    yield page
    context.close()


@pytest.fixture(scope="module")
def laptop(browser: Browser, app_url: str, draft) -> Iterator[Page]:
    yield from _laptop(browser, app_url, COORDINATOR)


def _open(page: Page, app_url: str, path: str, heading: str) -> None:
    page.goto(f"{app_url}/{path}")
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=LONG)


def _cut(page: Page, selector: str) -> list[str]:
    """Texts of the elements matching `selector` that are wider than their box."""
    return page.locator(selector).evaluate_all(
        """els => els.filter(e => e.scrollWidth > e.clientWidth + 1)
                     .map(e => e.innerText)"""
    )


def test_coordinator_opens_the_published_version(laptop: Page, app_url: str, draft) -> None:
    published, newer = draft
    _open(laptop, app_url, "plan", f"Plan {published}")
    side = laptop.get_by_test_id("stSidebar")
    expect(side.get_by_text("Published: this version; teams see it.")).to_be_visible()
    number, digest = re.fullmatch(r"version (\d+) · ([0-9a-f]{8})", published).groups()
    box = side.get_by_role("combobox", name="Plan version")
    expect(box).to_have_value(f"v{number} · {digest} · published")
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert newer != published


def test_replan_version_counts_every_team(laptop: Page, app_url: str, seed: Seed, draft) -> None:
    published, newer = draft
    side = laptop.get_by_test_id("stSidebar")
    side.get_by_role("combobox", name="Plan version").click()
    laptop.get_by_role("option", name=re.compile(rf"^v{newer.split()[1]} · ")).click()
    expect(laptop.get_by_role("heading", name=f"Plan {newer}")).to_be_visible(timeout=LONG)
    expect(side.get_by_text(f"Published: {published}; teams see that one")).to_be_visible()
    routed = len(seed.planned_teams)
    metric = laptop.get_by_test_id("stMetric").filter(has_text="Teams routed")
    expect(metric.get_by_test_id("stMetricValue")).to_have_text(f"{routed} of {routed}")
    assert _cut(laptop, '[data-testid="stMetricValue"] > div') == []


def test_map_lets_the_page_scroll_until_clicked(laptop: Page, app_url: str) -> None:
    _open(laptop, app_url, "map", "Map")
    assert _cut(laptop, '[data-testid="stWidgetLabel"] p') == []
    # Every phase chip shows whole, inside its box.
    phases = laptop.get_by_test_id("stMultiSelect").filter(has_text="Phases")
    chips = phases.locator('[aria-label="Selected values"] > [data-tag]:visible')
    expect(chips).to_have_count(5)
    edge = phases.bounding_box()
    for chip in chips.all():
        box = chip.bounding_box()
        assert box["x"] + box["width"] <= edge["x"] + edge["width"], chip.inner_text()
    assert _cut(laptop, '[data-testid="stMultiSelect"] [data-tag] > span') == []
    frame = laptop.frame_locator(MAP_FRAME)
    container = frame.locator(".leaflet-container")
    expect(container).to_be_visible(timeout=LONG)
    laptop.wait_for_timeout(1500)
    zoom = container.evaluate("() => window.map.getZoom()")
    box = laptop.locator(MAP_FRAME).bounding_box()
    laptop.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    laptop.mouse.wheel(0, 400)
    laptop.wait_for_timeout(1000)
    assert container.evaluate("() => window.map.getZoom()") == zoom
    assert not container.evaluate("() => window.map.scrollWheelZoom.enabled()")
    container.click(position={"x": 20, "y": box["height"] - 40})
    assert container.evaluate("() => window.map.scrollWheelZoom.enabled()")


def test_coordinator_on_my_area_is_not_told_it_is_theirs(laptop: Page, app_url: str) -> None:
    _open(laptop, app_url, "my_area", "My area")
    expect(laptop.get_by_text("Area of responsibility", exact=True)).to_be_visible()
    expect(laptop.get_by_text("Your area of responsibility")).to_have_count(0)


def test_replan_form_takes_a_time_to_keep_stops_before(laptop: Page, app_url: str) -> None:
    """The area's re-plan form has "Keep every stop before", whole at 1280 x 720; a time
    that is not HH:MM is refused, saying why."""
    _open(laptop, app_url, f"my_area?area={LTO_AREA}", "My area")
    form = laptop.get_by_test_id("stForm").filter(has_text="Keep every stop before")
    box = form.get_by_role("textbox", name="Keep every stop before (HH:MM, election day)")
    expect(box).to_be_visible(timeout=LONG)
    assert _cut(laptop, '[data-testid="stForm"] [data-testid="stWidgetLabel"] p') == []
    box.fill("25:00")
    form.get_by_role("button", name=f"Re-plan {LTO_AREA} only").click()
    alert = laptop.get_by_role("alert").filter(has_text="Cannot re-plan")
    expect(alert).to_contain_text("is not a time of day", timeout=LONG)
    expect(alert).to_contain_text("leave it empty to re-plan the whole day")


def test_team_page_shows_a_new_publication_without_a_click(
    browser: Browser, app_url: str, seed: Seed, draft, screenshots: Path
) -> None:
    from planner.store import open_store, publish, system_user

    published, newer = draft
    page = next(_laptop(browser, app_url, TEAM_USER))
    _open(page, app_url, "my_schedule", "My schedule")
    expect(page.get_by_text(f"Team {TEAM_ID} · published plan {published}")).to_be_visible(
        timeout=LONG
    )
    with open_store(data_dir=seed.data_dir) as store:
        publish(store, int(newer.split()[1]), user=system_user("test-admin"))
    expect(page.get_by_text(f"Team {TEAM_ID} · published plan {newer}")).to_be_visible(timeout=LONG)
    page.screenshot(path=str(screenshots / "team-after-publication-1280.png"))
    page.context.close()
