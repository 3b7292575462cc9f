"""A hostile mission: script, formula and markup payloads in every name field, and ids
that try to be paths.

`hostile_mission()` is small (two STO teams, ten stations in Almaty) so it plans in about
a second; `hostile_mission(unsafe_ids=True)` gives every layer path-like ids, which the
loader must refuse. Both are plain `Mission`s: write them with `write_mission` to get a
package on disk, or hand one to the exporters directly to bypass the loader.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import shapely

from planner.model import (
    Area,
    Commission,
    CommissionLevel,
    District,
    Mission,
    Region,
    Rules,
    Setting,
    Station,
    StationKind,
    Targets,
    Team,
    TeamKind,
)

SCRIPT = "<img src=x onerror=alert(1)>"
HYPERLINK = '=HYPERLINK("http://x","y")'
FORMULAS = (HYPERLINK, "+cmd", "@SUM(1)", "-2+3", "=1+1", "\t=cmd", "#N/A")
MARKUP = (SCRIPT, "<b>bold</b>", "]]>", "<![CDATA[", "&amp; &lt;", "</name></Placemark>")
QUOTES = "\"double\" 'single' `back`, semi; colon: back\\slash"
RTL = "\u202eevil\u202c \u200fمرحبا\u200e"
CONTROL = "bell\x07 vtab\x0b nul-less"
LONG = "Long " + "Ω" * 1000
# One payload per name field, cycled, so every kind of payload lands in several fields.
PAYLOADS = (*FORMULAS, *MARKUP, QUOTES, RTL, CONTROL, LONG)

# What a browser would run, Streamlit would render as Markdown, or Rich would read as markup,
# were it not escaped; `scripted_mission()` puts one in every name field.
SCRIPTS = (
    SCRIPT,
    "<script>alert(2)</script>",
    '"><img src=x onerror=alert(3)>',
    "'><svg onload=alert(4)>",
    "</script><script>alert(5)</script>",
    "[click](javascript:alert(6))",
    "**bold** _it_ :red[red] :streamlit: $x^2$ -> www.example.org",
    "[/bold][red]rich[/red] [link=file:///etc/passwd]x[/link]",
)

# Ids that try to leave a folder or hide in one; the loader refuses each of them.
UNSAFE_IDS = (
    "../../../tmp/x",
    "/etc/passwd",
    "a\\b",
    "..",
    ".hidden",
    "C:evil",
    "=HYPERLINK(1)",
    "-rf",
    "tab\tid",
    "rtl\u202eid",
    "x" * 65,
)

ALMATY = "Asia/Almaty"
CITY = shapely.box(76.80, 43.15, 77.05, 43.35)
WEST = shapely.box(76.80, 43.15, 76.93, 43.35)
EAST = shapely.box(76.93, 43.15, 77.05, 43.35)


class _Names:
    """Hands out the payloads in turn."""

    def __init__(self) -> None:
        self.i = 0

    def __call__(self) -> str:
        value = PAYLOADS[self.i % len(PAYLOADS)]
        self.i += 1
        return value


def hostile_mission(*, unsafe_ids: bool = False) -> Mission:
    """Ten stations, three TECs, one area, two STO teams (with bases) and one LTO, every
    name field a payload. With `unsafe_ids`, ids of every layer are path-like."""
    name = _Names()
    ids = iter(UNSAFE_IDS * 4) if unsafe_ids else None

    def ident(safe: str) -> str:
        return next(ids) if ids is not None else safe

    region = ident("75")
    west, east = ident("7511"), ident("7513")
    city_tec, west_tec, east_tec = ident("TEC-75"), ident("TEC-7511"), ident("TEC-7513")
    commissions = (
        Commission(city_tec, name(), CommissionLevel.CITY, None, region, ALMATY,
                   76.8897, 43.2389),
        Commission(west_tec, name(), CommissionLevel.CITY_DISTRICT, city_tec, region, ALMATY,
                   76.9100, 43.2520, west),
        Commission(east_tec, name(), CommissionLevel.CITY_DISTRICT, city_tec, region, ALMATY,
                   76.9600, 43.2500, east),
    )  # fmt: skip
    places = (
        (west, west_tec, 1820, 76.90, 43.24, Setting.URBAN),
        (west, west_tec, 2104, 76.88, 43.21, Setting.URBAN),
        (west, west_tec, 960, 76.86, 43.26, Setting.RURAL),
        (east, east_tec, 1400, 76.97, 43.23, Setting.URBAN),
        (east, east_tec, 700, 77.01, 43.30, Setting.RURAL),
        (east, east_tec, 1250, 76.99, 43.25, Setting.URBAN),
        (west, west_tec, 1100, 76.89, 43.25, Setting.URBAN),
        (west, west_tec, 640, 76.91, 43.22, Setting.RURAL),
        (east, east_tec, 1530, 76.96, 43.27, Setting.URBAN),
        (east, east_tec, 820, 77.00, 43.21, Setting.RURAL),
    )
    stations = tuple(
        Station(ident(f"PS-{i}"), name(), name(), name(), region, district, tec, voters,
                StationKind.REGULAR, setting, ALMATY, lon, lat)
        for i, (district, tec, voters, lon, lat, setting) in enumerate(places, start=1)
    )  # fmt: skip
    area = ident("AOR-01")
    return Mission(
        name=name(),
        country="Kazakhstan",
        regions=(Region(region, name(), name(), name(), ALMATY, CITY),),
        districts=(
            District(west, region, name(), name(), name(), WEST),
            District(east, region, name(), name(), name(), EAST),
        ),
        commissions=commissions,
        stations=stations,
        areas=(Area(area, name(), (region,), CITY),),
        teams=(
            Team(ident("STO-01"), TeamKind.STO, area, name(), 76.9456, 43.2436),
            Team(ident("STO-02"), TeamKind.STO, area, name(), 76.9200, 43.2300),
            Team(ident("LTO-01"), TeamKind.LTO, area, name(), None, None),
        ),
        rules=Rules(voting_stay_min=30, polls_open=time(8, 0), expected_turnout=0.65),
        targets=Targets(opening=2, voting=4, counting=2, tabulation=2),
        seed=7,
    )


def with_team_ids(mission: Mission, team_ids: dict[str, str]) -> Mission:
    """The mission with some team ids replaced (old -> new), bypassing the loader."""
    teams = tuple(replace(t, team_id=team_ids.get(t.team_id, t.team_id)) for t in mission.teams)
    return replace(mission, teams=teams)


def scripted_mission() -> Mission:
    """The hostile mission (safe ids) with a script payload in every name field, each one
    numbered (`... #7`) so a test can tell where a shown name comes from."""
    count = iter(range(1000))

    def name() -> str:
        i = next(count)
        return f"{SCRIPTS[i % len(SCRIPTS)]} #{i}"

    m = hostile_mission()
    areas = tuple(replace(a, name=name()) for a in m.areas)  # the area: the <img> payload
    teams = tuple(replace(t, base_name=name()) for t in m.teams)
    return replace(
        m,
        name=name(),
        country=name(),
        regions=tuple(
            replace(r, name_en=name(), name_kk=name(), name_ru=name()) for r in m.regions
        ),
        districts=tuple(
            replace(d, name_en=name(), name_kk=name(), name_ru=name()) for d in m.districts
        ),
        commissions=tuple(replace(c, name=name()) for c in m.commissions),
        stations=tuple(replace(s, number=name(), name=name(), address=name()) for s in m.stations),
        areas=areas,
        teams=teams,
    )
