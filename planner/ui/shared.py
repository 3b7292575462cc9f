"""One copy on the server of what sessions look at (a mission as a scope sees it, a plan
version, its route lines), kept while a session holds it and let go with the last one.

The server keeps a weak reference to each value, by its key, and a strong one per
session and `slot` (looking at another version lets go of the last). Streamlit keeps a
closed session for `server.disconnectedSessionTTL` in case it reconnects, but it forgets
it only when another session comes or goes, so nothing of it would go when the last LTO
of the evening leaves. Hence `keep_releasing`, run by the server: a session closed for
that TTL is shut down with what it held, and the freed memory goes back to the system.
Fifteen LTOs of one area share one copy of their area, and nothing stays behind when
they leave. (A size- and time-bounded cache would keep copies for sessions long gone, or
drop one still in use.)
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
import gc
import logging
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

log = logging.getLogger(__name__)

# How often the server looks for closed sessions whose values can go.
RELEASE_CHECK_S = 5.0


class Held:
    """A value the server shares; weakly referenced by its key, strongly by sessions."""

    __slots__ = ("__weakref__", "value")

    def __init__(self, value: Any) -> None:
        self.value = value


_SHARED: weakref.WeakValueDictionary[Hashable, Held] = weakref.WeakValueDictionary()
# Session id -> slot -> what that session holds there.
_HELD_BY: dict[str, dict[str, Held]] = {}
# Session id -> when it was first seen closed (monotonic seconds).
_CLOSED_SINCE: dict[str, float] = {}
_LOCK = threading.Lock()
_LOADING: dict[Hashable, threading.Lock] = {}


def _found(key: Hashable) -> Held | None:
    with _LOCK:
        return _SHARED.get(key)


def _session_id() -> str | None:
    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.session_id


def hold(slot: str, key: Hashable, compute: Callable[[], Any], *, spinner: str = "") -> Any:
    """The shared value of `key` (computed by `compute()` if no session holds it), held
    by this session in `slot` until the slot holds something else or the session ends.
    Two sessions asking at once for the same key compute it once."""
    held = _found(key)
    if held is None:
        with _LOCK:
            loading = _LOADING.setdefault(key, threading.Lock())
        with loading:
            held = _found(key)
            if held is None:
                if spinner and get_script_run_ctx() is not None:
                    with st.spinner(spinner):
                        held = Held(compute())
                else:
                    held = Held(compute())
                with _LOCK:
                    _SHARED[key] = held
        with _LOCK:
            _LOADING.pop(key, None)
    session_id = _session_id()
    if session_id is not None:
        with _LOCK:
            _HELD_BY.setdefault(session_id, {})[slot] = held
            _CLOSED_SINCE.pop(session_id, None)
    return held.value


def let_go(*slots: str) -> None:
    """This session no longer holds what `slots` held (e.g. on switching missions)."""
    session_id = _session_id()
    if session_id is None:
        return
    with _LOCK:
        holding = _HELD_BY.get(session_id, {})
        for slot in slots:
            holding.pop(slot, None)


def release_closed_sessions(
    is_open: Callable[[str], bool], *, grace_s: float, now: float | None = None
) -> list[str]:
    """Let go of what sessions closed for at least `grace_s` held (before that they may
    still reconnect); returns those sessions. `is_open(session_id)` says whether a
    session is connected now."""
    now = time.monotonic() if now is None else now
    released: list[str] = []
    with _LOCK:
        for session_id in list(_HELD_BY):
            if is_open(session_id):
                _CLOSED_SINCE.pop(session_id, None)
                continue
            closed_at = _CLOSED_SINCE.setdefault(session_id, now)
            if now - closed_at >= grace_s:
                del _HELD_BY[session_id], _CLOSED_SINCE[session_id]
                released.append(session_id)
    return released


def shared_count() -> int:
    """How many values the server holds for sessions now."""
    with _LOCK:
        return len(_SHARED)


def holding_sessions() -> int:
    """How many sessions hold shared values now (open, or closed less than the grace)."""
    with _LOCK:
        return len(_HELD_BY)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, looked up once (finding the C library runs a program);
    None where there is no glibc."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    return trim


def give_back_free_memory() -> None:
    """Collect what nothing refers to any more and return the heap's free pages to the
    system (glibc keeps them otherwise, and a server's resident memory would stay at its
    peak); the second part only where there is a glibc."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


async def keep_releasing() -> None:
    """Every `RELEASE_CHECK_S` while the server runs: sessions closed for Streamlit's
    `server.disconnectedSessionTTL` (less one check, so that Streamlit still knows
    them) are shut down with everything they held, and the memory goes back to the
    system. Streamlit alone would forget them only when another session comes or goes."""
    from streamlit import config
    from streamlit.runtime import Runtime

    while True:
        await asyncio.sleep(RELEASE_CHECK_S)
        try:
            if not Runtime.exists():
                continue
            runtime = Runtime.instance()
            ttl = float(config.get_option("server.disconnectedSessionTTL"))
            closed = release_closed_sessions(
                runtime.is_active_session, grace_s=max(0.0, ttl - RELEASE_CHECK_S)
            )
            for session_id in closed:
                runtime.close_session(session_id)  # on the event loop, as Streamlit asks
            if closed:
                await asyncio.to_thread(give_back_free_memory)
                log.info(
                    "shut down %d closed session(s); %d shared value(s) left, held by %d",
                    len(closed),
                    shared_count(),
                    holding_sessions(),
                )
        except Exception:  # a failed sweep must not end the loop; the next one retries
            log.exception("letting go of closed sessions failed")
