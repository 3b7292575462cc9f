"""iCalendar: one event per stop, in the stop's own time zone (TZID with VTIMEZONE).

Text values go through `safe.plain_text` (no control characters, which RFC 5545 TEXT
cannot hold); the icalendar library then escapes `\\`, `;`, `,` and line breaks as RFC 5545
section 3.3.11 asks, so a name cannot start a new property or component.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from planner.exports.rows import teams_of
from planner.exports.safe import plain_text
from planner.exports.view import PlanView


def plan_ics(view: PlanView, team_id: str | None = None) -> bytes:
    """A calendar of every stop of one team (or all): start at arrival, end at departure
    (a stop without a stay has no end), TZID of the stop's IANA zone, with the matching
    VTIMEZONE definitions included."""
    cal = Calendar()
    cal.add("prodid", "-//election-planner//team schedules//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    name = team_id or view.mission_name
    cal.add("x-wr-calname", plain_text(f"{name} — election day (plan {view.version})"))
    stamp = datetime.now(UTC).replace(microsecond=0)
    zones: list[str] = []
    for team in teams_of(view, team_id):
        for s in team.stops:
            zone = ZoneInfo(s.tz)
            if s.tz not in zones:
                zones.append(s.tz)
            event = Event()
            event.add("uid", f"{view.digest}-{s.team_id}-{s.seq:02d}@election-planner")
            event.add("dtstamp", stamp)
            event.add("dtstart", s.arrive.astimezone(zone))
            if s.depart > s.arrive:
                event.add("dtend", s.depart.astimezone(zone))
            event.add("summary", plain_text(f"{s.team_id} {s.title}"))
            event.add("location", plain_text(s.address or s.name or s.site_id))
            event.add("geo", (s.lat, s.lon))
            event.add("description", plain_text(s.description()))
            event.add("categories", [s.phase])
            cal.add_component(event)
    for tz in zones:
        cal.add_component(_vtimezone(tz, view.election_date.year))
    return cal.to_ical()


@cache
def _vtimezone(tz: str, year: int) -> Timezone:
    """The VTIMEZONE of an IANA zone for the years around the election (made once)."""
    return Timezone.from_tzid(tz, first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))
