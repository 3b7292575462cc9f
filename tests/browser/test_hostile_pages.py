"""Stored XSS: a mission with a script payload in every name field, planned and published,
opened on every page by each role in chromium. No dialog opens, no element of a payload
appears in the page or in its map frames (with every popup and tooltip opened), no
payload's Markdown is rendered, and the names are shown as the text they are."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile.payloads import scripted_mission
from playwright.sync_api import Browser, Frame, Page, expect

from planner.escaping import WORD_JOINER

from .conftest import MAP_FRAME, PASSWORD, go_offline, serve_app, sign_in

pytestmark = pytest.mark.browser

COORDINATOR, LTO, TEAM = "coord", "lto-hostile", "sto-hostile"
AREA, TEAM_ID = "AOR-01", "STO-01"
NOTE = "<img src=x onerror=alert('note')> [note](javascript:alert(8))"
# Page title in the sidebar -> (a text that shows the page has been drawn, its maps).
PAGES = {
    COORDINATOR: {
        "Mission": ("Shipped missions", 1),
        "Teams & rules": ("Election-day rules", 0),
        "Plan": ("Coverage against targets", 0),
        "Map": ("Unvisited", 1),
        "My area": ("Field reports", 1),
        "Coverage": ("Regions and areas", 0),
        "Export": ("Schedules (PDF)", 0),
    },
    LTO: {
        "My area": ("Field reports", 1),
        "Map": ("Unvisited", 1),
        "Coverage": ("Regions and areas", 0),
        "Export": ("Schedules (PDF)", 0),
    },
    TEAM: {"My schedule": ("Files", 1)},
}
# Elements a payload would make if it were markup rather than text.
INJECTED = (
    "img[src='x'], [onerror], [onload], script[src='x'], a[href^='javascript'], "
    "a[href*='example.org'], iframe[src^='javascript'], .leaflet-pane script, "
    ".leaflet-pane img[src='x'], [data-testid='stMarkdownContainer'] script"
)
RAW = ("<img src=x", "<script>alert", "<svg onload", "onerror=alert(3)>")
OPEN_EVERYTHING_JS = """
() => {
  const opened = [];
  const maps = Object.values(window).filter(v => v instanceof L.Map);
  maps.forEach(map => map.eachLayer(layer => {
    const at = layer.getLatLng ? layer.getLatLng()
      : (layer.getBounds ? layer.getBounds().getCenter() : undefined);
    if (layer.getTooltip && layer.getTooltip()) {
      layer.openTooltip(at);
      const el = layer.getTooltip().getElement();
      if (el) opened.push(el.innerHTML);
    }
    if (layer.getPopup && layer.getPopup()) {
      layer.openPopup(at);
      const el = layer.getPopup().getElement();
      if (el) opened.push(el.innerHTML);
    }
  }));
  return opened;
}
"""


@dataclass(frozen=True)
class Hostile:
    url: str
    mission_name: str
    area_name: str
    base_name: str


def _store(data_dir: Path) -> tuple[str, str, str]:
    from planner.field_status import ReportKind
    from planner.plan import solve
    from planner.store import (
        FieldReport,
        Role,
        add_field_update,
        get_user,
        import_mission,
        open_store,
        publish,
        save_plan,
        system_user,
        users_add,
    )

    mission = scripted_mission()
    plan = solve(mission, time_limit_s=60, seed=1, workers=1)
    assert plan.stops, "the scripted mission plans"
    admin = system_user("test-admin")
    with open_store(data_dir=data_dir) as store:
        mission_id = import_mission(store, mission, user=admin)
        publish(store, save_plan(store, mission_id, plan, user=admin), user=admin)
        for name, kw in {
            COORDINATOR: {"role": Role.COORDINATOR},
            LTO: {"role": Role.LTO, "area_ids": [AREA], "mission_id": mission_id},
            TEAM: {"role": Role.TEAM, "team_id": TEAM_ID, "mission_id": mission_id},
        }.items():
            users_add(store, name, user=admin, password=PASSWORD, **kw)
        report = FieldReport(ReportKind.NOTE, note=NOTE, area_id=AREA)
        add_field_update(store, mission_id, report, user=get_user(store, LTO))
    base = next(t.base_name for t in mission.teams if t.team_id == TEAM_ID)
    return mission.name, mission.area_by_id[AREA].name, base


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    data_dir = tmp_path_factory.mktemp("hostile-store") / "data"
    names = _store(data_dir)
    with serve_app(data_dir, log_name="streamlit-hostile.log") as url:
        yield Hostile(url, *names)


def _open(page: Page, title: str, ready: str) -> None:
    """Go to a page through the sidebar (a role with one page has no page list: it is
    already there)."""
    links = page.get_by_test_id("stSidebarNav")
    if links.count():
        links.get_by_role("link", name=title).click()
    expect(page.get_by_text(ready, exact=True).first).to_be_visible(timeout=60_000)
    page.wait_for_timeout(500)  # let the last fragments and map frames settle


def _no_injection(frame: Frame | Page, where: str) -> None:
    found = frame.locator(INJECTED).count()
    assert found == 0, f"{where}: {found} injected element(s)"
    scripts = frame.locator("script:not([src])").all_text_contents()
    for raw in RAW:
        assert not any(raw in s for s in scripts), f"{where}: raw {raw!r} in a script"


def _no_markdown_rendered(page: Page, where: str) -> None:
    """A payload's Markdown stays text: no colour, icon, LaTeX, logo or emphasis from it."""
    markdown = page.get_by_test_id("stMarkdownContainer")
    for selector in (".stMarkdownColoredText", ".katex", "img", "a:not([href^='#'])"):
        found = markdown.locator(selector).count()
        assert found == 0, f"{where}: {found} {selector} rendered from Markdown"
    emphasis = markdown.locator("strong, em").all_text_contents()
    assert not {"bold", "it"} & set(emphasis), f"{where}: payload emphasis {emphasis}"


def _maps(page: Page, where: str, count: int) -> list[str]:
    """Open every tooltip and popup of the page's `count` maps; check each frame."""
    shown: list[str] = []
    expect(page.locator(MAP_FRAME)).to_have_count(count, timeout=60_000)
    for index in range(count):
        container = page.frame_locator(MAP_FRAME).nth(index).locator(".leaflet-container")
        expect(container).to_be_visible(timeout=60_000)
        box = container.bounding_box()
        assert box is not None
        for fx, fy in ((0.5, 0.5), (0.3, 0.4), (0.7, 0.6)):  # hover: the areas tooltip
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            page.wait_for_timeout(150)
        shown += container.evaluate(f"el => ({OPEN_EVERYTHING_JS})()")
        page.wait_for_timeout(300)  # an injected <img src=x> fails to load by now
    for frame in page.frames[1:]:
        _no_injection(frame, f"{where} (frame {frame.url[:60]})")
    return shown


def _visit(browser: Browser, url: str, args: dict, username: str) -> tuple[str, list[str]]:
    """Every page of the role: checked as drawn and with every map overlay open. Returns
    the pages' text (word joiners removed) and the overlays' HTML."""
    context = browser.new_context(**args)
    page = context.new_page()
    page.set_default_timeout(60_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    go_offline(page, url)
    texts: list[str] = []
    overlays: list[str] = []
    try:
        sign_in(page, url, username)
        for title, (ready, maps) in PAGES[username].items():
            where = f"{username} · {title}"
            _open(page, title, ready)
            overlays += _maps(page, where, maps)
            _no_injection(page, where)
            _no_markdown_rendered(page, where)
            texts.append(page.inner_text("body").replace(WORD_JOINER, ""))
            assert dialogs == [], f"{where}: dialog(s) {dialogs}"
    finally:
        context.close()
    return "\n".join(texts), overlays


@pytest.mark.parametrize("username", [COORDINATOR, LTO, TEAM])
def test_no_payload_runs_or_renders_on_any_page(
    browser: Browser, hostile: Hostile, browser_context_args: dict, username: str
) -> None:
    text, overlays = _visit(browser, hostile.url, browser_context_args, username)
    literal = {
        COORDINATOR: hostile.mission_name,  # the Mission page's title, the Plan caption
        LTO: hostile.area_name,  # "<area name>: map" on My area, and its pill
        TEAM: hostile.base_name,  # "Base: <name>." on My schedule
    }[username]
    assert literal in text, f"{literal!r} is not shown as text"
    assert overlays, "the maps have popups and tooltips"
    assert any("&lt;img src=x onerror=alert(1)&gt;" in html for html in overlays), (
        "a popup or tooltip shows the payload as text"
    )
    assert not any("<img src=x" in html for html in overlays)
