"""Helpers shared by the geodata tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from planner.errors import MissionDataError, Problem
from planner.geodata import load_stations
from planner.model import Station


def station_problems(path: Path, **kwargs) -> list[Problem]:
    with pytest.raises(MissionDataError) as info:
        load_stations(path, **kwargs)
    return info.value.problems


def by_row(problems: list[Problem]) -> dict[tuple[int | str | None, str | None], str]:
    return {(p.row, p.field): p.message for p in problems}


def same_stations(got: list[Station], expected: list[Station]) -> None:
    """Equal field by field, coordinates to ~1 cm (reprojection round-off)."""
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        assert dataclasses.replace(a, lon=0.0, lat=0.0) == dataclasses.replace(b, lon=0.0, lat=0.0)
        assert (a.lon, a.lat) == pytest.approx((b.lon, b.lat), abs=1e-7)
