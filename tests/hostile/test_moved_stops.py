"""`planner check` compares each stop's coordinates in visits.csv, which the GPX and KML
exports send teams to, with the mission's station, TEC and base positions."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from typer.testing import CliRunner

from hostile.conftest import Planned
from planner.check import check_plan_dir
from planner.cli import app


def _edit(plan_dir: Path, copy: Path, change: dict[tuple[str, int], dict[str, str]]) -> Path:
    """A copy of the plan with some cells of visits.csv changed ((team, seq) -> values)."""
    shutil.copytree(plan_dir, copy)
    path = copy / "visits.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row.update(change.get((row["team_id"], int(row["seq"])), {}))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return copy


def test_a_stop_moved_330_km_is_a_violation(planned: Planned, tmp_path: Path) -> None:
    """Moving one station 3 degrees north (about 330 km) names team, stop, site and distance;
    the times are untouched, so nothing else is wrong."""
    stop = next(s for s in planned.view.stops if s.phase == "voting")
    moved = _edit(
        planned.plan_dir,
        tmp_path / "moved",
        {(stop.team_id, stop.seq): {"lat": f"{stop.lat + 3:.5f}"}},
    )
    report = check_plan_dir(moved, planned.mission)
    (violation,) = report.violations
    assert (violation.team_id, violation.seq, violation.rule) == (
        stop.team_id,
        stop.seq,
        "coordinates",
    )
    assert f"station {stop.site_id} is at {stop.lat:.5f}" in violation.message
    assert "333.6 km away" in violation.message

    result = CliRunner().invoke(app, ["check", str(moved)], terminal_width=200)
    assert result.exit_code == 1
    assert f"{stop.team_id} stop {stop.seq}: [coordinates]" in result.output


def test_bases_tecs_and_unreadable_coordinates_are_checked(
    planned: Planned, tmp_path: Path
) -> None:
    team = planned.view.teams[0]
    base, tec = team.stops[0], next(s for s in team.stops if s.site_type == "tec")
    edited = _edit(
        planned.plan_dir,
        tmp_path / "edited",
        {
            (team.team_id, base.seq): {"lon": f"{base.lon + 0.01:.5f}"},
            (team.team_id, tec.seq): {"lat": "north", "lon": ""},
        },
    )
    messages = {(v.seq, v.message) for v in check_plan_dir(edited, planned.mission).violations}
    assert any(seq == base.seq and "base" in m and " m away" in m for seq, m in messages)
    assert any(seq == tec.seq and "are not numbers" in m for seq, m in messages)


def test_coordinates_as_written_pass(planned: Planned) -> None:
    """The plan as written (5 decimals) is within the rounding tolerance."""
    assert not [v for v in check_plan_dir(planned.plan_dir, planned.mission).violations]
