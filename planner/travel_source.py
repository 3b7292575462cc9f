"""Where a plan's travel times come from, and what the plan says about it.

A plan's travel is one `TravelModel`: the straight-line model (`GreatCircleTravel`), road
times from OpenStreetMap (`planner.roads.RoadTravel`) or a user matrix. This module turns
what the user chose into that model and back:

- `[travel]` in `mission.toml` (`TravelSettings`): `roads = "DIR"` (a roads directory
  built by `planner roads build`, relative to the package; in the app, the name of a
  roads directory on the server) and the road calibration factors;
- `mission_travel(...)`: the model for a mission package (`planner plan`, `--roads`
  overrides the directory), checked: the directory exists, was built by `planner roads
  build` and covers the mission's stations;
- `describe_travel(model)`: what `plan.json`, the stored plan version, the PDF and the
  app say about it (`travel_label` for people); `travel_from_description(...)` makes
  the same model again, so `planner check` and the route lines use what the plan used;
- `road_report(...)`: snapping distances, stations far from any road and the pairs that
  fell back to the straight line, for `plan.json`;
- `closed_travel(...)`: road times with reported road closures applied, cached by the
  closures' digest.

The model stays a small picklable value (a path and numbers), so worker processes open
their own road engine.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.errors import MissionDataError, Problem
from planner.model import Mission, Rules, Setting, StationKind
from planner.travel import GreatCircleTravel, MatrixTravel, Place, TravelModel

if TYPE_CHECKING:
    from planner.roads import ClosedRoad, RoadsInfo, RoadTravel

STRAIGHT_LINE = "straight_line"
ROADS = "roads"
MATRIX = "matrix"
# Calibration keys `[travel]` accepts: `RoadCalibration`'s fields except parking, which
# is the mission's `rules.parking_min` for both models.
NOT_IN_TRAVEL = frozenset({"parking_min"})
# How many far places and no-path pairs plan.json lists by name (all are counted).
LISTED = 50


@dataclass(frozen=True)
class TravelSettings:
    """`[travel]` in mission.toml. `roads`: the roads directory as written (None: the
    straight-line model); `calibration`: the road calibration factors given, by name
    (the others keep `RoadCalibration`'s defaults)."""

    roads: str | None = None
    calibration: tuple[tuple[str, float], ...] = ()

    @property
    def factors(self) -> dict[str, float]:
        return dict(self.calibration)

    def to_toml(self) -> dict[str, Any]:
        """The `[travel]` table (empty for the defaults)."""
        table: dict[str, Any] = {} if self.roads is None else {"roads": self.roads}
        return table | self.factors


def calibration_fields() -> dict[str, float]:
    """Name -> default of every calibration factor `[travel]` accepts."""
    from planner.roads.travel import RoadCalibration

    defaults = RoadCalibration()
    return {
        f.name: getattr(defaults, f.name)
        for f in dataclasses.fields(RoadCalibration)
        if f.name not in NOT_IN_TRAVEL
    }


def parse_travel(raw: Any, *, file: str, problems: list[Problem]) -> TravelSettings:
    """`[travel]` from mission.toml; every bad key is added to `problems` (field
    `travel.KEY`), and the defaults stand in for it."""
    if raw is None or raw == {}:
        return TravelSettings()
    if not isinstance(raw, Mapping):
        problems.append(Problem(file, None, "travel", "must be a table ([travel])"))
        return TravelSettings()
    roads: str | None = None
    if "roads" in raw:
        value = raw["roads"]
        if not isinstance(value, str) or not value.strip():
            problems.append(
                Problem(file, None, "travel.roads", "expected the path of a roads directory")
            )
        else:
            roads = value.strip()
    known = calibration_fields()
    factors: dict[str, float] = {}
    for key, value in raw.items():
        if key == "roads":
            continue
        if key not in known:
            problems.append(
                Problem(file, None, f"travel.{key}", f"unknown setting; known: {['roads', *known]}")
            )
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(Problem(file, None, f"travel.{key}", "expected a number"))
            continue
        factors[key] = float(value)
    from planner.roads.travel import RoadCalibration

    try:
        RoadCalibration(**factors)  # type: ignore[arg-type]
    except ValueError as exc:
        problems.append(Problem(file, None, "travel", str(exc)))
        factors = {}
    return TravelSettings(roads, tuple(sorted(factors.items())))


# --- the model for a mission ---------------------------------------------------------------


def road_travel(roads_dir: Path | str, rules: Rules, settings: TravelSettings) -> RoadTravel:
    """Road times from `roads_dir` with the settings' calibration and the mission's
    parking minutes and straight-line fallback."""
    from planner.roads import RoadTravel

    return RoadTravel.from_rules(Path(roads_dir), rules, **settings.factors)


def roads_path(settings: TravelSettings, package: Path) -> Path | None:
    """The roads directory `[travel] roads` names, relative to the mission package."""
    if settings.roads is None:
        return None
    path = Path(settings.roads).expanduser()
    folder = package if package.is_dir() else package.parent
    return path if path.is_absolute() else folder / path


def mission_travel(
    mission: Mission,
    settings: TravelSettings,
    *,
    package: Path | None = None,
    roads: Path | None = None,
    file: str = "mission.toml",
) -> tuple[TravelModel, list[Problem]]:
    """The travel model of a mission and the warnings about it: road times when
    `roads` (a command-line override) or `[travel] roads` names a roads directory, else
    the straight-line model. A directory that does not exist, was not built by `planner
    roads build`, or holds none of the mission's stations is an error (`MissionDataError`
    naming `file` and `travel.roads`); stations outside the extract are a warning."""
    where = "--roads" if roads is not None else "travel.roads"
    directory = roads if roads is not None else roads_path(settings, package or Path("."))
    if directory is None:
        return GreatCircleTravel.from_rules(mission.rules), []
    directory = directory.resolve()
    from planner.roads import RoadsError, read_roads

    source = "the command line" if roads is not None else file
    try:
        info = read_roads(directory)
    except RoadsError as exc:
        raise MissionDataError([Problem(source, None, where, str(exc))]) from None
    if info.closures:
        raise MissionDataError(
            [
                Problem(
                    source,
                    None,
                    where,
                    f"{directory} is a copy with closed roads; plan on the roads directory "
                    f"it was made from ({info.closed_from})",
                )
            ]
        )
    warnings = coverage_warnings(mission, info, source=source, field=where)
    return road_travel(directory, mission.rules, settings), warnings


def planned_stations(mission: Mission) -> list[Place]:
    """The in-country stations of areas that have teams to plan (the stations a plan may
    visit), as places."""
    areas = {t.area_id for t in mission.sto_teams if t.area_id is not None}
    return [
        Place(s.station_id, s.lon, s.lat, s.setting is Setting.URBAN)
        for s in mission.stations
        if s.kind is not StationKind.ABROAD and mission.area_of_station(s) in areas
    ] or [
        Place(s.station_id, s.lon, s.lat, s.setting is Setting.URBAN)
        for s in mission.stations
        if s.kind is not StationKind.ABROAD
    ]


def inside(info: RoadsInfo, place: Place, *, margin_deg: float = 0.0) -> bool:
    lon0, lat0, lon1, lat1 = info.bbox
    return (
        lon0 - margin_deg <= place.lon <= lon1 + margin_deg
        and lat0 - margin_deg <= place.lat <= lat1 + margin_deg
    )


def coverage_warnings(
    mission: Mission, info: RoadsInfo, *, source: str, field: str
) -> list[Problem]:
    """Stations outside the extract's bounding box (their legs use the straight-line
    model); an error when the extract holds none of them."""
    stations = planned_stations(mission)
    outside = [p for p in stations if not inside(info, p)]
    lon0, lat0, lon1, lat1 = info.bbox
    extent = f"{lon0:.3f}–{lon1:.3f} E, {lat0:.3f}–{lat1:.3f} N"
    if stations and len(outside) == len(stations):
        raise MissionDataError(
            [
                Problem(
                    source,
                    None,
                    field,
                    f"the road data ({info.source_file}, {extent}) covers none of the "
                    f"mission's {len(stations)} stations; use an extract of this country",
                )
            ]
        )
    if not outside:
        return []
    examples = ", ".join(p.key for p in outside[:5])
    return [
        Problem(
            source,
            None,
            field,
            f"{len(outside)} of {len(stations)} stations lie outside the road data "
            f"({info.source_file}, {extent}), e.g. {examples}: their legs use the "
            "straight-line model",
        )
    ]


# --- what a plan says about its travel -----------------------------------------------------


def describe_travel(travel: TravelModel) -> dict[str, Any]:
    """What a plan records about its travel model (JSON), enough to make it again."""
    if isinstance(travel, GreatCircleTravel):
        return {"source": STRAIGHT_LINE, **dataclasses.asdict(travel)}
    if isinstance(travel, MatrixTravel):
        return {"source": MATRIX, "places": len(travel.keys), "night_factor": travel.night_factor}
    from planner.roads import RoadTravel

    if isinstance(travel, RoadTravel):
        info = travel.info
        return {
            "source": ROADS,
            "roads_dir": str(info.directory),
            "extract": info.source_file,
            "extract_sha256": info.source_sha256,
            "osm_timestamp": info.osm_timestamp,
            "osm_date": info.osm_date,
            "bbox": list(info.bbox),
            "profile": info.profile,
            "osrm_version": info.osrm_version,
            "calibration": travel.calibration.to_json(),
            "fallback": {"source": STRAIGHT_LINE, **dataclasses.asdict(travel.fallback)},
            "closures": [
                {"points": [list(p) for p in c.points], "note": c.note, "ref": c.ref}
                for c in info.closures
            ],
            "closed_from": info.closed_from,
        }
    return {"source": type(travel).__name__}


def travel_from_description(
    described: Any, rules: Rules, *, roads: Path | None = None
) -> TravelModel:
    """The travel model a plan recorded (`describe_travel`); `roads` replaces its roads
    directory (a copy elsewhere, or road data for a plan made on straight lines). A plan
    that recorded nothing was made on the straight-line model with the mission's rules.
    A recorded roads directory that is gone is a `RoadsError` saying to pass `--roads`."""
    from planner.roads import RoadCalibration, RoadsError, RoadTravel

    described = _record(described)
    source = described.get("source", STRAIGHT_LINE)
    if roads is not None:
        calibration = described.get("calibration") or {}
        if source == ROADS and calibration:
            return RoadTravel(
                Path(roads),
                calibration=RoadCalibration(**calibration),
                fallback=_straight(described.get("fallback"), rules),
            )
        return RoadTravel.from_rules(Path(roads), rules)
    if source == STRAIGHT_LINE:
        return _straight(described, rules)
    if source == ROADS:
        directory = Path(str(described.get("roads_dir", "")))
        if not (directory / "roads.json").is_file():
            raise RoadsError(
                f"the plan was made on the road data in {directory}, which is not here; "
                "give the roads directory with --roads"
            )
        return RoadTravel(
            directory,
            calibration=RoadCalibration(**(described.get("calibration") or {})),
            fallback=_straight(described.get("fallback"), rules),
        )
    raise ValueError(
        f"the plan's travel times came from a {source} source that cannot be read again; "
        "give road data with --roads to check it on roads"
    )


def _straight(described: Mapping[str, Any] | None, rules: Rules) -> GreatCircleTravel:
    fields = {f.name for f in dataclasses.fields(GreatCircleTravel)}
    given = {k: v for k, v in (described or {}).items() if k in fields}
    return GreatCircleTravel(**given) if given else GreatCircleTravel.from_rules(rules)


def _record(described: Any) -> dict[str, Any]:
    """A recorded travel source as a dict (plans made before sources were recorded say
    only the model's class name)."""
    if isinstance(described, Mapping):
        return dict(described)
    if described == "GreatCircleTravel":
        return {"source": STRAIGHT_LINE}
    return {"source": str(described)} if described else {}


def travel_label(described: Any) -> str:
    """One line for people: which travel source a plan used."""
    described = _record(described)
    source = described.get("source", STRAIGHT_LINE)
    if source == STRAIGHT_LINE and "detour_factor" not in described:
        return "Straight line (great circle × detour at the mission's speeds)"
    if source == STRAIGHT_LINE:
        return (
            f"Straight line × {described.get('detour_factor', 1.3):g} at "
            f"{described.get('urban_speed_kmh', 25.0):g} km/h in towns, "
            f"{described.get('rural_day_speed_kmh', 60.0):g} km/h "
            f"({described.get('rural_night_speed_kmh', 45.0):g} at night) elsewhere, "
            f"+{described.get('parking_min', 5)} min parking"
        )
    if source == ROADS:
        cal = described.get("calibration") or {}
        closures = described.get("closures") or []
        closed = f"; {len(closures)} road(s) closed by field reports" if closures else ""
        return (
            f"Roads: OpenStreetMap {described.get('extract', '?')} "
            f"(OSM data of {described.get('osm_date') or 'unknown date'}), OSRM "
            f"{described.get('osrm_version', '?')} {described.get('profile', 'car')} times × "
            f"urban {cal.get('urban_factor', '?')}, rural {cal.get('rural_factor', '?')}, "
            f"night {cal.get('night_factor', '?')}, winter {cal.get('winter_factor', '?')}"
            f"{closed}"
        )
    if source == MATRIX:
        return f"User travel matrix ({described.get('places', '?')} places)"
    return str(source)


def is_roads(described: Any) -> bool:
    return _record(described).get("source") == ROADS


# --- the road report --------------------------------------------------------------------


def area_places(mission: Mission) -> dict[str, list[Place]]:
    """Per area with teams, the places a plan may drive to: its stations, TECs and the
    team bases (as the sampler and router make them)."""
    out: dict[str, list[Place]] = {}
    for area in mission.areas:
        teams = [
            t
            for t in mission.sto_teams
            if t.area_id == area.area_id and t.lon is not None and t.lat is not None
        ]
        if not teams:
            continue
        stations = [s for s in mission.stations if mission.area_of_station(s) == area.area_id]
        tecs = {s.tec_id for s in stations}
        places = [Place(s.station_id, s.lon, s.lat, s.setting is Setting.URBAN) for s in stations]
        places += [
            Place(c.tec_id, c.lon, c.lat, True) for c in mission.commissions if c.tec_id in tecs
        ]
        places += [Place(t.team_id, float(t.lon), float(t.lat), True) for t in teams]  # type: ignore[arg-type]
        out[area.area_id] = places
    return out


def road_report(travel: TravelModel, mission: Mission) -> dict[str, Any] | None:
    """For road times: how far each area's places are from the roads, which are too far
    (their legs use the straight-line model), and the pairs without a road path. None
    for any other travel model.

    Places well outside the extract (beyond its bounding box by more than the snapping
    limit) are counted without asking the engine: they cannot be near a road of it."""
    if isinstance(travel, GreatCircleTravel | MatrixTravel):
        return None  # without loading the road engine
    from planner.roads import RoadReport, RoadTravel

    if not isinstance(travel, RoadTravel):
        return None
    info = travel.info
    cal = travel.calibration
    # Degrees that surely hold max_snap_m in both directions (a degree of longitude is
    # over 55 km up to 60° of latitude).
    margin = 2 * cal.max_snap_m / 111_000
    merged = RoadReport(max_snap_m=cal.max_snap_m)
    areas: dict[str, dict[str, int]] = {}
    outside_total = 0
    for area_id, places in area_places(mission).items():
        near = [p for p in places if inside(info, p, margin_deg=margin)]
        outside = len(places) - len(near)
        outside_total += outside
        report = travel.report(near) if near else RoadReport(max_snap_m=cal.max_snap_m)
        fallback = report.fallback_pairs + outside * (len(places) - 1) + outside * len(near)
        areas[area_id] = {
            "places": len(places),
            "outside_extract": outside,
            "far_from_road": len(report.far_places),
            "no_path_pairs": len(report.no_path),
            "fallback_pairs": fallback,
        }
        merged = merged.merged(report)
    distances = sorted(s.distance_m for s in merged.snaps)

    def percentile(q: float) -> float | None:
        if not distances:
            return None
        return round(distances[min(len(distances) - 1, math.floor(q * len(distances)))], 1)

    far = [s for s in merged.snaps if s.far]
    return {
        "max_snap_m": cal.max_snap_m,
        "places_on_extract": len(merged.snaps),
        "places_outside_extract": outside_total,
        "snap_m": {
            "p50": percentile(0.5),
            "p90": percentile(0.9),
            "max": round(distances[-1], 1) if distances else None,
        },
        "far_from_road": len(far),
        "far_places": [{"key": s.key, "snap_m": round(s.distance_m, 1)} for s in far[:LISTED]],
        "no_path_pairs": len(merged.no_path),
        "no_path_examples": [list(p) for p in merged.no_path[:LISTED]],
        "fallback_pairs": sum(a["fallback_pairs"] for a in areas.values()),
        "areas": areas,
    }


def plan_travel_record(travel: TravelModel, mission: Mission) -> dict[str, Any]:
    """What a plan stores about its travel: the description, and for road times the
    road report."""
    record = describe_travel(travel)
    report = road_report(travel, mission)
    if report is not None:
        record["report"] = report
    return record


# --- closed roads --------------------------------------------------------------------------


def closed_roads_dir(base: RoadsInfo, closures: Sequence[ClosedRoad], cache: Path) -> Path:
    """The directory of `base` with `closures` applied: made once per set of closures
    (named by `closures_digest`) under `cache`, then reused."""
    from planner.roads import RoadsError, close_roads, closures_digest, read_roads

    name = f"{Path(base.directory).name}-{base.source_sha256[:8]}-{closures_digest(closures)}"
    out = Path(cache) / name
    try:
        found = read_roads(out)
    except RoadsError:
        found = None
    if found is not None and found.closed_from == str(base.directory):
        return out
    Path(cache).mkdir(parents=True, exist_ok=True, mode=0o700)
    close_roads(base.directory, closures, out)
    return out


def closed_travel(travel: TravelModel, closures: Sequence[ClosedRoad], cache: Path) -> TravelModel:
    """`travel` with the closed roads undrivable (road times only; the straight-line
    model knows no roads, so it is returned as it is)."""
    from planner.roads import RoadTravel

    if not closures or not isinstance(travel, RoadTravel):
        return travel
    directory = closed_roads_dir(travel.info, closures, cache)
    return dataclasses.replace(travel, roads_dir=directory)


def closed_road(points: Iterable[Sequence[float]], *, note: str = "", ref: str = "") -> ClosedRoad:
    """A closure from (lon, lat) points, as a field report stores them."""
    from planner.roads import ClosedRoad

    return ClosedRoad(tuple((float(p[0]), float(p[1])) for p in points), note=note, ref=ref)


def package_travel(package: Path) -> tuple[TravelSettings, str]:
    """`[travel]` of a mission package's mission.toml, and that file's name."""
    from planner.geodata.package import package_paths
    from planner.settings import read_settings

    _, toml = package_paths(package)
    if not toml.is_file():
        return TravelSettings(), str(toml)
    return read_settings(toml).travel, str(toml)


def package_mission_travel(
    mission: Mission, package: Path, *, roads: Path | None = None
) -> tuple[TravelModel, list[Problem]]:
    """`mission_travel` for a mission package on disk (`planner plan`)."""
    settings, toml = package_travel(package)
    return mission_travel(mission, settings, package=package, roads=roads, file=toml)
