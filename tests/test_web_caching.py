"""The app's static files reach the browser compressed and cacheable: hashed and
versioned files are kept for a year, the static folder's others for a day; pages,
routes and ranges are left alone; each file is compressed once."""

from __future__ import annotations

import asyncio
import gzip
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from planner.maps.layers import LEAFLET_JS
from planner.ui.caching import DAILY, IMMUTABLE, GzipCache, StaticCaching, cache_control

BODY = b"function f(){return 1}\n" * 400  # compressible, over the minimum size


async def _file(request) -> Response:  # type: ignore[no-untyped-def]
    kind = "text/html" if request.url.path.endswith(".html") else "application/javascript"
    return Response(BODY, media_type=kind, headers={"Cache-Control": "public", "ETag": '"abc"'})


APP = StaticCaching(
    Starlette(routes=[Route("/{path:path}", _file)]),
    base=lambda: "",
)


def _get(path: str, query: str = "", **headers: str) -> tuple[int, dict[str, str], bytes]:
    """One GET through the middleware, as the server calls it."""

    async def run() -> tuple[int, dict[str, str], bytes]:
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
            "scheme": "http",
            "server": ("127.0.0.1", 80),
            "client": ("127.0.0.1", 5000),
            "root_path": "",
        }
        await APP(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body

    with ThreadPoolExecutor(1) as pool:  # a browser test may hold this thread's loop
        return pool.submit(asyncio.run, run()).result()


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("/app/static/vendor/leaflet/leaflet.js", "v=0123abcd", IMMUTABLE),
        ("/app/static/vendor/leaflet/leaflet.js", "", DAILY),
        ("/component/streamlit_folium.st_folium/static/js/main.521860b0.js", "", IMMUTABLE),
        ("/component/streamlit_folium.st_folium/bootstrap.min.css", "", DAILY),
        ("/component/streamlit_folium.st_folium/index.html", "", None),
        ("/static/js/index.C1pLU68S.js", "", None),  # Streamlit's own headers stand
        ("/map", "", None),
        ("/auth/session", "ticket=x", None),
    ],
)
def test_cache_rules(path: str, query: str, expected: str | None) -> None:
    assert cache_control(path, query) == expected


def test_cache_rules_under_a_base_path() -> None:
    assert cache_control("/planner/app/static/x.css", "v=1", "planner/") == IMMUTABLE
    assert cache_control("/app/static/x.css", "v=1", "planner") is None


def test_leaflet_is_served_versioned() -> None:
    url = LEAFLET_JS[0][1]
    assert url.startswith("/app/static/vendor/leaflet/leaflet.js?v=")
    assert cache_control(*url.split("?")) == IMMUTABLE


def test_static_file_is_gzipped_once_and_kept() -> None:
    path = "/component/streamlit_folium.st_folium/static/js/main.521860b0.js"
    status, headers, body = _get(path, accept_encoding="gzip, deflate, br")
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert headers["cache-control"] == IMMUTABLE
    assert headers["vary"] == "Accept-Encoding"
    assert headers["etag"] == 'W/"abc"'  # the compressed copy is not byte-equal
    assert int(headers["content-length"]) == len(body) < len(BODY) // 5
    assert gzip.decompress(body) == BODY
    again = _get(path, accept_encoding="gzip")[2]
    assert again == body


def test_no_gzip_without_accept_encoding_or_for_a_range() -> None:
    path = "/app/static/vendor/leaflet/leaflet.js"
    for headers in ({}, {"accept_encoding": "gzip", "range": "bytes=0-10"}):
        status, got, body = _get(path, "v=1", **headers)
        assert status == 200
        assert "content-encoding" not in got
        assert body == BODY
        assert got["cache-control"] == IMMUTABLE


def test_pages_and_routes_pass_untouched() -> None:
    status, headers, body = _get("/auth/session", accept_encoding="gzip")
    assert status == 200
    assert headers["cache-control"] == "public"
    assert "content-encoding" not in headers
    assert body == BODY


def test_each_file_is_compressed_once() -> None:
    cache = GzipCache(max_entries=2)
    first = cache.compress("/a.js", BODY)
    assert cache.compress("/a.js", BODY) is first
    assert cache.compress("/a.js", BODY + b"x") is not first  # changed content: anew
    cache.compress("/b.js", BODY)
    assert cache.compress("/a.js", BODY) is not first  # the oldest made room
