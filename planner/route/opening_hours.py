"""Opening hours per place and weekday, for an LTO's visits over several days.

A place's hours are written as rules separated by `;`, each a set of weekdays and the
hours it is open those days, e.g. `Mo-Fr 09:00-18:00; Sa 10:00-14:00`:

- weekdays: `Mo Tu We Th Fr Sa Su`, single (`Sa`), ranges (`Mo-Fr`, `Fr-Mo` wraps) or lists
  (`Mo,We,Fr`); without weekdays a rule is every day (`09:00-17:00`);
- hours: one or more `HH:MM-HH:MM` intervals separated by `,` (`09:00-12:00,14:00-18:00`),
  or `off` (closed those days); an interval ends after it starts, within the day
  (`24:00` is the end of the day);
- a later rule replaces an earlier one for the weekdays it names (`Mo-Sa 09:00-18:00; We
  off`); weekdays no rule names are closed.

The file (`--opening-hours`) is a table of `id` (a commission's or a station's id) and
`opening_hours`; places it does not list are open whenever the LTO works.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

from planner.errors import MissionDataError, Problem

WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
Interval = tuple[time, time]
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_DAYS = re.compile(r"^[A-Za-z]{2}(\s*-\s*[A-Za-z]{2})?(\s*,\s*[A-Za-z]{2}(\s*-\s*[A-Za-z]{2})?)*$")
END_OF_DAY = time(23, 59, 59, 999999)


@dataclass(frozen=True)
class OpeningHours:
    """The intervals a place is open on each weekday (Monday first)."""

    by_weekday: tuple[tuple[Interval, ...], ...]

    def on(self, day: date) -> tuple[Interval, ...]:
        return self.by_weekday[day.weekday()]


def _clock(hour: str, minute: str, text: str) -> time:
    h, m = int(hour), int(minute)
    if h == 24 and m == 0:
        return END_OF_DAY
    if h > 23 or m > 59:
        raise ValueError(f"'{text}' is not a time of day")
    return time(h, m)


def _weekdays(spec: str) -> list[int]:
    days: list[int] = []
    for part in spec.split(","):
        ends = [p.strip().lower() for p in part.split("-")]
        for end in ends:
            if end not in WEEKDAYS:
                raise ValueError(f"'{end}' is not a weekday (Mo Tu We Th Fr Sa Su)")
        first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        span = (last - first) % 7
        days += [(first + k) % 7 for k in range(span + 1)]
    return days


def _intervals(spec: str) -> tuple[Interval, ...]:
    if spec.strip().lower() in ("off", "closed"):
        return ()
    out = []
    for part in spec.split(","):
        match = _INTERVAL.match(part.strip())
        if match is None:
            raise ValueError(f"'{part.strip()}' is not hours such as 09:00-18:00 (or 'off')")
        opens = _clock(match[1], match[2], part.strip())
        closes = _clock(match[3], match[4], part.strip())
        if closes <= opens:
            raise ValueError(f"'{part.strip()}' closes before it opens")
        out.append((opens, closes))
    return tuple(sorted(out))


def parse_opening_hours(text: str) -> OpeningHours:
    """The hours of one place (module docstring); `ValueError` says what is wrong."""
    week: list[tuple[Interval, ...]] = [()] * 7
    rules = [r.strip() for r in text.split(";") if r.strip()]
    if not rules:
        raise ValueError("no opening hours given")
    for rule in rules:
        head, _, rest = rule.partition(" ")
        if _DAYS.match(head) and rest.strip():
            days, hours = _weekdays(head), _intervals(rest)
        elif _DAYS.match(head):
            raise ValueError(f"'{rule}': give hours after the weekdays, or 'off'")
        else:
            days, hours = list(range(7)), _intervals(rule)
        for d in days:
            week[d] = hours
    return OpeningHours(tuple(week))


def read_opening_hours(path: Path, known: Collection[str]) -> dict[str, OpeningHours]:
    """Each listed place's hours from a table of `id` and `opening_hours`; every problem at
    once (`MissionDataError`), each with file, row and field: a missing column, an id
    that is not a place of the area, the same id twice, hours that do not parse."""
    from planner.tabular import TableError, read_table

    file = str(path)
    try:
        frame = read_table(path).frame
    except (TableError, OSError) as exc:
        raise MissionDataError([Problem(file, None, None, str(exc))]) from None
    missing = [c for c in ("id", "opening_hours") if c not in frame.columns]
    if missing:
        found = ", ".join(frame.columns) or "none"
        raise MissionDataError(
            [Problem(file, None, c, f"missing column {c}; columns found: {found}") for c in missing]
        )
    problems: list[Problem] = []
    hours: dict[str, OpeningHours] = {}
    first: dict[str, int] = {}
    for label, place, text in zip(frame.index, frame["id"], frame["opening_hours"], strict=True):
        row = int(label)
        if place not in known:
            problems.append(
                Problem(file, row, "id", f"'{place}' is not a commission or station of the area")
            )
            continue
        if place in first:
            problems.append(Problem(file, row, "id", f"'{place}' again: also row {first[place]}"))
            continue
        first[place] = row
        try:
            hours[place] = parse_opening_hours(str(text))
        except ValueError as exc:
            problems.append(Problem(file, row, "opening_hours", str(exc)))
    if problems:
        raise MissionDataError(problems)
    return hours
