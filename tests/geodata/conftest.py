"""Fixtures of the geodata tests (the fixture files and the tiny mission: tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.geodata import load_commissions
from planner.model import Commission


@pytest.fixture
def tecs(fixtures: Path) -> list[Commission]:
    """The five TECs of tests/fixtures/commissions.csv."""
    return load_commissions(fixtures / "commissions.csv")[0]
