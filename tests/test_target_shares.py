"""An area's share of the targets: in proportion to its teams, adding up to the target."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from planner.target_shares import scoped_targets, target_shares


def test_shares_follow_the_teams() -> None:
    shares = target_shares({"opening": 150, "voting": 1131}, {"A": 5, "B": 145})
    assert shares["A"] == {"opening": 5, "voting": 38}
    assert shares["B"] == {"opening": 145, "voting": 1093}


def test_scoped_targets_sum_the_chosen_areas() -> None:
    teams = {"A": 1, "B": 1, "C": 2}
    assert scoped_targets({"voting": 40}, teams, ["A", "C"]) == {"voting": 30}
    assert scoped_targets({"voting": 40}, teams, ["Z"]) == {"voting": 0}


@given(
    st.dictionaries(st.sampled_from("ABCDEFG"), st.integers(0, 40), min_size=1),
    st.integers(0, 2000),
)
def test_shares_add_up_to_the_target(teams: dict[str, int], target: int) -> None:
    shares = target_shares({"voting": target}, teams)
    total = sum(s["voting"] for s in shares.values())
    assert total == (target if sum(teams.values()) else 0)
    assert all(s["voting"] == 0 for a, s in shares.items() if teams[a] == 0) or not sum(
        teams.values()
    )
