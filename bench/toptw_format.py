"""Team orienteering with time windows (TOPTW) instances in the KU Leuven format, and the
one scorer of every solver's tours.

Format (whitespace-separated; Montemanni & Gambardella's pr11-pr20 and the other sets of
the KU Leuven OP library): line 1 `k v N t` gives the number of customers `N`; line 2 is
unused; then one line per vertex 0..N, `i x y d S f a list... O C`, with coordinates
`x y`, service time `d`, score `S` and, as the last two tokens whatever the length of the
leftover list, the earliest and latest start of service `O C`. Vertex 0 is the depot;
its `C` is every tour's time budget. Blank lines are ignored.

Distance convention of the best-known scores: travel time is the Euclidean distance
truncated to two decimals, `floor(100 d) / 100`. It is computed here exactly, in integer
hundredths (`hundredths`), from the coordinates read as decimals (they have at most
three decimals: `100 d = sqrt(dx'^2 + dy'^2) / 10` with `dx'` in thousandths, so
`floor(100 d) = isqrt(dx'^2 + dy'^2) // 10`), never through a float square root.
Service times and windows are whole numbers, so every time in a tour is a whole number
of hundredths: a solver that works in integer ticks of `unit / 100` (any `unit` that is a
multiple of 100, `ticks`) sees exactly the best-known scores' instance.

A tour leaves the depot at time 0, waits when it arrives before `O`, starts each service
no later than `C` and is back at the depot by the depot's `C`; each customer is served
at most once over all tours; the score is the sum of the served customers' scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

# Coordinates are read to this many decimals (the pr files have at most three).
COORDINATE_DECIMALS = 3


class InstanceError(ValueError):
    """A file that is not a readable TOPTW instance; the message names file and line."""


@dataclass(frozen=True)
class Instance:
    """Vertex 0 is the depot; customers are 1..N. Times are in the file's units."""

    name: str
    x: tuple[Decimal, ...]
    y: tuple[Decimal, ...]
    service: tuple[int, ...]
    score: tuple[int, ...]
    open: tuple[int, ...]
    close: tuple[int, ...]

    @property
    def customers(self) -> int:
        return len(self.service) - 1

    @property
    def budget(self) -> int:
        """Every tour's time budget: the depot's latest time."""
        return self.close[0]

    def hundredths(self) -> np.ndarray:
        """Travel times in exact hundredths: `floor(100 d)` for Euclidean distance `d`."""
        scale = 10**COORDINATE_DECIMALS
        xs = [int(v * scale) for v in self.x]
        ys = [int(v * scale) for v in self.y]
        n = len(xs)
        out = np.zeros((n, n), dtype=np.int64)
        for i in range(n):
            for j in range(i + 1, n):
                squared = (xs[i] - xs[j]) ** 2 + (ys[i] - ys[j]) ** 2
                out[i, j] = out[j, i] = math.isqrt(squared) * 100 // scale
        return out


def ticks_per_hundredth(unit: int) -> int:
    """Integer ticks per hundredth of a time unit, for `unit` ticks per unit."""
    if unit <= 0 or unit % 100:
        raise ValueError(f"ticks per unit must be a positive multiple of 100, not {unit}")
    return unit // 100


def _number(text: str, path: Path, line: int, field: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InstanceError(f"{path}:{line}: {field} {text!r} is not a number") from None
    if not value.is_finite():
        raise InstanceError(f"{path}:{line}: {field} {text!r} is not a number")
    return value


def _whole(text: str, path: Path, line: int, field: str) -> int:
    value = _number(text, path, line, field)
    if value != value.to_integral_value() or value < 0:
        raise InstanceError(f"{path}:{line}: {field} {text!r} must be a whole number >= 0")
    return int(value)


def read_instance(path: Path) -> Instance:
    """Read one instance file; `InstanceError` names the file and line of any problem."""
    try:
        text = path.read_text(encoding="ascii")
    except UnicodeDecodeError:
        raise InstanceError(f"{path}: not a plain-text instance file") from None
    rows = [(k, line.split()) for k, line in enumerate(text.splitlines(), start=1)]
    rows = [(k, tokens) for k, tokens in rows if tokens]
    if len(rows) < 3:
        raise InstanceError(f"{path}: too short for a header and a depot line")
    header_line, header = rows[0]
    if len(header) < 3:
        raise InstanceError(f"{path}:{header_line}: header needs `k v N ...`")
    customers = _whole(header[2], path, header_line, "customer count N")
    vertices = rows[2:]
    if len(vertices) != customers + 1:
        raise InstanceError(
            f"{path}: header says {customers} customers, found {len(vertices) - 1} vertex lines"
        )
    x, y, service, score, early, late = [], [], [], [], [], []
    for expected, (k, tokens) in enumerate(vertices):
        if len(tokens) < 7:
            raise InstanceError(f"{path}:{k}: a vertex line needs `i x y d S ... O C`")
        if _whole(tokens[0], path, k, "vertex number") != expected:
            raise InstanceError(f"{path}:{k}: vertex {tokens[0]} out of order, {expected} due")
        for field, token in (("x", tokens[1]), ("y", tokens[2])):
            value = _number(token, path, k, field)
            if value != round(value, COORDINATE_DECIMALS):
                raise InstanceError(
                    f"{path}:{k}: {field} {token!r} has more than {COORDINATE_DECIMALS} decimals"
                )
        x.append(_number(tokens[1], path, k, "x"))
        y.append(_number(tokens[2], path, k, "y"))
        service.append(_whole(tokens[3], path, k, "service time d"))
        score.append(_whole(tokens[4], path, k, "score S"))
        early.append(_whole(tokens[-2], path, k, "earliest start O"))
        late.append(_whole(tokens[-1], path, k, "latest start C"))
        if early[-1] > late[-1]:
            raise InstanceError(f"{path}:{k}: window opens at {early[-1]} after {late[-1]}")
    if early[0] != 0:
        raise InstanceError(f"{path}:{vertices[0][0]}: the depot must open at 0")
    return Instance(
        path.stem,
        tuple(x),
        tuple(y),
        tuple(service),
        tuple(score),
        tuple(early),
        tuple(late),
    )


def read_best_known(path: Path) -> dict[tuple[str, int], int]:
    """`bks.csv` (instance, vehicles, bks, status) as {(instance, tours): score}."""
    out: dict[tuple[str, int], int] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].split(",")[:3] != ["instance", "vehicles", "bks"]:
        raise InstanceError(f"{path}:1: header must start with instance,vehicles,bks")
    for k, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split(",")
        try:
            out[(cells[0], int(cells[1]))] = int(cells[2])
        except (IndexError, ValueError):
            raise InstanceError(f"{path}:{k}: need instance,vehicles,bks") from None
    return out


@dataclass(frozen=True)
class Check:
    """A solution's score under the best-known scores' convention; 0 if infeasible."""

    score: int
    visits: int
    travel: int  # hundredths
    problems: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.problems


def check_tours(inst: Instance, tours: Sequence[Sequence[int]], max_tours: int) -> Check:
    """Re-simulate `tours` (customer numbers 1..N in visiting order, depot left out) in
    exact hundredths and score them; any broken rule makes the whole solution score 0."""
    travel = inst.hundredths()
    problems: list[str] = []
    used = [t for t in tours if t]
    if len(used) > max_tours:
        problems.append(f"{len(used)} tours > {max_tours}")
    seen: set[int] = set()
    total_travel = 0
    for k, tour in enumerate(tours):
        t, prev = 0, 0
        for c in tour:
            if not 1 <= c <= inst.customers:
                problems.append(f"tour {k}: no customer {c}")
                break
            if c in seen:
                problems.append(f"tour {k}: customer {c} served twice")
            seen.add(c)
            t = max(t + int(travel[prev, c]), 100 * inst.open[c])
            total_travel += int(travel[prev, c])
            if t > 100 * inst.close[c]:
                problems.append(f"tour {k}: customer {c} starts {t / 100:.2f} > {inst.close[c]}")
            t += 100 * inst.service[c]
            prev = c
        else:
            if tour:
                t += int(travel[prev, 0])
                total_travel += int(travel[prev, 0])
                if t > 100 * inst.budget:
                    problems.append(f"tour {k}: back at {t / 100:.2f} > {inst.budget}")
    if problems:
        return Check(0, 0, total_travel, tuple(problems))
    return Check(sum(inst.score[c] for c in seen), len(seen), total_travel, ())
