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
from typing import Any

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
        what = {"flip_polarity": f"read as {self.to}", "drop_item": "leave out",
                "shift_metric": f"read the comparison as {self.to}"}[self.kind]
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
            (it.polarity, frozenset(it.tags), metric_band(pack, it))] += 1
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
                targets = {"strength": ["shortfall"], "shortfall": ["strength"], "mixed": ["strength", "shortfall"]}[pol]
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


@dataclass
class _Tables:
    """A statement's change operations as arrays: item-kind counts of its cells before any
    change (`base`: categories x kinds) and each operation's change to them (`delta`: ops x
    categories x kinds), the group each operation draws from (-1 for an addition) and the
    groups' sizes. Built once per statement and search state."""

    kinds: list[tuple[str, tuple[str, ...], int | None]]
    prepared: dict[str, Any]
    base: Any
    delta: Any
    group: Any
    group_size: Any


def _tables(s: Search, statement: str) -> _Tables:
    import numpy as np

    cache = s.__dict__.setdefault("_tables", {})
    if statement in cache:
        return cache[statement]
    pack = s.pack
    band_of = {c.id: c.band for c in pack.core.comparisons.bands}
    cidx = {c: i for i, c in enumerate(pack.category_ids)}
    kinds: dict[tuple, int] = {}

    def kind(sig: tuple) -> int:
        return kinds.setdefault(sig, len(kinds))

    base_entries = [(cidx[cid], kind(sig), n) for cid, c in s.cells.get(statement, {}).items() for sig, n in c.items()]
    ops = s.ops.get(statement, [])
    op_entries: list[tuple[int, int, int, int]] = []  # op, category, kind, +-1
    for oi, op in enumerate(ops):
        if op.kind == "add_item":
            op_entries.append((oi, cidx[op.category], kind((op.to, frozenset(), None)), 1))
            continue
        _, _, pol, tags, band = op.group  # type: ignore[misc]
        op_entries.append((oi, cidx[op.category], kind((pol, frozenset(tags), band)), -1))
        if op.kind == "flip_polarity":
            op_entries.append((oi, cidx[op.category], kind((op.to, frozenset(_tags_for(pack, list(tags), str(op.to))), band)), 1))
        elif op.kind == "shift_metric":
            op_entries.append((oi, cidx[op.category], kind((pol, frozenset(tags), band_of[str(op.to)])), 1))
    ncat, k = len(cidx), len(kinds)
    base = np.zeros((ncat, k), dtype=np.int16)  # item counts are small: narrow arrays move faster
    for c, kk, n in base_entries:
        base[c, kk] += n
    delta = np.zeros((max(len(ops), 1), ncat, k), dtype=np.int16)
    for oi, c, kk, d in op_entries:
        delta[oi, c, kk] += d
    groups = list(s.groups)
    gidx = {g: i for i, g in enumerate(groups)}
    group = np.array([gidx[op.group] if op.group is not None else -1 for op in ops] or [-1], dtype=np.int64)
    group_size = np.array([len(s.groups[g]) for g in groups] or [0], dtype=np.int64)
    kind_list = [(pol, tuple(sorted(tags)), band) for (pol, tags, band) in kinds]
    from engine.evaluation.batch import prepare_kinds

    cache[statement] = _Tables(kind_list, prepare_kinds(pack, kind_list, scoring_only=True), base, delta, group, group_size)
    return cache[statement]


def combinations(s: Search, statement: str, size: int):
    """Every feasible multiset of `size` operations on the statement, as rows of operation
    indices in `itertools.combinations_with_replacement` order; feasible: no group gives more
    items than it has."""
    import numpy as np

    ops = s.ops.get(statement, [])
    if not ops or size == 0:
        return np.zeros((0, size), dtype=np.int64)
    flat = itertools.chain.from_iterable(itertools.combinations_with_replacement(range(len(ops)), size))
    rows = np.fromiter(flat, dtype=np.int64).reshape(-1, size)
    tb = _tables(s, statement)
    g = tb.group[rows]  # rows x size
    same = (g[:, :, None] == g[:, None, :]).sum(axis=2)  # how often each pick's group is picked
    limit = np.where(g >= 0, tb.group_size[np.maximum(g, 0)], np.iinfo(np.int64).max)
    return rows[(same <= limit).all(axis=1)]


def score_rows(s: Search, statement: str, rows, chunk: int = 20_000):
    """The statement's score after each multiset of operations (rows of operation indices),
    all at once: -1 where no category has evidence. Exact: features, tables and the category
    step run on the same item-kind counts `derive` would see (tests compare the two)."""
    import numpy as np

    out = np.full(len(rows), -1, dtype=np.int64)
    for start in range(0, len(rows), chunk):
        out[start:start + chunk] = _score_chunk(s, statement, rows[start:start + chunk])
    s.evaluations += len(rows)
    return out


def _score_chunk(s: Search, statement: str, rows):
    import numpy as np

    from engine.evaluation import aggregate
    from engine.evaluation.batch import BatchPack, batch_features

    pack = s.pack
    if s.batch is None:
        s.batch = BatchPack(pack)
    tb = _tables(s, statement)
    m = len(rows)
    counts = np.broadcast_to(tb.base, (m, *tb.base.shape)).copy()
    for j in range(rows.shape[1]):
        counts += tb.delta[rows[:, j]]
    whole = counts.sum(axis=1)
    whole_hash = _row_hash(whole, 1)  # the statement's counts, hashed once for all its cells
    scores = np.zeros(counts.shape[:2], dtype=np.int64)  # 0: no evidence in that cell
    sizes = counts.sum(axis=2)  # items per (candidate, category)
    for c, cid in enumerate(pack.category_ids):
        present = np.nonzero(sizes[:, c] > 0)[0]
        ct = pack.table_for(statement, cid)
        if present.size == 0 or ct is None:
            continue
        # many candidates leave a cell as another candidate leaves it: score each distinct
        # (cell counts, statement counts) once
        k = counts.shape[2]
        distinct, back = _distinct_rows(np.concatenate([counts[present, c, :], whole[present]], axis=1),
                                        whole_hash[present], head=k)
        feats = batch_features(pack, tb.kinds, distinct[:, :k], distinct[:, k:], tb.prepared)
        scores[present, c] = s.batch.tables[ct.table.id].evaluate(feats, len(distinct)).scores[back]
    # the category step: the cells that count (pack's category_min_items), then the bands
    have = scores > 0
    enough = have & (sizes >= pack.core.aggregation.category_min_items)
    use = np.where(enough.any(axis=1)[:, None], enough, have)
    total, n = (scores * use).sum(axis=1), use.sum(axis=1)
    step, top = pack.core.aggregation.category_to_statement, max(pack.scores)
    out = np.full(m, -1, dtype=np.int64)
    width = int(n.max(initial=0)) + 1
    keys, where = np.unique(total * width + n, return_inverse=True)
    for i, key in enumerate(keys.tolist()):
        tot, cnt = divmod(key, width)
        if cnt:
            # the function derive uses; the band depends on the scores only through sum and count
            out[where.reshape(-1) == i] = aggregate.apply(step, [tot] + [0] * (cnt - 1), top).value
    return out


def _row_hash(mat, seed: int):
    """A random linear hash of each row (wrapping modulo 2**64); equal rows hash equal."""
    import numpy as np

    weights = np.random.default_rng(20251129 + seed).integers(1, 2**62, size=mat.shape[1], dtype=np.int64)
    with np.errstate(over="ignore"):
        return mat.astype(np.int64) @ weights


def _distinct_rows(mat, tail_hash=None, head: int | None = None):
    """(distinct rows, index of each row's distinct row): exact. Rows are keyed by a random
    linear hash (a 1-D sort, fast), to which `tail_hash` (a hash of the row's last columns,
    computed once elsewhere) may contribute; the rows are then checked equal to their
    representative, and a collision, however unlikely, falls back to comparing whole rows."""
    import numpy as np

    if tail_hash is None or head is None:
        keys = _row_hash(mat, 0)
    else:
        with np.errstate(over="ignore"):
            keys = _row_hash(mat[:, :head], 0) * np.int64(1_000_003) + tail_hash
    _, first, back = np.unique(keys, return_index=True, return_inverse=True)
    distinct = mat[first]
    if not (distinct[back] == mat).all():
        distinct, back = np.unique(mat, axis=0, return_inverse=True)
    return distinct, back.reshape(-1)


def _score_many(s: Search, statement: str, group: list[tuple[ClassOp, ...]]) -> list[int | None]:
    """`score_rows` for candidates given as tuples of operations (tests use this form)."""
    import numpy as np

    if not group:
        return []
    index = {id(op): i for i, op in enumerate(s.ops.get(statement, []))}
    width = max(len(g) for g in group)
    if any(len(g) != width for g in group):
        return [x for g in group for x in _score_many(s, statement, [g])]
    rows = np.array([[index[id(op)] for op in picks] for picks in group], dtype=np.int64).reshape(len(group), width)
    return [None if v < 0 else int(v) for v in score_rows(s, statement, rows)]


def _multisets(s: Search, statement: str, size: int) -> Iterator[tuple[ClassOp, ...]]:
    ops = s.ops.get(statement, [])
    for row in combinations(s, statement, size):
        yield tuple(ops[i] for i in row)


def _concrete_count(s: Search, picks: tuple[ClassOp, ...]) -> int:
    """How many concrete change sets one class-level pick stands for."""
    total = 1
    by_group: dict[tuple, list[ClassOp]] = defaultdict(list)
    for op in picks:
        if op.group is not None:
            by_group[op.group].append(op)
    for g, ops in by_group.items():
        n = len(s.groups[g])
        counts = defaultdict(int)
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


def _changes_for(s: Search, picks: tuple[ClassOp, ...], expand: dict[tuple, list[Item]]) -> tuple[list[Change], list[str]]:
    """The scenario changes for concrete picks, and one readable label per pick."""
    used: dict[tuple, int] = defaultdict(int)
    out: list[Change] = []
    labels: list[str] = []
    n_add = 0
    for op in picks:
        out.append(_STEP)
        if op.kind == "add_item":
            n_add += 1
            out.append(Change(op="add", items=[AddItem(id=f"cf-add-{n_add}", statement=op.statement,
                                                        category=op.category, polarity=op.to)]))  # type: ignore[arg-type]
            labels.append(f"{op.op_id}: add a {op.to} item to {op.statement}.{op.category}")
            continue
        it = expand[op.group][used[op.group]]  # type: ignore[index]
        used[op.group] += 1  # type: ignore[index]
        labels.append({"drop_item": f"{op.op_id}: leave out {it.id} ({it.polarity}, {it.statement}.{it.category})",
                       "flip_polarity": f"{op.op_id}: read {it.id} as {op.to}, not {it.polarity} ({it.statement}.{it.category})",
                       "shift_metric": f"{op.op_id}: read {it.id}'s comparison as {op.to}"
                                       f" ({it.metric.comparison if it.metric else ''})"}[op.kind])
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
