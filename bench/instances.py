"""Single-area election-day routing instances of the default mission, for the benchmarks.

An instance is exactly what `planner.election.solve_area` hands to the router: the area's
sample (openings, counts, TECs, voting pool) turned into a `RoutingInput`. Two variants:

- `full`: as planned (mandatory per-team stops, meal break, per-team cap, driving limit);
- `nomeal`: the same without the meal break, because PyVRP cannot model a break.

The soft urban/rural mix dimension is always removed (`mix_delta=None`) so that every
solver optimises the same thing: weighted coverage first, travel second.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace

from planner.datasets import get_path
from planner.election import build_routing_input
from planner.geodata import load_mission
from planner.model import Mission
from planner.problem import PlanOptions, area_problems
from planner.routing_data import RoutingInput
from planner.sampling import sample_area
from planner.travel import GreatCircleTravel

# area id -> short label of the kind of area
DEFAULT_AREAS = {
    "AOR-02": "dense",  # Almaty city & Almaty region
    "AOR-04": "mixed",  # Karagandy & Ulytau
    "AOR-11": "sparse",  # Kostanay
}
KNOWN_KINDS = {
    "AOR-01": "dense",
    "AOR-02": "dense",
    "AOR-04": "mixed",
    "AOR-11": "sparse",
    "AOR-12": "sparse",
}
VARIANTS = ("full", "nomeal")


@dataclass(frozen=True)
class Instance:
    area_id: str
    kind: str
    variant: str
    inp: RoutingInput
    # (lon, lat) per node, for solvers that use coordinates (PyVRP's SWAP* sectors)
    coords: tuple[tuple[float, float], ...] = ()

    @property
    def name(self) -> str:
        return f"{self.area_id}-{self.kind}/{self.variant}"

    @property
    def optional_nodes(self) -> int:
        depots = set(self.inp.starts) | set(self.inp.ends)
        return sum(
            1
            for n in range(self.inp.num_nodes)
            if n not in depots and self.inp.required_vehicle[n] < 0
        )


def load_default() -> Mission:
    return load_mission(get_path())


def build_instances(
    area_ids: list[str],
    variants: tuple[str, ...] = VARIANTS,
    *,
    mission: Mission | None = None,
    seed: int | None = None,
) -> list[Instance]:
    """Instances for the given areas, in the given variants (mission seed by default)."""
    mission = mission or load_default()
    travel = GreatCircleTravel.from_rules(mission.rules)
    options = PlanOptions(seed=mission.seed if seed is None else seed)
    problems = {p.area_id: p for p in area_problems(mission, options)}
    unknown = [a for a in area_ids if a not in problems]
    if unknown:
        raise SystemExit(f"unknown or team-less area(s): {unknown}; have {sorted(problems)}")
    out = []
    for area_id in area_ids:
        problem = problems[area_id]
        sample = sample_area(problem, travel)
        inp, _roles, places = build_routing_input(problem, sample, travel)
        inp = replace(inp, mix_delta=None)
        coords = tuple((p.lon, p.lat) for p in places)
        for variant in variants:
            if variant not in VARIANTS:
                raise SystemExit(f"unknown variant {variant!r}; have {VARIANTS}")
            v_inp = inp if variant == "full" else replace(inp, breaks=())
            kind = KNOWN_KINDS.get(area_id, "area")
            out.append(Instance(area_id, kind, variant, v_inp, coords))
    return out


def parse_list(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def parse_limits(text: str) -> list[float]:
    return [float(t) for t in parse_list(text)]


def print_table(headers: list[str], rows: list[list[object]], *, file=sys.stdout) -> None:
    """A plain fixed-width table (right-aligned numbers, left-aligned text)."""
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [
        all(_is_number(row[i]) for row in rows) if rows else False for i in range(len(headers))
    ]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    print(line(headers), file=file)
    print("  ".join("-" * w for w in widths), file=file)
    for row in cells:
        print(line(row), file=file)
    file.flush()


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)
