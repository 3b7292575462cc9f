"""Errors shown, not thrown: a page's failure becomes a message, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from planner.errors import MissionDataError
from planner.ui.tables import problems_table

log = logging.getLogger("planner.app")


def show_problems(exc: MissionDataError, *, title: str = "The input has problems") -> None:
    st.error(f"{title}: {len(exc.problems)} problem(s), listed below. Nothing was changed.")
    st.dataframe(problems_table(exc.problems), hide_index=True, width="stretch")


@contextmanager
def page_errors(what: str = "This page") -> Iterator[None]:
    """Run a page body; any error is logged on the server and shown as a short message.

    Streamlit's own control flow (`st.rerun`, `st.stop`) is not an `Exception` and passes.
    """
    try:
        yield
    except MissionDataError as exc:
        show_problems(exc)
    except Exception as exc:
        log.exception("%s failed", what)
        st.error(
            f"{what} could not be completed: {type(exc).__name__}: {exc}. "
            "Nothing was lost; change the input and try again."
        )
