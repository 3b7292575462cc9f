"""The administrative hierarchy of a station list, from its values.

Headers say which columns are hierarchy levels; the values say in which order: a parent
level has fewer units than its child, and a unit is named by its path ("1-р хороо" exists
in every district, so a ward is (province, district, ward)). Levels are added top-down:
the column whose header names the highest level ("province" before "district" before
"ward"), and among equals the one that splits the current units into the fewest new ones; a
column
that does not split them at all is another label of a level already found (a code next to
a name), and one with a different unit per station is not a level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SEP = "\x1f"


@dataclass(frozen=True)
class Level:
    """One level of the hierarchy: the column that names its units, other columns that
    label the same units, and the header as given (the level's name, in any language)."""

    column: str
    aliases: tuple[str, ...]
    rank: int  # 1 = top

    @property
    def label(self) -> str:
        return self.column


@dataclass
class Hierarchy:
    levels: list[Level] = field(default_factory=list)
    keys: list[np.ndarray] = field(default_factory=list)  # per level: each row's unit path
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (column, why)
    missing: dict[str, int] = field(default_factory=dict)  # column -> rows without a value


def _paths(parts: list[pd.Series]) -> np.ndarray:
    if not parts:
        return np.full(0, "", dtype=object)
    joined = parts[0].astype(str)
    for part in parts[1:]:
        joined = joined + SEP + part.astype(str)
    return joined.to_numpy(dtype=object)


def _count(values: np.ndarray) -> int:
    return len(pd.unique(values))


def infer(
    frame: pd.DataFrame,
    columns: list[str],
    *,
    fixed_order: bool = False,
    ranks: dict[str, int] | None = None,
) -> Hierarchy:
    """Order `columns` into levels (top first) and give every row its unit path per level.

    `ranks` are the levels the headers suggest (1 = top); with `fixed_order` the columns
    are taken top-down as given (`--columns` overrides).
    """
    ranks = ranks or {}
    result = Hierarchy()
    n = len(frame)
    remaining = [c for c in columns if c in frame.columns]
    for c in remaining:
        blank = int((frame[c] == "").sum())
        if blank:
            result.missing[c] = blank
    chosen: list[str] = []
    aliases: dict[str, list[str]] = {}
    current = 1
    while remaining:
        if fixed_order:
            candidate = remaining[0]
            count = _count(_paths([frame[c] for c in [*chosen, candidate]]))
        else:
            counted = [
                (ranks.get(cand, 99), _count(_paths([frame[c] for c in [*chosen, cand]])), i, cand)
                for i, cand in enumerate(remaining)
            ]
            _, count, _, candidate = min(counted)
        remaining.remove(candidate)
        if chosen and count == current:
            aliases.setdefault(chosen[-1], []).append(candidate)
            continue
        if count == n and n > 1:
            result.dropped.append((candidate, "a different value on every row: not a level"))
            continue
        chosen.append(candidate)
        current = count
    for rank, column in enumerate(chosen, start=1):
        result.levels.append(Level(column, tuple(aliases.get(column, ())), rank))
        result.keys.append(_paths([frame[c] for c in chosen[:rank]]))
    return result


def key_of(parts: list[pd.Series]) -> np.ndarray:
    """Unit paths of rows for the given columns (top first)."""
    return _paths(parts)


def leaf(path: str) -> str:
    """The unit's own value: the last part of its path."""
    return path.rsplit(SEP, 1)[-1]


def display(path: str) -> str:
    """A path as people read it: 'Province / District / Ward'."""
    return " / ".join(p for p in path.split(SEP) if p)
