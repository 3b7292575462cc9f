"""Travel times: great-circle distances, the winter-speed model and user-supplied matrices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import MissionDataError
from planner.model import Rules
from planner.travel import (
    GreatCircleTravel,
    MatrixTravel,
    Place,
    great_circle_km,
    read_matrix,
)

ASTANA = (71.4304, 51.1282)
ALMATY = (76.9286, 43.2567)
MODEL = GreatCircleTravel()


def leg(a: Place, b: Place, *, night: bool = False, model: GreatCircleTravel = MODEL) -> int:
    return int(model.durations([a], [b], night=night)[0, 0])


# --- great_circle_km -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        (ASTANA, ALMATY, 970.0),
        ((2.3522, 48.8566), (-0.1276, 51.5072), 344.0),  # Paris - London
        ((0.0, 0.0), (0.0, 1.0), 111.2),  # one degree of latitude
        ((0.0, 0.0), (180.0, 0.0), np.pi * 6371.0),  # half the equator
    ],
)
def test_great_circle_matches_known_distances(a, b, km) -> None:
    """Haversine distances agree with published city-to-city distances within 2 %."""
    got = float(great_circle_km(np.array(a[0]), np.array(a[1]), np.array(b[0]), np.array(b[1])))
    assert got == pytest.approx(km, rel=0.02)


def test_great_circle_broadcasts_and_is_symmetric() -> None:
    """Column against row vectors give a full, symmetric matrix with a zero diagonal."""
    lon = np.array([ASTANA[0], ALMATY[0], 69.59])
    lat = np.array([ASTANA[1], ALMATY[1], 42.34])
    km = great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    assert km.shape == (3, 3)
    np.testing.assert_allclose(km, km.T)
    np.testing.assert_array_equal(np.diag(km), 0.0)


# --- GreatCircleTravel ---------------------------------------------------------------------

town = Place("town", 71.45, 51.15, urban=True)
village = Place("village", 71.95, 51.40, urban=False)
hamlet = Place("hamlet", 70.90, 50.95, urban=False)


def test_diagonal_is_zero_and_matrix_symmetric() -> None:
    """A place is zero seconds from itself, and a leg takes as long both ways."""
    places = [town, village, hamlet, Place("suburb", 71.50, 51.17, urban=True)]
    for night in (False, True):
        m = MODEL.durations(places, places, night=night)
        assert m.dtype == np.int64
        np.testing.assert_array_equal(np.diag(m), 0)
        np.testing.assert_array_equal(m, m.T)
        assert (m[~np.eye(len(places), dtype=bool)] > 0).all()


def test_night_legs_are_slower_than_day_legs() -> None:
    """Rural driving at night uses the slower night speed."""
    assert leg(town, village, night=True) > leg(town, village)
    assert leg(village, hamlet, night=True) > leg(village, hamlet)


def test_urban_leg_slower_than_rural_leg_of_same_length() -> None:
    """The same distance takes longer between town places than between village places."""
    a, b = (71.45, 51.15), (71.49, 51.16)
    urban = leg(Place("a", *a, urban=True), Place("b", *b, urban=True))
    rural = leg(Place("a", *a, urban=False), Place("b", *b, urban=False))
    assert urban > rural


def test_leg_time_follows_detour_speed_and_parking() -> None:
    """A rural leg is distance x detour / speed + parking, to the second."""
    km = float(great_circle_km(village.lon, village.lat, hamlet.lon, hamlet.lat)) * 1.3
    expected = km / 60.0 * 3600 + 5 * 60
    assert leg(village, hamlet) == round(expected)


def test_parking_minutes_added_to_every_leg() -> None:
    """Parking adds exactly its minutes to a leg, and nothing to staying put."""
    no_parking = GreatCircleTravel(parking_min=0)
    ten = GreatCircleTravel(parking_min=10)
    assert leg(town, village, model=ten) - leg(town, village, model=no_parking) == 600
    assert leg(town, town, model=ten) == 0


def test_from_rules_takes_speeds_and_parking_from_the_mission() -> None:
    """Rules set the model's detour, speeds and parking."""
    rules = Rules(detour_factor=1.5, urban_speed_kmh=20, rural_day_speed_kmh=80, parking_min=2)
    model = GreatCircleTravel.from_rules(rules)
    assert (model.detour_factor, model.urban_speed_kmh, model.rural_day_speed_kmh) == (1.5, 20, 80)
    assert model.parking_min == 2


coords = st.tuples(
    st.floats(min_value=69.0, max_value=75.0), st.floats(min_value=48.0, max_value=53.0)
)


@settings(max_examples=200, deadline=None)
@given(
    points=st.lists(st.tuples(coords, st.booleans()), min_size=3, max_size=3),
    night=st.booleans(),
)
def test_triangle_inequality(points, night) -> None:
    """Driving a to c directly never takes longer than going by way of b (up to rounding).

    Places at the same spot share one urban flag: a town and a village are never in one place.
    """
    flags: dict[tuple[float, float], bool] = {}
    places = [
        Place(str(i), lon, lat, flags.setdefault((lon, lat), urban))
        for i, ((lon, lat), urban) in enumerate(points)
    ]
    t = MODEL.durations(places, places, night=night)
    assert t[0, 2] <= t[0, 1] + t[1, 2] + 1


@settings(max_examples=100, deadline=None)
@given(a=coords, b=coords, ua=st.booleans(), ub=st.booleans())
def test_night_never_faster_than_day(a, b, ua, ub) -> None:
    """A night leg is never quicker than the same leg by day."""
    pa, pb = Place("a", *a, urban=ua), Place("b", *b, urban=ub)
    assert leg(pa, pb, night=True) >= leg(pa, pb)


# --- user matrices -------------------------------------------------------------------------

KEYS = ("A", "B", "C")
SECONDS = np.array([[0, 600, 1200], [650, 0, 900], [1250, 880, 0]])


def _write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _good_csv(path: Path) -> Path:
    rows = ["id," + ",".join(KEYS)]
    rows += [k + "," + ",".join(str(v) for v in row) for k, row in zip(KEYS, SECONDS, strict=True)]
    return _write_csv(path, rows)


def _problem(exc: pytest.ExceptionInfo[MissionDataError]):
    assert len(exc.value.problems) == 1, exc.value.problems
    return exc.value.problems[0]


def test_read_matrix_csv_round_trip(tmp_path: Path) -> None:
    """A CSV matrix reads back as the same seconds, looked up by place key."""
    travel = read_matrix(_good_csv(tmp_path / "m.csv"))
    assert travel.keys == KEYS
    np.testing.assert_array_equal(travel.seconds, SECONDS)
    a, b, c = (Place(k, 0.0, 0.0) for k in KEYS)
    sub = travel.durations([c, a], [b, c, a])
    np.testing.assert_array_equal(sub, [[880, 0, 1250], [600, 1200, 0]])


def test_read_matrix_npy_round_trip(tmp_path: Path) -> None:
    """An .npy matrix with its .keys.txt reads back unchanged."""
    np.save(tmp_path / "m.npy", SECONDS.astype(float))
    (tmp_path / "m.keys.txt").write_text("\n".join(KEYS) + "\n", encoding="utf-8")
    travel = read_matrix(tmp_path / "m.npy")
    assert travel.keys == KEYS
    np.testing.assert_array_equal(travel.seconds, SECONDS)
    assert travel.seconds.dtype == np.int64


def test_matrix_night_factor_scales_durations() -> None:
    """A matrix's night factor stretches night legs and leaves day legs alone."""
    travel = MatrixTravel(KEYS, SECONDS, night_factor=1.5)
    a, b = Place("A", 0, 0), Place("B", 0, 0)
    assert travel.durations([a], [b])[0, 0] == 600
    assert travel.durations([a], [b], night=True)[0, 0] == 900


def test_matrix_rejects_unknown_places() -> None:
    """Asking for a place the matrix does not list is an error naming it."""
    travel = MatrixTravel(KEYS, SECONDS)
    with pytest.raises(KeyError, match="Z"):
        travel.durations([Place("A", 0, 0)], [Place("Z", 0, 0)])


def test_matrix_csv_non_numeric_cell(tmp_path: Path) -> None:
    """A cell that is not a number is reported with its row and column key."""
    path = _write_csv(tmp_path / "m.csv", ["id,A,B", "A,0,60", "B,abc,0"])
    with pytest.raises(MissionDataError) as exc:
        read_matrix(path)
    p = _problem(exc)
    assert (p.row, p.field) == (2, "A")
    assert "abc" in p.message


def test_matrix_csv_wrong_row_length(tmp_path: Path) -> None:
    """A row with too few values is reported with its row number."""
    path = _write_csv(tmp_path / "m.csv", ["id,A,B", "A,0", "B,60,0"])
    with pytest.raises(MissionDataError) as exc:
        read_matrix(path)
    p = _problem(exc)
    assert p.row == 1
    assert "1 values, expected 2" in p.message


def test_matrix_csv_negative_value(tmp_path: Path) -> None:
    """A negative duration is reported with its row and column key."""
    path = _write_csv(tmp_path / "m.csv", ["id,A,B,C", "A,0,60,70", "B,60,0,-5", "C,1,2,0"])
    with pytest.raises(MissionDataError) as exc:
        read_matrix(path)
    p = _problem(exc)
    assert (p.row, p.field) == (2, "C")
    assert ">= 0" in p.message


def test_matrix_csv_non_finite_value(tmp_path: Path) -> None:
    """A NaN or infinite duration is rejected like a negative one."""
    path = _write_csv(tmp_path / "m.csv", ["id,A,B", "A,0,inf", "B,60,0"])
    with pytest.raises(MissionDataError) as exc:
        read_matrix(path)
    assert (_problem(exc).row, _problem(exc).field) == (1, "B")


def test_matrix_csv_mismatched_keys(tmp_path: Path) -> None:
    """A row key that differs from the header's key at that position is reported."""
    path = _write_csv(tmp_path / "m.csv", ["id,A,B", "A,0,60", "X,60,0"])
    with pytest.raises(MissionDataError) as exc:
        read_matrix(path)
    p = _problem(exc)
    assert (p.row, p.field) == (2, "id")
    assert "'X'" in p.message


def test_matrix_csv_missing_row_and_empty_file(tmp_path: Path) -> None:
    """A matrix with a row missing, or with no rows at all, is rejected."""
    short = _write_csv(tmp_path / "short.csv", ["id,A,B", "A,0,60"])
    with pytest.raises(MissionDataError, match="expected square"):
        read_matrix(short)
    empty = _write_csv(tmp_path / "empty.csv", ["id,A,B"])
    with pytest.raises(MissionDataError, match="empty"):
        read_matrix(empty)


def test_matrix_csv_reports_every_problem(tmp_path: Path) -> None:
    """All bad cells of a file are reported at once, in file order."""
    path = _write_csv(tmp_path / "m.csv", ["id,A,B", "A,x,60", "B,60,y"])
    with pytest.raises(MissionDataError) as exc:
        read_matrix(path)
    assert [(p.row, p.field) for p in exc.value.problems] == [(1, "A"), (2, "B")]


def test_matrix_npy_negative_value_and_key_mismatch(tmp_path: Path) -> None:
    """An .npy matrix is checked too: negative cells by row and key, key count by shape."""
    bad = SECONDS.astype(float)
    bad[2, 0] = -1
    np.save(tmp_path / "neg.npy", bad)
    (tmp_path / "neg.keys.txt").write_text("\n".join(KEYS), encoding="utf-8")
    with pytest.raises(MissionDataError) as exc:
        read_matrix(tmp_path / "neg.npy")
    p = _problem(exc)
    assert (p.row, p.field) == (3, "A")

    np.save(tmp_path / "few.npy", SECONDS.astype(float))
    (tmp_path / "few.keys.txt").write_text("A\nB", encoding="utf-8")
    with pytest.raises(MissionDataError, match="expected square 2"):
        read_matrix(tmp_path / "few.npy")


def test_matrix_npy_without_keys_file(tmp_path: Path) -> None:
    """An .npy matrix without its keys file is a data error, not a crash."""
    np.save(tmp_path / "m.npy", SECONDS.astype(float))
    with pytest.raises(MissionDataError, match="cannot read matrix"):
        read_matrix(tmp_path / "m.npy")


def test_matrix_csv_duplicate_keys(tmp_path: Path) -> None:
    """A key listed twice is rejected: lookups by key would be ambiguous."""
    path = _write_csv(tmp_path / "m.csv", ["id,A,A", "A,0,60", "A,60,0"])
    with pytest.raises(MissionDataError, match="unique"):
        read_matrix(path)
