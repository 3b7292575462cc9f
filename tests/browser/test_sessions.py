"""Sessions in the browser: a reload or a link to a page keeps the session and the page;
a link opened before signing in leads there after; signing out in one tab ends the
session in the other; the session cookie is out of reach of scripts and a changed one
is refused; the page asks no other host for anything (its icon included)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .conftest import LTO_USER, PASSWORD, SESSION_CHECK_SECONDS, go_offline, sign_in

pytestmark = pytest.mark.browser

COOKIE = "planner_session"
LONG = 60_000


@pytest.fixture
def context(browser: Browser, browser_context_args: dict) -> BrowserContext:
    fresh = browser.new_context(**browser_context_args)
    yield fresh
    fresh.close()


def _tab(context: BrowserContext, app_url: str) -> tuple[Page, list[str]]:
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page, go_offline(page, app_url)


def _heading(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible(timeout=LONG)


def test_reload_on_map_keeps_the_session_and_the_page(context, app_url: str) -> None:
    page, blocked = _tab(context, app_url)
    sign_in(page, app_url, LTO_USER)
    _heading(page, "My area")
    page.goto(f"{app_url}/map")
    _heading(page, "Map")
    expect(page.get_by_text(f"Signed in as {LTO_USER}")).to_be_visible(timeout=LONG)
    page.reload()
    _heading(page, "Map")
    expect(page.get_by_text(f"Signed in as {LTO_USER}")).to_be_visible(timeout=LONG)
    assert re.search(r"/map$", page.url)
    assert not [u for u in blocked if "favicon" in u or "fonts" in u]
    # The start page at its own address too (a bookmark, a link from a coordinator).
    page.goto(f"{app_url}/my_area")
    _heading(page, "My area")
    expect(page.get_by_text(f"Signed in as {LTO_USER}")).to_be_visible(timeout=LONG)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_a_link_opened_before_signing_in_opens_after(context, app_url: str) -> None:
    page, _ = _tab(context, app_url)
    page.goto(f"{app_url}/coverage")
    _heading(page, "Sign in")
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.get_by_label("Username").fill(LTO_USER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    _heading(page, "Coverage")
    expect(page.get_by_text(f"Signed in as {LTO_USER}")).to_be_visible(timeout=LONG)
    assert re.search(r"/coverage$", page.url)


def test_signing_out_in_one_tab_ends_the_other(context, app_url: str) -> None:
    first, _ = _tab(context, app_url)
    sign_in(first, app_url, LTO_USER)
    second, _ = _tab(context, app_url)
    second.goto(f"{app_url}/map")
    _heading(second, "Map")
    first.get_by_role("button", name="Sign out").click()
    _heading(first, "Sign in")
    expect(first.get_by_text("You are signed out.")).to_be_visible(timeout=LONG)
    # The open tab notices by itself, within its periodic check.
    _heading(second, "Sign in")
    assert SESSION_CHECK_SECONDS < 10
    assert not [c for c in context.cookies() if c["name"] == COOKIE]
    second.reload()
    _heading(second, "Sign in")


def test_the_cookie_is_http_only_and_a_changed_one_is_refused(context, app_url: str) -> None:
    page, _ = _tab(context, app_url)
    sign_in(page, app_url, LTO_USER)
    (cookie,) = [c for c in context.cookies() if c["name"] == COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("() => document.cookie").find(COOKIE) == -1  # no script reads it
    tampered = cookie["value"][:-2] + ("AA" if not cookie["value"].endswith("AA") else "BB")
    context.clear_cookies()
    context.add_cookies([{**cookie, "value": tampered}])
    page.goto(f"{app_url}/map")
    _heading(page, "Sign in")
    expect(page.get_by_text(f"Signed in as {LTO_USER}")).to_have_count(0)
