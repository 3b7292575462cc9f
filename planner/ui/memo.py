"""Values computed once per script run: Streamlit reruns the page script on every click,
and several parts of one run ask the store the same question."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

RUN_MEMO_KEY = "_run_memo"


def per_run(name: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per script run (each rerun asks again)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return compute()
    memo: tuple[Any, dict[str, Any]] | None = st.session_state.get(RUN_MEMO_KEY)
    if memo is None or memo[0] is not ctx.cursors:  # Streamlit starts each run afresh
        memo = (ctx.cursors, {})
        st.session_state[RUN_MEMO_KEY] = memo
    if name not in memo[1]:
        memo[1][name] = compute()
    return memo[1][name]


def forget_run_memo() -> None:
    """Drop this run's values (after a write that changes what they would be)."""
    st.session_state.pop(RUN_MEMO_KEY, None)
