"""What sessions look at is kept once on the server while any session holds it, and let
go once the last one has been closed for the grace (`planner.ui.shared`), each session as
Streamlit runs it. (That the server does let go, and its memory comes back, is
`tests/browser/test_server_memory.py`.)"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from planner.ui import shared

SCRIPT = """
import streamlit as st
from planner.ui.shared import hold

key = st.session_state.get("want", "area-1")
computed = []
value = hold("mission", ("test-shared", key), lambda: computed.append(key) or [key] * 1000)
st.session_state["id"] = id(value)
st.session_state["computed"] = bool(computed)
"""


def _session(want: str = "area-1") -> AppTest:
    at = AppTest.from_string(SCRIPT)
    at.session_state["want"] = want
    return at.run()


def _ours() -> int:
    with shared._LOCK:
        return sum(1 for k in list(shared._SHARED.keys()) if k[0] == "test-shared")


def _closed(session_id: str) -> bool:
    return False


@pytest.fixture(autouse=True)
def _nothing_held() -> Iterator[None]:
    """Each test starts and ends with no session holding anything."""
    shared.release_closed_sessions(_closed, grace_s=0)
    yield
    shared.release_closed_sessions(_closed, grace_s=0)


def _connected(session_id: str) -> bool:
    return True


def test_sessions_of_one_scope_share_one_copy() -> None:
    first, second = _session(), _session()
    assert not first.exception and not second.exception
    assert first.session_state["computed"] and not second.session_state["computed"]
    assert first.session_state["id"] == second.session_state["id"]  # one copy
    assert _session("area-2").session_state["computed"]  # another key: its own copy


def test_what_a_closed_session_held_goes_after_the_grace_and_is_read_again() -> None:
    """(Streamlit's test sessions share one session id: one holder here.)"""
    _session("area-1")
    assert _ours() == 1
    # Connected: nothing goes, however long.
    assert len(shared.release_closed_sessions(_connected, grace_s=10, now=0)) == 0
    # Closed at 0: kept through the grace (it may reconnect), let go after it.
    assert len(shared.release_closed_sessions(_closed, grace_s=10, now=100)) == 0
    assert len(shared.release_closed_sessions(_closed, grace_s=10, now=109)) == 0
    assert _ours() == 1 and shared.holding_sessions() == 1
    assert len(shared.release_closed_sessions(_closed, grace_s=10, now=110)) == 1
    assert _ours() == 0 and shared.holding_sessions() == 0
    assert _session("area-1").session_state["computed"]  # read again once nobody held it


def test_a_session_that_reconnects_within_the_grace_keeps_what_it_held() -> None:
    _session("area-1")
    assert len(shared.release_closed_sessions(_closed, grace_s=10, now=0)) == 0
    assert len(shared.release_closed_sessions(_connected, grace_s=10, now=5)) == 0
    assert len(shared.release_closed_sessions(_closed, grace_s=10, now=6)) == 0
    assert len(shared.release_closed_sessions(_closed, grace_s=10, now=12)) == 0  # closed at 6
    assert _ours() == 1 and not _session("area-1").session_state["computed"]


def test_looking_at_something_else_lets_go_of_what_the_slot_held() -> None:
    at = _session("area-1")
    at.session_state["want"] = "area-2"
    at.run()
    gc.collect()
    assert _ours() == 1
    shared.release_closed_sessions(_closed, grace_s=0, now=0)
    assert _ours() == 0
