"""From a station list to a `Mission`, with every inference recorded for the report.

Plain steps over whole columns: read, recognise columns, order the hierarchy, locate
stations, fill what is missing with the documented defaults (flagged), make areas, teams
and targets. Nothing here writes files; `planner.init.package` does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from planner.allocation import allocate_teams, base_sites
from planner.countries import find_country, outline_of
from planner.errors import MissionDataError, Problem
from planner.init import areas as area_maker
from planner.init import hierarchy as hier
from planner.init.columns import (
    ColumnMapping,
    parse_numbers,
    parse_overrides,
    recognise,
    split_coordinates,
)
from planner.init.estimate import (
    InitSettings,
    apportion,
    kinds_from_column,
    medoid,
    settings_from_column,
    time_zones,
    urban_by_density,
    urban_by_settlement,
    voters_from_column,
)
from planner.init.sources import read_stations
from planner.model import (
    Area,
    Commission,
    CommissionLevel,
    District,
    Mission,
    Region,
    Rules,
    Setting,
    Station,
    StationKind,
    Targets,
    Team,
    TeamKind,
)

SINGLE_REGION = "ALL"


@dataclass(frozen=True)
class InitOptions:
    """What the user asked for (`planner init` options)."""

    stations: tuple[Path, ...]
    name: str
    election_date: date
    polls_open: time = time(7, 0)
    polls_close: time = time(20, 0)
    columns: str | None = None
    commissions: Path | None = None
    teams: int | None = None
    areas: int | None = None
    areas_from: Path | None = None
    voters_default: int | None = None
    voters_total: int | None = None
    country: str | None = None
    crs: str | None = None
    seed: int = 0
    settings: InitSettings = field(default_factory=InitSettings)


@dataclass
class Extras:
    """Per-row flags and labels the package carries beside today's columns."""

    station: dict[str, dict[str, object]] = field(default_factory=dict)  # id -> column -> value
    commission: dict[str, dict[str, object]] = field(default_factory=dict)
    region: dict[str, dict[str, object]] = field(default_factory=dict)
    district: dict[str, dict[str, object]] = field(default_factory=dict)


@dataclass
class InitResult:
    mission: Mission
    extras: Extras
    areas_table: pd.DataFrame  # district_id, district, region_id, area_id, stations, voters
    report: dict[str, object]


def _problem(file: str, row: int | None, fieldname: str | None, message: str) -> Problem:
    return Problem(file, row, fieldname, message)


def _coordinates(
    table, mapping: ColumnMapping, crs: str | None
) -> tuple[np.ndarray, np.ndarray, str]:
    """Longitudes and latitudes (NaN where unknown) and where they came from."""
    frame = table.frame
    n = len(frame)
    lon = table.geometry_lon.copy()
    lat = table.geometry_lat.copy()
    source = "geometry" if table.has_geometry else ""
    need = ~(np.isfinite(lon) & np.isfinite(lat))
    if "lat" in mapping.roles and "lon" in mapping.roles:
        col_lat = parse_numbers(frame[mapping.roles["lat"]])
        col_lon = parse_numbers(frame[mapping.roles["lon"]])
        lon = np.where(need, col_lon, lon)
        lat = np.where(need, col_lat, lat)
        source = (
            f"columns '{mapping.roles['lat']}' (latitude), '{mapping.roles['lon']}' (longitude)"
        )
    elif "coordinates" in mapping.roles:
        first, second = split_coordinates(frame[mapping.roles["coordinates"]])
        lon = np.where(need, second, lon)
        lat = np.where(need, first, lat)
        source = f"column '{mapping.roles['coordinates']}' (latitude, longitude)"
    if crs:
        transformer = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        ok = np.isfinite(lon) & np.isfinite(lat)
        x, y = transformer.transform(lon[ok], lat[ok])
        lon, lat = lon.copy(), lat.copy()
        lon[ok], lat[ok] = x, y
        source += f", reprojected from {crs}"
    if not source and n:
        source = "none"
    return lon.astype(float), lat.astype(float), source


def _station_ids(
    frame: pd.DataFrame, mapping: ColumnMapping, district_keys: np.ndarray | None, table
) -> tuple[np.ndarray, str]:
    """Unique station ids: the id column, else the number (within the district if needed)."""
    n = len(frame)
    for role in ("station_id", "number"):
        column = mapping.roles.get(role)
        if column is None:
            continue
        values = frame[column].to_numpy(dtype=object)
        if (values != "").all() and len(pd.unique(values)) == n:
            return values, f"column '{column}'"
        if role == "number" and district_keys is not None:
            keyed = pd.Series(district_keys).astype(str) + "|" + frame[column]
            if (values != "").all() and keyed.nunique() == n:
                return np.array([], dtype=object), f"column '{column}' within its district"
    column = mapping.roles.get("station_id")
    if column is not None:
        values = frame[column].to_numpy(dtype=object)
        problems = []
        first: dict[str, int] = {}
        for i, value in enumerate(values):
            file, row = table.where(i)
            if value == "":
                problems.append(_problem(file, row, column, f"missing station id ('{column}')"))
            elif value in first:
                other = table.where(first[value])[1]
                problems.append(
                    _problem(file, row, column, f"duplicate station id '{value}': also row {other}")
                )
            else:
                first[value] = i
        raise MissionDataError(problems)
    return np.array([f"S{i + 1:06d}" for i in range(n)], dtype=object), "row order (no id column)"


def _group_centres(
    keys: np.ndarray, lon: np.ndarray, lat: np.ndarray, located: np.ndarray, sample: int
) -> dict[str, tuple[float, float]]:
    """Per group key: the position of its medoid station (located stations only)."""
    centres: dict[str, tuple[float, float]] = {}
    idx = np.flatnonzero(located)
    if len(idx) == 0:
        return centres
    order = idx[np.argsort(keys[idx], kind="stable")]
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    ends = np.r_[starts[1:], len(order)]
    for s, e in zip(starts, ends, strict=True):
        members = order[s:e]
        m = members[medoid(lon[members], lat[members], sample)]
        centres[str(sorted_keys[s])] = (float(lon[m]), float(lat[m]))
    return centres


def _outline(
    country: str | None, lon: np.ndarray, lat: np.ndarray, margin_km: float
) -> tuple[BaseGeometry | None, str]:
    if country:
        found = find_country(country)
        if found is None:
            raise ValueError(f"--country: unknown country '{country}' (a name or ISO code)")
        return outline_of(found), f"{found.name} (Natural Earth 1:110m, widened 25 km)"
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.sum() < 3:
        return None, "none"
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([lon[ok], lat[ok]])))
    return shapely.buffer(hull, margin_km / 111.32), "derived: the stations' convex hull + 10 km"


def _voronoi_shapes(
    points: dict[str, tuple[float, float]], clip: BaseGeometry | None
) -> dict[str, BaseGeometry]:
    """A Voronoi cell per point (display only), clipped to the outline."""
    if len(points) == 0:
        return {}
    keys = list(points)
    coords = np.array([points[k] for k in keys])
    if len(keys) == 1 or clip is None:
        base = clip if clip is not None else shapely.box(*coords.min(0), *coords.max(0))
        return dict.fromkeys(keys, base) if len(keys) == 1 else {}
    jitter = np.arange(len(keys))[:, None] * 1e-9  # identical seats would share one cell
    cells = shapely.voronoi_polygons(shapely.multipoints(coords + jitter), extend_to=clip)
    cell_list = list(shapely.get_parts(cells))
    tree = shapely.STRtree(cell_list)
    pts = shapely.points(coords + jitter)
    found = tree.query(pts, predicate="intersects")
    shapes: dict[str, BaseGeometry] = {}
    for p, c in zip(found[0], found[1], strict=True):
        if keys[p] not in shapes:
            shapes[keys[p]] = shapely.intersection(cell_list[c], clip)
    return shapes


def _union_by(cells: dict[str, BaseGeometry], group_of: dict[str, str]) -> dict[str, BaseGeometry]:
    grouped: dict[str, list[BaseGeometry]] = {}
    for key, shape in cells.items():
        grouped.setdefault(group_of[key], []).append(shape)
    return {g: shapely.union_all(parts) for g, parts in grouped.items()}


def _read_commission_positions(
    path: Path, commission_names: dict[str, str]
) -> tuple[dict[str, tuple[float, float]], dict[str, object]]:
    """Positions from a commissions file, matched to commissions by id or name."""
    from planner.init.columns import recognise as recognise_columns

    table = read_stations([path])
    mapping = recognise_columns(table.frame, has_geometry=table.has_geometry)
    lon, lat, _ = _coordinates(table, mapping, None)
    by_name: dict[str, str] = {}
    for tec_id, name in commission_names.items():
        by_name.setdefault(name.casefold(), tec_id)
    positions: dict[str, tuple[float, float]] = {}
    unmatched = 0
    candidates = [
        mapping.roles.get(r) for r in ("commission", "station_id", "number", "name")
    ] + list(mapping.hierarchy)
    columns = [c for c in candidates if c]
    for i in range(len(table.frame)):
        if not (np.isfinite(lon[i]) and np.isfinite(lat[i])):
            continue
        match = None
        for c in columns:
            value = table.frame[c].iat[i]
            if value in commission_names:
                match = value
                break
            if value.casefold() in by_name:
                match = by_name[value.casefold()]
                break
        if match is None:
            unmatched += 1
            continue
        positions[match] = (float(lon[i]), float(lat[i]))
    info = {"file": str(path), "matched": len(positions), "unmatched_rows": unmatched}
    return positions, info


def _areas_from_table(path: Path, district_ids: list[str], district_names: dict[str, str]):
    from planner.tabular import read_table

    frame = read_table(path).frame
    if "area_id" not in frame.columns:
        raise MissionDataError(
            [Problem(str(path), None, "area_id", "missing column area_id (district -> area)")]
        )
    by_name = {v.casefold(): k for k, v in district_names.items()}
    assigned: dict[str, str] = {}
    problems = []
    for row, rec in frame.iterrows():
        key = rec.get("district_id", "")
        if key not in district_names:
            key = by_name.get(str(rec.get("district", "")).casefold(), "")
        if not key:
            problems.append(Problem(str(path), int(row), "district_id", "unknown district"))
            continue
        if not rec["area_id"]:
            problems.append(Problem(str(path), int(row), "area_id", "missing area_id"))
            continue
        assigned[key] = rec["area_id"]
    missing = [d for d in district_ids if d not in assigned]
    for d in missing[:20]:
        problems.append(Problem(str(path), None, "district_id", f"district '{d}' has no area"))
    if problems:
        raise MissionDataError(problems)
    return assigned


def build(options: InitOptions) -> InitResult:
    """Infer a whole mission from station lists (see the module docstring)."""
    cfg = options.settings
    table = read_stations(list(options.stations))
    frame = table.frame
    n = len(frame)
    overrides = parse_overrides(options.columns)
    mapping = recognise(frame, overrides, has_geometry=table.has_geometry)
    report: dict[str, object] = {
        "inputs": list(table.files),
        "rows": n,
        "columns": mapping.as_dict(),
        "polygons_as_points": table.polygons,
    }
    flags: dict[str, list[str]] = {}

    # Coordinates.
    lon, lat, coord_source = _coordinates(table, mapping, options.crs)
    report["coordinates"] = coord_source
    if coord_source == "none":
        found = ", ".join(frame.columns)
        raise MissionDataError(
            [
                Problem(
                    table.files[0],
                    None,
                    "lat, lon",
                    "no coordinates: no geometry and no latitude/longitude columns recognised; "
                    f"name them with --columns lat=...,lon=...; columns found: {found}",
                )
            ]
        )
    bad_range = np.isfinite(lon) & np.isfinite(lat) & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    if bad_range.mean() > 0.5:
        raise MissionDataError(
            [
                Problem(
                    table.files[0],
                    None,
                    "lat, lon",
                    f"{int(bad_range.sum()):,} rows have coordinates beyond ±90/±180: "
                    "projected coordinates? give their CRS with --crs (e.g. EPSG:32646)",
                )
            ]
        )
    zero = (lon == 0) & (lat == 0)
    located = np.isfinite(lon) & np.isfinite(lat) & ~bad_range & ~zero
    unlocated_reason = np.where(
        ~(np.isfinite(lon) & np.isfinite(lat)),
        "no coordinates",
        np.where(bad_range, "coordinates off the globe", np.where(zero, "coordinates 0, 0", "")),
    )

    # Hierarchy.
    hierarchy_columns = list(mapping.hierarchy)
    commission_column = mapping.roles.get("commission")
    h = hier.infer(frame, hierarchy_columns, ranks=mapping.ranks)
    mapping.ignored.extend(column for column, _ in h.dropped)
    report["hierarchy_dropped"] = [{"column": c, "why": why} for c, why in h.dropped]
    levels = h.levels
    if not levels and commission_column is None:
        raise MissionDataError(
            [
                Problem(
                    table.files[0],
                    None,
                    "district",
                    "no hierarchy column recognised (region, district, constituency, ...); "
                    "name one with --columns district=...; columns found: "
                    + ", ".join(frame.columns),
                )
            ]
        )
    if len(levels) >= 2:
        region_keys, district_keys = h.keys[0], h.keys[1]
        region_level, district_level = levels[0].column, levels[1].column
    elif len(levels) == 1:
        region_keys = np.full(n, SINGLE_REGION, dtype=object)
        district_keys = h.keys[0]
        region_level, district_level = "", levels[0].column
    else:
        region_keys = np.full(n, SINGLE_REGION, dtype=object)
        district_keys = hier.key_of([frame[commission_column]])
        region_level, district_level = "", commission_column or ""
    if commission_column is not None:
        parts = [frame[levels[0].column]] if len(levels) >= 2 else []
        commission_keys = hier.key_of([*parts, frame[commission_column]])
        commission_level_name = commission_column
        commission_rank = len(levels) + 1
    else:
        commission_keys = h.keys[-1]
        commission_level_name = levels[-1].column
        commission_rank = levels[-1].rank
    report["hierarchy"] = {
        "levels": [
            {
                "rank": lv.rank,
                "column": lv.column,
                "aliases": list(lv.aliases),
                "units": len(pd.unique(h.keys[i])),
            }
            for i, lv in enumerate(levels)
        ],
        "region_level": region_level or "(one region: the whole list)",
        "district_level": district_level,
        "commission_level": commission_level_name,
        "commissions_from": "column" if commission_column else "lowest level above the station",
        "rows_missing_a_level": h.missing,
    }

    # Ids: regions, districts, commissions in list order of their names.
    def ids_for(keys: np.ndarray, prefix: str, width: int) -> tuple[np.ndarray, dict[str, str]]:
        unique = sorted(pd.unique(keys), key=lambda k: hier.display(str(k)).casefold())
        table_ids = {k: f"{prefix}{i + 1:0{width}d}" for i, k in enumerate(unique)}
        return pd.Series(keys).map(table_ids).to_numpy(dtype=object), table_ids

    region_of, region_ids = ids_for(region_keys, "R", 2 if len(set(region_keys)) < 100 else 3)
    district_of, district_ids = ids_for(
        district_keys, "D", 3 if len(set(district_keys)) < 1000 else 4
    )
    commission_of, commission_ids = ids_for(
        commission_keys, "TEC-", 4 if len(set(commission_keys)) < 10000 else 5
    )
    region_name = {rid: hier.leaf(str(k)) for k, rid in region_ids.items()}
    if SINGLE_REGION in region_name:
        region_name[SINGLE_REGION] = options.name
    district_name = {did: hier.leaf(str(k)) for k, did in district_ids.items()}
    district_region: dict[str, str] = {}
    for d, r in zip(district_of, region_of, strict=True):
        district_region.setdefault(d, r)
    commission_name = {cid: hier.display(str(k)) for k, cid in commission_ids.items()}
    commission_district = (
        pd.DataFrame({"c": commission_of, "d": district_of})
        .groupby("c")["d"]
        .agg(lambda s: s.value_counts().index[0])
        .to_dict()
    )
    commission_region = {c: district_region[d] for c, d in commission_district.items()}

    station_ids, id_source = _station_ids(frame, mapping, district_of, table)
    if len(station_ids) == 0:
        number = frame[mapping.roles["number"]]
        station_ids = (pd.Series(district_of) + "-" + number).to_numpy(dtype=object)
    report["station_ids"] = id_source

    # Positions: commissions from a file, else the medoid of their located stations.
    tec_centres = _group_centres(commission_of, lon, lat, located, cfg.medoid_sample)
    approximate = dict.fromkeys(commission_ids.values(), True)
    if options.commissions is not None:
        given, info = _read_commission_positions(options.commissions, commission_name)
        for tec, pos in given.items():
            tec_centres[tec] = pos
            approximate[tec] = False
        report["commission_positions_file"] = info
    district_centres = _group_centres(district_of, lon, lat, located, cfg.medoid_sample)
    region_centres = _group_centres(region_of, lon, lat, located, cfg.medoid_sample)
    all_centre = (
        (float(np.nanmedian(lon[located])), float(np.nanmedian(lat[located])))
        if located.any()
        else None
    )
    if all_centre is None:
        raise MissionDataError(
            [Problem(table.files[0], None, "lat, lon", "no station has usable coordinates")]
        )
    placed_at = np.full(n, "", dtype=object)
    plon, plat = lon.copy(), lat.copy()
    for i in np.flatnonzero(~located):
        for label, centres, key in (
            ("commission", tec_centres, commission_of[i]),
            ("district", district_centres, district_of[i]),
            ("region", region_centres, region_of[i]),
        ):
            if key in centres:
                plon[i], plat[i] = centres[key]
                placed_at[i] = label
                break
        else:
            plon[i], plat[i] = all_centre
            placed_at[i] = "country centre"
    for tec in commission_ids.values():
        if tec not in tec_centres:  # every station of the TEC unlocated
            d = commission_district[tec]
            tec_centres[tec] = district_centres.get(d) or region_centres.get(
                commission_region[tec], all_centre
            )

    # Voters.
    voters_col = mapping.roles.get("voters")
    voters = voters_from_column(frame[voters_col]) if voters_col else np.full(n, np.nan)
    voters_missing = ~np.isfinite(voters)
    if options.voters_total is not None and voters_missing.any():
        known_total = int(np.nansum(voters))
        rest = max(0, options.voters_total - known_total)
        voters[voters_missing] = apportion(rest, np.ones(int(voters_missing.sum())))
        voters_rule = f"--voters-total {options.voters_total:,} apportioned equally"
    else:
        default = options.voters_default or cfg.voters_default
        voters[voters_missing] = default
        voters_rule = f"{default:,} per station" + (
            " (--voters-default)" if options.voters_default else " (default)"
        )
    voters = voters.astype(np.int64)
    flags["voters"] = [str(x) for x in station_ids[voters_missing]]

    # Setting (urban/rural).
    setting = np.full(n, "", dtype=object)
    if "setting" in mapping.roles:
        setting = settings_from_column(frame[mapping.roles["setting"]])
    setting_missing = setting == ""
    if "settlement" in mapping.roles:
        urban = urban_by_settlement(frame[mapping.roles["settlement"]].to_numpy(dtype=object), cfg)
        setting_rule = (
            f"settlements with at least {cfg.urban_settlement_stations} stations are urban"
        )
    else:
        urban = urban_by_density(plon, plat, located, cfg)
        setting_rule = (
            f"urban where at least {cfg.urban_neighbours} stations lie within "
            f"{cfg.urban_radius_km:g} km"
        )
    setting = np.where(setting_missing, np.where(urban, "urban", "rural"), setting)
    flags["setting"] = [str(x) for x in station_ids[setting_missing]]

    # Kind.
    if "kind" in mapping.roles:
        kinds = kinds_from_column(frame[mapping.roles["kind"]])
        kind_missing = np.zeros(n, dtype=bool)
    else:
        kinds = np.full(n, "regular", dtype=object)
        kind_missing = np.ones(n, dtype=bool)
    flags["kind"] = [str(x) for x in station_ids[kind_missing]]

    # Time zones.
    from planner.geodata import is_valid_tz

    tz = np.full(n, "", dtype=object)
    if "tz" in mapping.roles:
        given_tz = frame[mapping.roles["tz"]].to_numpy(dtype=object)
        valid = np.array([bool(v) and is_valid_tz(v) for v in given_tz])
        tz = np.where(valid, given_tz, "").astype(object)
    tz_missing = tz == ""
    if tz_missing.any():
        tz[tz_missing] = time_zones(plon[tz_missing], plat[tz_missing])
    still = tz == ""
    if still.any():  # at sea or off any zone: the most common zone of the district
        common = pd.Series(tz[~still]).mode()
        fallback = str(common.iat[0]) if len(common) else "UTC"
        by_district = (
            pd.DataFrame({"d": district_of[~still], "tz": tz[~still]})
            .groupby("d")["tz"]
            .agg(lambda s: s.value_counts().index[0])
            .to_dict()
        )
        tz[still] = [by_district.get(d, fallback) for d in district_of[still]]
    flags["tz"] = [str(x) for x in station_ids[tz_missing]]
    flags["position"] = [str(x) for x in station_ids[~located]]

    # Stations.
    text = {
        role: frame[mapping.roles[role]].to_numpy(dtype=object)
        if role in mapping.roles
        else np.full(n, "", dtype=object)
        for role in ("number", "name", "address")
    }
    number = text["number"]
    if "number" not in mapping.roles:
        number = station_ids
    kind_of = {k.value: k for k in StationKind}
    stations = tuple(
        Station(
            station_id=str(station_ids[i]),
            number=str(number[i]),
            name=str(text["name"][i]),
            address=str(text["address"][i]),
            region=str(region_of[i]) if kinds[i] != "abroad" else "ABROAD",
            district=str(district_of[i]),
            tec_id=str(commission_of[i]),
            voters=int(voters[i]),
            kind=kind_of[str(kinds[i])],
            setting=Setting(str(setting[i])),
            tz=str(tz[i]),
            lon=float(plon[i]),
            lat=float(plat[i]),
        )
        for i in range(n)
    )

    # Commissions (lowest level above the station, or the commission column).
    tz_of_tec = (
        pd.DataFrame({"c": commission_of, "tz": tz})
        .groupby("c")["tz"]
        .agg(lambda s: s.value_counts().index[0])
        .to_dict()
    )
    commissions = tuple(
        Commission(
            tec_id=tec,
            name=commission_name[tec],
            level=CommissionLevel.DISTRICT,
            parent_id=None,
            region=commission_region[tec],
            tz=str(tz_of_tec[tec]),
            lon=tec_centres[tec][0],
            lat=tec_centres[tec][1],
            district=commission_district[tec],
        )
        for tec in sorted(commission_ids.values())
    )

    # Outline and display boundaries (Voronoi cells of the commission seats, dissolved).
    outline, outline_source = _outline(
        options.country, lon[located], lat[located], cfg.outline_margin_km
    )
    cells = _voronoi_shapes({c.tec_id: (c.lon, c.lat) for c in commissions}, outline)
    district_shapes = _union_by(cells, commission_district)
    region_shapes = _union_by(district_shapes, district_region)
    tz_of_region = (
        pd.DataFrame({"r": region_of, "tz": tz})
        .groupby("r")["tz"]
        .agg(lambda s: s.value_counts().index[0])
        .to_dict()
    )
    regions = tuple(
        Region(rid, region_name[rid], tz=str(tz_of_region[rid]), geometry=region_shapes.get(rid))
        for rid in sorted(region_name)
    )
    districts = tuple(
        District(did, district_region[did], district_name[did], geometry=district_shapes.get(did))
        for did in sorted(district_name)
    )
    report["boundaries"] = (
        "derived for display only: Voronoi cells of the commission seats, dissolved by "
        "district and region, clipped to the outline"
    )
    report["outline"] = outline_source

    # Areas of responsibility: whole districts, contiguous, balanced by voters.
    sto_count = options.teams or max(2, round(n / cfg.stations_per_team))
    k = options.areas or max(1, int(np.ceil(sto_count / cfg.teams_per_area)))
    district_list = sorted(district_name)
    d_index = {d: i for i, d in enumerate(district_list)}
    d_voters = np.zeros(len(district_list))
    np.add.at(d_voters, [d_index[d] for d in district_of], voters)
    d_stations = np.bincount([d_index[d] for d in district_of], minlength=len(district_list))
    if options.areas_from is not None:
        assigned = _areas_from_table(options.areas_from, district_list, district_name)
        area_names = sorted(set(assigned.values()))
        labels = np.array([area_names.index(assigned[d]) for d in district_list])
        tec_unit = np.array([d_index[commission_district[c.tec_id]] for c in commissions])
        tec_pts = np.array([[c.lon, c.lat] for c in commissions])
        links = area_maker.unit_links(tec_unit, tec_pts[:, 0], tec_pts[:, 1], len(district_list))
        bal = area_maker.balance(labels, d_voters.tolist(), links)
        area_ids = area_names
        report["areas_from"] = str(options.areas_from)
    else:
        tec_unit = np.array([d_index[commission_district[c.tec_id]] for c in commissions])
        tec_pts = np.array([[c.lon, c.lat] for c in commissions])
        links = area_maker.unit_links(tec_unit, tec_pts[:, 0], tec_pts[:, 1], len(district_list))
        centre_of = np.array(
            [district_centres.get(d, all_centre) for d in district_list], dtype=float
        )
        labels, bal = area_maker.partition(d_voters, centre_of, links, k)
        area_ids = [f"AOR-{a + 1:02d}" for a in range(int(labels.max()) + 1)]
    area_of_district = {d: area_ids[labels[i]] for i, d in enumerate(district_list)}
    largest = float(d_voters.max() / bal.mean) if bal.mean else 1.0
    report["areas"] = {
        "count": len(area_ids),
        "method": "from the table given" if options.areas_from else "balanced tree partition",
        "balance": bal.as_dict(),
        "largest_district_over_mean": round(largest, 3),
    }
    areas = []
    for a in area_ids:
        members = tuple(d for d in district_list if area_of_district[d] == a)
        shape = shapely.union_all([district_shapes[d] for d in members if d in district_shapes])
        biggest = max(members, key=lambda d: d_voters[d_index[d]])
        areas.append(
            Area(
                area_id=a,
                name=f"{a} {district_name[biggest]}",
                region_ids=(),
                geometry=None if shape.is_empty else shape,
                district_ids=members,
            )
        )
    areas_table = pd.DataFrame(
        {
            "district_id": district_list,
            "district": [district_name[d] for d in district_list],
            "region_id": [district_region[d] for d in district_list],
            "region": [region_name[district_region[d]] for d in district_list],
            "area_id": [area_of_district[d] for d in district_list],
            "stations": d_stations,
            "voters": d_voters.astype(np.int64),
        }
    )

    # Teams: STO teams in proportion to voters, bases at the largest commission seats;
    # one LTO team per area at its largest seat.
    rules = Rules(
        election_date=options.election_date,
        polls_open=options.polls_open,
        polls_close=options.polls_close,
    )
    sto = [Team(f"STO-{i + 1:03d}", TeamKind.STO, None, "", None, None) for i in range(sto_count)]
    mission = Mission(
        name=options.name,
        country=options.country or "",
        regions=regions,
        districts=districts,
        commissions=commissions,
        stations=stations,
        areas=tuple(areas),
        teams=tuple(sto),
        rules=rules,
        targets=Targets(),
        seed=options.seed,
        outline=outline,
    )
    mission = allocate_teams(mission)
    lto = []
    for a in mission.areas:
        sites = base_sites(mission, a.area_id)
        if sites:
            name, x, y, _ = sites[0]
            lto.append(Team(f"LTO-{a.area_id[4:]}", TeamKind.LTO, a.area_id, name, x, y))
    targets = suggest_targets(sto_count, len(commissions), cfg)
    mission = replace(mission, teams=(*mission.teams, *lto), targets=targets)
    report["teams"] = {
        "sto": sto_count,
        "lto": len(lto),
        "sto_rule": "--teams"
        if options.teams
        else (f"one per {cfg.stations_per_team:.1f} stations (the default mission's density)"),
        "per_area": dict(Counter(t.area_id for t in mission.sto_teams)),
        "bases": "the area's commission seats with the most voters (up to 4 towns)",
    }
    report["targets"] = {
        "opening": targets.opening,
        "voting": targets.voting,
        "counting": targets.counting,
        "tabulation": targets.tabulation,
        "rule": "the default mission's targets per STO team (127, 1131, 111, 99 per 150 teams), "
        "tabulation at most one per commission",
    }

    # Flags for the package and the report.
    extras = Extras()
    estimated_fields: dict[str, list[str]] = {str(sid): [] for sid in station_ids}
    for fieldname, ids in flags.items():
        for sid in ids:
            estimated_fields[sid].append(fieldname)
    for row, sid in enumerate(station_ids.tolist()):
        extras.station[str(sid)] = {
            "estimated": ",".join(estimated_fields[str(sid)]),
            "unlocated": int(not located[row]),
        }
        for lang, column in mapping.names.items():
            extras.station[str(sid)][f"name_{lang}"] = frame[column].iat[row]
    for c in commissions:
        extras.commission[c.tec_id] = {
            "estimated": "position" if approximate[c.tec_id] else "",
            "approximate": int(approximate[c.tec_id]),
            "level_name": commission_level_name,
            "level_rank": commission_rank,
        }
    for r in regions:
        extras.region[r.region_id] = {"estimated": "geometry", "level_name": region_level}
    for d in districts:
        extras.district[d.district_id] = {"estimated": "geometry", "level_name": district_level}

    unlocated_rows = [
        {
            "station_id": str(station_ids[i]),
            "file": table.where(int(i))[0],
            "row": table.where(int(i))[1],
            "why": str(unlocated_reason[i]),
            "placed_at": str(placed_at[i]),
        }
        for i in np.flatnonzero(~located)
    ]
    report["counts"] = {
        "stations": n,
        "regions": len(regions),
        "districts": len(districts),
        "commissions": len(commissions),
        "voters": int(voters.sum()),
        "urban": int((setting == "urban").sum()),
        "rural": int((setting == "rural").sum()),
        "kinds": dict(Counter(kinds.tolist())),
        "time_zones": dict(Counter(tz.tolist()).most_common()),
    }
    report["defaults"] = {
        "voters": {"rule": voters_rule, "rows": int(voters_missing.sum())},
        "setting": {"rule": setting_rule, "rows": int(setting_missing.sum())},
        "kind": {"rule": "regular", "rows": int(kind_missing.sum())},
        "tz": {"rule": "from coordinates (timezonefinder, offline)", "rows": int(tz_missing.sum())},
        "commission_positions": {
            "rule": "medoid of the commission's located stations (approximate)",
            "rows": int(sum(approximate.values())),
        },
    }
    report["unlocated"] = {
        "count": len(unlocated_rows),
        "rule": "placed at their commission's seat (else district, region); kept out of "
        "routes unless rules.route_unlocated_stations = true",
        "stations": unlocated_rows,
    }
    return InitResult(mission, extras, areas_table, report)


def suggest_targets(sto_teams: int, commissions: int, cfg: InitSettings) -> Targets:
    """The default mission's coverage per STO team, scaled to this mission's teams."""
    return Targets(
        opening=round(cfg.opening_per_team * sto_teams),
        voting=round(cfg.voting_per_team * sto_teams),
        counting=round(cfg.counting_per_team * sto_teams),
        tabulation=min(commissions, round(cfg.tabulation_per_team * sto_teams)),
    )
