"""From a station list to a `Mission`, with every inference recorded for the report.

Plain steps over whole columns: read the lists, recognise the columns, order the
hierarchy into regions, districts and commissions, locate the stations, fill what is
missing with the documented defaults (flagged), then make areas, teams and targets.
Nothing here writes files; `planner.init.package` does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner.errors import MissionDataError, Problem
from planner.init import areas as area_maker
from planner.init import hierarchy as hier
from planner.init import shapes
from planner.init.boundaries import (
    BoundaryMatch,
    match_boundaries,
    read_boundaries,
    with_given_shapes,
)
from planner.init.columns import ColumnMapping, parse_overrides, recognise
from planner.init.estimate import (
    InitSettings,
    estimate_kind,
    estimate_setting,
    estimate_tz,
    estimate_voters,
)
from planner.init.locate import Located, group_centres, locate, place_unlocated
from planner.init.regroup import with_teams
from planner.init.sources import StationTable, read_stations
from planner.init.units import Units, administrative_units, describe, most_common
from planner.model import (
    ESTIMATED_FIELDS,
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
    TeamKind,
)


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
    boundaries: Path | None = None
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


def _station_ids(
    table: StationTable, mapping: ColumnMapping, district_of: np.ndarray
) -> tuple[np.ndarray, str]:
    """Unique station ids: the id column, else the number (within the district if needed)."""
    frame = table.frame
    n = len(frame)
    for role in ("station_id", "number"):
        column = mapping.roles.get(role)
        if column is None:
            continue
        values = frame[column].to_numpy(dtype=object)
        if (values != "").all() and len(pd.unique(values)) == n:
            return values, f"column '{column}'"
        if role == "number":
            keyed = pd.Series(district_of).astype(str) + "-" + frame[column]
            if (values != "").all() and keyed.nunique() == n:
                return keyed.to_numpy(dtype=object), f"district id + column '{column}'"
    column = mapping.roles.get("station_id")
    if column is not None:
        values = frame[column].to_numpy(dtype=object)
        problems = []
        first: dict[str, int] = {}
        for i, value in enumerate(values):
            file, row = table.where(i)
            if value == "":
                problems.append(Problem(file, row, column, f"missing station id ('{column}')"))
            elif value in first:
                other = table.where(first[value])[1]
                problems.append(
                    Problem(file, row, column, f"duplicate station id '{value}': also row {other}")
                )
            else:
                first[value] = i
        raise MissionDataError(problems)
    return np.array([f"S{i + 1:06d}" for i in range(n)], dtype=object), "row order (no id column)"


def _name_index(commission_names: dict[str, str]) -> dict[str, str]:
    """Every unambiguous way to name a commission -> its id: its id, its full path
    ("Province / District / Ward") and each shorter tail of it ("District / Ward", "Ward")
    that no other commission shares. Case ignored."""
    index: dict[str, str] = {}
    shared: set[str] = set()
    for tec, full in commission_names.items():
        parts = [p.strip() for p in full.split(" / ")]
        for k in range(len(parts)):
            key = " / ".join(parts[k:]).casefold()
            if key in index and index[key] != tec:
                shared.add(key)
            index.setdefault(key, tec)
    index = {k: v for k, v in index.items() if k not in shared}
    index.update({tec.casefold(): tec for tec in commission_names})
    return index


def _read_commission_positions(
    path: Path, commission_names: dict[str, str]
) -> tuple[dict[str, tuple[float, float]], dict[str, object]]:
    """Seats from a commissions file, matched to the list's commissions by their hierarchy
    path (the file's own hierarchy columns), id or name; ambiguous names are not matched."""
    table = read_stations([path])
    frame = table.frame
    mapping = recognise(frame, has_geometry=table.has_geometry)
    where = locate(table, mapping, None)
    index = _name_index(commission_names)
    # One commission per row here, so the levels are ordered by their headers and sizes
    # only (every full path is unique, which would make `hier.infer` drop the last level).
    levels = sorted(mapping.hierarchy, key=lambda c: (mapping.ranks.get(c, 99), frame[c].nunique()))
    paths = frame[levels].agg(" / ".join, axis=1) if levels else pd.Series([""] * len(frame))
    columns = [mapping.roles.get(r) for r in ("commission", "station_id", "number", "name")]
    positions: dict[str, tuple[float, float]] = {}
    unmatched = 0
    for i in np.flatnonzero(where.located):
        keys: list[str] = [str(paths.iat[int(i)])]
        keys += [str(frame[c].iat[int(i)]) for c in columns if c]
        if levels and mapping.roles.get("name"):
            keys.append(f"{paths.iat[int(i)]} / {frame[mapping.roles['name']].iat[int(i)]}")
        match = next((index[k.casefold()] for k in keys if k and k.casefold() in index), None)
        if match is None:
            unmatched += 1
            continue
        positions[match] = (float(where.lon[i]), float(where.lat[i]))
    info = {"file": str(path), "matched": len(positions), "unmatched_rows": unmatched}
    return positions, info


def _areas_from_table(
    path: Path, district_ids: list[str], district_names: dict[str, str]
) -> dict[str, str]:
    from planner.tabular import read_table

    frame = read_table(path).frame
    if "area_id" not in frame.columns:
        raise MissionDataError(
            [Problem(str(path), None, "area_id", "missing column area_id (district -> area)")]
        )
    by_name = {v.casefold(): k for k, v in district_names.items()}
    assigned: dict[str, str] = {}
    problems = []
    for label, rec in frame.iterrows():
        row = int(cast(int, label))
        key = rec.get("district_id", "")
        if key not in district_names:
            key = by_name.get(str(rec.get("district", "")).casefold(), "")
        if not key:
            problems.append(Problem(str(path), row, "district_id", "unknown district"))
            continue
        if not rec["area_id"]:
            problems.append(Problem(str(path), row, "area_id", "missing area_id"))
            continue
        assigned[key] = rec["area_id"]
    missing = [d for d in district_ids if d not in assigned]
    for d in missing[:20]:
        problems.append(Problem(str(path), None, "district_id", f"district '{d}' has no area"))
    if problems:
        raise MissionDataError(problems)
    return assigned


def _column(frame: pd.DataFrame, mapping: ColumnMapping, role: str) -> pd.Series | None:
    column = mapping.roles.get(role)
    return frame[column] if column is not None else None


def _commission_seats(
    units: Units, where: Located, options: InitOptions, report: dict[str, object]
) -> tuple[dict[str, tuple[float, float]], dict[str, bool]]:
    """Each commission's seat: from `--commissions`, else its stations' medoid (approximate)."""
    cfg = options.settings
    seats = group_centres(
        units.commission_of, where.lon, where.lat, where.located, cfg.medoid_sample
    )
    approximate = dict.fromkeys(units.commission_name, True)
    if options.commissions is not None:
        given, info = _read_commission_positions(options.commissions, units.commission_name)
        for tec, pos in given.items():
            seats[tec] = pos
            approximate[tec] = False
        report["commission_positions_file"] = info
    return seats, approximate


def _stations(
    table: StationTable,
    mapping: ColumnMapping,
    units: Units,
    station_ids: np.ndarray,
    fields: dict[str, np.ndarray],
    estimated: list[tuple[str, ...]],
) -> tuple[Station, ...]:
    frame = table.frame
    n = len(frame)
    text = {
        role: frame[mapping.roles[role]].to_numpy(dtype=object)
        if role in mapping.roles
        else np.full(n, "", dtype=object)
        for role in ("number", "name", "address")
    }
    number = text["number"] if "number" in mapping.roles else station_ids
    kind_of = {k.value: k for k in StationKind}
    kinds, voters, setting, tz = fields["kind"], fields["voters"], fields["setting"], fields["tz"]
    lon, lat, unlocated = fields["lon"], fields["lat"], fields["unlocated"]
    return tuple(
        Station(
            station_id=str(station_ids[i]),
            number=str(number[i]),
            name=str(text["name"][i]),
            address=str(text["address"][i]),
            region=str(units.region_of[i]) if kinds[i] != "abroad" else "ABROAD",
            district=str(units.district_of[i]),
            tec_id=str(units.commission_of[i]),
            voters=int(voters[i]),
            kind=kind_of[str(kinds[i])],
            setting=Setting(str(setting[i])),
            tz=str(tz[i]),
            lon=float(lon[i]),
            lat=float(lat[i]),
            unlocated=bool(unlocated[i]),
            estimated=estimated[i],
        )
        for i in range(n)
    )


def _commissions(
    units: Units,
    seats: dict[str, tuple[float, float]],
    approximate: dict[str, bool],
    tz: np.ndarray,
) -> tuple[Commission, ...]:
    tz_of = most_common(units.commission_of, tz)
    region_of = units.commission_region
    return tuple(
        Commission(
            tec_id=tec,
            name=units.commission_name[tec],
            level=CommissionLevel.DISTRICT,
            parent_id=None,
            region=region_of[tec],
            tz=str(tz_of[tec]),
            lon=seats[tec][0],
            lat=seats[tec][1],
            district=units.commission_district[tec],
            approximate=approximate[tec],
        )
        for tec in sorted(units.commission_name)
    )


def _regions_and_districts(
    units: Units,
    commissions: tuple[Commission, ...],
    tz: np.ndarray,
    outline,
    given: BoundaryMatch | None,
) -> tuple[tuple[Region, ...], tuple[District, ...], dict[str, BaseGeometry]]:
    cells = shapes.voronoi_cells({c.tec_id: (c.lon, c.lat) for c in commissions}, outline)
    district_shapes = shapes.union_by(cells, units.commission_district)
    region_shapes = shapes.union_by(district_shapes, units.district_region)
    if given is not None:
        region_shapes, district_shapes = with_given_shapes(
            given, region_shapes, district_shapes, units.district_region
        )
    tz_of = most_common(units.region_of, tz)
    regions = tuple(
        Region(r, units.region_name[r], tz=str(tz_of[r]), geometry=region_shapes.get(r))
        for r in sorted(units.region_name)
    )
    districts = tuple(
        District(
            d, units.district_region[d], units.district_name[d], geometry=district_shapes.get(d)
        )
        for d in sorted(units.district_name)
    )
    return regions, districts, district_shapes


def _areas(
    units: Units,
    commissions: tuple[Commission, ...],
    voters: np.ndarray,
    district_shapes: dict[str, BaseGeometry],
    district_centres: dict[str, tuple[float, float]],
    options: InitOptions,
    k: int,
) -> tuple[tuple[Area, ...], pd.DataFrame, dict[str, object]]:
    """Areas of whole districts: from `--areas-from`, else a balanced contiguous partition."""
    districts = sorted(units.district_name)
    index = {d: i for i, d in enumerate(districts)}
    row_unit = np.array([index[d] for d in units.district_of])
    d_voters = np.bincount(row_unit, weights=voters, minlength=len(districts))
    d_stations = np.bincount(row_unit, minlength=len(districts))
    tec_unit = np.array([index[units.commission_district[c.tec_id]] for c in commissions])
    tec_lon = np.array([c.lon for c in commissions])
    tec_lat = np.array([c.lat for c in commissions])
    links = area_maker.unit_links(tec_unit, tec_lon, tec_lat, len(districts))
    if options.areas_from is not None:
        assigned = _areas_from_table(options.areas_from, districts, units.district_name)
        area_ids = sorted(set(assigned.values()))
        labels = np.array([area_ids.index(assigned[d]) for d in districts])
        balance = area_maker.balance(labels, d_voters.tolist(), links)
    else:
        middle = (float(np.median(tec_lon)), float(np.median(tec_lat)))
        centres = np.array([district_centres.get(d, middle) for d in districts], dtype=float)
        labels, balance = area_maker.partition(d_voters, centres, links, k)
        area_ids = [f"AOR-{a + 1:02d}" for a in range(int(labels.max()) + 1)]
    area_of = {d: area_ids[labels[i]] for i, d in enumerate(districts)}
    areas = []
    for a in area_ids:
        members = tuple(d for d in districts if area_of[d] == a)
        shape = shapely.union_all([district_shapes[d] for d in members if d in district_shapes])
        biggest = max(members, key=lambda d: d_voters[index[d]])
        areas.append(
            Area(
                a,
                f"{a} {units.district_name[biggest]}",
                (),
                None if shape.is_empty else shape,
                district_ids=members,
            )
        )
    table = pd.DataFrame(
        {
            "district_id": districts,
            "district": [units.district_name[d] for d in districts],
            "region_id": [units.district_region[d] for d in districts],
            "region": [units.region_name[units.district_region[d]] for d in districts],
            "area_id": [area_of[d] for d in districts],
            "stations": d_stations,
            "voters": d_voters.astype(np.int64),
        }
    )
    largest = float(d_voters.max() / balance.mean) if balance.mean else 1.0
    report = {
        "count": len(area_ids),
        "method": f"from {options.areas_from}" if options.areas_from else "balanced tree partition",
        "balance": balance.as_dict(),
        "largest_district_over_mean": round(largest, 3),
    }
    return tuple(areas), table, report


def _estimated_per_row(estimated: dict[str, np.ndarray], n: int) -> list[tuple[str, ...]]:
    """Each row's estimated fields (`Station.estimated`), from one mask per field; rows
    share their tuple when they share the fields."""
    names = [f for f in ESTIMATED_FIELDS if f in estimated]
    if not names:
        return [()] * n
    codes = np.zeros(n, dtype=np.int64)
    for bit, name in enumerate(names):
        codes |= np.asarray(estimated[name], dtype=bool).astype(np.int64) << bit
    tuples = {
        int(code): tuple(name for bit, name in enumerate(names) if int(code) >> bit & 1)
        for code in np.unique(codes)
    }
    return [tuples[code] for code in codes.tolist()]


def _extras(
    table: StationTable,
    mapping: ColumnMapping,
    units: Units,
    station_ids: np.ndarray,
    given: BoundaryMatch | None,
) -> Extras:
    """The labels that ride along in the package's layers (the flags the model carries,
    `estimated`, `unlocated` and `approximate`, are written with it)."""
    extras = Extras()
    for lang, column in mapping.names.items():
        for sid, name in zip(station_ids.tolist(), table.frame[column].tolist(), strict=True):
            extras.station.setdefault(str(sid), {})[f"name_{lang}"] = name
    for tec in units.commission_name:
        extras.commission[tec] = {
            "level_name": units.commission_level,
            "level_rank": units.commission_rank,
        }
    given_regions = given.regions if given is not None else {}
    given_districts = given.districts if given is not None else {}
    for r in units.region_name:
        flag = "" if r in given_regions else "geometry"
        extras.region[r] = {"estimated": flag, "level_name": units.region_level}
    for d in units.district_name:
        flag = "" if d in given_districts else "geometry"
        extras.district[d] = {"estimated": flag, "level_name": units.district_level}
    return extras


def build(options: InitOptions) -> InitResult:
    """Infer a whole mission from station lists (see the module docstring)."""
    cfg = options.settings
    table = read_stations(list(options.stations))
    frame = table.frame
    n = len(frame)
    mapping = recognise(frame, parse_overrides(options.columns), has_geometry=table.has_geometry)
    where = locate(table, mapping, options.crs)
    h = hier.infer(frame, list(mapping.hierarchy), ranks=mapping.ranks)
    mapping.ignored.extend(column for column, _ in h.dropped)
    units = administrative_units(frame, mapping, h, mission_name=options.name, file=table.files[0])
    station_ids, id_source = _station_ids(table, mapping, units.district_of)
    report: dict[str, object] = {
        "inputs": list(table.files),
        "rows": n,
        "columns": mapping.as_dict(),
        "polygons_as_points": table.polygons,
        "coordinates": where.source,
        "hierarchy": describe(units, h, mapping),
        "hierarchy_dropped": [{"column": c, "why": why} for c, why in h.dropped],
        "station_ids": id_source,
    }

    seats, approximate = _commission_seats(units, where, options, report)
    districts_at = group_centres(
        units.district_of, where.lon, where.lat, where.located, cfg.medoid_sample
    )
    regions_at = group_centres(
        units.region_of, where.lon, where.lat, where.located, cfg.medoid_sample
    )
    lon, lat, placed_at = place_unlocated(
        where,
        [
            ("commission", units.commission_of, seats),
            ("district", units.district_of, districts_at),
            ("region", units.region_of, regions_at),
        ],
    )
    for tec, district in units.commission_district.items():
        if tec not in seats:  # every station of the commission unlocated
            seats[tec] = districts_at.get(district) or regions_at.get(
                units.district_region[district], (float(np.median(lon)), float(np.median(lat)))
            )

    voters = estimate_voters(
        _column(frame, mapping, "voters"),
        n,
        default=options.voters_default,
        total=options.voters_total,
        cfg=cfg,
    )
    setting = estimate_setting(
        _column(frame, mapping, "setting"),
        _column(frame, mapping, "settlement"),
        lon,
        lat,
        where.located,
        cfg,
    )
    kind = estimate_kind(_column(frame, mapping, "kind"), n)
    tz = estimate_tz(_column(frame, mapping, "tz"), lon, lat, units.district_of)
    estimated = {
        "voters": voters.missing,
        "setting": setting.missing,
        "kind": kind.missing,
        "tz": tz.missing,
        "position": ~where.located,
    }
    fields = {
        "voters": voters.values,
        "setting": setting.values,
        "kind": kind.values,
        "tz": tz.values,
        "lon": lon,
        "lat": lat,
        "unlocated": ~where.located,
    }
    stations = _stations(
        table, mapping, units, station_ids, fields, _estimated_per_row(estimated, n)
    )
    commissions = _commissions(units, seats, approximate, tz.values)

    outline, outline_source = shapes.outline(
        options.country, where.lon[where.located], where.lat[where.located], cfg.outline_margin_km
    )
    given = None
    if options.boundaries is not None:
        polygons = read_boundaries(options.boundaries)
        given = match_boundaries(
            polygons, str(options.boundaries), units, where.lon, where.lat, where.located
        )
        if not options.country:
            outline = shapely.union_all(polygons.geometry.to_numpy())
            outline_source = f"the union of the given boundaries ({options.boundaries})"
    regions, districts, district_shapes = _regions_and_districts(
        units, commissions, tz.values, outline, given
    )
    sto_count = options.teams or max(2, round(n / cfg.stations_per_team))
    k = options.areas or max(1, int(np.ceil(sto_count / cfg.teams_per_area)))
    areas, areas_table, areas_report = _areas(
        units, commissions, voters.values, district_shapes, districts_at, options, k
    )
    mission = Mission(
        name=options.name,
        country=options.country or "",
        regions=regions,
        districts=districts,
        commissions=commissions,
        stations=stations,
        areas=areas,
        teams=(),
        rules=Rules(
            election_date=options.election_date,
            polls_open=options.polls_open,
            polls_close=options.polls_close,
        ),
        targets=suggest_targets(sto_count, len(commissions), cfg),
        seed=options.seed,
        outline=outline,
    )
    mission = with_teams(mission, sto_count)
    extras = _extras(table, mapping, units, station_ids, given)
    report.update(
        _report(
            options,
            mission,
            units,
            where,
            placed_at,
            station_ids,
            table,
            {"voters": voters, "setting": setting, "kind": kind, "tz": tz},
            approximate,
            areas_report,
            outline_source,
            sto_count,
            given,
        )
    )
    return InitResult(mission, extras, areas_table, report)


def _report(
    options: InitOptions,
    mission: Mission,
    units: Units,
    where: Located,
    placed_at: np.ndarray,
    station_ids: np.ndarray,
    table: StationTable,
    estimates: dict,
    approximate: dict[str, bool],
    areas_report: dict[str, object],
    outline_source: str,
    sto_count: int,
    given: BoundaryMatch | None,
) -> dict[str, object]:
    cfg = options.settings
    stations = mission.stations
    t = mission.targets
    unlocated = [
        {
            "station_id": str(station_ids[i]),
            "file": table.where(int(i))[0],
            "row": table.where(int(i))[1],
            "why": str(where.reason[i]),
            "placed_at": str(placed_at[i]),
        }
        for i in np.flatnonzero(~where.located)
    ]
    return {
        "counts": {
            "stations": len(stations),
            "regions": len(mission.regions),
            "districts": len(mission.districts),
            "commissions": len(mission.commissions),
            "voters": mission.total_voters,
            "urban": sum(s.setting is Setting.URBAN for s in stations),
            "rural": sum(s.setting is Setting.RURAL for s in stations),
            "kinds": dict(Counter(s.kind.value for s in stations)),
            "time_zones": dict(Counter(s.tz for s in stations).most_common()),
        },
        "defaults": {
            **{
                name: {"rule": e.rule, "rows": int(e.missing.sum())}
                for name, e in estimates.items()
            },
            "commission_positions": {
                "rule": "medoid of the commission's located stations (approximate)",
                "rows": int(sum(approximate.values())),
            },
        },
        "outline": outline_source,
        "boundaries": (
            given.describe()
            if given is not None
            else "derived for display only: Voronoi cells of the commission seats, "
            "dissolved by district and region, clipped to the outline"
        ),
        "boundaries_check": _boundaries_check(given, station_ids, table),
        "unlocated": {
            "count": len(unlocated),
            "rule": "placed at their commission's seat (else district, region); kept out of "
            "routes unless rules.route_unlocated_stations = true",
            "stations": unlocated,
        },
        "areas": areas_report,
        "teams": {
            "sto": sto_count,
            "lto": sum(tm.kind is TeamKind.LTO for tm in mission.teams),
            "sto_rule": "--teams"
            if options.teams
            else f"one per {cfg.stations_per_team:.1f} stations (the default mission's density)",
            "per_area": dict(Counter(tm.area_id for tm in mission.sto_teams)),
            "bases": "the area's commission seats with the most voters (up to 4 towns)",
        },
        "targets": {
            "opening": t.opening,
            "voting": t.voting,
            "counting": t.counting,
            "tabulation": t.tabulation,
            "rule": "the default mission's targets per STO team (127, 1131, 111, 99 per 150 "
            "teams), tabulation at most one per commission",
        },
    }


def _boundaries_check(
    given: BoundaryMatch | None, station_ids: np.ndarray, table: StationTable
) -> dict[str, object]:
    """What did not fit the given boundaries: polygons of no unit, stations outside."""
    if given is None:
        return {}
    return {
        "unmatched_polygons": given.unmatched_polygons,
        "stations_outside": [
            {
                "station_id": str(station_ids[i]),
                "file": table.where(i)[0],
                "row": table.where(i)[1],
            }
            for i in given.outside
        ],
    }


def suggest_targets(sto_teams: int, commissions: int, cfg: InitSettings) -> Targets:
    """The default mission's coverage per STO team, scaled to this mission's teams."""
    return Targets(
        opening=round(cfg.opening_per_team * sto_teams),
        voting=round(cfg.voting_per_team * sto_teams),
        counting=round(cfg.counting_per_team * sto_teams),
        tabulation=min(commissions, round(cfg.tabulation_per_team * sto_teams)),
    )
