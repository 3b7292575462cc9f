"""Many problems of one kind said once: "58,198 rows lie outside Kazakhstan (the default)".

A list from the wrong country, or with one column in the wrong format, fails on every row;
printing each row buries the one thing to fix. Problems are grouped by file, field and
what the message says with its values blanked out; a group of a few is listed row by row,
a larger one as a count with the first rows and one full example. Every distinct problem
still appears.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner.errors import Problem

LIST_UP_TO = 3
EXAMPLE_ROWS = 5
_OUTSIDE = re.compile(
    r"latitude (?P<lat>-?[\d.e+-]+), longitude (?P<lon>-?[\d.e+-]+) is outside the mission country"
)
_QUOTED = re.compile(r"'[^']*'")
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?(?:e[+-]?\d+)?")


@dataclass(frozen=True)
class ProblemGroup:
    file: str
    field: str | None
    pattern: str
    problems: tuple[Problem, ...]


def _pattern(message: str) -> str:
    if _OUTSIDE.search(message):
        return "outside the mission country"
    return _NUMBER.sub("N", _QUOTED.sub("'…'", message))


def group_problems(problems: Sequence[Problem]) -> list[ProblemGroup]:
    """Groups in order of first appearance."""
    groups: dict[tuple[str, str | None, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.field, _pattern(p.message)), []).append(p)
    return [ProblemGroup(f, fld, pat, tuple(ps)) for (f, fld, pat), ps in groups.items()]


def _where_they_lie(items: Sequence[Problem]) -> str:
    from planner.countries import where_most_are

    coords = [m.groups() for p in items if (m := _OUTSIDE.search(p.message))]
    if not coords:
        return ""
    lat = np.array([float(a) for a, _ in coords])
    lon = np.array([float(b) for _, b in coords])
    found = [(name, n) for name, n in where_most_are(lon, lat) if name]
    if not found:
        return ""
    if len(found) == 1:
        return f"; they lie in {found[0][0]}"
    shown = ", ".join(f"{name} ({n:,})" for name, n in found[:3])
    return f"; they lie in {shown}" + (" ..." if len(found) > 3 else "")


def describe(problems: Sequence[Problem], *, country: str) -> list[str]:
    """One line per problem, or per group of more than `LIST_UP_TO` alike problems.

    `country` names the outline the coordinates were checked against, e.g.
    "Kazakhstan (the default)".
    """
    lines: list[str] = []
    for g in group_problems(problems):
        items = g.problems
        if g.pattern == "outside the mission country":
            rows = "row" if len(items) == 1 else "rows"
            lines.append(
                f"{g.file}: {len(items):,} {rows} lie outside {country}"
                f"{_where_they_lie(items)} — give `--mission` or `--country`" + _rows(items)
            )
            continue
        if len(items) <= LIST_UP_TO:
            lines.extend(str(p) for p in items)
            continue
        where = f"{g.file}, field '{g.field}'" if g.field else g.file
        lines.append(f"{where}: {len(items):,} rows: {items[0].message}{_rows(items)}")
    return lines


def _rows(items: Sequence[Problem]) -> str:
    rows = [str(p.row) for p in items if p.row is not None]
    if not rows:
        return ""
    shown = ", ".join(rows[:EXAMPLE_ROWS])
    more = f" and {len(rows) - EXAMPLE_ROWS:,} more" if len(rows) > EXAMPLE_ROWS else ""
    return f" (rows {shown}{more})"
