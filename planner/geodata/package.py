"""Mission packages on disk: `mission.gpkg` (the layers) plus `mission.toml` (the settings).

`load_mission` reads and checks every layer and the references between them, raising one
`MissionDataError` with every problem found; `write_mission` writes a `Mission` back so it
loads equal, through a staging directory so a failed write leaves the old package intact.
The layers and their columns are those of `planner.schema`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from planner import schema
from planner.errors import MissionDataError, Problem
from planner.geodata.build import (
    Context,
    build_areas,
    build_commissions,
    build_districts,
    build_regions,
    build_stations,
    build_teams,
)
from planner.geodata.sources import WGS84, Source, gdal_message, layer_names, read_layer, unreadable
from planner.model import (
    Area,
    Commission,
    CommissionLevel,
    District,
    Mission,
    Region,
    Setting,
    Station,
    StationKind,
    Team,
    TeamKind,
)
from planner.settings import MissionSettings, dump_settings, read_settings


def package_paths(path: str | Path) -> tuple[Path, Path]:
    """The GeoPackage and settings file of a package directory or of a .gpkg path."""
    path = Path(path)
    if path.suffix.lower() == ".gpkg":
        toml = path.with_suffix(".toml")
        if not toml.exists():
            toml = path.parent / schema.SETTINGS_FILE
        return path, toml
    return path / schema.PACKAGE_FILE, path / schema.SETTINGS_FILE


def load_mission(path: str | Path) -> Mission:
    """Load and check a mission package: a directory with `mission.gpkg` + `mission.toml`,
    or the .gpkg path itself (settings next to it).

    Every layer is checked, including references between layers (a station's region,
    district and TEC; a TEC's parent; an area's regions; a team's area), and every problem
    found is raised together in one `MissionDataError`. An empty `tz` falls back to the
    TEC's (stations) or the region's (TECs). Warnings: `mission_warnings(mission)`.
    """
    gpkg, toml = package_paths(path)
    if not gpkg.is_file():
        raise MissionDataError([Problem(str(gpkg), None, None, "mission package not found")])
    errors: list[Problem] = []
    settings: MissionSettings | None = None
    try:
        settings = read_settings(toml)
    except MissionDataError as exc:
        errors.extend(exc.problems)
    try:
        present = set(layer_names(gpkg))
    except Exception as exc:  # GDAL reports corrupt input through many error types
        problem = unreadable(str(gpkg), f"cannot read this file: {gdal_message(exc)}")
        raise MissionDataError([problem]) from exc

    sources: dict[str, Source] = {}
    for layer in schema.LAYERS:
        if layer not in present:
            found = ", ".join(sorted(present)) or "none"
            errors.append(Problem(str(gpkg), None, layer, f"missing layer; layers found: {found}"))
            continue
        try:
            sources[layer] = read_layer(gpkg, layer)
        except Exception as exc:  # GDAL reports corrupt input through many error types
            message = f"cannot read layer: {gdal_message(exc)}"
            errors.append(Problem(f"{gpkg}:{layer}", None, None, message))

    outline = None
    if schema.OUTLINE_LAYER in present:
        try:
            shapes = [g for g in read_layer(gpkg, schema.OUTLINE_LAYER).shapes() if g is not None]
        except Exception as exc:  # GDAL reports corrupt input through many error types
            file = f"{gpkg}:{schema.OUTLINE_LAYER}"
            errors.append(Problem(file, None, None, f"cannot read layer: {gdal_message(exc)}"))
            shapes = []
        outline = shapely.union_all(shapes) if shapes else None

    # Cross-checks use the id columns as read, so one broken row does not hide the
    # references to every other row of its layer.
    ctx = Context(outline=outline)
    regions: list[Region] = []
    if (src := sources.get("regions")) is not None:
        if "region_id" in src.frame.columns:
            ctx.region_tz = dict(zip(src.text("region_id"), src.text("tz"), strict=True))
        regions, errs = build_regions(src)
        errors.extend(errs)
    districts: list[District] = []
    if (src := sources.get("districts")) is not None:
        if "district_id" in src.frame.columns:
            pairs = zip(src.text("district_id"), src.text("region_id"), strict=True)
            ctx.district_region = dict(pairs)
        districts, errs = build_districts(src, ctx)
        errors.extend(errs)
    commissions: list[Commission] = []
    if (src := sources.get("commissions")) is not None:
        if "tec_id" in src.frame.columns:
            ctx.tec_ids = set(src.text("tec_id"))
        commissions, errs = build_commissions(src, ctx, package=True)
        errors.extend(errs)
        ctx.commissions = {c.tec_id: c for c in commissions}
    stations: list[Station] = []
    if (src := sources.get("stations")) is not None:
        stations, errs, _ = build_stations(src, ctx, package=True)
        errors.extend(errs)
    areas: list[Area] = []
    area_ids: set[str] | None = None
    if (src := sources.get("areas")) is not None:
        if "area_id" in src.frame.columns:
            area_ids = set(src.text("area_id"))
        areas, errs = build_areas(src, ctx)
        errors.extend(errs)
    teams: list[Team] = []
    if (src := sources.get("teams")) is not None:
        teams, errs = build_teams(src, ctx, area_ids)
        errors.extend(errs)
    if errors or settings is None:
        raise MissionDataError(errors)
    return Mission(
        name=settings.name,
        country=settings.country,
        regions=tuple(regions),
        districts=tuple(districts),
        commissions=tuple(commissions),
        stations=tuple(stations),
        areas=tuple(areas),
        teams=tuple(teams),
        rules=settings.rules,
        targets=settings.targets,
        seed=settings.seed,
        outline=outline,
    )


def write_mission(mission: Mission, path: str | Path, *, note: str = "") -> Path:
    """Write `mission` as a package (GeoPackage + TOML settings) and return the .gpkg path.

    `path` is a package directory (created if needed; files `mission.gpkg`, `mission.toml`)
    or a .gpkg path (settings written next to it with the same stem). `note` goes into the
    settings file (where the data comes from; the mission itself does not carry it). Files
    are written into a temporary directory inside the target and moved into place only once
    complete, so a failed write leaves an existing package untouched.
    """
    target = Path(path)
    if target.suffix.lower() == ".gpkg":
        directory, gpkg_name, toml_name = target.parent, target.name, target.stem + ".toml"
    else:
        directory, gpkg_name, toml_name = target, schema.PACKAGE_FILE, schema.SETTINGS_FILE
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=directory))
    try:
        gpkg = staging / gpkg_name
        for layer, (frame, geometry_type) in _mission_layers(mission).items():
            pyogrio.write_dataframe(
                frame,
                gpkg,
                layer=layer,
                driver="GPKG",
                geometry_type=geometry_type,
                promote_to_multi=geometry_type.startswith("Multi"),
            )
        settings = MissionSettings(
            name=mission.name,
            country=mission.country,
            seed=mission.seed,
            rules=mission.rules,
            targets=mission.targets,
            note=note,
        )
        (staging / toml_name).write_text(dump_settings(settings), encoding="utf-8")
        os.replace(gpkg, directory / gpkg_name)
        os.replace(staging / toml_name, directory / toml_name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory / gpkg_name


def _mission_layers(mission: Mission) -> dict[str, tuple[gpd.GeoDataFrame, str]]:
    """Layer name -> (frame, geometry type), in package order, the outline last if known."""
    m = mission
    cols = {
        layer: (*columns, *_used_optional(getattr(m, layer), layer))
        for layer, columns in schema.LAYERS.items()
    }
    regions = [r.geometry for r in m.regions]
    districts = [d.geometry for d in m.districts]
    areas = [a.geometry for a in m.areas]
    layers = {
        "regions": (_layer(m.regions, cols["regions"], regions), _polygon_type(regions)),
        "districts": (
            _layer(m.districts, cols["districts"], districts),
            _polygon_type(districts),
        ),
        "commissions": (
            _layer(m.commissions, cols["commissions"], _points(m.commissions)),
            "Point",
        ),
        "stations": (_layer(m.stations, cols["stations"], _points(m.stations)), "Point"),
        "areas": (_layer(m.areas, cols["areas"], areas), _polygon_type(areas)),
        "teams": (_layer(m.teams, cols["teams"], _points(m.teams)), "Point"),
    }
    if m.outline is not None:
        outline = gpd.GeoDataFrame({"country": [m.country]}, geometry=[m.outline], crs=WGS84)
        layers[schema.OUTLINE_LAYER] = (outline, _polygon_type([m.outline]))
    return layers


def _used_optional(items: Sequence[object], layer: str) -> tuple[str, ...]:
    """The optional columns of `layer` that some item sets (a non-empty or true value)."""
    optional = schema.OPTIONAL_COLUMNS.get(layer, ())
    return tuple(name for name in optional if any(getattr(item, name) for item in items))


def _polygon_type(shapes: Sequence[BaseGeometry | None]) -> str:
    """Polygon when every shape is a single polygon, else MultiPolygon (single ones
    promoted), so a package written from a loaded mission keeps its geometry types."""
    present = [g for g in shapes if g is not None]
    single = bool(present) and all(g.geom_type == "Polygon" for g in present)
    return "Polygon" if single else "MultiPolygon"


def _layer(
    items: Sequence[object], columns: Sequence[str], geometry: Sequence[BaseGeometry | None]
) -> gpd.GeoDataFrame:
    data = {
        name: pd.Series(
            [_cell(getattr(item, name)) for item in items],
            dtype="int64" if name == "voters" else "str",
        )
        for name in columns
    }
    shapes = np.empty(len(geometry), dtype=object)  # filled item by item: numpy never looks inside
    shapes[:] = list(geometry)
    return gpd.GeoDataFrame(data, geometry=shapes, crs=WGS84)


def _cell(value: object) -> object:
    """A field as stored: enums by value, tuples (an area's regions) comma-separated,
    flags as 1 or 0."""
    if isinstance(value, StationKind | Setting | CommissionLevel | TeamKind):
        return value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, tuple):
        return ",".join(value)
    return value


def _points(items: Sequence[Station | Commission | Team]) -> list[BaseGeometry | None]:
    return [
        None if item.lon is None or item.lat is None else shapely.Point(item.lon, item.lat)
        for item in items
    ]
