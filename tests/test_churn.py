"""Churn between two plans: what a team has to act on after a re-plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from planner.churn import RETIMED_AFTER_MIN, churn, with_churn
from planner.schedule import Stop

T0 = datetime(2022, 11, 20, 7, 0)


def route(team: str, sites: list[str], *, start: datetime = T0) -> list[Stop]:
    """A base, one stop per site 30 min apart, and the base again."""
    stops = [Stop(team, 0, "base", "B", "base", start, start, 0, 0.0, 0.0)]
    for i, site in enumerate(sites, start=1):
        at = start + timedelta(minutes=30 * i)
        stops.append(Stop(team, i, "voting", site, "station", at, at, 10, 0.0, 0.0))
    end = start + timedelta(minutes=30 * (len(sites) + 1))
    stops.append(Stop(team, len(sites) + 1, "base", "B", "base", end, end, 0, 0.0, 0.0))
    return stops


def test_the_same_plan_has_no_churn() -> None:
    stops = route("T1", ["a", "b", "c"]) + route("T2", ["d"])
    result = churn(stops, list(reversed(stops)))
    assert result.teams == () and result.teams_changed == 0
    assert result.teams_compared == 2 and result.stops_before == 4


def test_added_dropped_retimed_and_reordered_are_counted_apart() -> None:
    before = route("T1", ["a", "b", "c", "d"]) + route("T2", ["e", "f"])
    after = route("T1", ["b", "a", "c", "x"])  # a/b swapped, d dropped, x added
    late = timedelta(minutes=RETIMED_AFTER_MIN + 1)
    after += [replace(s, arrive=s.arrive + late) if s.site_id == "f" else s
              for s in route("T2", ["e", "f"])]  # fmt: skip
    result = churn(before, after)
    by_team = {t.team_id: t for t in result.teams}
    assert (by_team["T1"].added, by_team["T1"].dropped, by_team["T1"].reordered) == (1, 1, 1)
    assert by_team["T2"].retimed == 1 and by_team["T2"].added == 0
    summary = result.as_dict()
    assert summary["teams_changed"] == 2 and summary["stops_added"] == 1
    assert summary["stops_dropped"] == 1 and summary["stops_retimed"] >= 1


def test_a_small_shift_is_not_a_change() -> None:
    before = route("T1", ["a", "b"])
    after = route("T1", ["a", "b"], start=T0 + timedelta(minutes=RETIMED_AFTER_MIN))
    assert churn(before, after).teams == ()


@given(
    st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=8),
    st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=8),
)
def test_counts_are_bounded_by_the_routes(old: list[str], new: list[str]) -> None:
    result = churn(route("T", old), route("T", new))
    added = sum(t.added for t in result.teams)
    dropped = sum(t.dropped for t in result.teams)
    reordered = sum(t.reordered for t in result.teams)
    assert added == len(set(new) - set(old)) and dropped == len(set(old) - set(new))
    assert reordered <= max(len(set(old) & set(new)) - 1, 0)
    assert (result.teams_changed == 0) == (old == new)


def test_the_churn_goes_into_the_replanned_area_statistics() -> None:
    from tests.support.missions import small_plan

    plan = small_plan()
    area = plan.areas[0]
    before = [replace(s, site_id="gone") if s.phase == "voting" else s for s in area.stops]
    marked = with_churn(plan, area.area_id, before)
    summary = marked.areas[0].stats["churn"]
    voting = sum(1 for s in area.stops if s.phase == "voting")
    teams = len({s.team_id for s in area.stops if s.phase == "voting"})
    assert summary["stops_added"] == voting and summary["stops_dropped"] == teams
    assert all("churn" not in a.stats for a in marked.areas[1:])
    assert marked.stops == plan.stops
