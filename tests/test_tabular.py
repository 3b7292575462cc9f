"""CSV and XLSX tables as text: encodings."""

from __future__ import annotations

import pytest

from planner import tabular

# --- encodings ------------------------------------------------------------------------


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
