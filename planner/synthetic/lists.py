"""Synthetic foreign countries: station lists as an election administration publishes them.

`planner init` must work on lists the project has never seen, so the tests and the scale
benchmark need such lists at any size, reproducibly. A synthetic country here lies in the
west of Mongolia (a real place across the Asia/Hovd | Asia/Ulaanbaatar time-zone border,
so the offline time-zone lookup finds two zones), with a capital, provincial towns,
district centres and villages; a three-level hierarchy (province, district, ward) whose
names are in Mongolian Cyrillic and repeat across parents the way real names do ("1-р
хороо" in every district); station codes, numbers, names and addresses; no voters, no
commission positions, and a share of stations without coordinates.

`generate(stations=..., seed=...)` gives the truth as a DataFrame; `write_lists` writes
the published files: the full list, or the reduced one (code, coordinates and one
hierarchy column).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner.countries import find_country

# Column headers of the published list, as the administration writes them.
COL_CODE = "Хэсгийн код"
COL_NUMBER = "Хэсгийн дугаар"
COL_NAME = "Хэсгийн нэр"
COL_ADDRESS = "Байршил"
COL_PROVINCE = "Аймаг, нийслэл"
COL_DISTRICT = "Сум, дүүрэг"
COL_WARD = "Баг, хороо"
COL_LAT = "Өргөрөг"
COL_LON = "Уртраг"
FULL_COLUMNS = (
    COL_CODE,
    COL_NUMBER,
    COL_NAME,
    COL_ADDRESS,
    COL_PROVINCE,
    COL_DISTRICT,
    COL_WARD,
    COL_LAT,
    COL_LON,
)
REDUCED_COLUMNS = (COL_CODE, COL_DISTRICT, COL_LAT, COL_LON)

# Where the country lies: western Mongolia, across the Hovd/Ulaanbaatar zone border.
EXTENT = (88.0, 42.5, 101.0, 51.5)
INSET_DEG = 0.35  # keep stations clear of the coarse outline's border with Russia/China
STATIONS_PER_WARD = 20
_SYLLABLES = (
    "бат",
    "сүх",
    "өл",
    "гий",
    "хан",
    "тал",
    "бу",
    "лаг",
    "цэ",
    "рэг",
    "мө",
    "рөн",
    "ду",
    "рөг",
    "ал",
    "тай",
    "ба",
    "ян",
    "ху",
    "жир",
    "тү",
    "дэв",
    "шар",
    "го",
    "ол",
    "нуур",
    "цаг",
    "аан",
    "жар",
    "гал",
    "ул",
    "аан",
    "ха",
    "иа",
)
_SUFFIXES = ("", "", "", " уул", " гол", " тал", "-Өндөр", " нуур")


@dataclass(frozen=True)
class SyntheticCountry:
    """The truth behind the published lists (every station, located or not)."""

    stations: pd.DataFrame  # code, number, name, address, province, district, ward, lon, lat,
    # true_lon, true_lat, province_id, district_id, ward_id, urban
    outline: BaseGeometry
    seed: int


def country_outline() -> BaseGeometry:
    """The synthetic country's shape: a piece of western Mongolia, kept off the borders."""
    mongolia = find_country("MNG")
    if mongolia is None:  # pragma: no cover - the bundled outlines always hold it
        raise RuntimeError("bundled world outlines lack Mongolia")
    clipped = shapely.intersection(mongolia.geometry, shapely.box(*EXTENT))
    return shapely.buffer(clipped, -INSET_DEG)


def _name(rng: np.random.Generator, parts: int = 2) -> str:
    text = "".join(rng.choice(_SYLLABLES) for _ in range(parts))
    return text[:1].upper() + text[1:] + str(rng.choice(_SUFFIXES))


def _unique_names(rng: np.random.Generator, n: int, *, repeat_share: float = 0.0) -> list[str]:
    """`n` place names; a `repeat_share` of them reuse an earlier name (as real names do)."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        if names and rng.random() < repeat_share:
            names.append(names[int(rng.integers(len(names)))])
            continue
        name = _name(rng, int(rng.integers(2, 4)))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _inside(outline: BaseGeometry, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return shapely.contains_xy(outline, lon, lat)


def _sample_uniform(rng: np.random.Generator, outline: BaseGeometry, n: int) -> np.ndarray:
    xmin, ymin, xmax, ymax = outline.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        pts = np.column_stack(
            [rng.uniform(xmin, xmax, 4 * n + 16), rng.uniform(ymin, ymax, 4 * n + 16)]
        )
        found = np.vstack([found, pts[_inside(outline, pts[:, 0], pts[:, 1])]])
    return found[:n]


def _around(
    rng: np.random.Generator,
    outline: BaseGeometry,
    centres: np.ndarray,
    which: np.ndarray,
    sigma_deg: np.ndarray,
) -> np.ndarray:
    """Points scattered (Gaussian) around their centre, redrawn until inside the outline."""
    pts = np.empty((len(which), 2))
    todo = np.arange(len(which))
    for _ in range(50):
        if len(todo) == 0:
            break
        c = centres[which[todo]]
        s = sigma_deg[which[todo]]
        lon = c[:, 0] + rng.normal(0, 1, len(todo)) * s / np.cos(np.radians(c[:, 1]))
        lat = c[:, 1] + rng.normal(0, 1, len(todo)) * s
        ok = _inside(outline, lon, lat)
        pts[todo[ok]] = np.column_stack([lon[ok], lat[ok]])
        todo = todo[~ok]
    pts[todo] = centres[which[todo]]  # centres lie inside
    return pts


def _nearest(points: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Index of the nearest seed of every point (equirectangular distance), in chunks."""
    scale = np.cos(np.radians(np.mean(seeds[:, 1])))
    out = np.empty(len(points), dtype=np.int64)
    for start in range(0, len(points), 4096):
        chunk = points[start : start + 4096]
        dx = (chunk[:, None, 0] - seeds[None, :, 0]) * scale
        dy = chunk[:, None, 1] - seeds[None, :, 1]
        out[start : start + 4096] = np.argmin(dx * dx + dy * dy, axis=1)
    return out


def _wards(points: np.ndarray, size: int) -> np.ndarray:
    """Split one district's stations into compact groups of about `size` (k-d halving)."""
    labels = np.zeros(len(points), dtype=np.int64)
    stack = [np.arange(len(points))]
    next_label = 0
    while stack:
        idx = stack.pop()
        if len(idx) <= size * 1.5:
            labels[idx] = next_label
            next_label += 1
            continue
        spread = points[idx].max(axis=0) - points[idx].min(axis=0)
        axis = int(np.argmax(spread))
        order = idx[np.argsort(points[idx, axis], kind="stable")]
        half = len(order) // 2
        stack.extend([order[half:], order[:half]])
    return labels


def generate(stations: int = 50_000, *, seed: int = 0, unlocated_share: float = 0.02):
    """A synthetic country with `stations` polling stations (10k to 1M), reproducible by seed."""
    if stations < 100:
        raise ValueError("a synthetic country needs at least 100 stations")
    rng = np.random.default_rng(seed)
    outline = country_outline()
    n_provinces = int(np.clip(round(stations / 4_000), 6, 21))
    n_districts = int(np.clip(round(stations / 200), 20, 2_000))
    provinces = _sample_uniform(rng, outline, n_provinces)
    capital = provinces[0]

    # Settlements: the capital, provincial towns, district centres, villages.
    share = {"capital": 0.20, "towns": 0.22, "centres": 0.20, "villages": 0.38}
    n_capital = int(stations * share["capital"])
    n_towns = int(stations * share["towns"])
    n_centres = int(stations * share["centres"])
    n_villages = stations - n_capital - n_towns - n_centres
    capital_districts = max(2, round(n_districts * 0.06))
    town_districts = (n_provinces - 1) * 2
    rural_seeds = _sample_uniform(rng, outline, n_districts - capital_districts - town_districts)
    centres = np.vstack([np.tile(capital, (1, 1)), provinces[1:], rural_seeds])
    sigma = np.concatenate(
        [[0.09], np.full(n_provinces - 1, 0.035), np.full(len(rural_seeds), 0.012)]
    )
    which = np.concatenate(
        [
            np.zeros(n_capital, dtype=np.int64),
            1 + rng.integers(0, n_provinces - 1, n_towns),
            n_provinces + rng.integers(0, len(rural_seeds), n_centres),
        ]
    )
    urban_points = _around(rng, outline, centres, which, sigma)
    villages = _around(
        rng,
        outline,
        rural_seeds,
        rng.integers(0, len(rural_seeds), max(1, n_villages // 2)),
        np.full(len(rural_seeds), 0.35),
    )
    village_of = rng.integers(0, len(villages), n_villages)
    rural_points = villages[village_of] + rng.normal(0, 0.002, (n_villages, 2))
    points = np.vstack([urban_points, rural_points])
    urban = np.concatenate([np.ones(len(urban_points), bool), np.zeros(n_villages, bool)])

    # Districts: rural seeds, plus several in the capital and two in each provincial town,
    # drawn from the towns' own stations so that crowded quarters get more districts.
    capital_pts = urban_points[:n_capital]
    town_pts = urban_points[n_capital : n_capital + n_towns]
    town_of = which[n_capital : n_capital + n_towns]
    town_seeds = []
    for t in range(1, n_provinces):
        members = town_pts[town_of == t]
        if len(members) == 0:
            members = provinces[t][None, :]
        town_seeds.append(members[rng.integers(0, len(members), 2)])
    district_seeds = np.vstack(
        [
            capital_pts[rng.choice(len(capital_pts), capital_districts, replace=False)],
            *town_seeds,
            rural_seeds,
        ]
    )
    district = _nearest(points, district_seeds)
    province_of_district = _nearest(district_seeds, provinces)
    province_of_district[:capital_districts] = 0
    province = province_of_district[district]

    ward = np.zeros(stations, dtype=np.int64)
    ward_offset = 0
    for d in np.unique(district):
        idx = np.flatnonzero(district == d)
        labels = _wards(points[idx], STATIONS_PER_WARD)
        ward[idx] = ward_offset + labels
        ward_offset += int(labels.max()) + 1

    province_names = _unique_names(rng, n_provinces)
    province_names[0] = "Нийслэл " + province_names[0]
    district_names = _unique_names(rng, len(district_seeds), repeat_share=0.08)
    frame = pd.DataFrame(
        {
            "true_lon": points[:, 0].round(6),
            "true_lat": points[:, 1].round(6),
            "province_id": province,
            "district_id": district,
            "ward_id": ward,
            "urban": urban,
        }
    )
    frame = frame.sort_values(["province_id", "district_id", "ward_id"], kind="stable")
    frame = frame.reset_index(drop=True)
    # Ward names repeat in every district: "1-р хороо" (town) or "1-р баг" (countryside).
    first_ward = frame.groupby("district_id")["ward_id"].transform("min")
    ward_no = frame["ward_id"] - first_ward + 1
    urban_ward = frame.groupby("ward_id")["urban"].transform("mean") >= 0.5
    unit = np.where(urban_ward.to_numpy(), "хороо", "баг")
    frame["province"] = [province_names[p] for p in frame["province_id"]]
    frame["district"] = [district_names[d] for d in frame["district_id"]]
    frame["ward"] = [f"{n}-р {u}" for n, u in zip(ward_no, unit, strict=True)]
    number = frame.groupby("district_id").cumcount() + 1
    frame["number"] = number.astype(str)
    frame["code"] = [
        f"{p + 1:02d}-{d + 1:04d}-{n:04d}"
        for p, d, n in zip(frame["province_id"], frame["district_id"], number, strict=True)
    ]
    streets = _unique_names(rng, 400)
    street = rng.integers(0, len(streets), stations)
    house = rng.integers(1, 120, stations)
    frame["name"] = [f"{n}-р хэсгийн хороо" for n in number]
    frame["address"] = [
        f"{d}, {streets[s]} гудамж {h}"
        for d, s, h in zip(frame["district"], street, house, strict=True)
    ]
    located = rng.random(stations) >= unlocated_share
    frame["lon"] = np.where(located, frame["true_lon"], np.nan)
    frame["lat"] = np.where(located, frame["true_lat"], np.nan)
    return SyntheticCountry(frame, outline, seed)


def _published(country: SyntheticCountry, columns: tuple[str, ...]) -> pd.DataFrame:
    s = country.stations
    source = {
        COL_CODE: s["code"],
        COL_NUMBER: s["number"],
        COL_NAME: s["name"],
        COL_ADDRESS: s["address"],
        COL_PROVINCE: s["province"],
        COL_DISTRICT: s["district"],
        COL_WARD: s["ward"],
        COL_LAT: s["lat"].map(lambda v: "" if v != v else f"{v:.6f}".replace(".", ",")),
        COL_LON: s["lon"].map(lambda v: "" if v != v else f"{v:.6f}".replace(".", ",")),
    }
    if columns == REDUCED_COLUMNS:
        # The reduced list names districts by code, the only hierarchy it gives.
        source[COL_DISTRICT] = pd.Series(
            [
                f"{p + 1:02d}{d + 1:04d}"
                for p, d in zip(s["province_id"], s["district_id"], strict=True)
            ],
            index=s.index,
        )
    return pd.DataFrame({c: source[c] for c in columns})


def write_lists(country: SyntheticCountry, out_dir: str | Path, *, reduced: bool = False) -> Path:
    """Write the published station list as CSV (`;`-separated, decimal commas, UTF-8).

    The full list has code, number, name, address, three hierarchy levels and
    coordinates; the reduced one only the code, the district and coordinates.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    columns = REDUCED_COLUMNS if reduced else FULL_COLUMNS
    path = out / ("stations-reduced.csv" if reduced else "stations.csv")
    _published(country, columns).to_csv(path, sep=";", index=False, encoding="utf-8")
    return path


def main() -> None:  # pragma: no cover - a convenience for benchmarks
    import argparse

    parser = argparse.ArgumentParser(description="Write a synthetic country's station lists.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--stations", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    country = generate(args.stations, seed=args.seed)
    print(write_lists(country, args.out))
    print(write_lists(country, args.out, reduced=True))
