"""The one validation of rules and targets, for `mission.toml` and the app's form alike.

Raw values (TOML values, or what the form's widgets return) are checked field by field
against the type of the field's default and the range declared on the field
(`planner.ranges`), then the rules are checked against each other (polls close after they
open, the meal window inside the polling day, ...). Every problem is reported, each with
its file and field, so one round of corrections is enough; values that pass are ones the
solver handles.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from planner.errors import Problem
from planner.model import Phases, Rules, Targets
from planner.ranges import Range, ranges_of

RULES_SECTION = "rules"
TARGETS_SECTION = "targets"
PHASES_SECTION = "phases"


def coerce(value: Any, like: Any) -> Any:
    """`value` as the type of `like` (the field's default); TypeError/ValueError says why not.

    Numbers must be finite, whole numbers must be whole (a TOML integer; a float only when
    it is whole, as a form may send it), times and dates may be given as ISO text.
    """
    if value is None:
        raise TypeError("a value is needed")
    if isinstance(like, StrEnum):
        known = ", ".join(type(like))
        if not isinstance(value, str):
            raise TypeError(f"expected one of {known}")
        try:
            return type(like)(value)
        except ValueError:
            raise ValueError(f"expected one of {known}, not {value!r}") from None
    if isinstance(like, bool):
        if not isinstance(value, bool):
            raise TypeError("expected true or false")
        return value
    if isinstance(like, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("expected a whole number")
        return value
    if isinstance(like, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError("expected a number")
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a finite number")
        return float(value)
    if isinstance(like, time):
        if isinstance(value, str):
            try:
                return time.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a time such as 07:00:00") from None
        if not isinstance(value, time) or value.tzinfo is not None:
            raise TypeError("expected a local time such as 07:00:00")
        return value
    if isinstance(like, date):
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a date such as 2022-11-20") from None
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError("expected a date such as 2022-11-20")
        return value
    if isinstance(like, str):
        if not isinstance(value, str):
            raise TypeError("expected text")
        return value
    return value


def _range_problem(value: Any, allowed: Range) -> str | None:
    if allowed.allows(value):
        return None
    return f"{value} is out of range: must be {allowed.describe()}"


def read_section(
    cls: type, values: Mapping[str, Any], *, file: str, section: str
) -> tuple[dict[str, Any], list[Problem]]:
    """The values of one section coerced to the fields' types, and every problem found:
    unknown keys, wrong types, values out of their declared range."""
    defaults = cls()
    # Nested settings (the rules' phases) have a section of their own.
    known = [
        f.name
        for f in dataclasses.fields(cls)
        if not dataclasses.is_dataclass(getattr(defaults, f.name))
    ]
    ranges = ranges_of(cls)
    clean: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, raw in values.items():
        where = f"{section}.{key}"
        if key not in known:
            problems.append(Problem(file, None, where, f"unknown setting; known: {sorted(known)}"))
            continue
        try:
            value = coerce(raw, getattr(defaults, key))
        except (TypeError, ValueError) as exc:
            problems.append(Problem(file, None, where, str(exc)))
            continue
        allowed = ranges.get(key)
        message = _range_problem(value, allowed) if allowed is not None else None
        if message is not None:
            problems.append(Problem(file, None, where, message))
            continue
        clean[key] = value
    return clean, problems


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def order_problems(rules: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for rules that contradict each other; `rules` holds every field."""
    out: list[tuple[str, str]] = []
    opens, closes = rules["polls_open"], rules["polls_close"]
    if closes <= opens:
        out.append(("polls_close", f"{closes:%H:%M} must be after polls open ({opens:%H:%M})"))
        return out  # the checks below measure the polling day
    polling = _minutes(closes) - _minutes(opens)
    day = f"the polling day ({opens:%H:%M}–{closes:%H:%M}, {polling} min)"
    for name in ("opening_stay_after_open_min", "voting_stay_min", "count_arrive_before_close_min"):
        if rules[name] > polling:
            out.append((name, f"{rules[name]} min is longer than {day}"))
    early = rules["opening_arrive_before_min"]
    if early > _minutes(opens):
        message = f"{early} min before polls open ({opens:%H:%M}) is before midnight"
        out.append(("opening_arrive_before_min", message))
    meal = rules["meal_break_min"]
    if meal > 0:
        start, end = rules["meal_window_start"], rules["meal_window_end"]
        window = f"{start:%H:%M}–{end:%H:%M}"
        if end <= start:
            message = f"{end:%H:%M} must be after the window's start ({start:%H:%M})"
            out.append(("meal_window_end", message))
        elif start < opens or end > closes:
            name = "meal_window_start" if start < opens else "meal_window_end"
            message = (
                f"the meal break window {window} must lie inside {day}; set meal_break_min "
                "to 0 for no break"
            )
            out.append((name, message))
        elif meal > _minutes(end) - _minutes(start):
            out.append(("meal_break_min", f"{meal} min is longer than its window ({window})"))
    return out


def read_rules(
    values: Mapping[str, Any], *, file: str, base: Rules | None = None
) -> tuple[Rules | None, list[Problem]]:
    """Rules from raw values over `base` (default: the default rules), or every problem.

    A field with a problem of its own is left out of the cross-field checks, so one bad
    value is reported once.
    """
    base = base or Rules()
    values = dict(values)
    nested = values.pop("phases", None)  # the rules' phases, as `Rules` holds them
    if isinstance(nested, Phases):
        base = dataclasses.replace(base, phases=nested)
    elif nested is not None:
        values["phases"] = nested  # reported below: phases have a section of their own
    clean, problems = read_section(Rules, values, file=file, section=RULES_SECTION)
    bad = {p.field for p in problems}
    merged = {f.name: getattr(base, f.name) for f in dataclasses.fields(Rules)} | clean
    if not any(f"{RULES_SECTION}.{name}" in bad for name in ("polls_open", "polls_close")):
        for name, message in order_problems(merged):
            if f"{RULES_SECTION}.{name}" not in bad:
                problems.append(Problem(file, None, f"{RULES_SECTION}.{name}", message))
    if problems:
        return None, problems
    try:
        return Rules(**merged), []
    except ValueError as exc:  # a check of the model the ranges above missed
        return None, [Problem(file, None, RULES_SECTION, str(exc))]


def rules_problems(
    values: Mapping[str, Any], *, file: str, base: Rules | None = None
) -> list[Problem]:
    """Every problem of these raw rule values (empty: the solver can use them)."""
    return read_rules(values, file=file, base=base)[1]


def read_phases(values: Mapping[str, Any], *, file: str) -> tuple[Phases | None, list[Problem]]:
    """The phases the mission observes (`[phases]`), or every problem, including the
    ones between phases (a closing needs a count away from the station)."""
    clean, problems = read_section(Phases, values, file=file, section=PHASES_SECTION)
    if problems:
        return None, problems
    try:
        return Phases(**clean), []
    except ValueError as exc:
        return None, [Problem(file, None, PHASES_SECTION, str(exc))]


def read_targets(
    values: Mapping[str, Any], *, file: str, base: Targets | None = None
) -> tuple[Targets | None, list[Problem]]:
    """Targets from raw values over `base` (default: the default targets), or every problem."""
    base = base or Targets()
    clean, problems = read_section(Targets, values, file=file, section=TARGETS_SECTION)
    if problems:
        return None, problems
    return dataclasses.replace(base, **clean), []


def targets_problems(values: Mapping[str, Any], *, file: str) -> list[Problem]:
    return read_targets(values, file=file)[1]


def mission_rules_problems(rules: Rules, targets: Targets, *, file: str) -> list[Problem]:
    """Problems of rules and targets already held as dataclasses (say, read from the
    store before this validation existed)."""
    return rules_problems(
        {f.name: getattr(rules, f.name) for f in dataclasses.fields(Rules) if f.name != "phases"},
        file=file,
        base=rules,
    ) + targets_problems(
        {f.name: getattr(targets, f.name) for f in dataclasses.fields(Targets)}, file=file
    )


def _default_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return str(value)


def rules_table() -> str:
    """The README's table of settings: each rule and target, its default, its range."""
    lines = ["| setting | default | allowed |", "|---|---|---|"]
    sections = ((Rules, RULES_SECTION), (Phases, PHASES_SECTION), (Targets, TARGETS_SECTION))
    for cls, section in sections:
        ranges = ranges_of(cls)
        defaults = cls()
        for f in dataclasses.fields(cls):
            default = getattr(defaults, f.name)
            if dataclasses.is_dataclass(default):
                continue  # nested: its own section
            allowed = ranges[f.name].describe() if f.name in ranges else _kind(default)
            if isinstance(default, int) and not isinstance(default, bool):
                allowed += ", whole"
            lines.append(f"| `{section}.{f.name}` | {_default_text(default)} | {allowed} |")
    return "\n".join(lines)


def _kind(default: Any) -> str:
    if isinstance(default, StrEnum):
        return "one of " + ", ".join(type(default))
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, time):
        return "a time of day"
    return "any"
