"""Errors shown, not thrown: a page's failure becomes a message, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from planner.errors import MissionDataError
from planner.escaping import markdown_text
from planner.store import AccessDenied, AuthError, BusyError, ConflictError, NotFound
from planner.ui.tables import problems_table

log = logging.getLogger("planner.app")

CONFLICT = "someone else changed the teams table since you opened it; reload to see their changes"
BUSY = "The mission store is busy right now; nothing was saved. Try again in a moment."


def show_problems(exc: MissionDataError, *, title: str = "The input has problems") -> None:
    st.error(f"{title}: {len(exc.problems)} problem(s), listed below. Nothing was changed.")
    st.dataframe(problems_table(exc.problems), hide_index=True, width="stretch")


def store_message(exc: Exception) -> str | None:
    """A plain message for an error of the mission store (None: not a store error)."""
    if isinstance(exc, ConflictError):
        return f"Not saved: {CONFLICT}."
    if isinstance(exc, BusyError):
        return BUSY
    if isinstance(exc, AccessDenied):
        return f"Not allowed: {exc}."
    if isinstance(exc, AuthError):
        return f"{str(exc).capitalize()}."
    if isinstance(exc, NotFound):
        return f"Not found: {exc}."
    return None


@contextmanager
def page_errors(what: str = "This page") -> Iterator[None]:
    """Run a page body; any error is logged on the server and shown as a short message.

    Streamlit's own control flow (`st.rerun`, `st.stop`) is not an `Exception` and passes.
    """
    try:
        yield
    except MissionDataError as exc:
        show_problems(exc)
    except (ConflictError, BusyError) as exc:
        st.warning(markdown_text(store_message(exc)))
    except (AccessDenied, AuthError, NotFound) as exc:
        log.info("%s refused: %s", what, exc)
        st.error(markdown_text(store_message(exc)))
    except Exception as exc:
        log.exception("%s failed", what)
        st.error(
            f"{what} could not be completed: {markdown_text(f'{type(exc).__name__}: {exc}')}. "
            "Nothing was lost; change the input and try again."
        )
