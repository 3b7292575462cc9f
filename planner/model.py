"""The mission as plain, immutable data.

Everything the sampler, router and checker need lives here as frozen dataclasses and
tuples. Geometries (shapely) ride along for maps and containment checks; no GeoDataFrame,
file handle or UI state ever enters the model, so the solver core stays testable with
hand-built missions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry


class StationKind(StrEnum):
    REGULAR = "regular"
    SPECIAL = "special"
    ABROAD = "abroad"


class Setting(StrEnum):
    URBAN = "urban"
    RURAL = "rural"


class CommissionLevel(StrEnum):
    REGIONAL = "regional"
    DISTRICT = "district"
    CITY = "city"
    CITY_DISTRICT = "city_district"


class TeamKind(StrEnum):
    STO = "sto"
    LTO = "lto"


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
class Rules:
    """Election-day rules, read from mission.toml's `[rules]`; every number is a setting.

    Times are local wall-clock times of the station's (or TEC's, or base's) zone; those
    named "next day" fall on the day after the election. The defaults are the 2022
    Kazakhstan mission's; README's table of rules says where each is enforced.
    """

    election_date: date = date(2022, 11, 20)
    polls_open: time = time(7, 0)
    polls_close: time = time(20, 0)
    opening_arrive_before_min: int = 45
    opening_stay_after_open_min: int = 30
    voting_stay_min: int = 30
    meal_break_min: int = 30
    meal_window_start: time = time(12, 0)
    meal_window_end: time = time(15, 0)
    count_arrive_before_close_min: int = 30
    count_base_minutes: int = 150
    count_base_ballots: int = 826
    expected_turnout: float = 0.69
    tabulation_until: time = time(2, 0)
    # A team stays at its TEC at least this long, and until `tabulation_until` (next day).
    tec_min_stay_min: int = 30
    # The latest a team may arrive at its TEC (next day).
    tec_arrive_until: time = time(23, 59)
    # Every team is back at its base by this time (next day).
    return_to_base_by: time = time(12, 0)
    # Count stations: at most this many minutes of night driving from their TEC, and from
    # the team's base (sampler and checker agree on both: see `planner.check`).
    max_count_to_tec_min: int = 60
    max_base_to_count_min: int = 240
    detour_factor: float = 1.3
    urban_speed_kmh: float = 25.0
    rural_day_speed_kmh: float = 60.0
    rural_night_speed_kmh: float = 45.0
    parking_min: int = 5
    max_base_distance_km: float = 150.0
    max_driving_hours: float = 10.0
    urban_rural_tolerance_pp: float = 15.0
    district_max_share_factor: float = 2.0
    allow_same_opening_count: bool = False
    # Stations flagged `unlocated` (placed at their commission for lack of coordinates)
    # are left out of every route unless this is true.
    route_unlocated_stations: bool = False

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
        if self.tec_min_stay_min < 0:
            raise ValueError("rules: tec_min_stay_min must not be negative")
        for name in ("urban_speed_kmh", "rural_day_speed_kmh", "rural_night_speed_kmh"):
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

    def count_minutes(self, voters: int) -> int:
        """Expected count duration, scaled by the ballots expected at the station."""
        ballots = voters * self.expected_turnout
        return max(60, round(self.count_base_minutes * ballots / self.count_base_ballots))


@dataclass(frozen=True, slots=True)
class Targets:
    """Coverage the mission wants on election day."""

    opening: int = 127
    voting: int = 1131
    counting: int = 111
    tabulation: int = 99

    def __post_init__(self) -> None:
        for name in ("opening", "voting", "counting", "tabulation"):
            if getattr(self, name) < 0:
                raise ValueError(f"targets: {name} must not be negative")


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
    def sto_teams(self) -> tuple[Team, ...]:
        return tuple(t for t in self.teams if t.kind is TeamKind.STO)

    @property
    def total_voters(self) -> int:
        return sum(s.voters for s in self.stations)
