"""Identifiers from mission files, checked once at load and made safe wherever they name a file.

Ids of stations, TECs, regions, districts, areas and teams come from files anyone can write,
and the exports build file and archive-entry names from them (`STO-001.gpx`, `STO-001/` in
`team-packs.zip`). An id is therefore held to a character set that is harmless in a path,
a zip entry, a spreadsheet cell and a command line:

- letters and digits of any script (with their combining marks, so Devanagari or Thai ids
  work), `-`, `_`, `.` and the plain space;
- starting with a letter or a digit (never `.`, `-` or a space: no hidden files, no
  command-line options, no spreadsheet formula prefix such as `-2+3`);
- no `..` and no `.` or space at the end (Windows drops those from file names);
- at most `MAX_ID_LENGTH` characters.

So no `/`, `\\`, `:`, quotes, `<`, `=`, `+`, `@`, `,` (area files list regions with commas),
control characters or invisible formatting characters such as right-to-left marks.

`id_problem` says why a value is not a safe id; `check_ids` turns that into `Problem`s naming
file, row and field, for the loaders. `safe_name` is the one way an id becomes a file or
archive-entry name: the id itself when it is valid, and never a path even when validation was
bypassed (a `Mission` built in code, an edited store).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from planner.errors import Problem

MAX_ID_LENGTH = 64
# Room for a suffix such as "-pack.zip" within the 255-byte file-name limit of common
# file systems, with a margin for a folder name in an archive entry.
MAX_NAME_BYTES = 200
ALLOWED_PUNCTUATION = frozenset("-_. ")
_ASCII_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_ .-]*[A-Za-z0-9_-])?")
# Device names Windows reserves whatever the extension (CON.gpx is the console).
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
RULE = (
    "ids may hold letters, digits, '-', '_', '.' and spaces, start with a letter or digit, "
    f"and be at most {MAX_ID_LENGTH} characters long"
)


def _allowed(char: str) -> bool:
    return (
        char.isalnum()
        or char in ALLOWED_PUNCTUATION
        or unicodedata.category(char).startswith("M")  # combining marks of letters
    )


def _describe(char: str) -> str:
    """'/' for a visible character, 'U+200F (RIGHT-TO-LEFT MARK)' for an invisible one."""
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    name = unicodedata.name(char, "control character")
    return f"U+{ord(char):04X} ({name})"


def shown(value: str, limit: int = 60) -> str:
    """A value for a message: invisible characters as U+XXXX, cut after `limit` characters."""
    text = "".join(c if c.isprintable() or c == " " else f"<U+{ord(c):04X}>" for c in value[:limit])
    return text + ("..." if len(value) > limit else "")


def id_problem(value: str) -> str | None:
    """Why `value` cannot be an id, or None when it can (see the module docstring)."""
    if len(value) <= MAX_ID_LENGTH and ".." not in value and _ASCII_ID.fullmatch(value):
        return None  # the common case, decided without looking at each character
    if not value:
        return "is empty"
    if len(value) > MAX_ID_LENGTH:
        return f"is {len(value)} characters long; {RULE}"
    if not value[0].isalnum():
        return f"starts with {_describe(value[0])}; {RULE}"
    bad = next((c for c in value if not _allowed(c)), None)
    if bad is not None:
        return f"holds {_describe(bad)}; {RULE}"
    if ".." in value:
        return f"holds '..'; {RULE}"
    if value[-1] in ". ":
        return f"ends with {_describe(value[-1])}; {RULE}"
    return None


def check_ids(
    values: Iterable[str], *, file: str, field: str, rows: Iterable[int | str | None]
) -> list[Problem]:
    """A `Problem` for every unsafe id (empty values are left to the caller's own check)."""
    problems = []
    for value, row in zip(values, rows, strict=True):
        if not value:
            continue
        reason = id_problem(value)
        if reason is not None:
            row_number = row if row is None or isinstance(row, str) else int(row)
            message = f"unsafe {field} '{shown(value)}': {reason}"
            problems.append(Problem(file, row_number, field, message))
    return problems


def safe_name(value: str) -> str:
    """A file or archive-entry name made from an id: never empty, never a path.

    A valid id is returned as it is (normalised to NFC), except a Windows device name
    (CON, NUL, COM1 ...), which gets a leading '_'. Anything else has every character outside
    the id set replaced by '_', runs of dots collapsed, leading and trailing dots and spaces
    removed, and a short hash of the id appended (so two such ids stay apart); a long name is
    cut to `MAX_NAME_BYTES` first.
    """
    text = unicodedata.normalize("NFC", str(value))
    name = "".join(c if _allowed(c) else "_" for c in text)
    name = re.sub(r"\.{2,}", "_", name).strip(". ")
    if not name or name != text or len(name.encode("utf-8")) > MAX_NAME_BYTES:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        head = name.encode("utf-8")[: MAX_NAME_BYTES - 9].decode("utf-8", errors="ignore")
        name = f"{head.rstrip('. ') or '_'}-{digest}"
    if name.split(".")[0].rstrip(" ").upper() in _RESERVED:
        name = "_" + name
    return name
