"""Whole numbers from weights under bounds: voters per station, teams per area and town.

Both build on `planner.allocation.apportion` (Hamilton's method), the one apportionment of
the project.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from planner.allocation import apportion


def bounded_apportion(
    total: int, weights: Sequence[float] | np.ndarray, lo: int, hi: int
) -> np.ndarray:
    """Integers in [lo, hi], roughly proportional to `weights`, summing exactly to `total`.

    Finds the scale s with sum(clip(w * s, lo, hi)) == total by bisection, then rounds
    by largest remainder (values stay within the bounds because lo and hi are integers).
    """
    w = np.asarray(weights, dtype=float)
    n = len(w)
    if not n * lo <= total <= n * hi:
        raise ValueError(f"cannot fit {total} into {n} values of {lo}..{hi}")
    a, b = 0.0, hi / max(w.min(), 1e-12)
    for _ in range(200):
        s = (a + b) / 2
        if np.clip(w * s, lo, hi).sum() < total:
            a = s
        else:
            b = s
    x = np.clip(w * b, lo, hi)
    out = np.floor(x).astype(np.int64)
    rest = total - int(out.sum())
    if rest > 0:
        frac = np.where(out < hi, x - out, -1.0)
        order = np.lexsort((np.arange(n), -frac))
        out[order[:rest]] += 1
    elif rest < 0:
        frac = np.where(out > lo, x - out, 2.0)
        order = np.lexsort((np.arange(n), frac))
        out[order[:-rest]] -= 1
    assert out.sum() == total and out.min() >= lo and out.max() <= hi
    return out


def capped_apportion(
    total: int, weights: Sequence[float] | np.ndarray, *, lo: int = 0, cap: int | None = None
) -> np.ndarray:
    """`apportion` with a floor and a ceiling per item: items that fall below `lo` or
    above `cap` are fixed there in turn and the rest apportioned again."""
    w = np.asarray(weights, dtype=float)
    out = np.zeros(len(w), dtype=np.int64)
    free = np.ones(len(w), dtype=bool)
    remaining = total
    while True:
        alloc = apportion(remaining, w[free])
        low = alloc < lo
        high = alloc > cap if cap is not None else np.zeros_like(low)
        if not (low.any() or high.any()):
            out[free] = alloc
            return out
        idx = np.flatnonzero(free)
        for i in idx[low]:
            out[i], free[i] = lo, False
            remaining -= lo
        if cap is not None:
            for i in idx[high]:
                out[i], free[i] = cap, False
                remaining -= cap
