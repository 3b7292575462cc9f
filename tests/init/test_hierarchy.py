"""The hierarchy from values: order, repeated names, codes beside names, non-levels."""

from __future__ import annotations

import pandas as pd

from planner.init.hierarchy import display, infer


def _frame() -> pd.DataFrame:
    rows = []
    for p in range(3):
        for d in range(4):
            for w in range(1, 4):
                for s in range(2):
                    rows.append(
                        {
                            "province": f"P{p}",
                            "district": f"Sum {d}",  # the same names in every province
                            "district code": f"{p}{d:02d}",
                            "ward": f"{w}-р хороо",  # repeats in every district
                            "station": f"{p}-{d}-{w}-{s}",
                        }
                    )
    return pd.DataFrame(rows)


def test_levels_are_ordered_top_down_whatever_the_column_order() -> None:
    frame = _frame()
    ranks = {"ward": 3, "district": 2, "province": 1}
    h = infer(frame, ["ward", "district", "province"], ranks=ranks)
    assert [lv.column for lv in h.levels] == ["province", "district", "ward"]
    # "1-р хороо" in 12 districts is 12 different wards: units are named by their path.
    assert len(set(h.keys[2])) == 3 * 4 * 3
    assert display(h.keys[2][0]) == "P0 / Sum 0 / 1-р хороо"


def test_without_header_hints_the_fewest_units_come_first() -> None:
    frame = _frame()
    h = infer(frame, ["district", "province"])
    assert [lv.column for lv in h.levels] == ["province", "district"]


def test_a_code_beside_a_name_is_the_same_level_and_a_unique_column_is_not_a_level() -> None:
    frame = _frame()
    h = infer(frame, ["province", "district", "district code", "station"])
    assert [lv.column for lv in h.levels] == ["province", "district"]
    assert h.levels[1].aliases == ("district code",)
    assert ("station", "a different value on every row: not a level") in h.dropped


def test_missing_values_are_counted() -> None:
    frame = _frame()
    frame.loc[[0, 5], "ward"] = ""
    h = infer(frame, ["province", "district", "ward"])
    assert h.missing == {"ward": 2}
