"""The values a setting may take, declared once beside the field it belongs to.

`planner.model` declares each rule's and target's range as dataclass field metadata
(`field(default=5, metadata=limits(ge=0, le=120))`); the one rules validation
(`planner.rules_check`), the app's form widgets (their min and max) and the README's
table of rules all read it from there. This module imports nothing of the planner, so the
model can use it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

RANGE_KEY = "range"


@dataclass(frozen=True, slots=True)
class Range:
    """Bounds of a number or date: `gt`/`ge` below, `lt`/`le` above (None: no bound)."""

    gt: Any = None
    ge: Any = None
    lt: Any = None
    le: Any = None

    @property
    def low(self) -> Any:
        """The lower bound, whether or not the bound itself is allowed."""
        return self.ge if self.ge is not None else self.gt

    @property
    def high(self) -> Any:
        return self.le if self.le is not None else self.lt

    def allows(self, value: Any) -> bool:
        """Whether `value` is inside; NaN is never inside (every comparison with it fails)."""
        checks = (
            self.gt is None or value > self.gt,
            self.ge is None or value >= self.ge,
            self.lt is None or value < self.lt,
            self.le is None or value <= self.le,
        )
        return all(checks) and value == value  # NaN is not equal to itself

    def describe(self) -> str:
        """The range in words: `from 0 to 120`, `more than 0 and at most 24`, `at least 1`."""
        low = (
            f"at least {_show(self.ge)}"
            if self.ge is not None
            else f"more than {_show(self.gt)}"
            if self.gt is not None
            else ""
        )
        high = (
            f"at most {_show(self.le)}"
            if self.le is not None
            else f"less than {_show(self.lt)}"
            if self.lt is not None
            else ""
        )
        if self.ge is not None and self.le is not None:
            return f"from {_show(self.ge)} to {_show(self.le)}"
        return " and ".join(part for part in (low, high) if part) or "any value"


def _show(bound: Any) -> str:
    if isinstance(bound, float) and bound.is_integer():
        return str(int(bound))
    if isinstance(bound, int) and abs(bound) >= 10_000:
        return f"{bound:,}"
    return str(bound)


def limits(*, gt: Any = None, ge: Any = None, lt: Any = None, le: Any = None) -> dict[str, Range]:
    """Field metadata declaring the range of a setting."""
    return {RANGE_KEY: Range(gt=gt, ge=ge, lt=lt, le=le)}


def field_range(field: dataclasses.Field[Any]) -> Range | None:
    """The range declared on a dataclass field, if any."""
    found = field.metadata.get(RANGE_KEY)
    return found if isinstance(found, Range) else None


def ranges_of(cls: type) -> dict[str, Range]:
    """Field name -> declared range, for every field of `cls` that declares one."""
    out: dict[str, Range] = {}
    for f in dataclasses.fields(cls):
        found = field_range(f)
        if found is not None:
            out[f.name] = found
    return out
