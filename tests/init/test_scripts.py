"""Station lists in any script are read as the characters they are."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.geodata import load_mission
from planner.tabular import decode

NAMES = {
    "arabic": "مدرسة الرياض",
    "greek": "Σχολείο Αθήνα",
    "thai": "โรงเรียนบ้าน",
    "georgian": "თბილისი სკოლა",
    "devanagari": "विद्यालय दिल्ली",
    "kazakh": "Қазақ мектебі №5",
}


@pytest.mark.parametrize("script", sorted(NAMES))
def test_utf8_text_in_any_script_is_utf8(script: str) -> None:
    text = f"id,name\n1,{NAMES[script]}\n"
    assert decode(text.encode("utf-8")) == (text, "utf-8")


def test_windows_1251_is_still_recognised() -> None:
    assert decode("Школа №5, ул. Абая".encode("cp1251"))[1] == "cp1251"
    assert decode("В№".encode("cp1251"))[1] == "cp1251"


def test_a_list_with_arabic_names_keeps_them(tmp_path) -> None:
    rows = ["Station Code,Station Name,Governorate,District,Latitude,Longitude"]
    for i in range(40):
        gov = "الرياض" if i < 20 else "مكة"
        rows.append(f"S{i:03d},{NAMES['arabic']} {i},{gov},حي {i % 4},{24 + i * 0.01:.4f},"
                    f"{46 + i * 0.01:.4f}")  # fmt: skip
    path = tmp_path / "stations.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "pkg"
    result = CliRunner().invoke(app, ["init", str(path), "--out", str(out), "--name", "X",
                                      "--election-date", "2025-06-01", "--teams", "2"])  # fmt: skip
    assert result.exit_code == 0, result.output
    mission = load_mission(out)
    assert mission.station_by_id["S000"].name == f"{NAMES['arabic']} 0"
    assert {r.name_en for r in mission.regions} == {"الرياض", "مكة"}
    assert {s.tz for s in mission.stations} == {"Asia/Riyadh"}
