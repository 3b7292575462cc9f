"""`mission.toml`: the mission's name, seed, rules and targets, read and written."""

from __future__ import annotations

import dataclasses
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any

import tomli_w

from planner.errors import MissionDataError, Problem
from planner.model import Rules, Targets
from planner.travel_source import TravelSettings, parse_travel


@dataclasses.dataclass(frozen=True, slots=True)
class MissionSettings:
    name: str
    country: str
    seed: int
    rules: Rules
    targets: Targets
    note: str = ""
    travel: TravelSettings = dataclasses.field(default_factory=TravelSettings)


def _coerce(value: Any, like: Any) -> Any:
    """Convert a TOML value to the type of the dataclass default it replaces."""
    if isinstance(like, bool):
        if not isinstance(value, bool):
            raise TypeError("expected true or false")
        return value
    if isinstance(like, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("expected a whole number")
        return value
    if isinstance(like, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError("expected a number")
        return float(value)
    if isinstance(like, time):
        if isinstance(value, str):
            return time.fromisoformat(value)
        if not isinstance(value, time):
            raise TypeError("expected a time such as 07:00:00")
        return value
    if isinstance(like, date):
        if isinstance(value, str):
            return date.fromisoformat(value)
        if not isinstance(value, date):
            raise TypeError("expected a date such as 2022-11-20")
        return value
    return value


def _section(cls: type, raw: dict[str, Any], file: str, section: str, problems: list[Problem]):
    defaults = cls()
    known = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            problems.append(
                Problem(file, None, f"{section}.{key}", f"unknown setting; known: {sorted(known)}")
            )
            continue
        try:
            values[key] = _coerce(value, getattr(defaults, key))
        except (TypeError, ValueError) as exc:
            problems.append(Problem(file, None, f"{section}.{key}", str(exc)))
    try:
        return cls(**values)
    except ValueError as exc:
        problems.append(Problem(file, None, section, str(exc)))
        return defaults


def parse_settings(text: str, *, file: str = "mission.toml") -> MissionSettings:
    """Parse mission settings, reporting every bad key at once."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MissionDataError([Problem(file, None, None, f"not valid TOML: {exc}")]) from exc
    problems: list[Problem] = []
    head = raw.get("mission", {})
    rules = _section(Rules, raw.get("rules", {}), file, "rules", problems)
    targets = _section(Targets, raw.get("targets", {}), file, "targets", problems)
    travel = parse_travel(raw.get("travel"), file=file, problems=problems)
    seed = head.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        problems.append(Problem(file, None, "mission.seed", "expected a whole number"))
        seed = 0
    if problems:
        raise MissionDataError(problems)
    return MissionSettings(
        name=str(head.get("name", "Mission")),
        country=str(head.get("country", "")),
        seed=seed,
        rules=rules,
        targets=targets,
        note=str(head.get("note", "")),
        travel=travel,
    )


def read_settings(path: Path) -> MissionSettings:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MissionDataError([Problem(str(path), None, None, f"cannot read: {exc}")]) from exc
    return parse_settings(text, file=str(path))


def dump_settings(settings: MissionSettings) -> str:
    head: dict[str, Any] = {"name": settings.name, "country": settings.country}
    head["seed"] = settings.seed
    if settings.note:
        head["note"] = settings.note
    doc = {
        "mission": head,
        "rules": dataclasses.asdict(settings.rules),
        "targets": dataclasses.asdict(settings.targets),
    }
    if travel := settings.travel.to_toml():
        doc["travel"] = travel
    return tomli_w.dumps(doc)
