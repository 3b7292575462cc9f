"""Model <-> table row mapping by column name, declared once per model type.

A `RowMap` pairs a plain dataclass of the planner (a region, a station, a team, a stop)
with its table. Every field of the dataclass is stored in the column of the same name,
unless a `Codec` says otherwise: an enum is stored as its value, a tuple as a JSON list,
a time as ISO 8601 text, a geometry as WKB in `geometry_wkb`. The same map writes rows
(`rows`) and reads them back (`select`, then `build`), so a field added to a model and to
its table needs no change here; a field without a column stops the import of this module.

Codecs convert a whole column at once: 10,000 station geometries go through shapely in
one call, not one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

import numpy as np
import shapely
from sqlalchemy import Select, select

from planner import model
from planner.schedule import Stop
from planner.store import models as m

Column = list[Any]


def _same(values: Column) -> Column:
    return values


@dataclass(frozen=True)
class Codec:
    """How one field is stored: in `column` (None: the field's own name), converted a
    column at a time by `encode` (model values -> stored values) and `decode` (back)."""

    column: str | None = None
    encode: Callable[[Column], Column] = _same
    decode: Callable[[Column], Column] = _same


def enum(kind: type[StrEnum]) -> Codec:
    """An enum member stored as its value."""
    return Codec(
        encode=lambda values: [v.value for v in values],
        decode=lambda values: [kind(v) for v in values],
    )


def number(kind: type[int] | type[float]) -> Codec:
    """A number stored as a plain `int` or `float` (a numpy scalar would not bind)."""
    return Codec(encode=lambda values: [kind(v) for v in values])


def to_wkb(geometries: Sequence[Any]) -> list[bytes | None]:
    if not geometries:
        return []
    array = np.empty(len(geometries), dtype=object)
    array[:] = list(geometries)
    return [None if b is None else bytes(b) for b in shapely.to_wkb(array)]


def from_wkb(blobs: Sequence[bytes | None]) -> list[Any]:
    if not blobs:
        return []
    array = np.empty(len(blobs), dtype=object)
    array[:] = list(blobs)
    return list(shapely.from_wkb(array))


GEOMETRY = Codec(column="geometry_wkb", encode=to_wkb, decode=from_wkb)
TUPLE = Codec(
    encode=lambda values: [list(v) for v in values],
    decode=lambda values: [tuple(v or ()) for v in values],
)
LOCAL_TIME = Codec(
    encode=lambda values: [v.isoformat() for v in values],
    decode=lambda values: [datetime.fromisoformat(v) for v in values],
)


class RowMap[T]:
    """One model type and its table: fields in model order, each with its codec.

    Columns of the table that are not fields of the model (`mission_id`, `position`,
    `area_id` of a station...) are the caller's: passed to `rows`, filtered on in queries.
    """

    def __init__(
        self, model_type: type[T], table: type[m.Base], codecs: Mapping[str, Codec] | None = None
    ) -> None:
        codecs = dict(codecs or {})
        self.model = model_type
        self.table = table
        self.fields: tuple[str, ...] = tuple(f.name for f in fields(cast(Any, model_type)))
        unknown = sorted(set(codecs) - set(self.fields))
        if unknown:
            raise TypeError(f"{model_type.__name__} has no field(s) {', '.join(unknown)}")
        self.codecs: tuple[Codec, ...] = tuple(codecs.get(f, Codec()) for f in self.fields)
        self.columns: tuple[str, ...] = tuple(
            c.column or f for f, c in zip(self.fields, self.codecs, strict=True)
        )
        stored = set(table.__table__.columns.keys())
        missing = [c for c in self.columns if c not in stored]
        if missing:
            raise TypeError(
                f"table {table.__tablename__} has no column(s) {', '.join(missing)} "
                f"for {model_type.__name__}"
            )

    def rows(
        self, items: Sequence[T], *, each: Mapping[str, Sequence[Any]] | None = None, **same: Any
    ) -> list[dict[str, Any]]:
        """Table rows for `items`, in order: their fields, plus the columns in `each` (one
        value per item) and in `same` (one value for every row)."""
        columns: dict[str, Column] = {
            column: codec.encode([getattr(item, name) for item in items])
            for name, column, codec in zip(self.fields, self.columns, self.codecs, strict=True)
        }
        for column, values in (each or {}).items():
            columns[column] = list(values)
            if len(columns[column]) != len(items):
                raise ValueError(f"{column}: {len(values)} values for {len(items)} rows")
        names = list(columns)
        return [
            dict(zip(names, values, strict=True)) | same
            for values in zip(*columns.values(), strict=True)
        ]

    def select(self) -> Select[Any]:
        """A query for the model's columns, in the order `build` reads them."""
        return select(*(getattr(self.table, c) for c in self.columns))

    def build(self, rows: Sequence[Sequence[Any]]) -> list[T]:
        """Models from the rows of `select()` (more WHERE or ORDER BY clauses are fine)."""
        if not rows:
            return []
        decoded = [
            codec.decode(list(column))
            for codec, column in zip(self.codecs, zip(*rows, strict=True), strict=True)
        ]
        return [
            self.model(**dict(zip(self.fields, values, strict=True)))
            for values in zip(*decoded, strict=True)
        ]


def record[R](record_type: type[R], row: Any, **computed: Any) -> R:
    """A read-only record (a dataclass) from an ORM row: each field from the row's
    attribute of the same name, unless given in `computed`."""
    names = [f.name for f in fields(cast(Any, record_type)) if f.name not in computed]
    return record_type(**{name: getattr(row, name) for name in names}, **computed)


# --- the planner's models and their tables ---------------------------------------------------

REGIONS = RowMap(model.Region, m.Region, {"geometry": GEOMETRY})
DISTRICTS = RowMap(model.District, m.District, {"geometry": GEOMETRY})
AREAS = RowMap(
    model.Area, m.Area, {"region_ids": TUPLE, "district_ids": TUPLE, "geometry": GEOMETRY}
)
COMMISSIONS = RowMap(model.Commission, m.Commission, {"level": enum(model.CommissionLevel)})
STATIONS = RowMap(
    model.Station,
    m.Station,
    {
        "voters": number(int),
        "kind": enum(model.StationKind),
        "setting": enum(model.Setting),
        "estimated": TUPLE,
    },
)
TEAMS = RowMap(model.Team, m.Team, {"kind": enum(model.TeamKind)})
# A stored stop reads back as one visits.csv row.
STOPS = RowMap(
    Stop,
    m.PlanStop,
    {
        "seq": number(int),
        "arrive": LOCAL_TIME,
        "depart": LOCAL_TIME,
        "travel_min": number(int),
        "lat": number(float),
        "lon": number(float),
    },
)
