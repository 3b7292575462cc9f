"""Districts moved between areas after `planner init` made them: the coordinator's edit of
the district -> area table, applied to a mission already made.

The areas keep their ids; each is remade from the districts it now holds (shape, name after
its district with the most voters), the STO teams are shared out again in proportion to
the areas' voters with bases at their largest commission seats, and one LTO team goes to
each area, as `planner init` does. An edit that leaves an area without districts, names an
area that does not exist or leaves a district without an area is refused whole, each
problem named.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import cast

import numpy as np
import pandas as pd
import shapely

from planner.allocation import allocate_teams, base_sites
from planner.errors import Problem
from planner.init import areas as area_maker
from planner.model import Area, Mission, StationKind, Team, TeamKind

EDIT = "district -> area"


def district_table(mission: Mission) -> pd.DataFrame:
    """One row per district: its id, name, region, area, stations and voters (the table the
    coordinator edits, as `areas.csv` holds it)."""
    stations: Counter[str] = Counter()
    voters: Counter[str] = Counter()
    for s in mission.stations:
        if s.kind is not StationKind.ABROAD:
            stations[s.district] += 1
            voters[s.district] += s.voters
    region_names = {r.region_id: r.name_en for r in mission.regions}
    area_of = mission.area_of_district
    rows = [
        {
            "district_id": d.district_id,
            "district": d.name_en,
            "region": region_names.get(d.region_id, d.region_id),
            "area_id": area_of.get(d.district_id, ""),
            "stations": stations[d.district_id],
            "voters": voters[d.district_id],
        }
        for d in mission.districts
    ]
    columns = ["district_id", "district", "region", "area_id", "stations", "voters"]
    return pd.DataFrame(rows, columns=columns)


def area_table(mission: Mission) -> pd.DataFrame:
    """One row per area: its districts, stations, voters, STO teams and LTO team."""
    table = district_table(mission)
    sto = Counter(t.area_id for t in mission.sto_teams)
    lto = {t.area_id: t.team_id for t in mission.teams if t.kind is TeamKind.LTO}
    rows = []
    for a in mission.areas:
        mine = table[table["area_id"] == a.area_id]
        rows.append(
            {
                "area_id": a.area_id,
                "name": a.name,
                "districts": len(mine),
                "stations": int(mine["stations"].sum()),
                "voters": int(mine["voters"].sum()),
                "STO teams": sto[a.area_id],
                "LTO team": lto.get(a.area_id, ""),
            }
        )
    return pd.DataFrame(rows)


def edit_problems(mission: Mission, assignment: Mapping[str, str | None]) -> list[Problem]:
    """What is wrong with a district -> area assignment, every problem at once."""
    problems: list[Problem] = []
    known_areas = [a.area_id for a in mission.areas]
    districts = [d.district_id for d in mission.districts]
    for d in districts:
        area = assignment.get(d)
        if not area:
            problems.append(Problem(EDIT, None, d, f"district '{d}' has no area"))
        elif area not in known_areas:
            problems.append(
                Problem(
                    EDIT,
                    None,
                    d,
                    f"district '{d}': area '{area}' does not exist (areas: "
                    f"{', '.join(known_areas)})",
                )
            )
    for d in sorted(set(assignment) - set(districts)):
        problems.append(Problem(EDIT, None, d, f"'{d}' is not a district of the mission"))
    held = {assignment.get(d) for d in districts}
    for a in known_areas:
        if a not in held:
            problems.append(
                Problem(
                    EDIT,
                    None,
                    a,
                    f"area '{a}' would have no district left: every area keeps at least one",
                )
            )
    return problems


def district_links(mission: Mission) -> tuple[list[str], set[tuple[int, int]], int]:
    """The districts in order, which neighbour which (Voronoi neighbours of their
    commission seats, islands bridged as `planner init` bridges them) and how many bridges."""
    districts = [d.district_id for d in mission.districts]
    index = {d: i for i, d in enumerate(districts)}
    seated = [c for c in mission.commissions if c.district in index]
    tec_unit = np.array([index[str(c.district)] for c in seated], dtype=np.int64)
    lon = np.array([c.lon for c in seated], dtype=float)
    lat = np.array([c.lat for c in seated], dtype=float)
    links = area_maker.unit_links(tec_unit, lon, lat, len(districts))
    centres = np.zeros((len(districts), 2))
    for i in range(len(districts)):
        mine = tec_unit == i
        if mine.any():
            centres[i] = (float(np.mean(lon[mine])), float(np.mean(lat[mine])))
    bridged = area_maker.bridge_islands(links, centres)
    return districts, links, bridged


def regroup(
    mission: Mission, assignment: Mapping[str, str]
) -> tuple[Mission, area_maker.AreaBalance]:
    """The mission with its districts in the areas `assignment` names (check it first with
    `edit_problems`), teams shared out again, and the balance of the new areas."""
    problems = edit_problems(mission, assignment)
    if problems:
        raise ValueError("; ".join(p.message for p in problems))
    districts, links, bridged = district_links(mission)
    table = district_table(mission)
    voters = dict(zip(table["district_id"], table["voters"].astype(int).tolist(), strict=True))
    shapes = {d.district_id: d.geometry for d in mission.districts}
    names = {d.district_id: d.name_en for d in mission.districts}
    areas = []
    for a in mission.areas:
        members = tuple(d for d in districts if assignment[d] == a.area_id)
        geometry = shapely.union_all([shapes[d] for d in members if shapes[d] is not None])
        biggest = max(members, key=lambda d: (voters[d], -districts.index(d)))
        areas.append(
            Area(
                a.area_id,
                f"{a.area_id} {names[biggest]}",
                (),
                None if geometry.is_empty else geometry,
                district_ids=members,
            )
        )
    moved = replace(mission, areas=tuple(areas), teams=())
    moved = with_teams(moved, len(mission.sto_teams))
    area_ids = [a.area_id for a in mission.areas]
    labels = np.array([area_ids.index(assignment[d]) for d in districts], dtype=np.int64)
    weights = [float(voters[d]) for d in districts]
    return moved, area_maker.balance(labels, weights, links, bridged)


def with_teams(mission: Mission, sto_count: int) -> Mission:
    """STO teams in proportion to voters with bases at the largest commission seats
    (`planner.allocation`), and one LTO team per area at its largest seat."""
    sto = tuple(
        Team(f"STO-{i + 1:03d}", TeamKind.STO, None, "", None, None) for i in range(sto_count)
    )
    mission = allocate_teams(replace(mission, teams=sto))
    lto = []
    for a in mission.areas:
        sites = base_sites(mission, a.area_id)
        if sites:
            name, x, y, _ = sites[0]
            lto.append(
                Team(f"LTO-{a.area_id.removeprefix('AOR-')}", TeamKind.LTO, a.area_id, name, x, y)
            )
    return replace(mission, teams=(*mission.teams, *lto))


def regrouped_report(
    report: Mapping[str, object], mission: Mission, balance: area_maker.AreaBalance
) -> dict[str, object]:
    """The init report with its areas and teams sections for the edited areas."""
    out = dict(report)
    areas = dict(cast(Mapping[str, object], report.get("areas") or {}))
    method = str(areas.get("method", "balanced tree partition"))
    if not method.endswith(", districts moved by hand"):
        method += ", districts moved by hand"
    largest = max((int(v) for v in district_table(mission)["voters"]), default=0)
    areas.update(
        {
            "count": len(mission.areas),
            "method": method,
            "balance": balance.as_dict(),
            "largest_district_over_mean": round(largest / balance.mean, 3) if balance.mean else 1.0,
        }
    )
    teams = dict(cast(Mapping[str, object], report.get("teams") or {}))
    teams.update(
        {
            "lto": sum(t.kind is TeamKind.LTO for t in mission.teams),
            "per_area": dict(Counter(t.area_id for t in mission.sto_teams)),
        }
    )
    out["areas"] = areas
    out["teams"] = teams
    return out
