"""Route mode: numbers too large to plan with are refused with file, row and field."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app

ROUTE = Path(__file__).resolve().parent / "fixtures" / "route"


def _stations_with(tmp_path: Path, row: int, **values: str) -> Path:
    with (ROUTE / "stations.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[row - 1].update(values)
    path = tmp_path / "stations.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.xfail(
    strict=True,
    reason="route mode turns stay_min = 1e308 into an OverflowError without file, row or "
    "field; its readers are being moved to planner/route/, where the bound belongs",
)
@pytest.mark.parametrize(("field", "value"), [("stay_min", "1e308"), ("weight", "1e308")])
def test_out_of_range_numbers_are_named_by_file_row_and_field(
    tmp_path: Path, field: str, value: str
) -> None:
    stations = _stations_with(tmp_path, 2, **{field: value})
    result = CliRunner().invoke(
        app,
        ["route", str(stations), str(ROUTE / "teams.csv"), "--out", str(tmp_path / "out"),
         "--time-limit", "5"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "stations.csv" in result.output and "row 2" in result.output
    assert field in result.output and "OverflowError" not in result.output
