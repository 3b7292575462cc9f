"""Which passwords may be chosen, as NIST SP 800-63B recommends.

- Length: at least `MIN_LENGTH` characters (12, the length a passphrase of three words
  reaches), at most `MAX_LENGTH` (well above the 64 NIST asks to allow); no composition
  rules (no "one digit, one symbol").
- Unicode: every password is normalised to NFKC before it is checked, hashed or
  verified, so the same password typed on another keyboard or system still matches.
- Refused, with the reason named: the 100,000 most common breached passwords (shipped in
  `planner/password_lists`, ignoring case), one character or a short block repeated
  ("aaaaaaaaaaaa", "abcabcabcabc"), runs of the alphabet, digits or a keyboard row
  ("123456789012", "qwertyuiopas"), and passwords built only from the username, the
  mission's name and the planner's own words ("election", "observer", ...).

The messages never repeat the password.
"""

from __future__ import annotations

import lzma
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 256
LISTS = Path(__file__).resolve().parent / "password_lists"
COMMON_PASSWORDS = LISTS / "common-passwords-100k.txt.xz"
# Words of this service: a password made only of them is the first thing anyone tries.
SERVICE_WORDS = frozenset(
    {
        "election",
        "elections",
        "electoral",
        "observer",
        "observers",
        "observation",
        "observe",
        "mission",
        "planner",
        "plan",
        "deployment",
        "deploy",
        "coordinator",
        "lto",
        "sto",
        "team",
        "teams",
        "vote",
        "voting",
        "voter",
        "ballot",
        "poll",
        "polling",
        "station",
        "password",
        "passwort",
        "admin",
        "welcome",
        "osce",
        "odihr",
    }
)
# Runs that people type instead of a password: alphabet, digits, keyboard rows.
_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "йцукенгшщзхъфывапролджэячсмитьбю",
)
_WORD = re.compile(r"[^\W\d_]+")


class PasswordRejected(ValueError):
    """A password that must not be chosen; the message says why (never what it was)."""


def normalize(password: str) -> str:
    """The form in which a password is checked, hashed and verified (Unicode NFKC)."""
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords(min_length: int = MIN_LENGTH) -> frozenset[str]:
    """The shipped common passwords long enough to be chosen, case-folded."""
    with lzma.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(
            folded
            for line in lines
            if len(folded := normalize(line.rstrip("\n")).casefold()) >= min_length
        )


def _repeated(text: str) -> bool:
    """One character or a block of up to a third of the text, repeated throughout."""
    for size in range(1, len(text) // 3 + 1):
        block = text[:size]
        if (block * (len(text) // size + 1))[: len(text)] == text:
            return True
    return False


def _is_run(text: str) -> bool:
    """The whole text walks along the alphabet, the digits or a keyboard row, either way
    (wrapping around: "7890123456")."""
    for run in _RUNS:
        for line in (run, run[::-1]):
            cycle = line * (len(text) // len(line) + 2)
            if text in cycle:
                return True
    return False


def context_words(*phrases: str | None) -> frozenset[str]:
    """The words of a username, a mission name or another phrase (letters only, folded)."""
    found: set[str] = set()
    for phrase in phrases:
        if phrase:
            found.update(w for w in _WORD.findall(normalize(phrase).casefold()) if len(w) >= 2)
    return frozenset(found)


def check(password: str, *, username: str = "", context: Iterable[str] = ()) -> str:
    """The normalised password if it may be chosen; else PasswordRejected saying why.

    `context`: phrases a guesser knows, e.g. the mission's name.
    """
    chosen = normalize(password)
    if len(chosen) < MIN_LENGTH:
        raise PasswordRejected(f"a password needs at least {MIN_LENGTH} characters")
    if len(chosen) > MAX_LENGTH:
        raise PasswordRejected(f"a password may have at most {MAX_LENGTH} characters")
    folded = chosen.casefold()
    compact = "".join(folded.split())
    if folded in common_passwords() or compact in common_passwords():
        raise PasswordRejected(
            "this password is on the list of the most common breached passwords; choose another"
        )
    if _repeated(compact):
        raise PasswordRejected("a password must not be one character or block repeated")
    if _is_run(compact):
        raise PasswordRejected(
            "a password must not be a run of the alphabet, the digits or a keyboard row"
        )
    name = normalize(username).casefold().strip()
    if len(name) >= 3 and name in folded:
        raise PasswordRejected("a password must not contain the username")
    known = SERVICE_WORDS | context_words(username, *context)
    words = _WORD.findall(folded)
    if words and all(w in known for w in words):
        raise PasswordRejected(
            "a password must not be made only of the username, the mission's name and "
            "words of this planner (such as 'election' or 'observer')"
        )
    return chosen
