"""Checked rows into model objects: stations, TECs, regions, districts, areas and teams.

Each builder runs every check of its layer (the column checks, positions and, through a
`Context`, the references to other layers) and returns either the frozen dataclasses of
`planner.model` or every problem found, sorted by row. `load_stations` and
`load_commissions` do the same for a standalone file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from shapely.geometry.base import BaseGeometry

from planner import schema
from planner.errors import MissionDataError, Problem
from planner.geodata import columns
from planner.geodata.positions import check_positions, points
from planner.geodata.sources import Source, read_file
from planner.geodata.summary import station_warnings
from planner.model import (
    ESTIMATED_FIELDS,
    Area,
    Commission,
    CommissionLevel,
    District,
    Region,
    Setting,
    Station,
    StationKind,
    Team,
    TeamKind,
)


@dataclasses.dataclass
class Context:
    """What other layers say, for cross-checks (None: that layer is unknown or broken)."""

    outline: BaseGeometry | None = None
    tec_ids: set[str] | None = None
    commissions: dict[str, Commission] | None = None
    region_tz: dict[str, str] | None = None
    district_region: dict[str, str] | None = None


def _in_file_order(errors: list[Problem]) -> list[Problem]:
    """Whole-file problems first, then by row (numbered rows before named ones)."""

    def order(problem: Problem) -> tuple[int, int | str]:
        row = problem.row
        if row is None:
            return (0, 0)
        return (1, row) if isinstance(row, int) else (2, str(row))

    return sorted(errors, key=order)


def _optional(value: float) -> float | None:
    return None if value != value else value  # NaN -> None


def build_stations(
    src: Source, ctx: Context, *, package: bool
) -> tuple[list[Station], list[Problem], list[Problem]]:
    """Stations, errors and warnings. In a package every contract column is required and
    regions and districts are checked against their layers."""
    errors: list[Problem] = []
    required = schema.LAYERS["stations"] if package else schema.STATION_REQUIRED
    missing = columns.require(src, required, errors)
    ids = columns.ids(src, "station_id", errors, check="station_id" not in missing)
    tec_ids = src.text("tec_id")
    if "tec_id" not in missing:
        columns.required_values(src, "tec_id", errors)
        if ctx.tec_ids is not None:
            columns.references(src, "tec_id", tec_ids, ctx.tec_ids, "TEC", errors)
    voters = columns.voters(src, errors, check="voters" not in missing)
    defaults = schema.STATION_OPTIONAL
    kinds = columns.choice(src, "kind", schema.STATION_KINDS, defaults["kind"], errors)
    settings = columns.choice(src, "setting", schema.SETTINGS, defaults["setting"], errors)
    tzs = columns.time_zones(src, "tz", errors)
    unlocated = columns.flag(src, "unlocated", errors)
    estimated = columns.word_lists(src, "estimated", ESTIMATED_FIELDS, errors)
    abroad = kinds == StationKind.ABROAD.value
    regions = src.text("region")
    regions = np.where(abroad & (regions == ""), schema.ABROAD_REGION, regions)
    districts = src.text("district")
    if package and ctx.region_tz is not None:
        columns.region_references(src, regions, ctx.region_tz, errors, abroad=abroad)
    if package and ctx.district_region is not None:
        columns.district_references(
            src, regions, districts, ctx.district_region, errors, skip=abroad
        )
    lon, lat, field = points(src, errors)
    check_positions(src, lon, lat, field, ctx.outline, errors, exempt=abroad)

    if ctx.commissions:
        tec_tz = np.array([c.tz if (c := ctx.commissions.get(t)) else "" for t in tec_ids])
        tzs = np.where(tzs == "", tec_tz, tzs)
    warnings = station_warnings(
        src.file, src.rows.tolist(), lon, lat, voters, kinds, tec_ids, ctx.commissions
    )
    if errors:
        return [], _in_file_order(errors), warnings
    kind_of = {k.value: k for k in StationKind}
    setting_of = {s.value: s for s in Setting}
    rows = zip(
        ids,
        src.text("number"),
        src.text("name"),
        src.text("address"),
        regions,
        districts,
        tec_ids,
        voters.tolist(),
        kinds,
        settings,
        tzs,
        lon.tolist(),
        lat.tolist(),
        unlocated.tolist(),
        estimated,
        strict=True,
    )
    stations = [
        Station(sid, num, name, addr, reg, dist, tec, v, kind_of[k], setting_of[s], tz, x, y, u, e)
        for sid, num, name, addr, reg, dist, tec, v, k, s, tz, x, y, u, e in rows
    ]
    return stations, [], warnings


def build_commissions(
    src: Source, ctx: Context, *, package: bool
) -> tuple[list[Commission], list[Problem]]:
    """TECs or every problem found. An empty `tz` is taken from the TEC's region."""
    errors: list[Problem] = []
    required = schema.LAYERS["commissions"] if package else schema.COMMISSION_REQUIRED
    missing = columns.require(src, required, errors)
    ids = columns.ids(src, "tec_id", errors, check="tec_id" not in missing)
    if "name" not in missing:
        columns.required_values(src, "name", errors)
    defaults = schema.COMMISSION_OPTIONAL
    levels = columns.choice(src, "level", schema.COMMISSION_LEVELS, defaults["level"], errors)
    parents = src.text("parent_id")
    columns.references(src, "parent_id", parents, ids, "parent commission", errors)
    regions = src.text("region")
    districts = src.text("district")
    tzs = columns.time_zones(src, "tz", errors)
    if package and ctx.region_tz is not None:
        columns.region_references(src, regions, ctx.region_tz, errors, abroad=True)
    if package and ctx.district_region is not None:
        columns.district_references(
            src, regions, districts, ctx.district_region, errors, allow_empty=True
        )
    if ctx.region_tz:
        region_tz = np.array([ctx.region_tz.get(r, "") for r in regions], dtype=object)
        tzs = np.where(tzs == "", region_tz, tzs)
    approximate = columns.flag(src, "approximate", errors)
    lon, lat, field = points(src, errors)
    check_positions(src, lon, lat, field, ctx.outline, errors)
    if errors:
        return [], _in_file_order(errors)
    level_of = {c.value: c for c in CommissionLevel}
    rows = zip(
        ids,
        src.text("name"),
        levels,
        parents,
        regions,
        tzs,
        lon.tolist(),
        lat.tolist(),
        districts,
        approximate.tolist(),
        strict=True,
    )
    commissions = [
        Commission(tec, name, level_of[lv], parent or None, reg, tz, x, y, dist or None, ap)
        for tec, name, lv, parent, reg, tz, x, y, dist, ap in rows
    ]
    return commissions, []


def build_regions(src: Source) -> tuple[list[Region], list[Problem]]:
    """Regions or every problem found; each region needs a valid time zone."""
    errors: list[Problem] = []
    missing = columns.require(src, schema.LAYERS["regions"], errors)
    ids = columns.ids(src, "region_id", errors, check="region_id" not in missing)
    tzs = columns.time_zones(src, "tz", errors, required="tz" not in missing)
    if errors:
        return [], _in_file_order(errors)
    rows = zip(
        ids,
        src.text("name_en"),
        src.text("name_kk"),
        src.text("name_ru"),
        tzs,
        src.shapes(),
        strict=True,
    )
    return [Region(*values) for values in rows], []


def build_districts(src: Source, ctx: Context) -> tuple[list[District], list[Problem]]:
    """Districts or every problem found; each lies in a region of the regions layer."""
    errors: list[Problem] = []
    missing = columns.require(src, schema.LAYERS["districts"], errors)
    ids = columns.ids(src, "district_id", errors, check="district_id" not in missing)
    regions = src.text("region_id")
    if ctx.region_tz is not None and "region_id" not in missing:
        columns.required_values(src, "region_id", errors)
        columns.references(src, "region_id", regions, ctx.region_tz, "region", errors)
    if errors:
        return [], _in_file_order(errors)
    rows = zip(
        ids,
        regions,
        src.text("name_en"),
        src.text("name_kk"),
        src.text("name_ru"),
        src.shapes(),
        strict=True,
    )
    return [District(*values) for values in rows], []


def build_areas(src: Source, ctx: Context) -> tuple[list[Area], list[Problem]]:
    """Areas of responsibility or every problem found; `region_ids` is comma-separated, and
    so is the optional `district_ids` (an area made of whole districts)."""
    errors: list[Problem] = []
    missing = columns.require(src, schema.LAYERS["areas"], errors)
    ids = columns.ids(src, "area_id", errors, check="area_id" not in missing)
    region_ids = _id_lists(src, "region_ids")
    if ctx.region_tz is not None:
        _known_ids(src, "region_ids", region_ids, ctx.region_tz, "region", errors)
    district_ids = _id_lists(src, "district_ids")
    if ctx.district_region is not None:
        _known_ids(src, "district_ids", district_ids, ctx.district_region, "district", errors)
    if errors:
        return [], _in_file_order(errors)
    rows = zip(ids, src.text("name"), region_ids, src.shapes(), district_ids, strict=True)
    return [Area(*values) for values in rows], []


def _id_lists(src: Source, column: str) -> list[tuple[str, ...]]:
    """A comma-separated id column as one tuple per row (empty where the column is missing)."""
    return [
        tuple(part.strip() for part in text.split(",") if part.strip()) for text in src.text(column)
    ]


def _known_ids(
    src: Source,
    column: str,
    lists: list[tuple[str, ...]],
    known: Mapping[str, str],
    what: str,
    errors: list[Problem],
) -> None:
    """A problem for every id of `lists` that is not one of `known`."""
    for row, values in zip(src.rows, lists, strict=True):
        for value in values:
            if value not in known:
                errors.append(
                    Problem(src.file, int(row), column, f"{what} '{value}' does not exist")
                )


def build_teams(
    src: Source, ctx: Context, area_ids: set[str] | None
) -> tuple[list[Team], list[Problem]]:
    """Teams or every problem found; a team without a point has no base yet."""
    errors: list[Problem] = []
    missing = columns.require(src, schema.LAYERS["teams"], errors)
    ids = columns.ids(src, "team_id", errors, check="team_id" not in missing)
    kinds = columns.choice(
        src, "kind", schema.TEAM_KINDS, None, errors, check="kind" not in missing
    )
    areas = src.text("area_id")
    if area_ids is not None:
        columns.references(src, "area_id", areas, area_ids, "area", errors)
    lon, lat, field = points(src, errors, required=False)
    check_positions(src, lon, lat, field, ctx.outline, errors)
    if errors:
        return [], _in_file_order(errors)
    kind_of = {k.value: k for k in TeamKind}
    rows = zip(ids, kinds, areas, src.text("base_name"), lon.tolist(), lat.tolist(), strict=True)
    teams = [
        Team(tid, kind_of[k], area or None, base, _optional(x), _optional(y))
        for tid, k, area, base, x, y in rows
    ]
    return teams, []


def _read_rows(path: str | Path, layer: str) -> Source:
    """A standalone file with at least one row, or `MissionDataError` saying why not."""
    file = str(path)
    errors: list[Problem] = []
    src = read_file(Path(path), file, layer, errors)
    if src is not None and len(src) == 0:
        errors.append(Problem(file, None, None, "the file has no rows"))
    if errors or src is None:
        raise MissionDataError(errors)
    return src


def load_commissions(
    path: str | Path, *, outline: BaseGeometry | None = None
) -> tuple[list[Commission], list[Problem]]:
    """Read TECs from GeoPackage, GeoJSON, zipped Shapefile, CSV or XLSX.

    Returns the commissions and the warnings; raises `MissionDataError` listing every
    problem if any row is unusable. Required columns: `tec_id`, `name` and coordinates
    (a point geometry, or latitude/longitude columns in a table).
    """
    src = _read_rows(path, "commissions")
    commissions, errors = build_commissions(src, Context(outline=outline), package=False)
    if errors:
        raise MissionDataError(errors)
    return commissions, []


def load_stations(
    path: str | Path,
    *,
    outline: BaseGeometry | None = None,
    commissions: Sequence[Commission] | None = None,
) -> tuple[list[Station], list[Problem]]:
    """Read polling stations from GeoPackage, GeoJSON, zipped Shapefile, CSV or XLSX.

    Returns the stations and the warnings (no voters; more than 100 km from the TEC);
    raises `MissionDataError` listing every problem if any row is unusable. Required
    columns: `station_id`, `tec_id`, `voters` and coordinates. With `commissions`, every
    station's TEC must exist and an empty `tz` is taken from the TEC; with `outline`,
    in-country stations must lie inside it (stations of kind `abroad` are exempt).
    """
    src = _read_rows(path, "stations")
    by_id = None if commissions is None else {c.tec_id: c for c in commissions}
    tec_ids = None if by_id is None else set(by_id)
    ctx = Context(outline=outline, tec_ids=tec_ids, commissions=by_id)
    stations, errors, warnings = build_stations(src, ctx, package=False)
    if errors:
        raise MissionDataError(errors)
    return stations, warnings
