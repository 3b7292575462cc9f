"""The app's own web routes, beside Streamlit's: the session cookie is set and cleared here.

- `GET /auth/session?ticket=T&next=PAGE`: swaps a one-time sign-in ticket for the session
  cookie and sends the browser on to PAGE (one of the app's page paths the account may
  open; anything else goes to the start page, so the route is no open redirect).
- `GET /auth/sign-out`: closes the cookie's session, clears the cookie and returns to
  the sign-in page (through the identity provider's sign-out for single sign-on).

The cookie (`COOKIE`) holds a random token; the store keeps only its hash, so a changed
cookie matches no session. It is HttpOnly (no script reads it), SameSite=Strict, Secure
when the app is served over https, and expires with the session.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse
from starlette.routing import Route
from streamlit import config
from streamlit.url_util import make_url_path
from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME

from planner.store import Store, StoreError, redeem_ticket, sign_out
from planner.ui.pages import landing, page_names

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

log = logging.getLogger("planner.app")

COOKIE = "planner_session"
SESSION_ROUTE = "/auth/session"
SIGN_OUT_ROUTE = "/auth/sign-out"
SIGNED_OUT = "signed_out"  # query parameter: the sign-in page says "You are signed out."


def base_path() -> str:
    return str(config.get_option("server.baseUrlPath") or "")


def cookie_path() -> str:
    base = base_path().strip("/")
    return f"/{base}" if base else "/"


def page_url(page: str, query: dict[str, str] | None = None) -> str:
    """The local path of one of the app's pages ("" : the start page)."""
    path = make_url_path(base_path(), f"/{page}" if page else "/")
    return f"{path}?{urlencode(query)}" if query else path


def handoff_url(ticket: str, page: str) -> str:
    """Where the browser swaps its ticket for the cookie, then opens `page`."""
    query = {"ticket": ticket}
    if page in page_names():
        query["next"] = page
    return f"{make_url_path(base_path(), SESSION_ROUTE)}?{urlencode(query)}"


def sign_out_url() -> str:
    return make_url_path(base_path(), SIGN_OUT_ROUTE)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or bool(config.get_option("server.sslCertFile"))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _store() -> Store:
    from planner.ui.session import get_store

    return get_store()


async def open_session(request: Request) -> Response:
    """Swap a sign-in ticket for the session cookie, then open the page asked for."""
    ticket = request.query_params.get("ticket", "")
    wanted = request.query_params.get("next", "")
    try:
        handoff = await run_in_threadpool(redeem_ticket, await run_in_threadpool(_store), ticket)
    except StoreError as exc:
        log.info("sign-in ticket refused: %s", exc)
        return _no_store(RedirectResponse(page_url(""), status_code=303))
    target = landing(handoff.user.role, wanted) if wanted in page_names() else ""
    response = RedirectResponse(page_url(target), status_code=303)
    response.set_cookie(
        COOKIE,
        handoff.token,
        max_age=max(1, int((handoff.expires_at - datetime.now(UTC)).total_seconds())),
        path=cookie_path(),
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )
    return _no_store(response)


async def close_session(request: Request) -> Response:
    """Close the cookie's session, clear the cookie, and go back to signing in."""
    token = request.cookies.get(COOKIE)
    if token:
        try:
            await run_in_threadpool(sign_out, await run_in_threadpool(_store), token)
        except StoreError:
            log.exception("could not close the session in the store")
    if request.cookies.get(USER_COOKIE_NAME):  # signed in through the identity provider
        target = make_url_path(base_path(), "/auth/logout")
    else:
        target = page_url("", {SIGNED_OUT: "1"})
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(
        COOKIE, path=cookie_path(), secure=_secure(request), httponly=True, samesite="strict"
    )
    return _no_store(response)


def routes() -> list[Route]:
    return [
        Route(make_url_path(base_path(), SESSION_ROUTE), open_session, methods=["GET"]),
        Route(make_url_path(base_path(), SIGN_OUT_ROUTE), close_session, methods=["GET"]),
    ]
