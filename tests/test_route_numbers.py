"""Route mode: numbers too large to plan with are refused with file, row and field."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app

ROUTE = Path(__file__).resolve().parent / "fixtures" / "route"


def _table_with(tmp_path: Path, name: str, row: int, **values: str) -> Path:
    """The route fixture `name` with `values` in data row `row`."""
    with (ROUTE / name).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[row - 1].update(values)
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("table", "field", "value", "message"),
    [
        ("stations", "stay_min", "1e308", "stay_min 1e308 is too large: at most 10,080"),
        ("stations", "stay_min", "inf", "stay_min 'inf' is not a number"),
        ("stations", "weight", "1e308", "weight 1e308 is too large: at most 1,000,000,000"),
        ("teams", "max_stops", "1e308", "max_stops 1e308 is too large: at most 1,000,000,000"),
    ],
)
def test_out_of_range_numbers_are_named_by_file_row_and_field(
    tmp_path: Path, table: str, field: str, value: str, message: str
) -> None:
    changed = _table_with(tmp_path, f"{table}.csv", 2, **{field: value})
    files = {"stations": ROUTE / "stations.csv", "teams": ROUTE / "teams.csv", table: changed}
    result = CliRunner().invoke(
        app,
        ["route", str(files["stations"]), str(files["teams"]), "--out", str(tmp_path / "out"),
         "--time-limit", "5"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert f"{table}.csv" in result.output and "row 2" in result.output
    assert message in " ".join(result.output.split())
    assert "Error" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
