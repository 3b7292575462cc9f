"""Facts about an OpenStreetMap extract: its checksum, the date of its data and its extent.

The date comes from the file header's replication timestamp when the producer wrote one
(Geofabrik and most extract services do); otherwise from the newest object in the file,
which takes a pass over the whole file. The extent comes from the header's bounding box,
otherwise from the nodes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import osmium

from planner.roads.dataset import RoadsError

SUFFIXES = (".osm.pbf", ".osm")


@dataclass(frozen=True, slots=True)
class ExtractFacts:
    sha256: str
    size: int
    timestamp: str | None
    timestamp_from: str
    bbox: tuple[float, float, float, float]


def check_extract(path: Path) -> None:
    """A readable `.osm.pbf` (or `.osm` XML) file, or a clear error naming it."""
    if not path.is_file():
        raise RoadsError(f"{path}: no such file")
    if not path.name.lower().endswith(SUFFIXES):
        raise RoadsError(f"{path}: expected an OpenStreetMap extract (.osm.pbf or .osm)")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def extract_facts(path: Path) -> ExtractFacts:
    check_extract(path)
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        try:
            header = reader.header()
            stamp = header.get("osmosis_replication_timestamp")
            box = header.box()
        finally:
            reader.close()
    except RuntimeError as exc:
        raise RoadsError(f"{path}: not a readable OpenStreetMap file: {exc}") from exc
    timestamp = stamp or None
    timestamp_from = "header" if timestamp else "none"
    bbox: tuple[float, float, float, float] | None = None
    if box.valid():
        bbox = (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)
    if timestamp is None or bbox is None:
        newest, scanned = _scan(path)
        if timestamp is None and newest is not None:
            timestamp, timestamp_from = _iso(newest), "newest object"
        bbox = bbox or scanned
    if bbox is None:
        raise RoadsError(f"{path}: the extract holds no nodes")
    return ExtractFacts(sha256(path), path.stat().st_size, timestamp, timestamp_from, bbox)


def _scan(path: Path) -> tuple[datetime | None, tuple[float, float, float, float] | None]:
    """The newest object's timestamp and the nodes' bounding box, in one pass."""
    newest: datetime | None = None
    lons: list[float] = [180.0, -180.0]
    lats: list[float] = [90.0, -90.0]
    seen_node = False
    try:
        entities = osmium.osm.NODE | osmium.osm.WAY | osmium.osm.RELATION
        for obj in osmium.FileProcessor(str(path), entities):
            if isinstance(obj, osmium.osm.Changeset):
                continue
            stamp = obj.timestamp
            if stamp.year > 1970 and (newest is None or stamp > newest):
                newest = stamp
            if isinstance(obj, osmium.osm.Node) and obj.location.valid():
                seen_node = True
                lon, lat = obj.location.lon, obj.location.lat
                lons[0], lons[1] = min(lons[0], lon), max(lons[1], lon)
                lats[0], lats[1] = min(lats[0], lat), max(lats[1], lat)
    except RuntimeError as exc:
        raise RoadsError(f"{path}: not a readable OpenStreetMap file: {exc}") from exc
    bbox = (lons[0], lats[0], lons[1], lats[1]) if seen_node else None
    return newest, bbox
