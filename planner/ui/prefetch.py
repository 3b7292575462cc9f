"""While the sign-in form is open, the browser fetches what the first page after it needs.

Streamlit loads each kind of element's code when a page first shows one (tables, metrics,
pills, the map component), one small file after another: on a link with 400 ms per
request, the chain of about 60 files after signing in costs more time than their bytes.
The sign-in page lists them for the browser to prefetch, all at once, while the person
types; the files are immutable (`planner.ui.caching`), so they are fetched once per
browser and a second visit takes them from the cache.

The list is made from the installed Streamlit at the first sign-in: the chunks named in
`FIRST_PAGE_CHUNKS` and what they import; a name that a Streamlit release no longer has
is skipped.
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

import streamlit

from planner.maps.layers import LEAFLET_CSS, LEAFLET_JS

# The element chunks a signed-in page of ours loads (tables, metrics, pills, select
# boxes, page links, downloads, progress, the map component), by name without the hash.
FIRST_PAGE_CHUNKS = (
    "DataFrame",
    "Metric",
    "ButtonGroup",
    "Selectbox",
    "PageLink",
    "ComponentInstance",
    "IFrameUtil",
    "Quiver",
    "arrowFormatUtils",
    "serialization",
    "recordbatch",
    "numbro",
    "moment",
    "formatMoment",
    "reactJsonViewCompat",
    "pandasStylerUtils",
    "withFullScreenWrapper",
    "FileDownload.esm",
    "createDownloadLinkElement",
    "Delete.esm",
    "ProgressBar",
    "Html",
    "CustomTheme",
    "checkboxIndicatorStyles",
    "NumberFormatter",
)
FIRST_PAGE_STYLES = ("DataFrame",)
MAP_COMPONENT = "streamlit_folium.st_folium"
STATIC_IMPORT = re.compile(r'(?:from|import)\s*"\./([\w.\-]+\.js)"')


def _chunk_name(file_name: str) -> str:
    """`DataFrame.-f9-1zS0.js` -> `DataFrame` (the name before the content hash)."""
    parts = file_name.rsplit(".", 2)
    return parts[0] if len(parts) == 3 else file_name


@functools.cache
def streamlit_files() -> tuple[str, ...]:
    """Paths (under the app's root) of the first page's chunks and their imports."""
    static = Path(streamlit.__file__).parent / "static" / "static"
    by_name: dict[str, list[Path]] = {}
    for path in sorted((static / "js").glob("*.js")):
        by_name.setdefault(_chunk_name(path.name), []).append(path)
    todo = [p for name in FIRST_PAGE_CHUNKS for p in by_name.get(name, [])]
    seen: dict[str, None] = {}
    while todo:
        path = todo.pop()
        if path.name in seen or not path.is_file():
            continue
        seen[path.name] = None
        text = path.read_text(encoding="utf-8", errors="replace")
        todo += [static / "js" / name for name in STATIC_IMPORT.findall(text)]
    styles = [
        f"static/css/{p.name}"
        for name in FIRST_PAGE_STYLES
        for p in sorted((static / "css").glob(f"{name}.*.css"))
    ]
    return (*(f"static/js/{name}" for name in sorted(seen)), *styles)


@functools.cache
def map_files() -> tuple[str, ...]:
    """The map component's script and Leaflet (absolute paths, as the map asks for them)."""
    from streamlit_folium import _component_func  # the installed component's files

    files: list[str] = []
    build = getattr(_component_func, "path", None) or ""
    index = Path(build) / "index.html" if build else None
    if index is not None and index.is_file():
        for src in re.findall(r'src="\./([^"]+\.js)"', index.read_text(encoding="utf-8")):
            files.append(f"component/{MAP_COMPONENT}/{src}")
    return (*files, *(url.lstrip("/") for _, url in (*LEAFLET_JS, *LEAFLET_CSS)))


def prefetch_links(base_path: str = "") -> str:
    """`<link rel="prefetch">` tags for every file the first page after signing in needs."""
    base = "/" + base_path.strip("/") if base_path.strip("/") else ""
    return "".join(
        f'<link rel="prefetch" href="{html.escape(f"{base}/{path}")}">'
        for path in (*streamlit_files(), *map_files())
    )
