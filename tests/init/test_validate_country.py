"""Standalone validation names the country it checks against and says repeated problems once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner import synthetic
from planner.cli import app
from planner.countries import find_country, locate
from planner.errors import Problem
from planner.model import Targets
from planner.problem_groups import describe
from planner.target_limits import target_limits

runner = CliRunner()


@pytest.fixture(scope="module")
def foreign_list(tmp_path_factory) -> Path:
    """A list in this project's own format, from a country that is not Kazakhstan."""
    stations = synthetic.generate(600, seed=5).stations.dropna(subset=["lon"]).head(400)
    path = tmp_path_factory.mktemp("foreign") / "stations.csv"
    pd.DataFrame(
        {"station_id": stations["code"], "tec_id": "T1", "voters": 900,
         "lat": stations["lat"], "lon": stations["lon"]}
    ).to_csv(path, index=False)  # fmt: skip
    return path


def test_a_list_from_another_country_is_said_in_one_line(foreign_list) -> None:
    result = runner.invoke(app, ["validate", str(foreign_list)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    text = " ".join(result.output.split())
    assert "400 rows lie outside Kazakhstan (the default); they lie in Mongolia" in text
    assert "give `--mission` or `--country`" in text
    assert len(lines) <= 4  # a title and one sentence (wrapped), not 400 lines


def test_the_right_country_passes(foreign_list) -> None:
    result = runner.invoke(app, ["validate", str(foreign_list), "--country", "MN"])
    assert result.exit_code == 0, result.output
    assert "400 stations" in result.output


def test_unknown_country_is_a_clear_error(foreign_list) -> None:
    result = runner.invoke(app, ["validate", str(foreign_list), "--country", "Atlantis"])
    assert result.exit_code == 1
    assert "unknown country 'Atlantis'" in result.output


def test_every_distinct_problem_is_still_reported() -> None:
    problems = [
        Problem("s.csv", r, "voters", f"voters 'x{r}' is not a number") for r in range(1, 9)
    ]
    problems += [Problem("s.csv", 3, "tz", "unknown time zone 'Mars/Base'")]
    problems += [
        Problem("s.csv", r, "lat, lon", f"latitude 47.{r}, longitude 9{r}.5 is outside the "
                "mission country")
        for r in range(1, 6)
    ]  # fmt: skip
    lines = describe(problems, country="Kazakhstan (the default)")
    assert lines[0] == (
        "s.csv, field 'voters': 8 rows: voters 'x1' is not a number (rows 1, 2, 3, 4, 5 and 3 more)"
    )
    assert lines[1] == "s.csv, row 3, field 'tz': unknown time zone 'Mars/Base'"
    assert lines[2].startswith("s.csv: 5 rows lie outside Kazakhstan (the default); they lie in")
    assert len(lines) == 3


def test_countries_by_name_code_and_point() -> None:
    assert find_country("kz").name == "Kazakhstan"
    assert find_country("MNG").name == "Mongolia"
    assert find_country("côte d'ivoire") is None or find_country("côte d'ivoire").iso_a3 == "CIV"
    assert list(locate([76.9, 106.9, 0.0], [43.2, 47.9, 0.0])) == ["Kazakhstan", "Mongolia", ""]


def test_targets_beyond_teams_or_commissions_are_named(small_mission) -> None:
    from dataclasses import replace

    too_much = replace(
        small_mission, targets=Targets(opening=500, voting=3, counting=1, tabulation=50)
    )
    found = {t.phase: t for t in target_limits(too_much)}
    assert set(found) == {"opening", "tabulation"}
    assert "STO teams" in str(found["opening"])
    assert found["tabulation"].limit <= len(small_mission.commissions)
