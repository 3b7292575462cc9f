"""`mission.toml`: the mission's name, seed, rules, phases and targets, read and written.

`[phases]` (`planner.model.Phases`) is its own section of the file and rides in the
rules (`Rules.phases`), so everything that carries the rules carries the phases.
"""

from __future__ import annotations

import dataclasses
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any

import tomli_w

from planner.errors import MissionDataError, Problem
from planner.model import Phases, Rules, Targets
from planner.rules_check import read_phases, read_rules, read_targets
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


def _table(raw: dict[str, Any], key: str, file: str, problems: list[Problem]) -> dict[str, Any]:
    """A `[section]` of the file as a mapping (a problem, and nothing, if it is not one)."""
    value = raw.get(key, {})
    if isinstance(value, dict):
        return value
    problems.append(Problem(file, None, key, f"expected a [{key}] table"))
    return {}


def parse_settings(text: str, *, file: str = "mission.toml") -> MissionSettings:
    """Parse mission settings, reporting every bad key and value at once (the checks are
    `planner.rules_check`'s, the same as the app's form)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MissionDataError([Problem(file, None, None, f"not valid TOML: {exc}")]) from exc
    problems: list[Problem] = []
    head = _table(raw, "mission", file, problems)
    phases, phase_problems = read_phases(_table(raw, "phases", file, problems), file=file)
    rules, rule_problems = read_rules(
        _table(raw, "rules", file, problems), file=file, base=Rules(phases=phases or Phases())
    )
    targets, target_problems = read_targets(_table(raw, "targets", file, problems), file=file)
    problems += phase_problems + rule_problems + target_problems
    travel = parse_travel(raw.get("travel"), file=file, problems=problems)
    seed = head.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        problems.append(Problem(file, None, "mission.seed", "expected a whole number"))
    elif seed < 0:
        problems.append(Problem(file, None, "mission.seed", f"{seed} is negative: use 0 or more"))
    if problems or rules is None or targets is None:
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
    rules = dataclasses.asdict(settings.rules)
    phases = rules.pop("phases")
    doc = {
        "mission": head,
        "rules": rules,
        "phases": {k: str(v) if isinstance(v, StrEnum) else v for k, v in phases.items()},
        "targets": dataclasses.asdict(settings.targets),
    }
    if travel := settings.travel.to_toml():
        doc["travel"] = travel
    return tomli_w.dumps(doc)
