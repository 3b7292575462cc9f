"""Per-column checks: required columns, ids, fixed choices, voters, time zones, references.

Each check works on a whole column (numpy/pandas) and appends a `Problem` for every row
that fails, naming file, row and field, so one pass over a file reports everything wrong
with it; Python loops only touch the failing rows. The checks return the parsed values so
the caller can go on building with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from planner.errors import Problem
from planner.geodata.sources import Source
from planner.ids import check_ids
from planner.schema import ABROAD_REGION


def require(src: Source, columns: Sequence[str], errors: list[Problem]) -> set[str]:
    """Report missing columns (listing those found); add them empty so checks can go on."""
    missing = [c for c in columns if c not in src.frame.columns]
    found = src.found()
    for column in missing:
        errors.append(
            Problem(src.file, None, column, f"missing required column; columns found: {found}")
        )
    for column in missing:
        src.frame[column] = ""
    return set(missing)


def isin(values: np.ndarray, known: Iterable[str]) -> np.ndarray:
    """Element-wise membership by hashing (np.isin sorts, which is slow on strings)."""
    return pd.Series(values, dtype=object).isin(set(known)).to_numpy()


def ids(src: Source, column: str, errors: list[Problem], *, check: bool = True) -> np.ndarray:
    """Identifier column: every value present, safe (`planner.ids`) and unique (a duplicate
    names both rows)."""
    values = src.text(column)
    if not check:
        return values
    rows = src.rows
    for i in np.flatnonzero(values == ""):
        errors.append(Problem(src.file, int(rows[i]), column, f"missing {column}"))
    errors.extend(check_ids(values, file=src.file, field=column, rows=rows))
    repeated = pd.Series(values).duplicated(keep=False).to_numpy() & (values != "")
    first: dict[str, int] = {}
    for i in np.flatnonzero(repeated):
        value, row = values[i], int(rows[i])
        if value in first:
            message = f"duplicate {column} '{value}': also in row {first[value]}"
            errors.append(Problem(src.file, row, column, message))
        else:
            first[value] = row
    return values


def required_values(src: Source, column: str, errors: list[Problem]) -> None:
    """Report every row where `column` is empty."""
    rows = src.rows
    for i in np.flatnonzero(src.text(column) == ""):
        errors.append(Problem(src.file, int(rows[i]), column, f"missing {column}"))


def choice(
    src: Source,
    column: str,
    allowed: Sequence[str],
    default: str | None,
    errors: list[Problem],
    *,
    check: bool = True,
) -> np.ndarray:
    """A column with a fixed set of values (case-insensitive); empty means `default`."""
    if column not in src.frame.columns:
        return np.full(len(src), default or "", dtype=object)
    raw = src.frame[column]
    values = raw.str.lower().to_numpy(dtype=object)
    if default is not None:
        values = np.where(values == "", default, values)
    if check:
        bad = ~isin(values, allowed)
        rows = src.rows
        listed = ", ".join(allowed)
        for i in np.flatnonzero(bad).tolist():
            shown = str(raw.iat[i])
            message = (
                f"unknown {column} '{shown}'; allowed: {listed}"
                if shown
                else f"missing {column}; allowed: {listed}"
            )
            errors.append(Problem(src.file, int(rows[i]), column, message))
    return values


def voters(src: Source, errors: list[Problem], *, check: bool = True) -> np.ndarray:
    """Registered voters: a whole, non-negative number (spaces as thousands separators ok).

    Without the column, or with `check` off (the column was reported missing), every row
    has 0.
    """
    if "voters" not in src.frame.columns or not check:
        return np.zeros(len(src), dtype=np.int64)
    raw = src.frame["voters"]
    cleaned = raw.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    number = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    finite = np.isfinite(number)
    whole = finite & (np.floor(number) == number)
    ok = whole & (number >= 0)
    rows = src.rows
    for i in np.flatnonzero(~ok).tolist():
        text = str(raw.iat[i])
        if text == "":
            message = "missing voters"
        elif not finite[i]:
            message = f"voters '{text}' is not a number"
        elif not whole[i]:
            message = f"voters '{text}' is not a whole number"
        else:
            message = f"voters must not be negative, got {text}"
        errors.append(Problem(src.file, int(rows[i]), "voters", message))
    return np.where(ok, number, 0).astype(np.int64)


@cache
def is_valid_tz(name: str) -> bool:
    """Whether `name` is an IANA time zone known to this system (e.g. Asia/Almaty)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


TRUE_WORDS = ("1", "true", "yes")
FALSE_WORDS = ("", "0", "false", "no")


def flag(src: Source, column: str, errors: list[Problem]) -> np.ndarray:
    """A yes/no column as booleans: 1/true/yes or 0/false/no (any case); empty or a
    missing column means no."""
    values = np.char.lower(src.text(column).astype(str))
    true = isin(values, TRUE_WORDS)
    bad = ~(true | isin(values, FALSE_WORDS))
    rows = src.rows
    for i in np.flatnonzero(bad).tolist():
        message = f"{column} '{src.text(column)[i]}' is not one of 1, 0, true, false, yes, no"
        errors.append(Problem(src.file, int(rows[i]), column, message))
    return true


def word_lists(
    src: Source, column: str, allowed: Sequence[str], errors: list[Problem]
) -> list[tuple[str, ...]]:
    """A column of comma-separated words from `allowed` (any case, spaces ignored), as a
    tuple per row in `allowed`'s order; empty or a missing column means none."""
    values = src.text(column).astype(str)
    parsed: dict[str, tuple[str, ...] | None] = {}
    for text in pd.unique(values):
        words = {w.strip().lower() for w in str(text).split(",")} - {""}
        parsed[str(text)] = (
            tuple(w for w in allowed if w in words) if words <= set(allowed) else None
        )
    rows = src.rows
    out: list[tuple[str, ...]] = []
    for i, text in enumerate(values.tolist()):
        found = parsed[text]
        if found is None:
            message = f"{column} '{text}' is not a comma-separated list of {', '.join(allowed)}"
            errors.append(Problem(src.file, int(rows[i]), column, message))
        out.append(found or ())
    return out


def time_zones(
    src: Source, column: str, errors: list[Problem], *, required: bool = False
) -> np.ndarray:
    """Time zone column: empty is allowed (filled in later) unless `required`."""
    values = src.text(column)
    rows = src.rows
    for value in pd.unique(values):
        if value == "" and not required:
            continue
        if value and is_valid_tz(value):
            continue
        message = (
            f"unknown time zone '{value}'; use an IANA name such as Asia/Almaty"
            if value
            else "missing tz; use an IANA name such as Asia/Almaty"
        )
        for i in np.flatnonzero(values == value):
            errors.append(Problem(src.file, int(rows[i]), column, message))
    return values


def references(
    src: Source,
    column: str,
    values: np.ndarray,
    known: Iterable[str],
    what: str,
    errors: list[Problem],
) -> None:
    """Report non-empty references to things that do not exist."""
    bad = (values != "") & ~isin(values, known)
    rows = src.rows
    for i in np.flatnonzero(bad):
        errors.append(
            Problem(src.file, int(rows[i]), column, f"{what} '{values[i]}' does not exist")
        )


def region_references(
    src: Source,
    regions: np.ndarray,
    known: Iterable[str],
    errors: list[Problem],
    *,
    abroad: np.ndarray | bool,
) -> None:
    """Every row names a region of the regions layer; `ABROAD` is allowed where `abroad`."""
    ok = isin(regions, known) | (abroad & (regions == ABROAD_REGION))
    rows = src.rows
    for i in np.flatnonzero(~ok):
        message = f"region '{regions[i]}' does not exist" if regions[i] else "missing region"
        errors.append(Problem(src.file, int(rows[i]), "region", message))


def district_references(
    src: Source,
    regions: np.ndarray,
    districts: np.ndarray,
    district_region: dict[str, str],
    errors: list[Problem],
    *,
    skip: np.ndarray | None = None,
    allow_empty: bool = False,
) -> None:
    """Every district exists and lies in the row's region (rows in `skip` are not checked)."""
    rows = src.rows
    empty = districts == ""
    unknown = ~empty & ~isin(districts, district_region)
    if skip is not None:
        empty &= ~skip
        unknown &= ~skip
    if not allow_empty:
        for i in np.flatnonzero(empty):
            errors.append(Problem(src.file, int(rows[i]), "district", "missing district"))
    for i in np.flatnonzero(unknown):
        message = f"district '{districts[i]}' does not exist"
        errors.append(Problem(src.file, int(rows[i]), "district", message))
    # A district in another (existing) region; an unknown region is reported on its own.
    expected = np.array([district_region.get(d, "") for d in districts], dtype=object)
    wrong = (expected != "") & (expected != regions) & isin(regions, district_region.values())
    if skip is not None:
        wrong &= ~skip
    for i in np.flatnonzero(wrong):
        message = f"district '{districts[i]}' belongs to region '{expected[i]}', not '{regions[i]}'"
        errors.append(Problem(src.file, int(rows[i]), "district", message))
