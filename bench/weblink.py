"""Pieces the web benchmarks share: a byte-counting TCP relay in front of the app, and
waits for a page's first content and its map.

Bytes are counted on the wire, between chromium and the app, by a relay on a port of
its own: every HTTP response, compressed or not, and the live connection's frames, as
sent. A file the browser takes from its cache is not on the wire, so a second visit
shows what the cache saves.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field

from playwright.sync_api import Page, expect

MAP_FRAME = 'iframe[title="streamlit_folium\\.st_folium"]'
MAP_PAGES = {"mission", "map", "my_area", "my_schedule"}
# The headings pages open with (the Mission page is titled by the mission's name).
HEADINGS = {
    "teams": "Teams & rules",
    "plan": "Plan",
    "map": "Map",
    "my_area": "My area",
    "coverage": "Coverage",
    "export": "Export",
    "my_schedule": "My schedule",
    "accounts": "Accounts",
}
MAP_DRAWN_JS = """() => {
  const layers = window.plannerLayers || {};
  const count = k => (layers[k] ? layers[k].getLayers().length : 0);
  return count('stations') + count('routes') + count('tecs') > 0
    && !!document.querySelector('.leaflet-container');
}"""


@dataclass
class Counter:
    """Bytes relayed each way since the last `reset`."""

    down: int = 0
    up: int = 0
    last_change: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, down: int = 0, up: int = 0) -> None:
        with self.lock:
            self.down += down
            self.up += up
            self.last_change = time.monotonic()

    def reset(self) -> None:
        with self.lock:
            self.down = self.up = 0
            self.last_change = time.monotonic()

    def quiet_for(self) -> float:
        with self.lock:
            return time.monotonic() - self.last_change


class Relay:
    """A TCP relay from a local port to `target_port`, counting bytes into `counter`."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.counter = Counter()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.base_events.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Relay:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port)
        )
        self._ready.set()
        self._loop.run_forever()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, down: bool
    ) -> None:
        try:
            while data := await reader.read(65536):
                self.counter.add(down=len(data)) if down else self.counter.add(up=len(data))
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            app_reader, app_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            self._pipe(reader, app_writer, down=False),
            self._pipe(app_reader, writer, down=True),
        )


def map_frame_drawn(page: Page) -> bool:
    for frame in page.frames:
        if "st_folium" not in frame.url:
            continue
        try:
            if frame.evaluate(MAP_DRAWN_JS):
                return True
        except Exception:  # the frame is still loading or was replaced
            continue
    return False


def wait_for_content(
    page: Page, name: str, *, with_map: bool | None = None, timeout_s: float = 120
) -> None:
    """Until the page's heading shows and, on a page with a map (`with_map`; by default
    the pages in `MAP_PAGES`), the map has drawn its stations or routes."""
    heading = page.get_by_role("heading", level=1)
    if name in HEADINGS:
        heading = page.get_by_role("heading", name=HEADINGS[name], exact=True)
    expect(heading.first).to_be_visible(timeout=timeout_s * 1000)
    if not (name in MAP_PAGES if with_map is None else with_map):
        return
    deadline = time.monotonic() + timeout_s
    while not map_frame_drawn(page):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the map of {name} was not drawn within {timeout_s:.0f} s")
        page.wait_for_timeout(100)


def wait_until_quiet(counter: Counter, *, quiet_s: float = 1.5, timeout_s: float = 60) -> None:
    """Until nothing has crossed the relay for `quiet_s` (the page has settled)."""
    deadline = time.monotonic() + timeout_s
    while counter.quiet_for() < quiet_s and time.monotonic() < deadline:
        time.sleep(0.1)
