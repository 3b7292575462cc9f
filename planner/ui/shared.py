"""One copy on the server of what sessions look at (a mission as a scope sees it, a plan
version, its route lines), kept while a session holds it and let go with the last one.

The server keeps only a weak reference to each value, by its key; each session keeps a
strong one in its own state, one per `slot` (looking at another version lets go of the
last). Streamlit drops a closed session's state (`server.disconnectedSessionTTL` after
its page was closed), so what no open session holds is freed with it: fifteen LTOs of
one area share one copy of their area, and nothing stays behind when they leave. (A
size- and time-bounded cache would keep copies for sessions long gone, or drop one
still in use.)
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

SLOT_PREFIX = "_held_"


class Held:
    """A value the server shares; weakly referenced by the server, strongly by sessions."""

    __slots__ = ("__weakref__", "value")

    def __init__(self, value: Any) -> None:
        self.value = value


_SHARED: weakref.WeakValueDictionary[Hashable, Held] = weakref.WeakValueDictionary()
_LOCK = threading.Lock()
_LOADING: dict[Hashable, threading.Lock] = {}


def _found(key: Hashable) -> Held | None:
    with _LOCK:
        return _SHARED.get(key)


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
    if get_script_run_ctx() is not None:
        st.session_state[SLOT_PREFIX + slot] = held
    return held.value


def let_go(*slots: str) -> None:
    """This session no longer holds what `slots` held (e.g. on switching missions)."""
    for slot in slots:
        st.session_state.pop(SLOT_PREFIX + slot, None)


def shared_count() -> int:
    """How many values the server holds for open sessions now."""
    with _LOCK:
        return len(_SHARED)
