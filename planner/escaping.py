"""Mission text shown as text: escaped for HTML and for Streamlit's Markdown.

Names, addresses, ids and user names come from mission packages and accounts, which can
come from anyone. Wherever such text is put into HTML (map popups, tooltips, legends) or
into Markdown (Streamlit renders captions, titles, messages, buttons, pills and metrics as
Markdown), it goes through one of these two functions where the string is built, so
`<img src=x onerror=...>` shows as those characters and `[click](javascript:...)` or
`**x**` stays as typed.
"""

from __future__ import annotations

import html
import re
import string

# A zero-width, invisible character that keeps two characters from being read as one
# token. Streamlit rewrites some text after parsing (`->` into an arrow, `:streamlit:` into
# its logo, `www.x` into a link); a joiner between the characters keeps them as typed.
WORD_JOINER = "\u2060"
_PUNCTUATION = frozenset(string.punctuation)
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_WWW = re.compile(r"(www)(\.)", re.IGNORECASE)


def html_text(value: object) -> str:
    """`value` as HTML text, safe in element content and in quoted attribute values."""
    return html.escape(str(value), quote=True)


def markdown_text(value: object) -> str:
    """`value` as literal text inside Streamlit Markdown.

    Every ASCII punctuation mark is backslash-escaped (CommonMark allows it for all of
    them), so no emphasis, link, code, heading, list, table, LaTeX (`$`), colour or icon
    directive (`:red[...]`, `:material/...:`) can start; HTML is shown as text by Streamlit
    anyway. Line breaks become spaces (a name stays on its line), and a word joiner goes
    after `:` and `@`, between two punctuation marks and inside `www.`, where Streamlit
    would otherwise still replace the text after parsing it. Leading spaces and tabs go:
    Markdown would read four of them as a code block, and a paragraph drops them anyway.
    """
    text = _LINE_BREAKS.sub(" ", str(value)).lstrip(" \t")
    text = _WWW.sub(lambda m: m[1] + WORD_JOINER + m[2], text)
    out: list[str] = []
    for i, char in enumerate(text):
        if char not in _PUNCTUATION:
            out.append(char)
            continue
        out.append("\\" + char)
        following = text[i + 1 : i + 2]
        if char in ":@" or following in _PUNCTUATION:
            out.append(WORD_JOINER)
    return "".join(out)
