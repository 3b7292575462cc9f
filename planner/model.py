"""The mission as plain, immutable data.

Everything the sampler, router and checker need lives here as frozen dataclasses and
tuples. Geometries (shapely) ride along for maps and containment checks; no GeoDataFrame,
file handle or UI state ever enters the model, so the solver core stays testable with
hand-built missions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from planner.ranges import limits

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry


class StationKind(StrEnum):
    REGULAR = "regular"
    SPECIAL = "special"
    ABROAD = "abroad"


class Setting(StrEnum):
    URBAN = "urban"
    RURAL = "rural"


# The fields of a station `planner init` may estimate (`Station.estimated`).
ESTIMATED_FIELDS = ("voters", "setting", "kind", "tz", "position")


class CommissionLevel(StrEnum):
    REGIONAL = "regional"
    DISTRICT = "district"
    CITY = "city"
    CITY_DISTRICT = "city_district"


class TeamKind(StrEnum):
    STO = "sto"
    LTO = "lto"


class CountingPlace(StrEnum):
    """Where teams observe the count: at the polling station after the close, at the
    commission (a TEC or counting centre) the same night, or not at all."""

    STATION = "station"
    COMMISSION = "commission"
    NONE = "none"


# `Phases.tabulation_level` value for the commission the counted station reports to.
OWN_COMMISSION = "own"


@dataclass(frozen=True, slots=True)
class Region:
    region_id: str
    name_en: str
    name_kk: str = ""
    name_ru: str = ""
    tz: str = "UTC"
    geometry: BaseGeometry | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class District:
    district_id: str
    region_id: str
    name_en: str
    name_kk: str = ""
    name_ru: str = ""
    geometry: BaseGeometry | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Commission:
    """A territorial election commission (TEC): where protocols are tabulated."""

    tec_id: str
    name: str
    level: CommissionLevel
    parent_id: str | None
    region: str
    tz: str
    lon: float
    lat: float
    district: str | None = None
    # The seat is an estimate (`planner init`: the medoid of its stations), not a
    # position the mission was given.
    approximate: bool = False


@dataclass(frozen=True, slots=True)
class Station:
    """A polling station (precinct election commission)."""

    station_id: str
    number: str
    name: str
    address: str
    region: str
    district: str
    tec_id: str
    voters: int
    kind: StationKind
    setting: Setting
    tz: str
    lon: float
    lat: float
    # Placed at its commission (or district) for lack of coordinates: routed only when
    # `Rules.route_unlocated_stations` allows it.
    unlocated: bool = False
    # The fields `planner init` filled in by a documented rule rather than read from the
    # list (`ESTIMATED_FIELDS`: voters, setting, kind, tz, position), for readers to see.
    estimated: tuple[str, ...] = ()

    @property
    def position_approximate(self) -> bool:
        """Whether the point is not the station's own: placed at its commission."""
        return self.unlocated or "position" in self.estimated


@dataclass(frozen=True, slots=True)
class Area:
    """An LTO area of responsibility (AoR): the regions, or whole districts, one LTO team
    covers. A district listed in some area's `district_ids` belongs to that area whatever
    its region; other districts follow their region."""

    area_id: str
    name: str
    region_ids: tuple[str, ...] = ()
    geometry: BaseGeometry | None = field(default=None, repr=False, compare=False)
    district_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Team:
    """One vehicle: an STO or LTO team that starts and ends at its base."""

    team_id: str
    kind: TeamKind
    area_id: str | None
    base_name: str
    lon: float | None
    lat: float | None


@dataclass(frozen=True, slots=True)
class Phases:
    """Which phases of election day the mission observes, and where: `[phases]` in
    mission.toml.

    Every team observes one of each fixed phase switched on (an opening, a closing, a
    count) and makes voting visits in between; the tabulation is followed when a
    commission is free for it. A target of 0 switches a phase off as well: what is
    observed is `observed_phases(phases, targets)`, and everything that plans or checks
    reads only that.

    - `closing`: observe the close of polls and the sealing at a station. The count at
      the station includes the close, so `closing` needs `counting` other than
      `station`; with `counting = "commission"` the team then follows the closing
      station's materials to its commission's count.
    - `counting`: `station` (at a station, from before the close to the end of its
      count), `commission` (at a commission the same night: the closing station's
      commission, or one chosen near the base) or `none`.
    - `tabulation_level`: `own` (the commission the counted or closed station reports
      to) or a level (regional, district, city, city_district): the first commission of
      that level from the station's commission upwards.
    - `teams_per_commission`: how many teams may follow one commission's tabulation (and
      observe one commission's count); teams spread over distinct commissions first.
    """

    opening: bool = True
    voting: bool = True
    closing: bool = False
    counting: CountingPlace = CountingPlace.STATION
    tabulation: bool = True
    tabulation_level: str = OWN_COMMISSION
    teams_per_commission: int = field(default=1, metadata=limits(ge=1, le=1000))

    def __post_init__(self) -> None:
        if not isinstance(self.counting, CountingPlace):
            try:
                object.__setattr__(self, "counting", CountingPlace(self.counting))
            except ValueError:
                known = ", ".join(c.value for c in CountingPlace)
                raise ValueError(
                    f"phases: counting must be one of {known}, not {self.counting!r}"
                ) from None
        levels = (OWN_COMMISSION, *(level.value for level in CommissionLevel))
        if self.tabulation_level not in levels:
            raise ValueError(
                f"phases: tabulation_level must be one of {', '.join(levels)}, "
                f"not {self.tabulation_level!r}"
            )
        if self.teams_per_commission < 1:
            raise ValueError("phases: teams_per_commission must be at least 1")
        if self.closing and self.counting is CountingPlace.STATION:
            raise ValueError(
                "phases: the count at the station includes the close; observe the closing "
                'on its own only with counting = "commission" or "none"'
            )

    @property
    def evening_station(self) -> str | None:
        """The phase of the station a team is at when the polls close, if any."""
        if self.counting is CountingPlace.STATION:
            return "counting"
        return "closing" if self.closing else None

    @property
    def names(self) -> tuple[str, ...]:
        """The phases switched on, in the order of the day."""
        on = {
            "opening": self.opening,
            "voting": self.voting,
            "closing": self.closing,
            "counting": self.counting is not CountingPlace.NONE,
            "tabulation": self.tabulation,
        }
        return tuple(name for name, flag in on.items() if flag)


@dataclass(frozen=True, slots=True)
class Rules:
    """Election-day rules, read from mission.toml's `[rules]`; every number is a setting.

    Times are local wall-clock times of the station's (or TEC's, or base's) zone; those
    named "next day" fall on the day after the election. The defaults are the 2022
    Kazakhstan mission's; README's table of rules says where each is enforced.
    """

    election_date: date = field(
        default=date(2022, 11, 20), metadata=limits(ge=date(1950, 1, 1), le=date(2150, 12, 31))
    )
    polls_open: time = time(7, 0)
    polls_close: time = time(20, 0)
    opening_arrive_before_min: int = field(default=45, metadata=limits(ge=0, le=240))
    opening_stay_after_open_min: int = field(default=30, metadata=limits(ge=0, le=720))
    voting_stay_min: int = field(default=30, metadata=limits(ge=1, le=720))
    meal_break_min: int = field(default=30, metadata=limits(ge=0, le=240))
    meal_window_start: time = time(12, 0)
    meal_window_end: time = time(15, 0)
    count_arrive_before_close_min: int = field(default=30, metadata=limits(ge=0, le=720))
    count_base_minutes: int = field(default=150, metadata=limits(ge=1, le=1440))
    count_base_ballots: int = field(default=826, metadata=limits(ge=1, le=100_000))
    expected_turnout: float = field(default=0.69, metadata=limits(gt=0, le=1))
    tabulation_until: time = time(2, 0)
    # A team stays at its TEC at least this long, and until `tabulation_until` (next day).
    tec_min_stay_min: int = field(default=30, metadata=limits(ge=0, le=1440))
    # The latest a team may arrive at its TEC (next day).
    tec_arrive_until: time = time(23, 59)
    # Every team is back at its base by this time (next day).
    return_to_base_by: time = time(12, 0)
    # Count stations: at most this many minutes of night driving from their TEC, and from
    # the team's base (sampler and checker agree on both: see `planner.check`).
    max_count_to_tec_min: int = field(default=60, metadata=limits(ge=1, le=1440))
    max_base_to_count_min: int = field(default=240, metadata=limits(ge=1, le=1440))
    # After the tabulation (which ends in the small hours), at most this many minutes of
    # night driving from the commission back to the base (sampler and checker).
    max_drive_home_after_tabulation_min: int = field(default=180, metadata=limits(ge=1, le=1440))
    detour_factor: float = field(default=1.3, metadata=limits(ge=1, le=5))
    urban_speed_kmh: float = field(default=25.0, metadata=limits(ge=1, le=200))
    rural_day_speed_kmh: float = field(default=60.0, metadata=limits(ge=1, le=200))
    rural_night_speed_kmh: float = field(default=45.0, metadata=limits(ge=1, le=200))
    parking_min: int = field(default=5, metadata=limits(ge=0, le=120))
    max_base_distance_km: float = field(default=150.0, metadata=limits(gt=0, le=20_000))
    max_driving_hours: float = field(default=10.0, metadata=limits(gt=0, le=24))
    # The longest duty day: from leaving the base to being back (README: why 24 h).
    max_duty_hours: float = field(default=24.0, metadata=limits(gt=0, le=48))
    urban_rural_tolerance_pp: float = field(default=15.0, metadata=limits(ge=0, le=100))
    district_max_share_factor: float = field(default=2.0, metadata=limits(ge=1, le=100))
    allow_same_opening_count: bool = False
    # Closing (`phases.closing`): at the station this long before the polls close, and
    # until this long after.
    closing_arrive_before_close_min: int = field(default=30, metadata=limits(ge=0, le=720))
    closing_stay_after_close_min: int = field(default=30, metadata=limits(ge=0, le=720))
    # The count at a commission (`phases.counting = "commission"`) starts this long after
    # the polls close (the materials drive in); teams are there by then.
    commission_count_start_after_close_min: int = field(default=60, metadata=limits(ge=0, le=1440))
    # Stations flagged `unlocated` (placed at their commission for lack of coordinates)
    # are left out of every route unless this is true.
    route_unlocated_stations: bool = False
    phases: Phases = Phases()

    def __post_init__(self) -> None:
        if self.polls_close <= self.polls_open:
            raise ValueError("rules: polls_close must be after polls_open")
        if not 0 < self.expected_turnout <= 1:
            raise ValueError("rules: expected_turnout must be in (0, 1]")
        for name in (
            "voting_stay_min",
            "count_base_minutes",
            "count_base_ballots",
            "max_count_to_tec_min",
            "max_base_to_count_min",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"rules: {name} must be positive")
        for name in (
            "tec_min_stay_min",
            "closing_arrive_before_close_min",
            "closing_stay_after_close_min",
            "commission_count_start_after_close_min",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"rules: {name} must not be negative")
        for name in (
            "urban_speed_kmh",
            "rural_day_speed_kmh",
            "rural_night_speed_kmh",
            "max_duty_hours",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"rules: {name} must be positive")

    def local(self, clock: time, tz: str, *, next_day: bool = False) -> datetime:
        """An election-day wall-clock time as an aware datetime in zone `tz`."""
        day = self.election_date + timedelta(days=1 if next_day else 0)
        return datetime.combine(day, clock, tzinfo=ZoneInfo(tz))

    def meal_fits_polling_day(self) -> bool:
        """A meal break is planned only when its window lies inside the polling day."""
        return (
            self.meal_break_min > 0
            and self.meal_window_start >= self.polls_open
            and self.meal_window_end <= self.polls_close
        )

    def meal_break(self, phases: Phases) -> bool:
        """Whether teams take a meal break: its window lies inside the polling day, and
        they are out during it (observing the opening or voting); a team that only
        observes the evening leaves its base after the window."""
        return self.meal_fits_polling_day() and (phases.opening or phases.voting)

    def count_minutes(self, voters: int) -> int:
        """Expected count duration, scaled by the ballots expected at the station."""
        ballots = voters * self.expected_turnout
        return max(60, round(self.count_base_minutes * ballots / self.count_base_ballots))

    def commission_count_minutes(self, voters: Sequence[int]) -> int:
        """Expected count at a commission whose stations have these voters: the count of
        its average station (a counting centre counts its stations at parallel tables; a
        team observes one of them)."""
        return self.count_minutes(round(sum(voters) / len(voters)) if voters else 0)


# Targets count stations and TECs: more than any country has.
MAX_TARGET = 10_000_000


@dataclass(frozen=True, slots=True)
class Targets:
    """Coverage the mission wants on election day."""

    opening: int = field(default=127, metadata=limits(ge=0, le=MAX_TARGET))
    voting: int = field(default=1131, metadata=limits(ge=0, le=MAX_TARGET))
    counting: int = field(default=111, metadata=limits(ge=0, le=MAX_TARGET))
    tabulation: int = field(default=99, metadata=limits(ge=0, le=MAX_TARGET))
    # Closings observed on their own (`Phases.closing`); a count at the station includes
    # the close and counts as counting.
    closing: int = field(default=0, metadata=limits(ge=0, le=MAX_TARGET))

    def __post_init__(self) -> None:
        for name in ("opening", "voting", "closing", "counting", "tabulation"):
            if getattr(self, name) < 0:
                raise ValueError(f"targets: {name} must not be negative")


def observed_phases(phases: Phases, targets: Targets) -> Phases:
    """The phases a plan observes: those switched on whose target is above 0.

    The one place where switches and targets meet: a target of 0 switches its phase off
    (counting becomes `none`), a switch that is off keeps its phase off whatever the
    target says.
    """
    closing = phases.closing and targets.closing > 0
    counting = phases.counting if targets.counting > 0 else CountingPlace.NONE
    return Phases(
        opening=phases.opening and targets.opening > 0,
        voting=phases.voting and targets.voting > 0,
        closing=closing and counting is not CountingPlace.STATION,
        counting=phases.counting if targets.counting > 0 else CountingPlace.NONE,
        tabulation=phases.tabulation and targets.tabulation > 0,
        tabulation_level=phases.tabulation_level,
        teams_per_commission=phases.teams_per_commission,
    )


def commission_at_level(
    tec_id: str, level: str, commissions: Mapping[str, Commission]
) -> str | None:
    """The commission a station's protocol goes to at `level` (`Phases.tabulation_level`):
    `tec_id` itself for `own`, else the first commission of that level from `tec_id` up
    its parents; None when there is none."""
    if level == OWN_COMMISSION:
        return tec_id if tec_id in commissions else None
    seen: set[str] = set()
    current: str | None = tec_id
    while current is not None and current in commissions and current not in seen:
        seen.add(current)
        commission = commissions[current]
        if commission.level.value == level:
            return current
        current = commission.parent_id
    return None


@dataclass(frozen=True)
class Mission:
    """A whole mission: where the stations are, who observes, under which rules."""

    name: str
    country: str
    regions: tuple[Region, ...]
    districts: tuple[District, ...]
    commissions: tuple[Commission, ...]
    stations: tuple[Station, ...]
    areas: tuple[Area, ...]
    teams: tuple[Team, ...]
    rules: Rules = Rules()
    targets: Targets = Targets()
    seed: int = 0
    outline: BaseGeometry | None = field(default=None, repr=False, compare=False)

    @cached_property
    def station_by_id(self) -> dict[str, Station]:
        return {s.station_id: s for s in self.stations}

    @cached_property
    def commission_by_id(self) -> dict[str, Commission]:
        return {c.tec_id: c for c in self.commissions}

    @cached_property
    def area_by_id(self) -> dict[str, Area]:
        return {a.area_id: a for a in self.areas}

    @cached_property
    def area_of_region(self) -> dict[str, str]:
        return {r: a.area_id for a in self.areas for r in a.region_ids}

    @cached_property
    def area_of_district(self) -> dict[str, str]:
        return {d: a.area_id for a in self.areas for d in a.district_ids}

    def area_of_station(self, station: Station) -> str | None:
        """The AoR a station belongs to; stations abroad belong to none."""
        if station.kind is StationKind.ABROAD:
            return None
        by_district = self.area_of_district.get(station.district)
        return by_district if by_district is not None else self.area_of_region.get(station.region)

    def area_of_commission(self, commission: Commission) -> str | None:
        """The AoR of a TEC: its district's when areas are made of districts, else its region's."""
        if commission.district is not None and commission.district in self.area_of_district:
            return self.area_of_district[commission.district]
        return self.area_of_region.get(commission.region)

    @property
    def phases(self) -> Phases:
        """What a plan of this mission observes (`observed_phases`)."""
        return observed_phases(self.rules.phases, self.targets)

    @property
    def sto_teams(self) -> tuple[Team, ...]:
        return tuple(t for t in self.teams if t.kind is TeamKind.STO)

    @property
    def total_voters(self) -> int:
        return sum(s.voters for s in self.stations)
