"""Reading files and layers: every supported format, encodings, dialects, projections and
the files that cannot be read at all."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pyogrio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import schema
from planner.geodata import (
    SUPPORTED_FORMATS,
    load_commissions,
    load_mission,
    load_stations,
    write_mission,
)
from planner.model import Mission, Setting, Station, StationKind
from tests.support.geodata import same_stations, station_problems

# --- formats --------------------------------------------------------------------------


FORMATS = [
    "stations.csv",
    "stations_cp1251.csv",
    "stations.xlsx",
    "stations.geojson",
    "stations.gpkg",
    "stations_shp.zip",
]


@pytest.mark.parametrize("name", FORMATS[1:])
def test_every_format_gives_the_same_stations(fixtures: Path, tecs, name: str):
    """cp1251/semicolon/decimal-comma CSV, XLSX with Kazakh headers, GeoJSON, GeoPackage
    and a zipped Shapefile in UTM all load to the same stations as the plain CSV."""
    expected, _ = load_stations(fixtures / "stations.csv", commissions=tecs)
    got, warnings = load_stations(fixtures / name, commissions=tecs)
    same_stations(got, expected)
    assert warnings == []


def test_commissions_from_csv_and_named_gpkg_layer(fixtures: Path):
    """TECs load from CSV and from the 'commissions' layer of a two-layer GeoPackage
    (not its first layer when a better-named one exists)."""
    from_csv, warnings = load_commissions(fixtures / "commissions.csv")
    from_gpkg, _ = load_commissions(fixtures / "stations.gpkg")
    assert from_gpkg == from_csv
    assert warnings == []
    district = from_csv[1]
    assert (district.tec_id, district.level, district.parent_id, district.district) == (
        "TEC-7511",
        "city_district",
        "TEC-75",
        "7511",
    )
    assert from_csv[0].parent_id is None and from_csv[0].district is None


def test_utf8_bom_and_upper_case_headers(tmp_path: Path, fixtures: Path):
    """A BOM-prefixed UTF-8 CSV (as Excel saves it) with upper-case headers reads the same."""
    text = (fixtures / "stations.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + header.upper() + "\r\n" + rest).encode("utf-8"))
    got, _ = load_stations(path)
    expected, _ = load_stations(fixtures / "stations.csv")
    assert got == expected


# --- CSV dialects ---------------------------------------------------------------------


NAME = st.text(
    alphabet=st.sampled_from("abcXYZ 0123456789-.,;\"'/№«»ЁёІіАБВЖРСЩЫЭЮЯабвжрсщыэюя"),
    max_size=20,
).map(str.strip)


@st.composite
def station_rows(draw) -> list[Station]:
    count = draw(st.integers(1, 6))
    stations = []
    for i in range(count):
        stations.append(
            Station(
                station_id=f"S-{i}",
                number=str(i + 1),
                name=draw(NAME),
                address=draw(NAME),
                region="",
                district="",
                tec_id=draw(st.sampled_from(["TEC-1", "TEC-2"])),
                voters=draw(st.integers(1, 5000)),
                kind=draw(st.sampled_from([StationKind.REGULAR, StationKind.SPECIAL])),
                setting=draw(st.sampled_from(list(Setting))),
                tz=draw(st.sampled_from(["", "Asia/Almaty", "Asia/Aqtobe"])),
                lon=draw(st.integers(465000, 873000)) / 10000,
                lat=draw(st.integers(406000, 554000)) / 10000,
            )
        )
    return stations


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    stations=station_rows(),
    sep=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]),
    case=st.sampled_from([str.lower, str.upper, str.title, lambda s: f"  {s} "]),
    decimal_comma=st.booleans(),
)
def test_csv_dialects_round_trip(data, stations, sep, encoding, case, decimal_comma):
    """Any mix of separator, encoding, coordinate-column name, header case and (with
    semicolons) decimal commas reads back exactly the stations written."""

    def encodable(names: tuple[str, ...]) -> list[str]:
        return [n for n in names if n.encode(encoding, errors="replace").decode(encoding) == n]

    lat_name = data.draw(st.sampled_from(encodable(schema.LAT_NAMES)))
    lon_name = data.draw(st.sampled_from(encodable(schema.LON_NAMES)))
    columns = ["station_id", "number", "name", "address", "tec_id", "voters", "kind"]
    columns += ["setting", "tz"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow([case(c) for c in [*columns, lat_name, lon_name]])
    for s in stations:
        coords = [f"{s.lat:.4f}", f"{s.lon:.4f}"]
        if sep == ";" and decimal_comma:
            coords = [c.replace(".", ",") for c in coords]
        writer.writerow([str(getattr(s, c)) for c in columns] + coords)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stations.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        got, _ = load_stations(path)
    assert got == stations


# --- projections ----------------------------------------------------------------------


def test_projected_layers_are_reprojected(tmp_path: Path, small_mission: Mission):
    """A package whose stations layer is in UTM loads with the same lon/lat."""
    gpkg = write_mission(small_mission, tmp_path)
    frame = pyogrio.read_dataframe(gpkg, layer="stations").to_crs("EPSG:32643")
    pyogrio.write_dataframe(frame, gpkg, layer="stations")
    loaded = load_mission(tmp_path)
    for a, b in zip(loaded.stations, small_mission.stations, strict=True):
        assert (a.lon, a.lat) == pytest.approx((b.lon, b.lat), abs=1e-7)


# --- unreadable, unsupported, empty ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("stations.xls", "unsupported file type '.xls'"),
        ("no_such_file.csv", "file not found"),
        ("corrupt.gpkg", "cannot read this file"),
        ("corrupt.xlsx", "not a readable Excel workbook"),
    ],
)
def test_unreadable_file_names_supported_formats(fixtures: Path, name: str, expected: str):
    """A wrong extension, a missing file or corrupt content gives one whole-file problem
    that says which formats are supported."""
    (problem,) = station_problems(fixtures / name)
    assert problem.file == str(fixtures / name)
    assert problem.row is None
    assert expected in problem.message
    assert SUPPORTED_FORMATS in problem.message


@pytest.mark.parametrize("name", ["empty.csv", "header_only.csv", "empty.geojson"])
def test_file_without_rows_is_reported(fixtures: Path, name: str):
    """A zero-byte file, a header without data and an empty FeatureCollection: 'no rows'."""
    (problem,) = station_problems(fixtures / name)
    assert problem.message == "the file has no rows"
