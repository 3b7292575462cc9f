"""Write what `planner init` inferred: the mission package, its flags, the areas table and
the report, all inside the directory the user named and only once complete (through
`planner.fileio.write_directory`: a new or empty directory, or one the planner wrote before).

The package is written by `planner.geodata.write_mission` (with the `unlocated` flag of
stations and the `district_ids` of areas, which `load_mission` reads); the other flags ride
along as extra columns of its layers (`estimated`, `approximate`, `level_name`,
`level_rank`, `name_<lang>`), which `load_mission` ignores, so older readers keep working.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from planner.fileio import TEMP_PREFIX, check_output_dir, write_directory
from planner.geodata import load_mission, package_paths, write_mission
from planner.init.build import Extras, InitResult
from planner.init.report import render_markdown

OWN_FILES = ("mission.gpkg", "mission.toml", "areas.csv", "init-report.md", "init-report.json")
ID_COLUMN = {
    "stations": "station_id",
    "commissions": "tec_id",
    "regions": "region_id",
    "districts": "district_id",
}


def _add_extras(gpkg: Path, extras: Extras) -> None:
    """Rewrite the layers with their flag columns (every layer, into a fresh GeoPackage)."""
    per_layer = {
        "stations": extras.station,
        "commissions": extras.commission,
        "regions": extras.region,
        "districts": extras.district,
    }
    fresh = gpkg.with_name("with-flags.gpkg")
    for layer in [str(n) for n in pyogrio.list_layers(gpkg)[:, 0]]:
        gdf = pyogrio.read_dataframe(gpkg, layer=layer)
        values = per_layer.get(layer)
        if values:
            extra = pd.DataFrame.from_dict(values, orient="index")
            key = gdf[ID_COLUMN[layer]].astype(str)
            for column in extra.columns:
                gdf[column] = key.map(extra[column]).to_numpy()
        geometry_type = "Point" if layer in ("stations", "commissions", "teams") else "MultiPolygon"
        pyogrio.write_dataframe(
            gpd.GeoDataFrame(gdf, geometry=gdf.geometry.name, crs=gdf.crs),
            fresh,
            layer=layer,
            driver="GPKG",
            geometry_type=geometry_type,
            promote_to_multi=geometry_type.startswith("Multi"),
        )
    os.replace(fresh, gpkg)


def write_package(result: InitResult, out: Path, *, force: bool = False) -> Path:
    """Write package, areas table and report into `out`; returns the .gpkg path. The files
    are made and checked in a temporary folder inside `out`, then written together by
    `write_directory` (which refuses a directory it did not write, unless `force`)."""
    check_output_dir(out, OWN_FILES, force=force)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=out))
    try:
        write_mission(result.mission, staging)
        gpkg, _ = package_paths(staging)
        _add_extras(gpkg, result.extras)
        result.areas_table.to_csv(staging / "areas.csv", index=False, encoding="utf-8")
        loaded = load_mission(staging)  # the package must load as any other
        result.report["package_check"] = {
            "stations": len(loaded.stations),
            "commissions": len(loaded.commissions),
            "areas": len(loaded.areas),
            "teams": len(loaded.teams),
        }
        (staging / "init-report.json").write_text(
            json.dumps(result.report, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
        (staging / "init-report.md").write_text(render_markdown(result.report), encoding="utf-8")
        files = {name: (staging / name).read_bytes() for name in OWN_FILES}
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_directory(out, files, force=force)
    return out / "mission.gpkg"
