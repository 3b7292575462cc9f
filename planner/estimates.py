"""What `planner init` estimated, in words for the people who read the data: the app's
tables and map popups, and the team packs.

A station's `estimated` fields and `unlocated` flag, and a commission's `approximate`
seat, are facts of the mission (`planner.model`); this module only says them, the same
way everywhere.
"""

from __future__ import annotations

from collections import Counter

from planner.model import ESTIMATED_FIELDS, Commission, Mission, Station

POSITION_AT_COMMISSION = "position approximate (at its commission)"
POSITION_FROM_STATIONS = "position approximate (centre of its stations)"


def station_estimates(station: Station) -> str:
    """The station's estimated fields, e.g. 'voters, tz, position'; '' when none."""
    fields = list(station.estimated)
    if station.unlocated and "position" not in fields:
        fields.append("position")
    return ", ".join(fields)


def station_note(station: Station) -> str:
    """What a team must know before it drives there: an approximate position, estimated
    voters (the count's length and the schedule follow from them); '' when nothing."""
    notes = []
    if station.position_approximate:
        notes.append(POSITION_AT_COMMISSION)
    if "voters" in station.estimated:
        notes.append("voters estimated")
    return "; ".join(notes)


def commission_note(commission: Commission) -> str:
    return POSITION_FROM_STATIONS if commission.approximate else ""


def counted(n: int, noun: str) -> str:
    """'1 station', '2,000 stations': a count with its noun in the right number."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def estimates_summary(mission: Mission) -> str:
    """One line of what the mission's data holds as estimates, e.g. 'voters of 50,000
    stations, tz of 120 stations; 1,204 commission seats approximate'; '' when none."""
    fields: Counter[str] = Counter()
    for s in mission.stations:
        fields.update(station_estimates(s).split(", ") if station_estimates(s) else ())
    parts = [f"{f} of {counted(fields[f], 'station')}" for f in ESTIMATED_FIELDS if fields[f]]
    seats = sum(c.approximate for c in mission.commissions)
    text = ", ".join(parts)
    if seats:
        text += ("; " if text else "") + f"{counted(seats, 'commission seat')} approximate"
    return text
