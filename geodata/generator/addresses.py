"""Station numbers, ids, names and synthetic addresses.

Stations are numbered within their region in order of district and settlement
(`PS-<region>-<number>`); addresses are a settlement plus a street and a building drawn
from the Russian vocabulary of Kazakh precinct lists below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Synthetic address vocabulary (Russian, as on Kazakh precinct lists).
STREETS = (
    "ул. Абая",
    "ул. Сатпаева",
    "ул. Толе би",
    "ул. Жамбыла",
    "ул. Ауэзова",
    "ул. Байтурсынова",
    "пр. Республики",
    "ул. Кунаева",
    "ул. Момышулы",
    "ул. Гагарина",
    "ул. Мира",
    "ул. Желтоксан",
    "ул. Кабанбай батыра",
    "ул. Богенбай батыра",
    "ул. Айтеке би",
    "ул. Казыбек би",
    "ул. Майлина",
    "ул. Сейфуллина",
    "ул. Абылай хана",
    "ул. Шокана Уалиханова",
    "ул. Бокейханова",
    "ул. Жансугурова",
)
URBAN_BUILDINGS = (
    "школа-гимназия № {n}",
    "общеобразовательная школа № {n}",
    "школа-лицей № {n}",
    "колледж",
    "Дом культуры",
    "Дворец школьников",
)
URBAN_BUILDING_P = (0.30, 0.45, 0.10, 0.06, 0.05, 0.04)
RURAL_BUILDINGS = (
    "средняя школа",
    "основная школа",
    "сельский клуб",
    "Дом культуры",
    "здание аппарата акима сельского округа",
    "библиотека",
)
RURAL_BUILDING_P = (0.45, 0.15, 0.18, 0.12, 0.07, 0.03)
SPECIAL_BUILDINGS = (
    "городская больница № {n}",
    "многопрофильная больница",
    "перинатальный центр",
    "противотуберкулёзный диспансер",
    "центр социального обслуживания",
    "госпиталь ветеранов",
    "санаторий",
    "следственный изолятор",
)
SPECIAL_BUILDING_P = (0.35, 0.20, 0.10, 0.08, 0.10, 0.05, 0.05, 0.07)


def number_stations(st: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Sort within each region, number the stations, write names and addresses."""
    kind_order = st["kind"].map({"regular": 0, "special": 1})
    st = (
        st.assign(kind_order=kind_order)
        .sort_values(["region", "district", "kind_order", "sett_rank", "lat", "lon"])
        .reset_index(drop=True)
    )
    st["number"] = (st.groupby("region").cumcount() + 1).astype(str)
    st["station_id"] = "PS-" + st["region"] + "-" + st["number"].str.zfill(4)
    st["name"] = "Polling station No. " + st["number"] + ", " + st["settlement"]
    school_no: dict[str, int] = {}
    hospital_no: dict[str, int] = {}
    addresses = []
    for row in st.itertuples():
        if row.kind == "special":
            hospital_no[row.settlement] = hospital_no.get(row.settlement, 0) + 1
            b = SPECIAL_BUILDINGS[rng.choice(len(SPECIAL_BUILDINGS), p=SPECIAL_BUILDING_P)]
            addresses.append(f"{row.settlement}, {b.format(n=hospital_no[row.settlement])}")
        elif row.setting == "urban":
            school_no[row.settlement] = school_no.get(row.settlement, 0) + 1
            b = URBAN_BUILDINGS[rng.choice(len(URBAN_BUILDINGS), p=URBAN_BUILDING_P)]
            street = STREETS[rng.integers(len(STREETS))]
            house = int(rng.integers(1, 180))
            addresses.append(
                f"{row.settlement}, {street}, {house}, {b.format(n=school_no[row.settlement])}"
            )
        else:
            b = RURAL_BUILDINGS[rng.choice(len(RURAL_BUILDINGS), p=RURAL_BUILDING_P)]
            addresses.append(f"{row.settlement}, {b}")
    st["address"] = addresses
    return st.drop(columns="kind_order")
