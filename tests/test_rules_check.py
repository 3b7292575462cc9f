"""One validation of rules and targets for mission.toml, package uploads and the app's form:
ranges and orders, every problem at once, and nothing the solver cannot handle."""

from __future__ import annotations

import dataclasses
import math
import shutil
import subprocess
import sys
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.cli import app
from planner.datasets import SMALL_MISSION, get_path
from planner.errors import MissionDataError
from planner.geodata import load_mission
from planner.model import Phases, Rules, Targets
from planner.ranges import Range, ranges_of
from planner.rules_check import read_rules, rules_problems, rules_table
from planner.settings import parse_settings
from planner.ui.editing import plan_blockers, rule_values, rules_from_values
from planner.ui.uploads import Upload, load_package

ROOT = Path(__file__).resolve().parents[1]
RULE_RANGES = ranges_of(Rules)
TARGET_RANGES = ranges_of(Targets)
runner = CliRunner()


def _toml(rules: dict[str, Any] | None = None, targets: dict[str, Any] | None = None) -> str:
    doc: dict[str, Any] = {"mission": {"name": "Test", "country": "KZ", "seed": 1}}
    if rules:
        doc["rules"] = rules
    if targets:
        doc["targets"] = targets
    return tomli_w.dumps(doc)


def _fields(exc: MissionDataError) -> set[str]:
    return {p.field or "" for p in exc.problems}


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of the small shipped mission whose mission.toml a test may rewrite."""
    path = tmp_path / "package"
    shutil.copytree(get_path(SMALL_MISSION), path)
    return path


def _set_rules(package: Path, **rules: Any) -> None:
    settings_file = package / "mission.toml"
    doc = tomllib.loads(settings_file.read_text("utf-8"))
    doc.setdefault("rules", {}).update(rules)
    settings_file.write_text(tomli_w.dumps(doc), "utf-8")


@pytest.mark.parametrize(
    ("name", "value"),
    [("detour_factor", 0), ("parking_min", -5), ("max_driving_hours", -1)],
)
def test_each_bad_rule_is_refused_with_file_and_field(
    package: Path, name: str, value: float
) -> None:
    """The three values `planner check` passed, that planned nothing, or that crashed the
    solver: refused at load with the file and the field, and by `planner validate`."""
    _set_rules(package, **{name: value})
    with pytest.raises(MissionDataError) as caught:
        load_mission(package)
    (problem,) = caught.value.problems
    assert problem.file.endswith("mission.toml") and problem.field == f"rules.{name}"
    assert "out of range" in problem.message
    result = runner.invoke(app, ["validate", str(package)], terminal_width=200)
    assert result.exit_code == 1 and f"rules.{name}" in result.output


def test_every_bad_rule_is_reported_at_once() -> None:
    text = _toml(
        {"detour_factor": 0, "parking_min": -5, "max_driving_hours": -1.0, "bogus": 1},
        {"voting": -1, "opening": 1.5},
    )
    with pytest.raises(MissionDataError) as caught:
        parse_settings(text)
    assert _fields(caught.value) == {
        "rules.detour_factor",
        "rules.parking_min",
        "rules.max_driving_hours",
        "rules.bogus",
        "targets.voting",
        "targets.opening",
    }


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"polls_open": time(9, 0), "polls_close": time(8, 0)}, "rules.polls_close"),
        ({"meal_window_start": time(15, 0), "meal_window_end": time(12, 0)},
         "rules.meal_window_end"),
        ({"meal_window_start": time(5, 0)}, "rules.meal_window_start"),
        ({"meal_window_end": time(21, 0)}, "rules.meal_window_end"),
        ({"meal_break_min": 200}, "rules.meal_break_min"),
        ({"polls_close": time(8, 0), "voting_stay_min": 90, "meal_break_min": 0},
         "rules.voting_stay_min"),
        ({"polls_open": time(2, 0), "opening_arrive_before_min": 180},
         "rules.opening_arrive_before_min"),
    ],
)  # fmt: skip
def test_rules_that_contradict_each_other_are_refused(rules: dict[str, Any], field: str) -> None:
    with pytest.raises(MissionDataError) as caught:
        parse_settings(_toml(rules))
    assert field in _fields(caught.value)


def test_no_break_needs_no_window() -> None:
    """A meal window outside the polling day is fine when there is no meal break."""
    rules = parse_settings(_toml({"meal_break_min": 0, "meal_window_start": time(5, 0)})).rules
    assert rules.meal_break_min == 0


def test_types_dates_and_non_finite_numbers() -> None:
    text = (
        "[mission]\nseed = -1\n[rules]\ndetour_factor = inf\nurban_speed_kmh = nan\n"
        'voting_stay_min = "30"\nelection_date = 1900-01-01\npolls_open = "7 o\'clock"\n'
        "allow_same_opening_count = 1\n"
    )
    with pytest.raises(MissionDataError) as caught:
        parse_settings(text)
    assert _fields(caught.value) == {
        "mission.seed",
        "rules.detour_factor",
        "rules.urban_speed_kmh",
        "rules.voting_stay_min",
        "rules.election_date",
        "rules.polls_open",
        "rules.allow_same_opening_count",
    }


def _outside(allowed: Range, whole: bool) -> st.SearchStrategy[Any]:
    """Numbers outside a range: below, above, exactly an excluded bound, or not finite."""
    options: list[st.SearchStrategy[Any]] = [st.sampled_from([math.nan, math.inf, -math.inf])]
    if whole:
        options = [st.floats(0.1, 0.9).map(lambda f: f + 3)]  # not whole
    for bound, below in ((allowed.low, True), (allowed.high, False)):
        if bound is None or isinstance(bound, date):
            continue
        if whole:
            step = st.integers(1, 10**9)
            options.append(step.map(lambda k, b=bound, s=below: int(b) - k if s else int(b) + k))
        else:
            step = st.floats(1e-6, 1e12)
            options.append(step.map(lambda k, b=bound, s=below: b - k if s else b + k))
    for exact in (allowed.gt, allowed.lt):
        if exact is not None:
            options.append(st.just(float(exact)))
    return st.one_of(options)


def _bad_values(ranges: dict[str, Range], cls: type) -> st.SearchStrategy[dict[str, Any]]:
    defaults = cls()
    whole = {n: isinstance(getattr(defaults, n), int) for n in ranges}
    numeric = {n: r for n, r in ranges.items() if not isinstance(r.low, date)}
    return st.dictionaries(
        st.sampled_from(sorted(numeric)), st.just(None), min_size=1, max_size=len(numeric)
    ).flatmap(
        lambda chosen: st.fixed_dictionaries(
            {name: _outside(numeric[name], whole[name]) for name in chosen}
        )
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=_bad_values(RULE_RANGES, Rules), targets=_bad_values(TARGET_RANGES, Targets))
def test_random_bad_values_are_all_reported(rules: dict[str, Any], targets: dict[str, Any]) -> None:
    """Any set of out-of-range values: each one reported, by field, nothing else, no crash;
    the app's form finds the same rule problems."""
    with pytest.raises(MissionDataError) as caught:
        parse_settings(_toml(rules, targets))
    expected = {f"rules.{n}" for n in rules} | {f"targets.{n}" for n in targets}
    assert _fields(caught.value) == expected
    assert all(p.file == "mission.toml" and p.message for p in caught.value.problems)
    form_rules, form_problems = rules_from_values(rules, Rules())
    assert form_rules is None and len(form_problems) == len(rules)


def _extreme_rules(end: str) -> Rules:
    """Every ranged rule at one end of its range (just inside an open bound)."""
    values: dict[str, Any] = {}
    defaults = Rules()
    for name, allowed in RULE_RANGES.items():
        if isinstance(allowed.low, date):
            continue
        whole = isinstance(getattr(defaults, name), int)
        if end == "low":
            value = allowed.low + (1 if whole else 0.01) if allowed.gt is not None else allowed.low
        else:
            value = (
                allowed.high - (1 if whole else 0.01) if allowed.lt is not None else allowed.high
            )
        values[name] = int(value) if whole else float(value)
    if end == "high":  # the longest break needs a window as long, inside the polling day
        values |= {"meal_window_start": time(10, 0), "meal_window_end": time(14, 0)}
    rules, problems = read_rules(values, file="test")
    assert rules is not None, problems
    return rules


@pytest.mark.parametrize("end", ["low", "high"])
def test_the_solver_handles_every_end_of_every_range(end: str, small_mission) -> None:
    """Rules at the ends of their ranges plan (possibly nothing) without an error."""
    from planner.plan import solve

    mission = dataclasses.replace(small_mission, rules=_extreme_rules(end))
    plan = solve(mission, time_limit_s=5, seed=1, workers=1)
    assert plan.targets == mission.targets


def test_negative_driving_hours_no_longer_crash_the_planner(package: Path, tmp_path: Path) -> None:
    """`planner plan` with max_driving_hours = -1 ended in an abort (exit 134); now it is a
    message naming the file and the field, and exit 1, before any solving."""
    _set_rules(package, max_driving_hours=-1)
    done = subprocess.run(
        [sys.executable, "-m", "planner.cli", "plan", str(package), "--out", str(tmp_path / "p"),
         "--time-limit", "5", "--workers", "1"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert "mission.toml" in done.stderr and "rules.max_driving_hours" in done.stderr
    assert not (tmp_path / "p").exists()


def test_a_package_upload_uses_the_same_checks(package: Path) -> None:
    _set_rules(package, detour_factor=0, parking_min=-5)
    result = load_package(
        [Upload(p.name, p.read_bytes()) for p in sorted(package.iterdir()) if p.is_file()]
    )
    assert not result.ok
    assert {(p.file, p.field) for p in result.problems} == {
        ("mission.toml", "rules.detour_factor"),
        ("mission.toml", "rules.parking_min"),
    }


def test_the_form_lists_every_problem() -> None:
    values = rule_values(Rules()) | {
        "detour_factor": 0.0,
        "parking_min": -5,
        "max_driving_hours": -1.0,
    }
    rules, problems = rules_from_values(values, Rules())
    assert rules is None and len(problems) == 3
    assert any(p.startswith("Road detour factor:") for p in problems)


def test_a_stored_mission_with_bad_rules_cannot_be_planned(small_mission) -> None:
    """Rules stored before this validation existed: the Plan page says what to correct
    rather than starting a run that would crash."""
    bad = dataclasses.replace(small_mission.rules, max_driving_hours=-1.0, parking_min=-5)
    blockers = plan_blockers(dataclasses.replace(small_mission, rules=bad))
    assert sum("Rules:" in b for b in blockers) == 2, blockers


def test_every_number_rule_declares_its_range() -> None:
    """A new numeric rule, phase setting or target must say which values it takes."""
    for cls in (Rules, Phases, Targets):
        defaults = cls()
        for f in dataclasses.fields(cls):
            value = getattr(defaults, f.name)
            if isinstance(value, int | float | date) and not isinstance(value, bool):
                assert f.name in ranges_of(cls), f"{cls.__name__}.{f.name} has no range"
                assert ranges_of(cls)[f.name].allows(value), f"{f.name}: default out of range"


def test_readme_lists_every_range() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert rules_table() in readme


def test_cli_numbers_are_checked(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["plan", "--time-limit", "-5", "--workers", "0", "--seed", "-1",
         "--out", str(tmp_path / "p")],
        terminal_width=200,
    )  # fmt: skip
    assert result.exit_code == 1
    for option in ("--time-limit", "--workers", "--seed"):
        assert option in result.output
    for limit in ("nan", "inf", "0"):
        result = runner.invoke(app, ["plan", "--time-limit", limit, "--out", str(tmp_path / "p")])
        assert result.exit_code == 1 and "--time-limit" in result.output
    assert not (tmp_path / "p").exists()


def test_rules_problems_of_the_defaults_is_empty() -> None:
    assert rules_problems({}, file="x") == []
    assert rules_problems(rule_values(Rules()), file="x") == []
