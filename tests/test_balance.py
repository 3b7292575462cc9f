"""Representativeness of voting visits: district caps, urban/rural band, and the repair."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.balance import Visit, district_cap, repair, urban_share_ok


def test_district_cap_is_factor_times_share() -> None:
    """A district's cap is factor x its share of the visits, rounded down."""
    assert district_cap(20, 10, 100, 2.0) == 4
    assert district_cap(20, 25, 100, 2.0) == 10
    assert district_cap(9, 10, 30, 2.0) == 6
    assert district_cap(9, 10, 30, 1.0) == 3


def test_district_cap_is_at_least_one_and_zero_for_empty_area() -> None:
    """A tiny district may still get one visit; an area without stations gets none."""
    assert district_cap(10, 1, 1000, 2.0) == 1
    assert district_cap(0, 5, 10, 2.0) == 1
    assert district_cap(10, 5, 0, 2.0) == 0


def test_urban_share_ok_band_is_inclusive() -> None:
    """Shares exactly at the tolerance pass, one visit beyond fails, no visits always pass."""
    assert urban_share_ok(13, 20, 0.50, 15)  # 65 % vs 50 %: exactly 15 pp
    assert urban_share_ok(7, 20, 0.50, 15)  # 35 %
    assert not urban_share_ok(14, 20, 0.50, 15)
    assert not urban_share_ok(6, 20, 0.50, 15)
    assert urban_share_ok(0, 0, 0.9, 0)
    assert urban_share_ok(3, 10, 0.3, 0)


def _visits(spec: list[tuple[str, bool, float]]) -> list[Visit]:
    return [Visit(f"S{i}", d, u, w) for i, (d, u, w) in enumerate(spec)]


def test_repair_drops_lowest_weight_visit_of_an_over_cap_district() -> None:
    """A district above its cap loses its least valuable visit, and nothing else goes."""
    weights_a = [1.5, 1.1, 1.9, 1.3, 1.7]
    visits = _visits([("a", False, w) for w in weights_a] + [("b", False, 1.0)] * 4)
    # 9 visits: cap of a = floor(2 * 9 * 1/4) = 4 < 5; after one drop, 8 visits: cap 4.
    dropped = repair(
        visits,
        district_sizes={"a": 10, "b": 30},
        area_stations=40,
        urban_share=0.0,
        tolerance_pp=15,
        factor=2.0,
    )
    assert dropped == {"S1"}


def test_repair_drops_lowest_weight_urban_visit_when_too_urban() -> None:
    """Too many town visits: the least valuable town visits go until the mix is in band."""
    visits = _visits([("a", True, 1.2), ("a", True, 1.8), ("a", True, 1.1), ("a", False, 1.0)])
    dropped = repair(
        visits,
        district_sizes={"a": 10},
        area_stations=10,
        urban_share=0.5,
        tolerance_pp=15,
        factor=2.0,
    )
    # 3 of 4 urban (75 %) drops S2 (1.1); 2 of 3 (67 %) is still above 65 %, so S0 (1.2) goes.
    assert dropped == {"S2", "S0"}


district_names = st.sampled_from(["d0", "d1", "d2", "d3"])
visit_specs = st.lists(
    st.tuples(district_names, st.booleans(), st.floats(1.0, 2.0)), min_size=0, max_size=30
)
rules_st = st.fixed_dictionaries(
    {
        "urban_share": st.floats(0.0, 1.0),
        "tolerance_pp": st.sampled_from([0.0, 5.0, 15.0, 30.0]),
        "factor": st.sampled_from([1.0, 1.5, 2.0, 3.0]),
    }
)
sizes_st = st.fixed_dictionaries({d: st.integers(1, 40) for d in ("d0", "d1", "d2", "d3")})


def _rules_hold(kept: list[Visit], sizes: dict[str, int], rules: dict) -> bool:
    total = len(kept)
    area = sum(sizes.values())
    per = Counter(v.district for v in kept)
    caps_ok = all(n <= district_cap(total, sizes[d], area, rules["factor"]) for d, n in per.items())
    urban = sum(v.urban for v in kept)
    return caps_ok and urban_share_ok(urban, total, rules["urban_share"], rules["tolerance_pp"])


def _no_drops_meet_them(kept: list[Visit], sizes: dict[str, int], rules: dict) -> bool:
    """Every rule `kept` breaks stays broken however many of its offending visits go,
    short of all of them."""
    total, area = len(kept), sum(sizes.values())
    share, tolerance = rules["urban_share"], rules["tolerance_pp"]
    urban = sum(v.urban for v in kept)
    if not urban_share_ok(urban, total, share, tolerance):
        too_urban = urban / total > share
        side = sum(v.urban == too_urban for v in kept)
        if any(
            urban_share_ok(urban - j * too_urban, total - j, share, tolerance)
            for j in range(1, min(side, total - 1) + 1)
        ):
            return False
    for d, n in Counter(v.district for v in kept).items():
        if n > district_cap(total, sizes[d], area, rules["factor"]) and any(
            n - j <= district_cap(total - j, sizes[d], area, rules["factor"])
            for j in range(1, min(n, total - 1) + 1)
        ):
            return False
    return True


def _repair(visits: list[Visit], sizes: dict[str, int], rules: dict) -> set[str]:
    return repair(visits, district_sizes=sizes, area_stations=sum(sizes.values()), **rules)


@settings(max_examples=120, deadline=None)
@given(spec=visit_specs, sizes=sizes_st, rules=rules_st)
def test_repair_leaves_visits_that_satisfy_both_rules(spec, sizes, rules) -> None:
    """Whatever the visits, what repair keeps is within every district cap and the band,
    or breaks only rules that no drops could meet while a visit remains; and it never
    drops every visit."""
    visits = _visits(spec)
    dropped = _repair(visits, sizes, rules)
    assert dropped <= {v.station_id for v in visits}
    kept = [v for v in visits if v.station_id not in dropped]
    assert bool(kept) == bool(visits)
    assert _rules_hold(kept, sizes, rules) or _no_drops_meet_them(kept, sizes, rules)


@settings(max_examples=120, deadline=None)
@given(spec=visit_specs, sizes=sizes_st, rules=rules_st)
def test_repair_only_drops_the_lowest_weight_of_an_offending_group(spec, sizes, rules) -> None:
    """Each dropped visit weighs no more than any kept visit of its district or of its kind.

    A visit is dropped either for its district's cap (then it was the lightest of that
    district) or for the urban/rural band (then the lightest of its kind), so it cannot
    outweigh every kept visit of both groups.
    """
    visits = _visits(spec)
    dropped = _repair(visits, sizes, rules)
    kept = [v for v in visits if v.station_id not in dropped]

    def key(v: Visit) -> tuple[float, str]:
        return (v.weight, v.station_id)

    for v in visits:
        if v.station_id not in dropped:
            continue
        same_district = [key(k) for k in kept if k.district == v.district]
        same_kind = [key(k) for k in kept if k.urban == v.urban]
        assert key(v) <= min(same_district, default=(9.0, "")) or key(v) <= min(
            same_kind, default=(9.0, "")
        )


@settings(max_examples=120, deadline=None)
@given(spec=visit_specs, sizes=sizes_st, rules=rules_st)
def test_repair_drops_nothing_from_a_balanced_set(spec, sizes, rules) -> None:
    """Visits that already satisfy both rules come through untouched (repair is idempotent)."""
    visits = _visits(spec)
    if _rules_hold(visits, sizes, rules):
        assert _repair(visits, sizes, rules) == set()
    kept = [v for v in visits if v.station_id not in _repair(visits, sizes, rules)]
    assert _repair(kept, sizes, rules) == set()


def test_repair_of_balanced_visits_is_empty() -> None:
    """A mixed, evenly spread set of visits needs no repair."""
    visits = _visits([("a", True, 1.0), ("a", False, 1.1), ("b", True, 1.2), ("b", False, 1.3)] * 2)
    assert (
        repair(
            visits,
            district_sizes={"a": 10, "b": 10},
            area_stations=20,
            urban_share=0.5,
            tolerance_pp=15,
            factor=2.0,
        )
        == set()
    )


@pytest.mark.parametrize("visits", [[], _visits([("x", True, 1.0)])])
def test_repair_handles_empty_and_unknown_districts(visits) -> None:
    """No visits: nothing to drop; a district the area does not list may still keep one."""
    assert (
        repair(
            visits,
            district_sizes={"a": 5},
            area_stations=5,
            urban_share=1.0,
            tolerance_pp=0,
            factor=2.0,
        )
        == set()
    )


def test_fixed_visits_count_but_are_never_dropped() -> None:
    """Visits that stay (kept teams', made before a re-plan's time) count towards the
    urban share; only new visits go, and only while some drops can meet the rule."""
    fixed = _visits([("a", True, 1.0)] * 6 + [("a", False, 1.0)] * 4)
    new = [Visit(f"N{i}", "a", True, 1.0 + i / 10) for i in range(4)]
    rules = {"district_sizes": {"a": 10}, "area_stations": 10, "tolerance_pp": 15, "factor": 9.0}
    # 10 of 14 urban (71 %) against 50 % +- 15: three drops give 7 of 11 (64 %), in band.
    assert repair(new, urban_share=0.5, fixed=fixed, **rules) == {"N0", "N1", "N2"}
    # Against 30 % +- 15, not even dropping every new visit (60 %) meets it: none go.
    assert repair(new, urban_share=0.3, fixed=fixed, **rules) == set()
    # Without the fixed visits the new ones alone are all urban: only dropping every one
    # would meet the band, so none go (an empty day is not a representative one).
    assert repair(new, urban_share=0.5, **rules) == set()
    mixed = [*new, Visit("R0", "a", False, 1.5)]  # 4 of 5 urban: three drops give 1 of 2
    assert repair(mixed, urban_share=0.5, **rules) == {"N0", "N1", "N2"}
