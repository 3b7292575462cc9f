"""Column recognition: headers in several languages, any case, order and punctuation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.init.columns import ColumnError, fold, parse_overrides, recognise
from planner.init.hierarchy import infer

# Headers seen in real station lists, per meaning.
HEADERS = {
    "station_id": ["station_id", "ID", "Code", "PU Code", "Polling Station Code",
                   "Код участка", "Хэсгийн код", "Código", "Kode TPS"],
    "number": ["Number", "No.", "№", "Номер участка", "Station No", "Nº", "Nomor"],
    "name": ["Name", "Station name", "Polling Unit Name", "Наименование", "Атауы",
             "Nom du bureau"],
    "address": ["Address", "Location", "Адрес", "Мекенжай", "Dirección", "Venue"],
    "voters": ["Voters", "Registered Voters", "Electors", "Число избирателей",
               "Сайлаушылар саны", "Inscrits", "Количество избирателей", "Сонгогчийн тоо"],
    "lat": ["lat", "Latitude", "Y", "Широта", "Lintang", "GPS Latitude", "Өргөрөг"],
    "lon": ["lon", "Longitude", "X", "Долгота", "Bujur", "GPS Longitude", "Уртраг", "lng"],
    "region": ["Region", "Province", "State", "Oblast", "Область", "Облыс", "Аймаг",
               "Département"],
    "district": ["District", "County", "Constituency", "LGA", "Район", "Аудан",
                 "Municipio", "Сум, дүүрэг"],
    "ward": ["Ward", "Subdistrict", "Kecamatan", "Баг, хороо", "Sub-county"],
}  # fmt: skip


def _values(n: int, seed: int) -> dict[str, list[str]]:
    rng = np.random.default_rng(seed)
    region = rng.integers(0, 3, n)
    district = region * 10 + rng.integers(0, 4, n)
    ward = rng.integers(1, 4, n)
    return {
        "station_id": [f"{i:05d}-A" for i in range(n)],
        "number": [str(i % 50 + 1) for i in range(n)],
        "name": [f"School {i % 17}" for i in range(n)],
        "address": [f"Main street {i}" for i in range(n)],
        "voters": [str(int(v)) for v in rng.integers(100, 3000, n)],
        "lat": [f"{v:.5f}" for v in rng.uniform(42, 48, n)],
        "lon": [f"{v:.5f}" for v in rng.uniform(70, 80, n)],
        "region": [f"Province {r}" for r in region],
        "district": [f"District {d}" for d in district],
        "ward": [f"Ward {w}" for w in ward],  # repeats in every district
    }


def _styled(header: str, style: int) -> str:
    if style == 1:
        return header.upper()
    if style == 2:
        return header.lower().replace(" ", "_")
    if style == 3:
        return f" {header}. "
    return header


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    choice=st.fixed_dictionaries({role: st.sampled_from(h) for role, h in HEADERS.items()}),
    present=st.sets(st.sampled_from(["number", "name", "address", "voters", "ward"])),
    style=st.integers(0, 3),
    order=st.randoms(use_true_random=False),
)
def test_renamed_and_reordered_columns_are_recognised(choice, present, style, order) -> None:
    roles = ["station_id", "lat", "lon", "region", "district", *sorted(present)]
    values = _values(60, seed=1)
    order.shuffle(roles)
    headers = {role: _styled(choice[role], style).strip().lower() for role in roles}
    frame = pd.DataFrame({headers[r]: values[r] for r in roles})

    mapping = recognise(frame)

    for role in ("station_id", "lat", "lon", "number", "name", "address", "voters"):
        if role in roles:
            assert mapping.roles.get(role) == headers[role], (role, mapping.as_dict())
    expected_levels = [r for r in ("region", "district", "ward") if r in roles]
    assert sorted(mapping.hierarchy) == sorted(headers[r] for r in expected_levels)
    levels = infer(frame, mapping.hierarchy, ranks=mapping.ranks).levels
    assert [lv.column for lv in levels] == [headers[r] for r in expected_levels]
    assert mapping.ignored == []


def test_coordinates_are_found_by_their_values_when_headers_say_nothing() -> None:
    values = _values(200, seed=2)
    frame = pd.DataFrame(
        {"c1": values["station_id"], "c2": values["lon"], "c3": values["lat"],
         "district": values["district"]}
    )  # fmt: skip
    mapping = recognise(frame)
    assert mapping.roles["lat"] == "c3"
    assert mapping.roles["lon"] == "c2"
    assert mapping.how["c3"] == "values"


def test_latitude_is_told_from_longitude_by_where_the_points_land() -> None:
    # Both columns within ±90: only the order "lat = c2" puts the points in Mongolia.
    rng = np.random.default_rng(3)
    lat = rng.uniform(45.5, 48.5, 300)
    lon = rng.uniform(64.0, 72.0, 300)  # Kazakhstan, whichever way round
    frame = pd.DataFrame({"a": [f"{v:.4f}" for v in lon], "b": [f"{v:.4f}" for v in lat]})
    mapping = recognise(frame)
    assert (mapping.roles["lat"], mapping.roles["lon"]) == ("b", "a")


def test_overrides_win_and_bad_ones_are_named() -> None:
    values = _values(20, seed=4)
    frame = pd.DataFrame({"zone": values["region"], "kod": values["station_id"],
                          "lat": values["lat"], "lon": values["lon"]})  # fmt: skip
    mapping = recognise(frame, parse_overrides("region=Zone,station_id=KOD"))
    assert mapping.roles["station_id"] == "kod"
    assert mapping.hierarchy == ["zone"]
    assert mapping.how["zone"] == "--columns"
    with pytest.raises(ColumnError, match="no column 'Nope' for voters"):
        recognise(frame, parse_overrides("voters=Nope"))
    with pytest.raises(ColumnError, match="unknown role 'colour'"):
        parse_overrides("colour=red")


def test_names_per_language_and_ignored_columns_are_reported() -> None:
    values = _values(30, seed=5)
    frame = pd.DataFrame({"id": values["station_id"], "name": values["name"],
                          "name_ru": values["name"], "Name (KK)".lower(): values["name"],
                          "lat": values["lat"], "lon": values["lon"],
                          "district": values["district"], "remarks": ["x"] * 30})  # fmt: skip
    mapping = recognise(frame)
    assert mapping.names == {"ru": "name_ru", "kk": "name (kk)"}
    assert mapping.roles["name"] == "name"
    assert mapping.ignored == ["remarks"]


def test_fold_ignores_case_accents_and_punctuation() -> None:
    assert fold("  Número_de  Mesa ") == "numero de mesa"
    assert fold("№ участка") == "no участка"
    assert fold("ÉLECTEURS") == "electeurs"
