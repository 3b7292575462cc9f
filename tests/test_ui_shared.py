"""What sessions look at is kept once on the server while any session holds it, and let
go when the last one closes (`planner.ui.shared`), each session as Streamlit runs it."""

from __future__ import annotations

import gc

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


def test_sessions_of_one_scope_share_one_copy_released_with_the_last() -> None:
    first, second = _session(), _session()
    assert not first.exception and not second.exception
    assert first.session_state["computed"] and not second.session_state["computed"]
    assert first.session_state["id"] == second.session_state["id"]  # one copy
    other = _session("area-2")
    assert other.session_state["computed"] and _ours() == 2
    # Looking at something else lets go of what the slot held (Streamlit keeps a run's
    # state until the next run starts).
    other.session_state["want"] = "area-1"
    other.run().run()
    gc.collect()
    assert _ours() == 1
    del first, other
    gc.collect()
    assert _ours() == 1  # the second session still holds it
    del second
    gc.collect()
    assert _ours() == 0
    assert _session().session_state["computed"]  # read again once nobody held it
