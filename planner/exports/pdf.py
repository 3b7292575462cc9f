"""Printable team schedules (A4 PDF) with an offline route map.

`team_pdf(view, team_id)` is one team's schedule; `mission_pack_pdf(view)` a cover with
coverage against the targets followed by every team. DejaVu Sans is embedded so Kazakh
and Russian names print; maps come from `route_map.RouteMapRenderer`, one figure reused
for all teams.
"""

from __future__ import annotations

import atexit
import io
import shutil
import tempfile
from collections.abc import Callable, Generator, Iterable, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path

from fpdf import FPDF

from planner.exports.route_map import (
    BASE_COLOUR,
    FIG_SIZE,
    PHASE_COLOURS,
    RouteMapRenderer,
    town_cluster,
)
from planner.exports.view import PHASES, PlanView, StopView, TeamView, utc_offset

# Told of each team done as a long file is built: (teams done, teams in all).
Progress = Callable[[int, int], None]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
CONFIDENTIAL = "Confidential — not for distribution before election day"
MARGIN = 10.0
WIDTH = 190.0  # printable width of A4 portrait with 10 mm margins
MAP_HEIGHT = WIDTH * FIG_SIZE[1] / FIG_SIZE[0]
STOP_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("#", 6, "C"),
    ("Phase", 17, "L"),
    ("Arrive", 12, "C"),
    ("Depart", 12, "C"),
    ("No.", 9, "C"),
    ("Station / site", 36, "L"),
    ("Address", 42, "L"),
    ("Voters", 11, "R"),
    ("TEC", 27, "L"),
    ("Min", 8, "R"),
    ("km", 10, "R"),
)


class SchedulePDF(FPDF):
    """A4 portrait with the DejaVu fonts and the confidential footer on every page."""

    def __init__(self, view: PlanView, fonts: tuple[Path, Path]) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.view = view
        self.section = ""
        self._widths: dict[tuple[str, str, float, str], float] = {}
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=16)
        regular, bold = fonts
        self.add_font(FONT, "", regular)
        self.add_font(FONT, "B", bold)
        self.set_font(FONT, size=8)
        self.set_title(f"{view.mission_name}: team schedules")

    def text_width(self, text: str) -> float:
        """Width of `text` in the current font, memoised: tables repeat the same words."""
        key = (self.font_family, self.font_style, self.font_size_pt, text)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.get_string_width(text)
        return width

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap to `width` mm; a newline starts a line, long words are cut."""
        lines: list[str] = []
        space = self.text_width(" ")
        for paragraph in str(text).split("\n"):
            line, used = "", 0.0
            for part in paragraph.split():
                for word in self._cut(part, width):
                    w = self.text_width(word)
                    if line and used + space + w <= width:
                        line, used = f"{line} {word}", used + space + w
                    else:
                        if line:
                            lines.append(line)
                        line, used = word, w
            lines.append(line)
        return lines

    def _cut(self, word: str, width: float) -> list[str]:
        parts = []
        while len(word) > 1 and self.text_width(word) > width:
            cut = len(word) - 1
            while cut > 1 and self.text_width(word[:cut]) > width:
                cut -= 1
            parts.append(word[:cut])
            word = word[cut:]
        parts.append(word)
        return parts

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=6.5)
        self.set_text_color(90, 90, 90)
        third = WIDTH / 3
        self.cell(third + 20, 5, CONFIDENTIAL, align="L")
        self.cell(third - 20, 5, f"{self.section} · plan {self.view.version}", align="C")
        self.cell(third, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)


# Latin, Cyrillic (with Kazakh letters) and the punctuation and symbols the pages use.
FONT_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x400, 0x52F),
    (0x2000, 0x206F),
    (0x2100, 0x214F),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
    (0x25A0, 0x25FF),
)
_IN_RANGES = frozenset(chr(c) for lo, hi in FONT_RANGES for c in range(lo, hi + 1))


def _characters(view: PlanView) -> frozenset[str]:
    """Characters of the plan's texts outside FONT_RANGES (usually none)."""
    texts = [view.mission_name, view.travel_label, view.route_label]
    for t in view.teams:
        texts += [t.area_name, t.base_name]
        texts += [f"{s.name}{s.address}{s.tec_name}{s.number}" for s in t.stops]
    return frozenset("".join(texts)) - _IN_RANGES


@cache
def font_files(extra: frozenset[str] = frozenset()) -> tuple[Path, Path]:
    """DejaVu Sans regular and bold cut down to FONT_RANGES plus `extra` characters.

    Parsing the full fonts (6,000 glyphs) dominated the time of a one-team PDF; the cut
    fonts are made once per process in a temporary directory. Falls back to the full
    fonts if subsetting fails.
    """
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont

        directory = Path(tempfile.mkdtemp(prefix="planner-fonts-"))
        atexit.register(shutil.rmtree, directory, True)
        unicodes = [c for lo, hi in FONT_RANGES for c in range(lo, hi + 1)]
        unicodes += sorted(ord(c) for c in extra)
        paths = []
        for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
            options = subset.Options()
            options.notdef_outline = True
            options.name_IDs = ["*"]
            options.drop_tables += ["FFTM"]
            font = TTFont(FONT_DIR / name)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=unicodes)
            subsetter.subset(font)
            font.save(directory / name)
            paths.append(directory / name)
        return paths[0], paths[1]
    except Exception:  # a full font is slower, never wrong
        return FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"


def _fonts(view: PlanView) -> tuple[Path, Path]:
    return font_files(_characters(view))


def _clock(dt: datetime, view: PlanView, team_tz_offset: str) -> str:
    """'06:15', with the date when it is not election day and the offset if it differs."""
    text = dt.strftime("%H:%M")
    if dt.date() != view.election_date:
        text += "\n" + dt.strftime("%d.%m")
    offset = utc_offset(dt)
    if offset != team_tz_offset:
        text += f"\nUTC{offset}"
    return text


def _stop_cells(stop: StopView, view: PlanView, offset: str) -> list[str]:
    tec = stop.tec_name if stop.phase in ("counting", "tabulation") else ""
    first = stop.phase == "base" and stop.seq == 0
    last = stop.phase == "base" and not first
    return [
        str(stop.seq),
        stop.label,
        "" if first else _clock(stop.arrive, view, offset),
        "" if last else _clock(stop.depart, view, offset),
        stop.number,
        stop.name,
        f"{stop.address}\n({stop.note})".strip() if stop.note else stop.address,
        "" if stop.voters is None else f"{stop.voters:,}".replace(",", " "),
        tec,
        "" if first else str(stop.travel_min),
        "" if first else f"{stop.km:.1f}",
    ]


def _base_times(team: TeamView) -> tuple[datetime, datetime]:
    return team.stops[0].depart, team.stops[-1].arrive


def _map_key(pdf: SchedulePDF, *, zoomed: bool, on_roads: bool = False) -> None:
    """The map's legend, printed under it (cheaper than a legend in every map image)."""
    pdf.set_font(FONT, size=6.5)
    pdf.set_x(MARGIN)
    entries = [("Base", BASE_COLOUR, "■")] + [
        (phase.title(), colour, "◆" if phase == "tabulation" else "●")
        for phase, colour in PHASE_COLOURS.items()
    ]
    for label, colour, mark in entries:
        pdf.set_text_color(*_rgb(colour))
        pdf.cell(pdf.text_width(mark) + 0.8, 4, mark)
        pdf.set_text_color(60, 60, 60)
        pdf.cell(pdf.text_width(label) + 3, 4, label)
    note = "   " + ("Along the roads (OpenStreetMap)" if on_roads else "Straight lines, not roads")
    note += "; numbers are the stop order (#)"
    if zoomed:
        note += "; the dashed box is enlarged on the right"
    pdf.cell(0, 4, note + ".")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(5)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _team_section(pdf: SchedulePDF, team: TeamView, png: bytes) -> None:
    view = pdf.view
    pdf.add_page()
    pdf.section = team.team_id  # after add_page: the previous page's footer keeps its own
    pdf.start_section(f"{team.team_id} — {team.area_name or team.area_id}")
    offset = utc_offset(team.stops[0].arrive) if team.stops else ""
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 7, f"Team {team.team_id} — election-day schedule", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8.5)
    depart, back = _base_times(team)
    lines = [
        f"Area of responsibility: {team.area_id} {team.area_name}".rstrip()
        + f"   ·   Base: {team.base_name}",
        f"Election day: {view.election_date:%A %d %B %Y}   ·   Time zone: {team.tz} "
        f"(UTC{offset}); all times are local",
        f"Leave base {depart:%H:%M}, back {back:%H:%M}"
        + (f" on {back:%d.%m}" if back.date() != view.election_date else "")
        + f"   ·   {team.count('voting')} voting visits   ·   driving {team.travel_min} min, "
        + (
            f"{team.km:.0f} km along the roads"
            if team.on_roads
            else f"{team.km:.0f} km (straight line × {view.detour_factor:g})"
        ),
        f"{view.mission_name}   ·   plan {view.version}",
    ]
    for line in lines:
        pdf.cell(0, 4.4, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    pdf.image(io.BytesIO(png), x=MARGIN, w=WIDTH, h=MAP_HEIGHT)
    _map_key(pdf, zoomed=town_cluster(team) is not None, on_roads=team.on_roads)
    pdf.set_font(FONT, size=7)
    _table(
        pdf,
        [c[0] for c in STOP_COLUMNS],
        [_stop_cells(s, view, offset) for s in team.stops],
        widths=[c[1] for c in STOP_COLUMNS],
        aligns=[c[2] for c in STOP_COLUMNS],
    )


def _table(
    pdf: SchedulePDF,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    widths: Sequence[float],
    aligns: Sequence[str],
) -> None:
    """A ruled table with wrapped cells and the heading repeated on each new page.

    Drawn line by line with measured words rather than with fpdf2's generic table, which
    lays every cell out twice: a 150-team pack is thousands of cells.
    """
    size = pdf.font_size_pt
    line_h = size * 0.4572  # 1.3 x the font size, in mm
    pad = 0.8
    total = sum(widths)
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.15)

    def draw(values: Sequence[str], *, heading: bool, shade: bool) -> None:
        pdf.set_font(FONT, "B" if heading else "", size)
        cells = [pdf.wrap(text, w - 2 * pad) for text, w in zip(values, widths, strict=True)]
        height = max(len(c) for c in cells) * line_h + 2 * pad
        if pdf.get_y() + height > pdf.page_break_trigger and not heading:
            pdf.add_page()
            draw(headings, heading=True, shade=True)
            pdf.set_font(FONT, "", size)
        x, y = pdf.l_margin, pdf.get_y()
        if shade:
            pdf.set_fill_color(*((225, 229, 236) if heading else (244, 246, 249)))
            pdf.rect(x, y, total, height, style="F")
        for lines, w, align in zip(cells, widths, aligns, strict=True):
            pdf.rect(x, y, w, height)
            for i, line in enumerate(lines):
                if align == "L":
                    tx = x + pad
                else:
                    width = pdf.text_width(line)
                    tx = x + w - pad - width if align == "R" else x + (w - width) / 2
                pdf.text(tx, y + pad + i * line_h + line_h * 0.72, line)
            x += w
        pdf.set_y(y + height)

    draw(headings, heading=True, shade=True)
    for i, values in enumerate(rows):
        draw(values, heading=False, shade=i % 2 == 1)
    pdf.ln(1)


def team_pdf(view: PlanView, team_id: str) -> bytes:
    """One team's printable schedule: header, route map and the table of stops."""
    view.team(team_id)
    documents = team_pdfs(view, [team_id])
    try:
        return next(documents)[1]
    finally:
        documents.close()


def team_pdfs(
    view: PlanView, team_ids: Iterable[str] | None = None
) -> Generator[tuple[str, bytes]]:
    """(team id, PDF) for each team, one at a time, drawing every map with one figure."""
    fonts = _fonts(view)
    renderer = RouteMapRenderer(view)
    try:
        for team_id in view.team_ids if team_ids is None else team_ids:
            pdf = SchedulePDF(view, fonts)
            team = view.team(team_id)
            _team_section(pdf, team, renderer.render(team))
            yield team_id, bytes(pdf.output())
    finally:
        renderer.close()


def _cover(pdf: SchedulePDF) -> None:
    view = pdf.view
    pdf.add_page()
    pdf.section = "Cover"
    pdf.start_section("Coverage against targets")
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 9, "Election-day team schedules", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9.5)
    for line in (
        view.mission_name,
        f"Election day: {view.election_date:%A %d %B %Y}; times in each team's local zone",
        f"Plan {view.version}"
        + (f"   ·   seed {view.seed}" if view.seed is not None else "")
        + f"   ·   {len(view.teams)} teams",
    ):
        pdf.cell(0, 5.2, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    for line in (f"Travel times: {view.travel_label}", f"Route maps: {view.route_label}"):
        pdf.multi_cell(0, 4.2, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 6, "Coverage against targets", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    if view.targets_scope != "the whole mission":
        pdf.multi_cell(0, 4, view.targets_scope, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    reasons = {s.get("phase"): s.get("reason", "") for s in view.shortfalls}
    rows = []
    for phase in PHASES:
        target, planned = view.targets.get(phase, 0), view.achieved.get(phase, 0)
        status = "met" if phase not in reasons else f"short by {target - planned}"
        rows.append([phase.title(), str(target), str(planned), status, reasons.get(phase, "")])
    _table(
        pdf,
        ["Phase", "Target", "Planned", "Status", "Reason"],
        rows,
        widths=[24, 16, 16, 24, 110],
        aligns=["L", "R", "R", "L", "L"],
    )
    pdf.set_font(FONT, size=7)
    pdf.cell(
        0,
        4,
        "Tabulation counts distinct TECs followed; the other phases count station visits.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 6, "By area of responsibility", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    areas: dict[str, list[TeamView]] = {}
    for t in view.teams:
        areas.setdefault(t.area_id, []).append(t)
    area_rows = []
    for area_id, teams in areas.items():
        tecs = {s.site_id for t in teams for s in t.stops if s.phase == "tabulation"}
        area_rows.append(
            [
                area_id,
                teams[0].area_name,
                str(len(teams)),
                str(sum(t.count("opening") for t in teams)),
                str(sum(t.count("voting") for t in teams)),
                str(sum(t.count("counting") for t in teams)),
                str(len(tecs)),
                f"{sum(t.km for t in teams):,.0f}".replace(",", " "),
            ]
        )
    _table(
        pdf,
        ["Area", "Name", "Teams", "Opening", "Voting", "Counting", "TECs", "km"],
        area_rows,
        widths=[18, 62, 14, 18, 18, 18, 18, 24],
        aligns=["L", "L", "R", "R", "R", "R", "R", "R"],
    )


def mission_pack_pdf(view: PlanView, progress: Progress | None = None) -> bytes:
    """A cover with coverage against targets, then every team's schedule from a new page
    (grouped by area), each bookmarked. `progress(done, total)` hears of each team."""
    pdf = SchedulePDF(view, _fonts(view))
    _cover(pdf)
    renderer = RouteMapRenderer(view)
    teams = sorted(view.teams, key=lambda t: (t.area_id, t.team_id))
    try:
        for done, team in enumerate(teams, start=1):
            _team_section(pdf, team, renderer.render(team))
            if progress is not None:
                progress(done, len(teams))
    finally:
        renderer.close()
    return bytes(pdf.output())
