"""The candidates of a counterfactual search: the pack's change operations over groups of
interchangeable items, and a statement's score after any multiset of them.

Items of one cell with the same polarity, tags and metric band give identical features, so
an operation is applied to "any one item of a group" (a ClassOp); the sets found are then
expanded to concrete items, and their number is counted exactly by combinatorics.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from engine.analysis.scenario import AddItem, Change
from engine.evaluation.features import metric_band
from engine.model.case import Item
from engine.model.pack import Pack


@dataclass(frozen=True)
class ClassOp:
    """A change to any one item of a group of interchangeable items (or an added item)."""

    op_id: str
    kind: str
    statement: str
    category: str
    group: tuple | None  # the interchangeable-item group it draws from; None for additions
    to: str | None  # new polarity, new comparison id, or added polarity

    def describe(self) -> str:
        if self.kind == "add_item":
            return f"add a {self.to} item to {self.statement}.{self.category}"
        what = {
            "flip_polarity": f"read as {self.to}",
            "drop_item": "leave out",
            "shift_metric": f"read the comparison as {self.to}",
        }[self.kind]
        return f"{what}: an item of {self.statement}.{self.category}"


@dataclass
class Search:
    pack: Pack
    items: list[Item]
    groups: dict[tuple, list[Item]] = field(default_factory=dict)
    ops: dict[str, list[ClassOp]] = field(default_factory=dict)
    evaluations: int = 0
    cells: dict[str, dict[str, Counter]] = field(default_factory=dict)
    batch: Any = None
    # a statement's reachable scores by number of changes do not depend on the target:
    # kept here, they serve every search on the same case (review's twenty searches)
    options: dict[tuple[str, int], dict[int | None, list[tuple[ClassOp, ...]]]] = field(default_factory=dict)


def _signature(pack: Pack, it: Item) -> tuple:
    return (it.statement, it.category, it.polarity, tuple(sorted(it.tags)), metric_band(pack, it))


def _tags_for(pack: Pack, tags: list[str], polarity: str) -> list[str]:
    rule = {t.id: t.applies_to for t in pack.core.tags}
    return [t for t in tags if polarity == "mixed" or rule[t] in ("any", polarity)]


def build(pack: Pack, items: list[Item]) -> Search:
    s = Search(pack, items)
    for it in items:
        s.groups.setdefault(_signature(pack, it), []).append(it)
        s.cells.setdefault(it.statement, {}).setdefault(it.category, Counter())[
            (it.polarity, frozenset(it.tags), metric_band(pack, it))
        ] += 1
    band_ids = sorted((c.band, c.id) for c in pack.core.comparisons.bands)
    by_band = {b: cid for b, cid in band_ids}
    ops: dict[str, list[ClassOp]] = defaultdict(list)
    for op in pack.core.counterfactual.operations:
        if op.op == "add_item":
            for sid in pack.statement_ids:
                for cid in pack.category_ids:
                    ops[sid].append(ClassOp(op.id, op.op, sid, cid, None, op.polarity or "strength"))
            continue
        for sig in s.groups:
            sid, cid, pol, _tags, band = sig
            if op.op == "drop_item":
                ops[sid].append(ClassOp(op.id, op.op, sid, cid, sig, None))
            elif op.op == "flip_polarity":
                targets = {"strength": ["shortfall"], "shortfall": ["strength"], "mixed": ["strength", "shortfall"]}[
                    pol
                ]
                for to in targets:
                    if band is not None and ((band < 0 and to == "strength") or (band > 0 and to == "shortfall")):
                        continue  # the metric contradicts the new reading: a metric shift must come first
                    ops[sid].append(ClassOp(op.id, op.op, sid, cid, sig, to))
            elif op.op == "shift_metric" and band is not None:
                for nb in (band - 1, band + 1):
                    if nb in by_band and not ((nb < 0 and pol == "strength") or (nb > 0 and pol == "shortfall")):
                        ops[sid].append(ClassOp(op.id, op.op, sid, cid, sig, by_band[nb]))
    s.ops = dict(ops)
    return s


def combinations(s: Search, statement: str, size: int):
    """Every feasible multiset of `size` operations on the statement, as rows of operation
    indices in `itertools.combinations_with_replacement` order; feasible: no group gives more
    items than it has."""
    import numpy as np

    ops = s.ops.get(statement, [])
    if not ops or size == 0:
        return np.zeros((0, size), dtype=np.int64)
    rows = _with_replacement(len(ops), size)
    gidx = {g: i for i, g in enumerate(s.groups)}
    group = np.array([gidx[op.group] if op.group is not None else -1 for op in ops], dtype=np.int64)
    group_size = np.array([len(v) for v in s.groups.values()] or [0], dtype=np.int64)
    g = group[rows]  # rows x size
    same = (g[:, :, None] == g[:, None, :]).sum(axis=2)  # how often each pick's group is picked
    limit = np.where(g >= 0, group_size[np.maximum(g, 0)], np.iinfo(np.int64).max)
    return rows[(same <= limit).all(axis=1)]


def _with_replacement(n: int, size: int):
    """`itertools.combinations_with_replacement(range(n), size)` as an array, built column by
    column: the rows starting with i are i before the rows of one size less whose first
    value is at least i, a contiguous tail of those rows in this order."""
    import numpy as np

    rows = np.arange(n, dtype=np.int64)[:, None]
    for _ in range(size - 1):
        start = np.searchsorted(rows[:, 0], np.arange(n))  # where each first value begins
        counts = len(rows) - start
        first = np.repeat(np.arange(n, dtype=np.int64), counts)
        offsets = np.repeat(start - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
        rows = np.column_stack([first, rows[np.arange(len(first)) + offsets]])
    return rows


def _concrete_count(s: Search, picks: tuple[ClassOp, ...]) -> int:
    """How many concrete change sets one class-level pick stands for."""
    total = 1
    by_group: dict[tuple, list[ClassOp]] = defaultdict(list)
    for op in picks:
        if op.group is not None:
            by_group[op.group].append(op)
    for g, ops in by_group.items():
        n = len(s.groups[g])
        counts: defaultdict[tuple[str, str | None], int] = defaultdict(int)
        for op in ops:
            counts[(op.kind, op.to)] += 1
        remaining = n
        for c in counts.values():
            total *= math.comb(remaining, c)
            remaining -= c
    return total


def _concrete_sets(s: Search, picks: tuple[ClassOp, ...]) -> Iterator[dict[tuple, list[Item]]]:
    """Each concrete choice of items for the class-level picks, as group -> items in pick order."""
    by_group: dict[tuple, list[ClassOp]] = defaultdict(list)
    for op in picks:
        if op.group is not None:
            by_group[op.group].append(op)
    groups = list(by_group)

    def choices(g):
        pool = s.groups[g]
        ops = by_group[g]
        for chosen in itertools.permutations(pool, len(ops)):
            # one ordering per set: items of the same operation in id order
            ok = all(not (ops[i] == ops[i + 1] and chosen[i].id > chosen[i + 1].id) for i in range(len(ops) - 1))
            if ok:
                yield list(chosen)

    for combo in itertools.product(*(list(choices(g)) for g in groups)):
        yield dict(zip(groups, combo, strict=True))


_STEP = Change(op="drop", item="(step)")  # marks where one pick's changes begin


def _changes_for(
    s: Search, picks: tuple[ClassOp, ...], expand: dict[tuple, list[Item]]
) -> tuple[list[list[Change]], list[str]]:
    """The scenario changes for concrete picks, and one readable label per pick."""
    used: dict[tuple, int] = defaultdict(int)
    out: list[Change] = []
    labels: list[str] = []
    n_add = 0
    for op in picks:
        out.append(_STEP)
        if op.kind == "add_item":
            n_add += 1
            out.append(
                Change(
                    op="add",
                    items=[
                        AddItem.model_validate(
                            {
                                "id": f"cf-add-{n_add}",
                                "statement": op.statement,
                                "category": op.category,
                                "polarity": op.to,
                            }
                        )
                    ],
                )
            )
            labels.append(f"{op.op_id}: add a {op.to} item to {op.statement}.{op.category}")
            continue
        group = cast(tuple, op.group)  # every operation but add_item (handled above) has its item group
        it = expand[group][used[group]]
        used[group] += 1
        labels.append(
            {
                "drop_item": f"{op.op_id}: leave out {it.id} ({it.polarity}, {it.statement}.{it.category})",
                "flip_polarity": f"{op.op_id}: read {it.id} as {op.to}, not {it.polarity} ({it.statement}.{it.category})",
                "shift_metric": f"{op.op_id}: read {it.id}'s comparison as {op.to}"
                f" ({it.metric.comparison if it.metric else ''})",
            }[op.kind]
        )
        if op.kind == "drop_item":
            out.append(Change(op="drop", item=it.id))
        elif op.kind == "flip_polarity":
            kept = _tags_for(s.pack, it.tags, str(op.to))
            if kept != list(it.tags):  # tags first: a subset stays valid for the old reading
                out.append(Change(op="set", item=it.id, field="tags", value=kept))
            out.append(Change(op="set", item=it.id, field="polarity", value=op.to))
        else:
            out.append(Change(op="set", item=it.id, field="metric.comparison", value=op.to))
    steps: list[list[Change]] = []
    for ch in out:
        if ch is _STEP:
            steps.append([])
        else:
            steps[-1].append(ch)
    return steps, labels
