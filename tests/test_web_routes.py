"""The session cookie's routes, called as the server calls them: a ticket becomes an
HttpOnly, SameSite=Strict cookie and a redirect to a page of the app the account may
open (never elsewhere); sign-out closes the session and clears the cookie."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest
from starlette.requests import Request

from planner.store import AuthError, authenticate, check_session, issue_ticket, open_store
from planner.ui import web
from tests.support.app import PASSWORD


def _run(coro):  # type: ignore[no-untyped-def]
    """Run a route handler to its end on a thread of its own: a browser test earlier in the
    session keeps an event loop running on the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _request(path: str, query: str = "", cookie: str = "", scheme: str = "http") -> Request:
    headers = [(b"host", b"planner.example")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": scheme,
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "headers": headers,
            "server": ("planner.example", 443 if scheme == "https" else 80),
            "client": ("203.0.113.5", 5000),
        }
    )


@pytest.fixture
def ticket(app_store):
    """A store with accounts (the app's own: `app_store` points `PLANNER_DATA_DIR` at it)
    and a factory of sign-in tickets."""
    seeded = app_store("two_areas")
    store = open_store(data_dir=seeded.folder)

    def make(username: str) -> str:
        return issue_ticket(store, authenticate(store, username, PASSWORD).token)

    yield make, store
    store.close()


def _open(query: str, scheme: str = "http"):  # type: ignore[no-untyped-def]
    return _run(web.open_session(_request(web.SESSION_ROUTE, query, scheme=scheme)))


@pytest.mark.parametrize(
    ("username", "wanted", "lands"),
    [
        ("lto-a1", "map", "/map"),
        ("lto-a1", "teams", "/"),  # not a page of an LTO: its start page
        ("lto-a1", "https://elsewhere.example/", "/"),
        ("lto-a1", "//elsewhere.example", "/"),
        ("coord", "accounts", "/accounts"),
        ("team-01", "password", "/password"),
    ],
)
def test_a_ticket_becomes_a_cookie_and_a_local_page(ticket, username, wanted, lands):
    make, store = ticket
    response = _open(f"ticket={make(username)}&next={wanted}")
    assert response.status_code == 303 and response.headers["location"] == lands
    assert response.headers["cache-control"] == "no-store"
    jar = SimpleCookie(response.headers["set-cookie"])
    cookie = jar[web.COOKIE]
    assert cookie["httponly"] and cookie["samesite"].lower() == "strict" and not cookie["secure"]
    assert cookie["path"] == "/" and 0 < int(cookie["max-age"]) <= 12 * 3600
    assert check_session(store, cookie.value).user.username == username


def test_over_https_the_cookie_is_secure(ticket):
    make, _ = ticket
    response = _open(f"ticket={make('coord')}", scheme="https")
    assert SimpleCookie(response.headers["set-cookie"])[web.COOKIE]["secure"]


def test_a_used_or_made_up_ticket_sets_no_cookie(ticket):
    make, _ = ticket
    used = make("coord")
    assert "set-cookie" in _open(f"ticket={used}").headers
    for query in (f"ticket={used}", "ticket=made-up", ""):
        response = _open(query)
        assert response.headers["location"] == "/" and "set-cookie" not in response.headers


def test_sign_out_closes_the_session_and_clears_the_cookie(ticket):
    make, store = ticket
    token = SimpleCookie(_open(f"ticket={make('lto-a1')}").headers["set-cookie"])[web.COOKIE].value
    response = _run(web.close_session(_request(web.SIGN_OUT_ROUTE, cookie=f"{web.COOKIE}={token}")))
    assert response.headers["location"] == "/?signed_out=1"
    cleared = SimpleCookie(response.headers["set-cookie"])[web.COOKIE]
    assert cleared.value == "" and cleared["max-age"] == "0"
    with pytest.raises(AuthError):
        check_session(store, token)
