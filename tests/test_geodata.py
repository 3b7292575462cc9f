"""Reading stations and TECs in every supported format; writing and re-reading packages."""

from __future__ import annotations

import csv
import dataclasses
import io
import tempfile
import time
from pathlib import Path

import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import datasets, schema, tabular
from planner.errors import MissionDataError
from planner.geodata import (
    load_commissions,
    load_mission,
    load_stations,
    mission_warnings,
    summarize,
    write_mission,
)
from planner.model import Mission, Setting, Station, StationKind

FORMATS = [
    "stations.csv",
    "stations_cp1251.csv",
    "stations.xlsx",
    "stations.geojson",
    "stations.gpkg",
    "stations_shp.zip",
]


@pytest.fixture
def tecs(fixtures: Path):
    return load_commissions(fixtures / "commissions.csv")[0]


def same_stations(got: list[Station], expected: list[Station]) -> None:
    """Equal field by field, coordinates to ~1 cm (reprojection round-off)."""
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        assert dataclasses.replace(a, lon=0.0, lat=0.0) == dataclasses.replace(b, lon=0.0, lat=0.0)
        assert (a.lon, a.lat) == pytest.approx((b.lon, b.lat), abs=1e-7)


# --- standalone files -------------------------------------------------------------------


def test_csv_stations_are_read_with_all_fields(fixtures: Path, tecs, kz_outline):
    """The UTF-8 CSV gives five stations; an empty tz is taken from the station's TEC."""
    stations, warnings = load_stations(
        fixtures / "stations.csv", commissions=tecs, outline=kz_outline
    )
    assert warnings == []
    assert [s.station_id for s in stations] == [f"PEC-000{i}" for i in range(1, 6)]
    hospital = stations[2]
    assert hospital == Station(
        "PEC-0003", "3", "Городская больница № 4", "ул. Папанина, 220", "75", "7511",
        "TEC-7511", 96, StationKind.SPECIAL, Setting.URBAN, "Asia/Almaty", 76.9275, 43.2581,
    )  # fmt: skip
    assert stations[3].kind is StationKind.ABROAD and stations[3].tz == "Europe/Moscow"


@pytest.mark.parametrize("name", FORMATS[1:])
def test_every_format_gives_the_same_stations(fixtures: Path, tecs, name: str):
    """cp1251/semicolon/decimal-comma CSV, XLSX with Kazakh headers, GeoJSON, GeoPackage
    and a zipped Shapefile in UTM all load to the same stations as the plain CSV."""
    expected, _ = load_stations(fixtures / "stations.csv", commissions=tecs)
    got, warnings = load_stations(fixtures / name, commissions=tecs)
    same_stations(got, expected)
    assert warnings == []


def test_empty_tz_stays_empty_without_commissions(fixtures: Path):
    """Without TECs to take it from, an empty tz is kept empty (not guessed)."""
    stations, _ = load_stations(fixtures / "stations.csv")
    assert stations[2].tz == ""


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


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Школа В№5; УИК №12", "cp1251"),  # 1251 bytes that are also valid UTF-8
        ("Площадь 120 м², «Дом культуры»", "utf-8"),
        ("Қазақстан, Өскемен", "utf-8"),
    ],
)
def test_decode_tells_utf8_from_windows_1251(text: str, encoding: str):
    """Text is decoded with the encoding it was written in, even when 1251 bytes happen to
    form valid UTF-8."""
    assert tabular.decode(text.encode(encoding)) == (text, encoding)


# Letters that Windows-1251 can encode, including the ones whose 1251 bytes can pass
# for UTF-8 ("В№", "Рё").
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


# --- mission packages -------------------------------------------------------------------


def test_write_then_load_gives_an_equal_mission(tmp_path: Path, small_mission: Mission):
    """A package written and read back equals the mission it came from, geometries and
    country outline included."""
    gpkg = write_mission(small_mission, tmp_path / "pkg")
    assert gpkg == tmp_path / "pkg" / "mission.gpkg"
    assert sorted(p.name for p in gpkg.parent.iterdir()) == ["mission.gpkg", "mission.toml"]
    loaded = load_mission(tmp_path / "pkg")
    assert loaded == small_mission
    assert loaded.rules.voting_stay_min == 40 and loaded.seed == 2022
    assert loaded.teams[1].lon is None and loaded.commissions[0].parent_id is None
    assert loaded.areas[0].region_ids == ("75",)
    assert loaded.regions[0].geometry.equals(small_mission.regions[0].geometry)
    assert loaded.outline.equals(small_mission.outline)


def test_gpkg_path_works_for_write_and_load(tmp_path: Path, small_mission: Mission):
    """A .gpkg path can be given instead of a directory; settings go next to it."""
    gpkg = write_mission(small_mission, tmp_path / "almaty.gpkg")
    assert (tmp_path / "almaty.toml").is_file()
    assert load_mission(gpkg) == small_mission


def test_failed_write_leaves_existing_package_untouched(
    tmp_path: Path, small_mission: Mission, monkeypatch: pytest.MonkeyPatch
):
    """If writing fails half-way, the old package still loads and no temp files remain."""
    write_mission(small_mission, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_write = pyogrio.write_dataframe

    def failing_write(frame, path, *, layer, **kwargs):
        if layer == "teams":
            raise OSError("disk full")
        return real_write(frame, path, layer=layer, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", failing_write)
    changed = dataclasses.replace(small_mission, name="Changed", stations=())
    with pytest.raises(OSError, match="disk full"):
        write_mission(changed, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert load_mission(tmp_path) == small_mission


def test_projected_layers_are_reprojected(tmp_path: Path, small_mission: Mission):
    """A package whose stations layer is in UTM loads with the same lon/lat."""
    gpkg = write_mission(small_mission, tmp_path)
    frame = pyogrio.read_dataframe(gpkg, layer="stations").to_crs("EPSG:32643")
    pyogrio.write_dataframe(frame, gpkg, layer="stations")
    loaded = load_mission(tmp_path)
    for a, b in zip(loaded.stations, small_mission.stations, strict=True):
        assert (a.lon, a.lat) == pytest.approx((b.lon, b.lat), abs=1e-7)


def test_empty_tz_in_package_falls_back_to_tec_then_region(tmp_path: Path, small_mission):
    """In a package, a station without tz takes its TEC's, a TEC without tz its region's."""
    gpkg = write_mission(small_mission, tmp_path)
    for layer in ("stations", "commissions"):
        frame = pyogrio.read_dataframe(gpkg, layer=layer)
        frame.loc[0, "tz"] = None
        pyogrio.write_dataframe(frame, gpkg, layer=layer)
    loaded = load_mission(tmp_path)
    assert loaded.commissions[0].tz == "Asia/Almaty"
    assert loaded.stations[0].tz == "Asia/Almaty"


def test_package_stations_outside_the_outline_are_errors(tmp_path: Path, small_mission):
    """The package's own `country` layer is used as the outline for its stations."""
    moved = list(small_mission.stations)
    moved[0] = dataclasses.replace(moved[0], lon=82.92, lat=55.03)  # Novosibirsk
    write_mission(dataclasses.replace(small_mission, stations=tuple(moved)), tmp_path)
    with pytest.raises(MissionDataError) as info:
        load_mission(tmp_path)
    (problem,) = info.value.problems
    assert (problem.row, problem.field) == (1, "geometry")
    assert "outside the mission country" in problem.message


def test_summarize_counts(small_mission: Mission):
    """Counts by level, region, kind and setting, with zero for kinds not present."""
    summary = summarize(small_mission)
    assert summary.as_dict() == {
        "name": "Almaty test mission",
        "country": "Kazakhstan",
        "regions": 1,
        "districts": 2,
        "commissions": 3,
        "commissions_by_level": {"regional": 0, "district": 0, "city": 1, "city_district": 2},
        "stations": 6,
        "stations_by_region": {"75": 5, "ABROAD": 1},
        "stations_by_kind": {"regular": 4, "special": 1, "abroad": 1},
        "stations_by_setting": {"urban": 5, "rural": 1},
        "voters": 6670,
        "voters_by_region": {"75": 5420, "ABROAD": 1250},
        "areas": 1,
        "teams": 2,
        "teams_by_kind": {"sto": 1, "lto": 1},
    }


def test_mission_warnings_name_the_station(small_mission: Mission):
    """Mission-level warnings use the station id as the row: here one with 0 voters."""
    (warning,) = mission_warnings(small_mission)
    assert (warning.row, warning.field, warning.message) == (
        "PS-5",
        "voters",
        "0 registered voters",
    )
    far = dataclasses.replace(small_mission.stations[0], lon=71.43, lat=51.13)  # Astana
    mission = dataclasses.replace(small_mission, stations=(far,))
    (warning,) = mission_warnings(mission)
    assert warning.field == "tec_id" and "km from its TEC 'TEC-7511'" in warning.message


@pytest.mark.slow
def test_default_mission_loads_fast():
    """The shipped 10,101-station mission loads and validates in well under 3 s."""
    try:
        path = datasets.get_path()
    except FileNotFoundError:
        pytest.skip("default mission not built")
    start = time.perf_counter()
    mission = load_mission(path)
    elapsed = time.perf_counter() - start
    assert len(mission.stations) == 10_101
    assert elapsed < 3.0
    assert shapely.get_type_id(mission.outline) in (3, 6)  # (Multi)Polygon
