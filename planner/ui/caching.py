"""How the browser may keep the app's files between visits, and their size on the wire.

On a slow link the bulk of a first visit is files that never change between releases:
Streamlit's own bundles (about 2.7 MB, which Streamlit sends uncompressed), the map
component's script and the map library. This middleware, in front of Streamlit's:

- gzips those files when the browser accepts it, compressing each one once (a cache by
  path and content, so a busy server spends no CPU on the second request);
- lets the browser keep them: a file whose name or `v=` query carries its content hash
  is kept for a year (`immutable`, never asked for again); other files of the app's
  static folder for a day, then checked with their ETag.

Pages, the sign-in and session routes and the live connection are left as they are
(`planner.ui.web` marks its own routes `no-store`).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

YEAR_S = 365 * 24 * 3600
DAY_S = 24 * 3600
IMMUTABLE = f"public, max-age={YEAR_S}, immutable"
DAILY = f"public, max-age={DAY_S}"
# A content hash in the file name, as bundlers write it: main.521860b0.js
HASHED_NAME = re.compile(r"\.[0-9a-f]{8,}\.(?:js|css|woff2?|svg|png|wasm)$")
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_GZIP_BYTES = 1024
MAX_GZIP_BYTES = 16 * 1024 * 1024
GZIP_LEVEL = 6


def cache_control(path: str, query: str, base: str = "") -> str | None:
    """The Cache-Control this middleware gives a response for `path` (None: leave the
    response's own). `base` is the server's base URL path."""
    prefix = "/" + base.strip("/") if base.strip("/") else ""
    if not path.startswith(prefix):
        return None
    rest = path[len(prefix) :]
    name = rest.rsplit("/", 1)[-1]
    if rest.startswith("/static/"):
        return None  # Streamlit's own bundles: already hashed and immutable
    if rest.startswith("/app/static/"):
        return IMMUTABLE if _versioned(query) else DAILY
    if rest.startswith("/component/") and not name.endswith(".html") and "." in name:
        return IMMUTABLE if HASHED_NAME.search(name) else DAILY
    return None


def _versioned(query: str) -> bool:
    return any(part.startswith("v=") and len(part) > 2 for part in query.split("&"))


def _wants_gzip(scope: Scope) -> bool:
    headers = dict(scope.get("headers", ()))
    if b"range" in headers:
        return False
    return b"gzip" in headers.get(b"accept-encoding", b"").lower()


class GzipCache:
    """Compressed copies of the files sent, by path and content digest."""

    def __init__(self, max_entries: int = 256) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, bytes], bytes] = {}
        self._max_entries = max_entries

    def compress(self, path: str, body: bytes) -> bytes:
        key = (path, hashlib.blake2b(body, digest_size=16).digest())
        with self._lock:
            found = self._entries.get(key)
        if found is not None:
            return found
        packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = packed
        return packed


def _static_path(path: str, base: str) -> bool:
    prefix = "/" + base.strip("/") if base.strip("/") else ""
    rest = path[len(prefix) :] if path.startswith(prefix) else ""
    return rest.startswith(("/static/", "/app/static/", "/component/"))


class StaticCaching:
    """ASGI middleware: cache headers and gzip for the app's static files (see module)."""

    def __init__(self, app: ASGIApp, base: Callable[[], str] = lambda: "") -> None:
        self.app = app
        self._base = base
        self._gzip = GzipCache()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in {"GET", "HEAD"}:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        base = self._base()
        if not _static_path(path, base):
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        control = cache_control(path, query, base)
        zipped = _wants_gzip(scope) and scope.get("method") == "GET"
        start: Message | None = None
        chunks: list[bytes] = []
        passing = False

        async def wrapped(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k != b"cache-control"]
                own = {k.lower(): v for k, v in message.get("headers", ())}
                if control is not None and message["status"] == 200:
                    headers.append((b"cache-control", control.encode()))
                elif b"cache-control" in own:
                    headers.append((b"cache-control", own[b"cache-control"]))
                message = {**message, "headers": headers}
                kind = own.get(b"content-type", b"").decode("latin-1")
                if (
                    not zipped
                    or message["status"] != 200
                    or b"content-encoding" in own
                    or not kind.startswith(COMPRESSIBLE)
                ):
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False) and sum(map(len, chunks)) <= MAX_GZIP_BYTES:
                return
            assert start is not None
            body = b"".join(chunks)
            if message.get("more_body", False) or len(body) < MIN_GZIP_BYTES:
                passing = True  # too big to hold, or too small to gain: as it is
                await send(start)
                await send({**message, "body": body})
                return
            packed = self._gzip.compress(path, body)
            headers = [
                (k, b"W/" + v if k.lower() == b"etag" and not v.startswith(b"W/") else v)
                for k, v in start["headers"]
                if k.lower() not in {b"content-length", b"vary"}
            ]
            headers += [
                (b"content-encoding", b"gzip"),
                (b"content-length", str(len(packed)).encode()),
                (b"vary", b"Accept-Encoding"),
            ]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": packed, "more_body": False})

        await self.app(scope, receive, wrapped)
