"""CSV and XLSX tables as plain text columns, the way people actually send them.

Spreadsheets exported on Russian- or Kazakh-language systems come in UTF-8 (with or
without a byte-order mark) or Windows-1251, separated by commas or semicolons. This module
only turns such a file into a table of trimmed strings with lower-case column names; what
the columns mean is checked by the readers that use it (mission geodata, route mode).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

TABULAR_SUFFIXES = (".csv", ".xlsx")
SEPARATORS = (",", ";", "\t")


class TableError(ValueError):
    """A table that cannot be read at all; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class Table:
    """A table of text cells.

    `frame` has normalised column names (trimmed, lower-case), every cell a trimmed string
    ("" when empty), fully blank rows dropped, and its index set to the 1-based data row
    number (the header is row 0) so problems can point at the row a person sees.
    """

    frame: pd.DataFrame
    separator: str | None

    @property
    def decimal_comma(self) -> bool:
        """Whether "43,25" may mean 43.25 (not when the comma separates the columns)."""
        return self.separator != ","


# Characters expected in station lists: ASCII, Latin letters (foreign addresses), Russian
# and Kazakh Cyrillic, and common typographic marks. Anything else hints at a wrong guess.
_UNLIKELY = re.compile(
    r"[^\t\n\r\x20-\x7e\u00a0\u00ab\u00b0\u00b2\u00b3\u00b7\u00bb\u00c0-\u017f"
    r"\u0401\u0406\u0410-\u044f\u0451\u0456\u0492\u0493\u049a\u049b\u04a2\u04a3"
    r"\u04ae\u04af\u04b0\u04b1\u04ba\u04bb\u04d8\u04d9\u04e8\u04e9"
    r"\u2013\u2014\u2018\u2019\u201c\u201d\u201e\u2022\u2026\u2116]"
)


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (a byte-order mark is dropped), else Windows-1251.

    Some Windows-1251 text is also valid UTF-8 ("В№" is the UTF-8 for "¹"); when the UTF-8
    reading has unlikely characters and the Windows-1251 reading has fewer, the latter wins.
    Letters of any script (Arabic, Greek, Thai, ...) are never unlikely in a UTF-8 reading:
    Windows-1251 words are not valid UTF-8, so valid UTF-8 letters mean UTF-8.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1251"), "cp1251"
        except UnicodeDecodeError as exc:
            raise TableError("text is neither UTF-8 nor Windows-1251 encoded") from exc
    unlikely = sum(1 for c in _UNLIKELY.findall(text) if unicodedata.category(c)[0] not in "LM")
    if unlikely:
        try:
            legacy = data.decode("cp1251")
        except UnicodeDecodeError:
            return text, "utf-8"
        if len(_UNLIKELY.findall(legacy)) < unlikely:
            return legacy, "cp1251"
    return text, "utf-8"


def sniff_separator(text: str) -> str:
    """The column separator, judged by the header line: `;`, tab or `,` (the default)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: _count_outside_quotes(header, sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] > 0 else ","


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.fillna("").astype(str)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.loc[:, ~frame.columns.duplicated()].copy()
    for column in frame.columns:
        frame[column] = frame[column].str.strip()
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    if frame.empty:
        return frame
    return frame[(frame != "").any(axis=1)]


def read_csv_text(text: str) -> Table:
    """Parse CSV text (separator sniffed) into a `Table`."""
    sep = sniff_separator(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.EmptyDataError:
        return Table(pd.DataFrame(), sep)  # no header, no rows
    except (pd.errors.ParserError, ValueError) as exc:
        raise TableError(f"not a readable CSV table: {exc}") from exc
    return Table(_tidy(frame), sep)


def read_table(path: Path) -> Table:
    """Read a .csv or .xlsx file (first sheet) into a `Table`; `TableError` if unreadable."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TableError(f"cannot read the file: {exc.strerror or exc}") from exc
        text, _ = decode(data)
        return read_csv_text(text)
    if suffix == ".xlsx":
        try:
            frame = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for a corrupt workbook
            raise TableError(f"not a readable Excel workbook: {exc}") from exc
        return Table(_tidy(frame), None)
    raise TableError(f"not a table file: {path.name}")
