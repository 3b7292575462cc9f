"""The weight of every page of each role: requests, bytes on the wire, time to content.

python bench/page_weight.py [--data-dir DIR] [--kbps 400 --latency-ms 400] [--markdown]

Starts the app (`streamlit run app.py`) on a seeded store (the browser tests' store: the
default mission, one account per role, a published plan of three areas; seeded into
DIR once and reused when DIR already holds it), and drives Debian's chromium through a
byte-counting relay. For each role and page:

- first visit: a new browser (empty cache) opens the page's address, signs in on the
  form and is sent on to the page; counted from opening the address until the page has
  settled (nothing on the wire for 1.5 s);
- second visit: the same browser opens the page's address again (signed in by its
  cookie, files in its cache).

Bytes are everything the app sent (HTTP and the live connection). Requests are HTTP
requests the page made; `cached` are those answered from the browser's cache. Time is
from the sign-in click (first visit) or from opening the address (second visit) until
the heading shows and, on a map page, the map has drawn its points. With `--kbps`, the
browser's link is throttled (Chromium's network emulation).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from playwright.sync_api import BrowserContext, Page, sync_playwright  # noqa: E402
from weblink import MAP_PAGES, Counter, Relay, wait_for_content, wait_until_quiet  # noqa: E402

from planner.store import Role  # noqa: E402
from planner.ui.pages import ROLE_PAGES  # noqa: E402
from tests.browser.conftest import (  # noqa: E402
    CHROMIUM_ARGS,
    COORDINATOR,
    LTO_USER,
    PASSWORD,
    TEAM_USER,
    seed_store,
    serve_app_process,
    throttle,
)

USERS = {Role.COORDINATOR: COORDINATOR, Role.LTO: LTO_USER, Role.TEAM: TEAM_USER}
SEEDED_MARK = "page-weight-seeded"
# A coordinator's My area shows no map until an area is picked.
NO_MAP = {(Role.COORDINATOR, "my_area")}


@dataclass(frozen=True)
class Visit:
    requests: int
    cached: int
    down: int  # bytes the app sent
    up: int
    seconds: float


@dataclass(frozen=True)
class Row:
    role: str
    page: str
    first: Visit
    second: Visit


class Requests:
    """HTTP requests of a page and its frames, and which the cache answered (CDP)."""

    def __init__(self, page: Page) -> None:
        self.sent = 0
        self.cached = 0
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.requestServedFromCache", self._from_cache)
        session.on("Network.responseReceived", self._received)
        self.session = session
        self._cached_ids: set[str] = set()

    def _sent(self, event: dict) -> None:
        if not event["request"]["url"].startswith(("data:", "blob:", "about:")):
            self.sent += 1

    def _from_cache(self, event: dict) -> None:
        if event["requestId"] not in self._cached_ids:
            self._cached_ids.add(event["requestId"])
            self.cached += 1

    def _received(self, event: dict) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromMemoryCache"):
            self._from_cache(event)

    def reset(self) -> None:
        self.sent = self.cached = 0
        self._cached_ids.clear()


def _settle(counter: Counter, requests: Requests, started: float, content_at: float) -> Visit:
    wait_until_quiet(counter)
    return Visit(requests.sent, requests.cached, counter.down, counter.up, content_at - started)


def first_visit(
    context: BrowserContext,
    base: str,
    name: str,
    user: str,
    counter: Counter,
    link: tuple[float, float] | None,
    with_map: bool,
) -> tuple[Page, Requests, Visit]:
    page = context.new_page()
    page.set_default_timeout(120_000)
    requests = Requests(page)
    if link is not None:
        throttle(page, *link)
    counter.reset()
    page.goto(f"{base}/{name}")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    started = time.monotonic()
    page.get_by_role("button", name="Sign in").click()
    wait_for_content(page, name, with_map=with_map)
    return page, requests, _settle(counter, requests, started, time.monotonic())


def second_visit(
    page: Page, requests: Requests, base: str, name: str, counter: Counter, with_map: bool
) -> Visit:
    wait_until_quiet(counter)
    requests.reset()
    counter.reset()
    started = time.monotonic()
    page.goto(f"{base}/{name}")
    wait_for_content(page, name, with_map=with_map)
    return _settle(counter, requests, started, time.monotonic())


@contextmanager
def running_app(data_dir: Path | None) -> Iterator[tuple[str, int]]:
    """The app on a seeded store: (address, server pid)."""
    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp:
        folder = data_dir or Path(tmp) / "data"
        if not (folder / SEEDED_MARK).exists():
            print(f"seeding the store in {folder} (a plan of three areas)…", file=sys.stderr)
            seed_store(folder)
            (folder / SEEDED_MARK).write_text("seeded by bench/page_weight.py\n")
        # The session check stays at its default (30 s): the pages settle between checks.
        with serve_app_process(
            folder, log_name="page-weight.log", env={"PLANNER_SESSION_CHECK_SECONDS": "30"}
        ) as (url, proc):
            yield url, proc.pid


def measure(url: str, link: tuple[float, float] | None, roles: list[Role]) -> list[Row]:
    rows: list[Row] = []
    with Relay(int(url.rsplit(":", 1)[1])) as relay, sync_playwright() as pw:
        import shutil

        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            for role in roles:
                for name in ROLE_PAGES[role]:
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    with_map = name in MAP_PAGES and (role, name) not in NO_MAP
                    try:
                        page, requests, first = first_visit(
                            context, relay.url, name, USERS[role], relay.counter, link, with_map
                        )
                        second = second_visit(
                            page, requests, relay.url, name, relay.counter, with_map
                        )
                    finally:
                        context.close()
                    row = Row(role.value, name, first, second)
                    print(_line(row), file=sys.stderr)
                    rows.append(row)
        finally:
            browser.close()
    return rows


def _kb(n: int) -> str:
    return f"{n / 1024:,.0f}"


def _line(row: Row) -> str:
    f, s = row.first, row.second
    return (
        f"{row.role:<11} {row.page:<11} {f.requests:>4} ({f.cached:>2}) {_kb(f.down):>7} "
        f"{f.seconds:>6.1f}   {s.requests:>4} ({s.cached:>2}) {_kb(s.down):>7} {s.seconds:>6.1f}"
    )


def table(rows: list[Row], *, markdown: bool) -> str:
    if markdown:
        lines = [
            "| role | page | first: requests (cached) | first: KB | first: s | "
            "second: requests (cached) | second: KB | second: s |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            f, s = r.first, r.second
            lines.append(
                f"| {r.role} | {r.page} | {f.requests} ({f.cached}) | {_kb(f.down)} | "
                f"{f.seconds:.1f} | {s.requests} ({s.cached}) | {_kb(s.down)} | {s.seconds:.1f} |"
            )
        return "\n".join(lines)
    head = (
        f"{'role':<11} {'page':<11} {'first: req (cached)  KB      s':<32}"
        f"{'second: req (cached)  KB      s'}"
    )
    return "\n".join([head, *(_line(r) for r in rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, help="seed here once, reuse after")
    parser.add_argument("--kbps", type=float, help="throttle the browser's link (kbit/s)")
    parser.add_argument("--latency-ms", type=float, default=400)
    parser.add_argument("--roles", default="coordinator,lto,team")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    link = (args.kbps, args.latency_ms) if args.kbps else None
    roles = [Role(r) for r in args.roles.split(",")]
    with running_app(args.data_dir) as (url, _):
        rows = measure(url, link, roles)
    print(table(rows, markdown=args.markdown))


if __name__ == "__main__":
    main()
