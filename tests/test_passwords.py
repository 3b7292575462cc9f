"""Password rules (NIST SP 800-63B): length, the shipped list of common passwords,
repetitions and runs, context words, Unicode normalisation; messages never repeat the
password."""

from __future__ import annotations

import hashlib
import lzma
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.passwords import (
    COMMON_PASSWORDS,
    MAX_LENGTH,
    MIN_LENGTH,
    PasswordRejected,
    check,
    common_passwords,
)


def test_the_shipped_list_is_the_documented_file():
    """The top 100,000 of SecLists' list, unchanged (checksum in its README)."""
    with lzma.open(COMMON_PASSWORDS) as packed:
        raw = packed.read()
    assert hashlib.sha256(raw).hexdigest() == (
        "84f9f01da3323b41cdc030f89f7fab65bf76a7e0d5265acabb715c2b3795f148"
    )
    assert raw.count(b"\n") == 100_000
    assert "qwerty123456" in common_passwords()


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "AAAAAAAAAAAA", "1qaz2wsx3edc", "qwerty123456", "Password1234"],
)
def test_common_passwords_are_refused_whatever_the_case(password):
    with pytest.raises(PasswordRejected, match="most common breached"):
        check(password)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("zzzzzzzzzzzzzzzz", "repeated"),
        ("xyzxyzxyzxyz", "repeated"),
        ("hellohellohello", "repeated"),
        ("mnopqrstuvwxyz", "run"),
        ("7890123456789", "run"),
        ("lkjhgfdsapoiu", "run"),
        ("ячсмитьбюйцук", "run"),
    ],
)
def test_repetitions_and_runs_are_refused(password, why):
    with pytest.raises(PasswordRejected, match=why):
        check(password)


def test_context_words_are_refused():
    context = ["Kazakhstan early presidential election 2022"]
    for password in ("Kazakhstan 2022!!", "presidential-election", "observer planner 1"):
        with pytest.raises(PasswordRejected, match="mission's name"):
            check(password, username="aigerim", context=context)
    with pytest.raises(PasswordRejected, match="username"):
        check("my name is aigerim", username="aigerim", context=context)
    assert check("kazakhstan steppe horses run", username="aigerim", context=context)


def test_length_limits_after_normalisation():
    assert check("tea for two!") == "tea for two!"  # 12 characters, spaces count
    with pytest.raises(PasswordRejected, match=f"at least {MIN_LENGTH}"):
        check("ﬁﬁﬁﬁ ok")  # ligatures count as what they stand for, still too short
    assert len(check("tent " * 12 + "peg").strip()) > 60  # well past 64 is fine
    with pytest.raises(PasswordRejected, match=f"at most {MAX_LENGTH}"):
        check("river stone " * 30)
    assert check("ＡＢＣ horse battery") == "ABC horse battery"


@given(
    st.text(
        alphabet=string.ascii_letters + string.digits + " !?-", min_size=MIN_LENGTH, max_size=40
    )
)
def test_messages_never_repeat_the_password(password):
    try:
        check(password, username="someone", context=["A mission"])
    except PasswordRejected as exc:
        assert password not in str(exc) or len(password.strip()) < 3
