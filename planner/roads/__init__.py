"""Road travel times from OpenStreetMap on the OSRM engine.

build_roads(extract, out)            -> RoadsInfo      (`planner roads build`)
read_roads(roads_dir)                -> RoadsInfo      (metadata: extract date, bbox...)
RoadTravel(roads_dir, calibration)   a TravelModel: calibrated road durations
close_roads(roads_dir, closures, out) -> ClosureResult (a variant with roads closed)
route_line(roads_dir, places, ...)   -> RouteLine      (road polyline for drawing)
"""

from planner.roads.build import build_roads
from planner.roads.closures import ClosedRoad, ClosureResult, close_roads, closures_digest
from planner.roads.dataset import ClosureRecord, RoadsError, RoadsInfo, read_roads
from planner.roads.geometry import RouteLine, route_line
from planner.roads.travel import RoadCalibration, RoadReport, RoadTable, RoadTravel, Snap

__all__ = [
    "ClosedRoad",
    "ClosureRecord",
    "ClosureResult",
    "RoadCalibration",
    "RoadReport",
    "RoadTable",
    "RoadTravel",
    "RoadsError",
    "RoadsInfo",
    "RouteLine",
    "Snap",
    "build_roads",
    "close_roads",
    "closures_digest",
    "read_roads",
    "route_line",
]
