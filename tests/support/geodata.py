"""Helpers shared by the geodata tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from planner.errors import MissionDataError, Problem
from planner.geodata import load_stations
from planner.model import Mission, Station


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


def mission_differences(a: Mission, b: Mission) -> list[str]:
    """Every field where two missions differ, geometries compared by their WKB (so a
    Polygon and the MultiPolygon of the same ring differ), the outline included."""
    found = [
        name
        for name in ("name", "country", "rules", "targets", "seed")
        if getattr(a, name) != getattr(b, name)
    ]
    if not _same_shape(a.outline, b.outline):
        found.append("outline")
    for layer in ("regions", "districts", "commissions", "stations", "areas", "teams"):
        items_a, items_b = getattr(a, layer), getattr(b, layer)
        if len(items_a) != len(items_b):
            found.append(f"{layer}: {len(items_a)} != {len(items_b)} rows")
            continue
        for i, (x, y) in enumerate(zip(items_a, items_b, strict=True)):
            for field in dataclasses.fields(x):
                va, vb = getattr(x, field.name), getattr(y, field.name)
                shape = isinstance(va, BaseGeometry) or isinstance(vb, BaseGeometry)
                same = _same_shape(va, vb) if shape else (va == vb and type(va) is type(vb))
                if not same:
                    found.append(f"{layer}[{i}].{field.name}: {va!r:.60} != {vb!r:.60}")
    return found


def _same_shape(a: BaseGeometry | None, b: BaseGeometry | None) -> bool:
    if a is None or b is None:
        return a is b
    return shapely.to_wkb(a) == shapely.to_wkb(b)
