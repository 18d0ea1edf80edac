"""A statement's score after each of many multisets of change operations, all at once.

Exact: features, tables and the category step run on the same item-kind counts `derive`
would see (tests compare the two). Three facts keep it fast. An operation changes one cell,
so a cell's counts after a multiset depend only on which of the multiset's operations change
that cell, and how (its *class* there: operations that change a cell alike share a class);
the statement-scope features likewise depend only on the multiset of the operations'
changes to the statement's counts. Keys made of sorted class ids are therefore exact (equal
keys, equal counts; no hashing), and each distinct key is computed once. A cell's score
depends on its own counts and its statement's feature values only, and those take few values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from engine.analysis.candidates import Search, _tags_for
from engine.evaluation import aggregate
from engine.evaluation.batch import BatchPack, batch_features, prepare_kinds
from engine.model.pack import Pack


@dataclass
class _Tables:
    """A statement's change operations as arrays, built once per statement and search state:
    item-kind counts of its cells before any change (`base`: categories x kinds); each
    operation's class in each category (`cell_class`: categories x ops) and the counts change
    of each class (`cell_delta[c]`: classes x kinds); the same for the statement's counts
    (`whole_class`, `whole_delta`); and each operation's change to the cells' sizes."""

    kinds: list[tuple[str, tuple[str, ...], int | None]]
    prepared: dict[str, Any]
    base: Any
    cell_class: Any
    cell_delta: list[Any]
    whole_class: Any
    whole_delta: Any
    size_delta: Any


def _op_entries(s: Search, statement: str, kind) -> list[tuple[int, int, int, int]]:
    """(operation, category, item kind, +1 or -1) for each count an operation changes."""
    pack = s.pack
    band_of = {c.id: c.band for c in pack.core.comparisons.bands}
    cidx = {c: i for i, c in enumerate(pack.category_ids)}
    out: list[tuple[int, int, int, int]] = []
    for oi, op in enumerate(s.ops.get(statement, [])):
        if op.kind == "add_item":
            out.append((oi, cidx[op.category], kind((op.to, frozenset(), None)), 1))
            continue
        _, _, pol, tags, band = cast(tuple, op.group)  # every operation but add_item has its item group
        out.append((oi, cidx[op.category], kind((pol, frozenset(tags), band)), -1))
        if op.kind == "flip_polarity":
            out.append(
                (oi, cidx[op.category], kind((op.to, frozenset(_tags_for(pack, list(tags), str(op.to))), band)), 1)
            )
        elif op.kind == "shift_metric":
            out.append((oi, cidx[op.category], kind((pol, frozenset(tags), band_of[str(op.to)])), 1))
    return out


def _classes(delta):
    """(class of each operation, the change of each class): operations with equal changes
    share a class."""
    uniq, inverse = np.unique(delta, axis=0, return_inverse=True)
    return inverse.reshape(-1), uniq


def _tables(s: Search, statement: str) -> _Tables:
    cache = s.__dict__.setdefault("_tables", {})
    if statement in cache:
        return cache[statement]
    pack = s.pack
    cidx = {c: i for i, c in enumerate(pack.category_ids)}
    kinds: dict[tuple, int] = {}

    def kind(sig: tuple) -> int:
        return kinds.setdefault(sig, len(kinds))

    base_entries = [(cidx[cid], kind(sig), n) for cid, c in s.cells.get(statement, {}).items() for sig, n in c.items()]
    entries = _op_entries(s, statement, kind)
    nops, ncat, k = max(len(s.ops.get(statement, [])), 1), len(cidx), len(kinds)
    base = np.zeros((ncat, k), dtype=np.int16)  # item counts are small: narrow arrays move faster
    for c, kk, n in base_entries:
        base[c, kk] += n
    delta = np.zeros((nops, ncat, k), dtype=np.int16)
    for oi, c, kk, d in entries:
        delta[oi, c, kk] += d
    per_cell = [_classes(delta[:, c, :]) for c in range(ncat)]
    whole_class, whole_delta = _classes(delta.sum(axis=1))
    kind_list = [(pol, tuple(sorted(tags)), band) for (pol, tags, band) in kinds]
    cache[statement] = _Tables(
        kind_list,
        prepare_kinds(pack, kind_list, scoring_only=True),
        base,
        np.array([cl for cl, _ in per_cell]),
        [d for _, d in per_cell],
        whole_class,
        whole_delta,
        delta.sum(axis=2),
    )
    return cache[statement]


def score_rows(s: Search, statement: str, rows, chunk: int = 50_000):
    """The statement's score after each multiset of operations (rows of operation indices),
    all at once: -1 where no category has evidence."""
    out = np.full(len(rows), -1, dtype=np.int64)
    for start in range(0, len(rows), chunk):
        out[start : start + chunk] = _score_chunk(s, statement, rows[start : start + chunk])
    s.evaluations += len(rows)
    return out


def _score_chunk(s: Search, statement: str, rows):
    pack = s.pack
    if s.batch is None:
        s.batch = BatchPack(pack)
    tb = _tables(s, statement)
    m = len(rows)
    sizes = np.broadcast_to(tb.base.sum(axis=1).astype(np.int64), (m, tb.base.shape[0])).copy()
    for j in range(rows.shape[1]):
        sizes += tb.size_delta[rows[:, j]]  # items per (candidate, category)
    given, sf_row, n_sf = _statement_features(s, tb, rows)
    scores = np.zeros((m, len(pack.category_ids)), dtype=np.int64)  # 0: no evidence in that cell
    for c, cid in enumerate(pack.category_ids):
        ct = pack.table_for(statement, cid)
        if ct is None or not (sizes[:, c] > 0).any():
            continue
        classes = _sorted_rows(tb.cell_class[c][rows])
        reps, back = _group(classes, len(tb.cell_delta[c]), sf_row, n_sf)
        cell = tb.base[c] + tb.cell_delta[c][classes[reps]].sum(axis=1)  # distinct cells only
        live = cell.sum(axis=1) > 0
        got = np.zeros(len(reps), dtype=np.int64)
        if live.any():
            feats = batch_features(
                pack,
                tb.kinds,
                cell[live],
                None,
                tb.prepared,
                given={n: v[sf_row[reps[live]]] for n, v in given.items()},
            )
            got[live] = s.batch.tables[ct.table.id].evaluate(feats, int(live.sum())).scores
        scores[:, c] = got[back]
    return _statement_step(pack, scores, sizes)


def _statement_features(s: Search, tb: _Tables, rows):
    """The statement-scope features the tables read, computed once per distinct multiset of
    changes to the statement's counts: (feature arrays over the distinct feature tuples, each
    candidate's tuple, the number of tuples)."""
    classes = _sorted_rows(tb.whole_class[rows])
    reps, back = _group(classes, len(tb.whole_delta), np.zeros(len(rows), dtype=np.int64), 1)
    whole = tb.base.sum(axis=0) + tb.whole_delta[classes[reps]].sum(axis=1)
    feats = batch_features(s.pack, tb.kinds, None, whole, tb.prepared, scope="statement")
    if not feats:
        return {}, np.zeros(len(rows), dtype=np.int64), 1
    key, bound = np.zeros(len(whole), dtype=np.int64), 1
    for v in feats.values():  # each feature's distinct values (one short sort each), as one integer
        values, inverse = np.unique(v, return_inverse=True)
        key, bound = key * len(values) + inverse.reshape(-1), bound * len(values)
    first, fid = (
        _group_keys(key, bound)
        if bound < 2**62
        else np.unique(
            np.column_stack([v.astype(float) for v in feats.values()]), axis=0, return_index=True, return_inverse=True
        )[1:]
    )
    return {n: v[first] for n, v in feats.items()}, fid.reshape(-1)[back], len(first)


_NETWORKS = {1: (), 2: ((0, 1),), 3: ((0, 1), (1, 2), (0, 1)), 4: ((0, 1), (2, 3), (0, 2), (1, 3), (1, 2))}


def _sorted_rows(a):
    """Each row sorted: a sorting network over the columns for the usual few changes (much
    faster than a sort of many short rows), else a sort."""
    if a.shape[1] not in _NETWORKS:
        return np.sort(a, axis=1)
    cols = [a[:, j] for j in range(a.shape[1])]
    for i, j in _NETWORKS[a.shape[1]]:
        cols[i], cols[j] = np.minimum(cols[i], cols[j]), np.maximum(cols[i], cols[j])
    return np.column_stack(cols)


def _group(classes, n: int, extra, n_extra: int):
    """(one representative row per distinct (row of sorted class ids, extra), each row's
    distinct index): exact. Rows are grouped by their class ids first, then by (that group,
    extra); each step reads its key as one integer, grouped by a dense table when the range
    is small beside the rows, else by a sort."""
    m, width = classes.shape
    if n**width >= 2**62:
        _, reps, back = np.unique(np.column_stack([classes, extra]), axis=0, return_index=True, return_inverse=True)
        return reps, back.reshape(-1)
    key = np.zeros(m, dtype=np.int64)
    for j in range(width):
        key = key * n + classes[:, j]
    reps, back = _group_keys(key, n**width)
    if n_extra == 1:
        return reps, back
    return _group_keys(back * n_extra + extra, len(reps) * n_extra)


def _group_keys(key, bound: int):
    """(a representative index per distinct key, each key's distinct index), keys in [0, bound)."""
    m = len(key)
    if bound > 8 * m + 1024:
        _, reps, back = np.unique(key, return_index=True, return_inverse=True)
        return reps, back.reshape(-1)
    seen = np.zeros(bound, dtype=bool)
    seen[key] = True
    back = (np.cumsum(seen) - 1)[key]
    reps = np.empty(int(seen.sum()), dtype=np.int64)
    reps[back] = np.arange(m)
    return reps, back


def _statement_step(pack: Pack, scores, sizes):
    """The category step on candidates' cell scores (0: no evidence): the cells that count
    (pack's category_min_items), then the bands; -1 where no cell has evidence."""
    have = scores > 0
    enough = have & (sizes >= pack.core.aggregation.category_min_items)
    use = np.where(enough.any(axis=1)[:, None], enough, have)
    total, n = (scores * use).sum(axis=1), use.sum(axis=1)
    step, top = pack.core.aggregation.category_to_statement, max(pack.scores)
    width = int(n.max(initial=0)) + 1
    key = total * width + n  # few values: a table indexed by them, no sort
    values = np.full(int(key.max(initial=0)) + 1, -1, dtype=np.int64)
    for k in np.flatnonzero(np.bincount(key, minlength=len(values))).tolist():
        tot, cnt = divmod(k, width)
        if cnt:
            # the function derive uses; the band depends on the scores only through sum and count
            v = aggregate.apply(step, [tot] + [0] * (cnt - 1), top).value
            values[k] = -1 if v is None else int(v)  # a statement score (-1: none, as for no cells)
    return values[key]


def _score_many(s: Search, statement: str, group: list[tuple]) -> list[int | None]:
    """`score_rows` for candidates given as tuples of operations (tests use this form)."""
    if not group:
        return []
    index = {id(op): i for i, op in enumerate(s.ops.get(statement, []))}
    width = max(len(g) for g in group)
    if any(len(g) != width for g in group):
        return [x for g in group for x in _score_many(s, statement, [g])]
    rows = np.array([[index[id(op)] for op in picks] for picks in group], dtype=np.int64).reshape(len(group), width)
    return [None if v < 0 else int(v) for v in score_rows(s, statement, rows)]
