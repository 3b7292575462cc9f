"""Sample missions shipped with the project, reached through one function."""

from __future__ import annotations

from pathlib import Path

GEODATA_DIR = Path(__file__).resolve().parent.parent / "geodata"
DEFAULT_MISSION = "kazakhstan-2022"
SMALL_MISSION = "ulytau-small"


def get_path(name: str = DEFAULT_MISSION) -> Path:
    """Directory of a shipped mission package, e.g. `get_path("kazakhstan-2022")`."""
    path = GEODATA_DIR / name
    if not (path / "mission.gpkg").is_file():
        shipped = sorted(p.name for p in GEODATA_DIR.glob("*/mission.gpkg"))
        raise FileNotFoundError(f"no shipped mission {name!r}; available: {shipped}")
    return path
