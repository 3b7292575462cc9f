"""Areas of responsibility: K contiguous groups of whole districts with similar voter counts.

PySAL's regionalisers (`spopt`: AZP, Skater, MaxP) minimise how different the units of a
region are, with at most a floor on a region's size; here the goal is the opposite kind:
equal workload, similar voters per area, districts kept whole and areas in one piece. So
this is a balanced tree partition (the idea of SKATER, with balance as its objective):

1. districts are linked when they are neighbours (Delaunay edges between their stations'
   commissions, i.e. Voronoi neighbours; islands are bridged to their nearest district);
2. a minimum spanning tree of those links (by distance) is cut recursively: K areas are
   split into ⌊K/2⌋ and ⌈K/2⌉ at the tree edge whose two sides come closest to that share
   of voters, so every part is connected;
3. boundary districts then move to a neighbouring area while that lowers the sum of
   squared deviations from the mean; when no single move does, a chain of neighbouring
   areas hands districts on from a heavy area to a light one. A district whose leaving
   would cut its area in two takes the smaller pieces along, so every area stays in one
   piece (a fixed number of passes: a count of work, so the same input gives the same
   areas).

Balance cannot beat the largest district: a capital district holding 5 % of the voters is
an area of at least 5 %; the report says so.
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import Delaunay, QhullError

MAX_PASSES = 50
EARTH_KM_PER_DEG = 111.32


@dataclass(frozen=True)
class AreaBalance:
    """How even the areas came out, and whether each is in one piece."""

    voters: tuple[int, ...]
    mean: float
    max_over_mean: float
    min_over_mean: float
    contiguous: bool
    bridged_links: int

    def as_dict(self) -> dict[str, object]:
        return {
            "voters_per_area": list(self.voters),
            "mean": round(self.mean, 1),
            "max_over_mean": round(self.max_over_mean, 3),
            "min_over_mean": round(self.min_over_mean, 3),
            "contiguous": self.contiguous,
            "bridged_links": self.bridged_links,
        }


def _xy_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    scale = np.cos(np.radians(np.nanmean(lat))) if len(lat) else 1.0
    return np.column_stack([lon * scale, lat]) * EARTH_KM_PER_DEG


def unit_links(
    point_unit: np.ndarray, lon: np.ndarray, lat: np.ndarray, n_units: int
) -> set[tuple[int, int]]:
    """Neighbouring units: a Delaunay edge joins two of their points (Voronoi neighbours)."""
    links: set[tuple[int, int]] = set()
    xy = _xy_km(lon, lat)
    unique, first = np.unique(np.round(xy, 4), axis=0, return_index=True)
    units = point_unit[first]
    if len(unique) >= 3:
        try:
            tri = Delaunay(unique)
        except QhullError:  # all points on a line
            tri = None
        if tri is not None:
            simplices = tri.simplices
            for a, b in ((0, 1), (1, 2), (0, 2)):
                ua, ub = units[simplices[:, a]], units[simplices[:, b]]
                differ = ua != ub
                for x, y in zip(ua[differ], ub[differ], strict=True):
                    links.add((int(min(x, y)), int(max(x, y))))
    if len(unique) < 3 or not links:
        order = np.argsort(unique[:, 0] + unique[:, 1], kind="stable")
        for x, y in zip(units[order][:-1], units[order][1:], strict=True):
            if x != y:
                links.add((int(min(x, y)), int(max(x, y))))
    return {(a, b) for a, b in links if a < n_units and b < n_units}


def _connect(links: set[tuple[int, int]], centres: np.ndarray) -> int:
    """Bridge islands: link each extra component to its nearest district. Returns how many."""
    n = len(centres)
    bridged = 0
    while True:
        graph = _matrix(links, n, lambda pairs: np.ones(len(pairs)))
        count, labels = connected_components(graph, directed=False)
        if count <= 1:
            return bridged
        main = np.flatnonzero(labels == labels[0])
        other = np.flatnonzero(labels != labels[0])
        d = ((centres[other][:, None, :] - centres[main][None, :, :]) ** 2).sum(axis=2)
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        a, b = int(other[i]), int(main[j])
        links.add((min(a, b), max(a, b)))
        bridged += 1


def bridge_islands(links: set[tuple[int, int]], centres_lonlat: np.ndarray) -> int:
    """Link each group of districts cut off from the rest (an island) to its nearest
    district, in place; returns how many links were added."""
    if not len(centres_lonlat):
        return 0
    return _connect(links, _xy_km(centres_lonlat[:, 0], centres_lonlat[:, 1]))


def _matrix(links: set[tuple[int, int]], n: int, weight) -> coo_matrix:
    if not links:
        return coo_matrix((n, n))
    pairs = np.array(sorted(links))
    values = weight(pairs)
    return coo_matrix((values, (pairs[:, 0], pairs[:, 1])), shape=(n, n))


def _tree(links: set[tuple[int, int]], centres: np.ndarray) -> dict[int, list[int]]:
    def distance(pairs: np.ndarray) -> np.ndarray:
        d = np.linalg.norm(centres[pairs[:, 0]] - centres[pairs[:, 1]], axis=1)
        return d + 1e-6  # zero would drop the link from the sparse matrix

    mst = minimum_spanning_tree(_matrix(links, len(centres), distance)).tocoo()
    tree: dict[int, list[int]] = defaultdict(list)
    for a, b in sorted(zip(mst.row.tolist(), mst.col.tolist(), strict=True)):
        tree[a].append(b)
        tree[b].append(a)
    return tree


def _bisect(
    nodes: list[int], k: int, tree: dict[int, list[int]], weight: np.ndarray
) -> list[list[int]]:
    if k <= 1 or len(nodes) <= 1:
        return [nodes]
    inside = set(nodes)
    root = min(nodes)
    parent = {root: -1}
    order = [root]
    queue = deque([root])
    while queue:
        u = queue.popleft()
        for v in tree[u]:
            if v in inside and v not in parent:
                parent[v] = u
                order.append(v)
                queue.append(v)
    below = {u: float(weight[u]) for u in order}
    for u in reversed(order[1:]):
        below[parent[u]] += below[u]
    total = below[root]
    k1 = k // 2
    target = total * k1 / k
    best: tuple[float, int, bool] | None = None
    for u in order[1:]:
        for side_is_first in (True, False):
            part = below[u] if side_is_first else total - below[u]
            gap = abs(part - target)
            if best is None or gap < best[0] - 1e-9:
                best = (gap, u, side_is_first)
    if best is None:
        return [nodes]
    _, cut, first_is_subtree = best
    subtree: set[int] = set()
    stack = [cut]
    while stack:
        u = stack.pop()
        subtree.add(u)
        stack.extend(v for v in tree[u] if v in inside and parent.get(v) == u)
    part_a = sorted(subtree)
    part_b = sorted(inside - subtree)
    first, second = (part_a, part_b) if first_is_subtree else (part_b, part_a)
    if len(first) < 1 or len(second) < 1:
        return [nodes]
    return _bisect(first, k1, tree, weight) + _bisect(second, k - k1, tree, weight)


def _pieces_without(
    members: set[int], removed: int, neighbours: dict[int, set[int]]
) -> list[set[int]]:
    """The connected pieces an area falls into when `removed` leaves it, largest first
    (ties: the piece with the smallest unit)."""
    rest = members - {removed}
    pieces: list[set[int]] = []
    for start in sorted(rest):
        if any(start in piece for piece in pieces):
            continue
        seen = {start}
        stack = [start]
        while stack:
            u = stack.pop()
            for v in neighbours[u]:
                if v in rest and v not in seen:
                    seen.add(v)
                    stack.append(v)
        pieces.append(seen)
    return sorted(pieces, key=lambda piece: (-len(piece), min(piece)))


def _leaving(members: set[int], u: int, neighbours: dict[int, set[int]]) -> set[int] | None:
    """The districts that leave an area with `u`: `u` and the pieces its leaving would cut
    off (all but the largest), so what stays is one piece; None for an area's last one."""
    pieces = _pieces_without(members, u, neighbours)
    if not pieces:
        return None
    return {u}.union(*pieces[1:])


@dataclass
class _Areas:
    """The working state of the improvement: each district's area, the areas' members and
    voters."""

    labels: np.ndarray
    members: list[set[int]]
    loads: np.ndarray
    mean: float

    def move(self, group: set[int], a: int, b: int, weight: np.ndarray) -> None:
        w = float(weight[sorted(group)].sum())
        for v in group:
            self.labels[v] = b
        self.members[a] -= group
        self.members[b] |= group
        self.loads[a] -= w
        self.loads[b] += w

    def spread(self) -> float:
        return float(((self.loads - self.mean) ** 2).sum())

    def copy(self) -> _Areas:
        return _Areas(
            self.labels.copy(), [set(m) for m in self.members], self.loads.copy(), self.mean
        )


def _single_moves(state: _Areas, weight: np.ndarray, neighbours: dict[int, set[int]]) -> bool:
    """One pass of moves of one district (with what it cuts off) to a neighbouring area,
    each lowering the squared deviations; True when something moved."""
    loads, mean, moved = state.loads, state.mean, False
    for u in range(len(state.labels)):
        a = int(state.labels[u])
        targets = sorted({int(state.labels[v]) for v in neighbours[u]} - {a})
        if not targets:
            continue
        group = _leaving(state.members[a], u, neighbours)
        if group is None:
            continue
        w = float(weight[sorted(group)].sum())
        best: tuple[float, int] | None = None
        for b in targets:
            before = (loads[a] - mean) ** 2 + (loads[b] - mean) ** 2
            after = (loads[a] - w - mean) ** 2 + (loads[b] + w - mean) ** 2
            gain = before - after
            if gain > 1e-6 * mean * mean and (best is None or gain > best[0]):
                best = (gain, b)
        if best is not None:
            state.move(group, a, best[1], weight)
            moved = True
    return moved


def _chain(state: _Areas, weight: np.ndarray, neighbours: dict[int, set[int]]) -> bool:
    """One ejection chain, when no single move helps: from the area furthest from the
    mean, the shortest path of neighbouring areas to one on the other side of the mean
    (the nearest such area first); each area on it hands the next the boundary district
    (with what it cuts off) nearest in voters to the gap. Kept only if it lowers the
    squared deviations."""
    k, mean = len(state.loads), state.mean
    touching: dict[int, set[int]] = defaultdict(set)
    for u, near in neighbours.items():
        for v in near:
            if state.labels[u] != state.labels[v]:
                touching[int(state.labels[u])].add(int(state.labels[v]))
    for start in sorted(range(k), key=lambda a: (-abs(state.loads[a] - mean), a)):
        short = state.loads[start] < mean
        parent = {start: -1}
        queue = deque([start])
        ends = []  # areas on the other side of the mean, nearest first
        while queue:
            a = queue.popleft()
            for b in sorted(touching[a]):
                if b not in parent:
                    parent[b] = a
                    queue.append(b)
                    if (state.loads[b] > mean) if short else (state.loads[b] < mean):
                        ends.append(b)
        for end in ends:
            path = [end]
            while parent[path[-1]] != -1:
                path.append(parent[path[-1]])
            if not short:
                path.reverse()  # districts flow from the heavy end to the light end
            gap = min(abs(state.loads[start] - mean), abs(state.loads[end] - mean))
            trial = _handed_on(state, path, gap, weight, neighbours)
            if trial is not None and trial.spread() < state.spread() - 1e-6 * mean * mean:
                state.labels[:] = trial.labels
                state.members[:] = trial.members
                state.loads[:] = trial.loads
                return True
    return False


def _handed_on(
    state: _Areas, path: list[int], gap: float, weight: np.ndarray, neighbours: dict[int, set[int]]
) -> _Areas | None:
    """A copy of `state` in which each area of `path` hands the next the boundary district
    (with what it cuts off) nearest `gap` voters; None when one of them has none to give."""
    trial = state.copy()
    for giver, taker in itertools.pairwise(path):
        best: tuple[float, set[int]] | None = None
        for u in sorted(trial.members[giver]):
            if not any(trial.labels[v] == taker for v in neighbours[u]):
                continue
            group = _leaving(trial.members[giver], u, neighbours)
            if group is None:
                continue
            miss = abs(float(weight[sorted(group)].sum()) - gap)
            if best is None or miss < best[0]:
                best = (miss, group)
        if best is None:
            return None
        trial.move(best[1], giver, taker, weight)
    return trial


def _improve(
    labels: np.ndarray, k: int, weight: np.ndarray, neighbours: dict[int, set[int]]
) -> np.ndarray:
    """Move boundary districts to a neighbouring area while that lowers the squared
    deviations from the mean, and when no single move does, hand districts on along a
    chain of areas. A district whose leaving would cut its area in two takes the cut-off
    pieces along (they reach the new area through it), so every area stays whole."""
    state = _Areas(
        labels.copy(),
        [set(np.flatnonzero(labels == a).tolist()) for a in range(k)],
        np.bincount(labels, weights=weight, minlength=k).astype(float),
        float(weight.sum() / k),
    )
    for _ in range(MAX_PASSES):
        if not _single_moves(state, weight, neighbours) and not _chain(state, weight, neighbours):
            break
    return state.labels


def partition(
    weight: np.ndarray, centres_lonlat: np.ndarray, links: set[tuple[int, int]], k: int
) -> tuple[np.ndarray, AreaBalance]:
    """Area number (0..k-1) of each unit, and the balance achieved.

    `weight` per unit (voters), `centres_lonlat` (n, 2) per unit, `links` between
    neighbouring units (pairs of indices, smaller first).
    """
    n = len(weight)
    weight = np.asarray(weight, dtype=float)
    k = max(1, min(k, n))
    centres = _xy_km(centres_lonlat[:, 0], centres_lonlat[:, 1])
    links = set(links)
    bridged = _connect(links, centres)
    tree = _tree(links, centres)
    parts = _bisect(list(range(n)), k, tree, weight)
    labels = np.zeros(n, dtype=np.int64)
    for a, part in enumerate(parts):
        labels[part] = a
    neighbours: dict[int, set[int]] = defaultdict(set)
    for a, b in links:
        neighbours[a].add(b)
        neighbours[b].add(a)
    labels = _improve(labels, len(parts), weight, neighbours)
    # Number the areas by where their voters' centre lies: north-west first, then east.
    labels = _renumber(labels, weight, centres)
    return labels, balance(labels, weight.tolist(), links, bridged)


def _renumber(labels: np.ndarray, weight: np.ndarray, centres: np.ndarray) -> np.ndarray:
    k = int(labels.max()) + 1 if len(labels) else 0
    w = np.maximum(weight, 1e-9)
    keys = []
    for a in range(k):
        sel = labels == a
        x = float(np.average(centres[sel, 0], weights=w[sel]))
        y = float(np.average(centres[sel, 1], weights=w[sel]))
        keys.append((-round(y / 100), x, a))  # bands of ~100 km, north first
    order = [a for _, _, a in sorted(keys)]
    new = np.empty(k, dtype=np.int64)
    new[order] = np.arange(k)
    return new[labels]


def is_contiguous(labels: np.ndarray, links: set[tuple[int, int]]) -> bool:
    neighbours: dict[int, set[int]] = defaultdict(set)
    for a, b in links:
        if labels[a] == labels[b]:
            neighbours[a].add(b)
            neighbours[b].add(a)
    for area in np.unique(labels):
        members = set(np.flatnonzero(labels == area).tolist())
        start = min(members)
        seen = {start}
        stack = [start]
        while stack:
            u = stack.pop()
            for v in neighbours[u]:
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
        if seen != members:
            return False
    return True


def balance(
    labels: np.ndarray, weight: Sequence[float], links: set[tuple[int, int]], bridged: int = 0
) -> AreaBalance:
    k = int(np.max(labels)) + 1 if len(labels) else 0
    loads = np.bincount(labels, weights=np.asarray(weight, dtype=float), minlength=k)
    mean = float(loads.mean()) if k else 0.0
    return AreaBalance(
        voters=tuple(round(float(v)) for v in loads),
        mean=mean,
        max_over_mean=float(loads.max() / mean) if mean else 1.0,
        min_over_mean=float(loads.min() / mean) if mean else 1.0,
        contiguous=is_contiguous(labels, links),
        bridged_links=bridged,
    )
