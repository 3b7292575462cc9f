"""The sign-in page's prefetch list names files the server really has: the first page's
Streamlit chunks with their imports, the map component's script and versioned Leaflet."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit

from planner.ui.caching import IMMUTABLE, cache_control
from planner.ui.prefetch import map_files, prefetch_links, streamlit_files

STATIC = Path(streamlit.__file__).parent / "static"


def test_streamlit_chunks_and_their_imports_exist() -> None:
    files = streamlit_files()
    assert any(f.startswith("static/js/DataFrame.") for f in files)
    assert any(f.startswith("static/css/DataFrame.") for f in files)
    for f in files:
        assert (STATIC / f).is_file(), f
    # what a listed chunk imports is listed too
    names = {f.rsplit("/", 1)[1] for f in files}
    frame = next(STATIC / f for f in files if f.startswith("static/js/DataFrame."))
    imported = set(re.findall(r'from\s*"\./([\w.\-]+\.js)"', frame.read_text()))
    assert imported and imported <= names


def test_map_files_are_kept_for_a_year() -> None:
    files = map_files()
    assert any(f.startswith("component/streamlit_folium.st_folium/static/js/main.") for f in files)
    assert any(f.startswith("app/static/vendor/leaflet/leaflet.js?v=") for f in files)
    for f in files:
        path, _, query = f.partition("?")
        assert cache_control("/" + path, query) == IMMUTABLE, f


def test_links_follow_the_base_path() -> None:
    links = prefetch_links("planner/")
    assert links.count('<link rel="prefetch"') == len(streamlit_files()) + len(map_files())
    assert 'href="/planner/static/js/DataFrame.' in links
    assert 'href="/static/js/' in prefetch_links("")
