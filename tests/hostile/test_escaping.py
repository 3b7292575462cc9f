"""Mission text reaches HTML, Markdown and the terminal as text: one helper per context,
checked against real parsers; the maps carry no raw payload; the CLI prints names as
they are."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from hostile.payloads import SCRIPT, SCRIPTS, scripted_mission
from planner.cli import app
from planner.escaping import WORD_JOINER, html_text, markdown_text
from planner.geodata import write_mission
from planner.maps.payloads import areas_geojson
from planner.maps.render import map_html, plan_map

RICH = next(p for p in SCRIPTS if p.startswith("[/bold]"))
MARKUP = [p for p in SCRIPTS if "<" in p]
# Text a name may hold: any character but the ones no file format carries (NUL, other C0
# controls, surrogates); line breaks included.
NAME_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00").filter(
        lambda c: c in "\n\r\t" or ord(c) >= 0x20
    )
)
GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _paragraph_text(html: str) -> tuple[str, list[str]]:
    """The text of rendered Markdown, and the tags other than the paragraph around it."""
    root = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    tags = [el.tag for el in root.iter() if el.tag not in ("div", "p")]
    return root.text_content(), tags


@given(NAME_TEXT)
@example("\t0")  # an indented code block, were the indent kept
@example("    x")
@example("\n  \t# heading")
def test_markdown_text_renders_as_the_text_it_is(text: str) -> None:
    """CommonMark (with GFM tables and strikethrough) shows escaped text literally: no
    emphasis, link, code, heading, list, table or HTML element, the same characters."""
    rendered, tags = _paragraph_text(GFM.render(markdown_text(text)))
    assert tags == []
    expected = re.sub(r"[\r\n\u2028\u2029\x0b\x0c\x85]+", " ", text)
    assert rendered.replace(WORD_JOINER, "").strip() == expected.replace(WORD_JOINER, "").strip()


@pytest.mark.parametrize(
    ("text", "kept_apart"),
    [
        (":red[colour]", ":" + WORD_JOINER),
        (":streamlit:", ":" + WORD_JOINER),
        (":material/home:", ":" + WORD_JOINER),
        ("a -> b", "\\-" + WORD_JOINER + "\\>"),
        ("x >= y", "\\>" + WORD_JOINER + "\\="),
        ("www.example.org", "www" + WORD_JOINER + "\\."),
        ("WWW.EXAMPLE.ORG", "WWW" + WORD_JOINER + "\\."),
        ("mail me@example.org", "\\@" + WORD_JOINER),
        ("https://example.org", "\\:" + WORD_JOINER + "\\/"),
        ("$x^2$", "\\$x\\^2\\$"),
    ],
)
def test_streamlit_extensions_are_kept_from_matching(text: str, kept_apart: str) -> None:
    """Streamlit rewrites some text after the Markdown is parsed (colours, icons, its logo,
    arrows, links); a word joiner keeps those characters apart. The browser test shows the
    result on the page."""
    assert kept_apart in markdown_text(text)


@given(NAME_TEXT.filter(lambda t: all(c in "\t\n\r" or ord(c) >= 0x20 for c in t)))
def test_html_text_is_the_same_text_in_content_and_attributes(text: str) -> None:
    page = f'<div title="{html_text(text)}">{html_text(text)}</div>'
    element = lxml.html.fragment_fromstring(page)
    assert len(element) == 0  # no child element was made
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    assert element.text_content() == normalised
    assert element.get("title") == normalised


def test_the_areas_tooltip_is_escaped() -> None:
    """The AoR hover tooltip puts its fields into the map as HTML: they are escaped."""
    mission = scripted_mission()
    features = areas_geojson(mission.areas)["features"]
    for feature, area in zip(features, mission.areas, strict=True):
        assert feature["properties"]["label_name"] == html_text(area.name)
        assert feature["properties"]["area_id"] == area.area_id
        assert area.name not in json.dumps(feature, ensure_ascii=False)


def test_no_raw_payload_in_a_map(hostile_plan) -> None:
    """The whole map document of the scripted mission and its plan (routes with numbered
    stops, every popup and tooltip) holds no payload as raw markup, and what the areas
    tooltip puts into the page as HTML is escaped text."""
    mission, plan = hostile_plan
    document = map_html(plan_map(mission, plan))
    for payload in MARKUP:
        assert payload not in document, payload
    assert html_text(SCRIPT) in document
    fields = json.loads(re.search(r"let fields = (\[.*?\]);", document)[1])
    data = json.loads(re.search(r"geo_json_\w+_add\((\{.*?\})\);", document)[1])
    (area,) = mission.areas
    (feature,) = data["features"]
    tooltip = [feature["properties"][name] for name in fields]
    assert tooltip == [html_text(area.area_id), html_text(area.name)]


@pytest.fixture(scope="module")
def hostile_plan():
    from planner.plan import solve

    mission = scripted_mission()
    return mission, solve(mission, time_limit_s=5, seed=1, workers=1)


def test_the_cli_prints_names_as_they_are(tmp_path: Path) -> None:
    """Rich markup in a mission name (`[/bold]`, `[link=...]`) is printed as text, not read
    as markup (which, for an unmatched closing tag, stopped the command)."""
    mission = replace(scripted_mission(), name=RICH)
    package = tmp_path / "scripted"
    write_mission(mission, package)
    result = CliRunner().invoke(app, ["validate", str(package)], terminal_width=400)
    assert result.exit_code == 0, result.output
    assert mission.name in result.output
