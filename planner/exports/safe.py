"""Text from a mission made harmless for each export format.

Names, addresses and ids come from files anyone can write. The exporters pass such text
through these functions, so that:

- a spreadsheet never runs it as a formula (OWASP's CSV-injection guidance): `inert` puts
  a `'` before a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
  (also after leading spaces). It is applied to text columns only; numbers, and values the
  planner formats itself (times, UTC offsets), are written as they are, so `-5` and a
  negative longitude stay numbers. The spreadsheet export stores text as text cells
  instead (see `xlsx.py`), which needs no prefix;
- XML (GPX, KML) and iCalendar files stay valid: `plain_text` replaces the characters
  those formats cannot carry (control characters other than tab and line feed, lone
  surrogates, U+FFFE/U+FFFF) with U+FFFD and turns CR LF and CR into LF. The XML and
  iCalendar writers then escape the text exactly once;
- a KML balloon shows markup as text: Google Earth renders `<description>` as HTML, so
  `kml_description` HTML-escapes the text (line breaks become `<br>`) and wraps it in a
  CDATA section, which the escaping guarantees holds no `]]>`.
"""

from __future__ import annotations

import html
import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NOT_PLAIN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def inert(text: str) -> str:
    """A spreadsheet cell that is never read as a formula: `'` before a formula trigger."""
    if text.startswith(FORMULA_TRIGGERS) or text.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def needs_quote(text: str) -> bool:
    """Whether a spreadsheet program would take this text for a formula if typed in."""
    return inert(text) != text


def plain_text(text: str) -> str:
    """Text an XML or iCalendar file can carry: line breaks as LF, other control
    characters (and lone surrogates, U+FFFE, U+FFFF) as U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_PLAIN.sub("\ufffd", text)


def kml_description(text: str) -> str:
    """A KML `<description>` value that Google Earth shows as the text it is."""
    body = html.escape(plain_text(text), quote=True).replace("\n", "<br>")
    return f"<![CDATA[{body}]]>"
