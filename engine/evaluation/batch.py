"""Compiled batch evaluation: a decision table over arrays of feature values, trace kept as arrays.

The same pack, the same conditions, the same hit policies as `derive.evaluate_table`, but one
pass of numpy operations per condition over a whole batch of cells. The trace is three arrays
(which rows fired, the first failing condition of each row, the kept row); `row_traces`
expands one cell's trace into exactly the RowTrace tuple `evaluate_table` gives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.base.errors import EvaluationError
from engine.evaluation.derive import RowTrace
from engine.evaluation.features import item_kinds  # noqa: F401  (re-exported: the bench builds batches from it)
from engine.model.expr import ARITHMETIC, COMPARISONS, Binary, Name, Node, Num, Unary
from engine.model.pack import CompiledTable, Pack

Arrays = Mapping[str, np.ndarray]
NO_ROW, DEFAULT = -1, -2


def compile_np(node: Node) -> Callable[[Arrays], np.ndarray]:
    """A parsed condition as a function of feature arrays (same semantics as expr.compile_node)."""
    if isinstance(node, Num):
        v = node.value
        return lambda env: np.asarray(v)
    if isinstance(node, Name):
        key = node.name
        return lambda env: env[key]
    if isinstance(node, Unary):
        f = compile_np(node.operand)
        if node.op == "not":
            return lambda env: ~np.asarray(f(env), dtype=bool)
        return lambda env: -f(env)
    assert isinstance(node, Binary)
    left, right = compile_np(node.left), compile_np(node.right)
    if node.op == "and":
        return lambda env: np.asarray(left(env), dtype=bool) & np.asarray(right(env), dtype=bool)
    if node.op == "or":
        return lambda env: np.asarray(left(env), dtype=bool) | np.asarray(right(env), dtype=bool)
    if node.op in COMPARISONS:
        cmp = COMPARISONS[node.op]
        return lambda env: cmp(left(env), right(env))
    if node.op == "/":

        def divide(env):
            a, b = np.asarray(left(env), dtype=float), np.asarray(right(env), dtype=float)
            out = np.zeros(np.broadcast(a, b).shape)
            return np.divide(a, b, out=out, where=b != 0)

        return divide
    arith = ARITHMETIC[node.op]
    return lambda env: arith(left(env), right(env))


@dataclass
class BatchTrace:
    scores: np.ndarray  # int; 0 where nothing applied
    kept: np.ndarray  # row index, DEFAULT or NO_ROW
    fired: np.ndarray  # bool, rows x cells
    failed: np.ndarray  # int, rows x cells: first failing condition, -1 where the row fired


class BatchTable:
    """One decision table compiled for batches."""

    def __init__(self, ct: CompiledTable) -> None:
        self.ct = ct
        self.rows = [[compile_np(c.node) for c in cr.conditions] for cr in ct.rows]
        self.row_scores = np.array([cr.row.score for cr in ct.rows])

    def evaluate(self, env: Arrays, n: int) -> BatchTrace:
        rows = len(self.rows)
        fired = np.ones((rows, n), dtype=bool)
        failed = np.full((rows, n), -1, dtype=np.int16)
        for r, conds in enumerate(self.rows):
            alive = fired[r]
            for c_i, cond in enumerate(conds):
                ok = np.broadcast_to(np.asarray(cond(env), dtype=bool), (n,))
                newly = alive & ~ok
                failed[r, newly] = c_i
                alive = alive & ok
            fired[r] = alive
        policy = self.ct.table.hit_policy
        any_fired = fired.any(axis=0)
        if policy == "unique" and (fired.sum(axis=0) > 1).any():
            i = int(np.argmax(fired.sum(axis=0) > 1))
            ids = ", ".join(self.ct.rows[r].row.id for r in range(rows) if fired[r, i])
            raise EvaluationError(f"table {self.ct.table.id!r} has hit policy 'unique' but rows {ids} all fired")
        if policy in ("first", "unique"):
            kept = np.argmax(fired, axis=0)
        else:
            big = np.iinfo(np.int64).max
            masked = np.where(fired, self.row_scores[:, None], big if policy == "collect_min" else -big)
            best = masked.min(axis=0) if policy == "collect_min" else masked.max(axis=0)
            kept = np.argmax(fired & (self.row_scores[:, None] == best[None, :]), axis=0)
        scores = np.where(any_fired, self.row_scores[kept], 0)
        kept = np.where(any_fired, kept, NO_ROW)
        d = self.ct.table.default
        if d is not None:
            scores = np.where(any_fired, scores, d.score)
            kept = np.where(any_fired, kept, DEFAULT)
        return BatchTrace(scores, kept, fired, failed)

    def row_traces(self, trace: BatchTrace, i: int) -> tuple[int | None, str | None, tuple[RowTrace, ...]]:
        """One cell's (score, kept row id, row traces), exactly as evaluate_table gives them."""
        k = int(trace.kept[i])
        rows = tuple(
            RowTrace(
                cr.index,
                cr.row.id,
                cr.row.score,
                bool(trace.fired[r, i]),
                r == k,
                None if trace.fired[r, i] else int(trace.failed[r, i]),
            )
            for r, cr in enumerate(self.ct.rows)
        )
        if k == NO_ROW:
            return None, None, rows
        if k == DEFAULT:
            return int(trace.scores[i]), "default", rows
        return int(trace.scores[i]), self.ct.rows[k].row.id, rows


def _matches(flt: tuple, sig: tuple[str, frozenset[str], int | None]) -> bool:
    """Whether a feature's filter (`Pack.filters[name]`, as `features` reads it for items)
    takes items of this (polarity, tags, metric band)."""
    pols, tags_any, has_metric, tags_all = flt
    pol, tags, band = sig
    return (
        (pols is None or pol in pols)
        and (tags_any is None or not tags_any.isdisjoint(tags))
        and (has_metric is None or (band is not None) == has_metric)
        and (tags_all is None or tags_all.issubset(tags))
    )


class BatchPack:
    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.tables = {ct.table.id: BatchTable(ct) for ct in pack.tables}


def stack_features(pack: Pack, values: list[Mapping[str, float | int | bool]]) -> dict[str, np.ndarray]:
    """Per-cell feature dicts as one array per feature."""
    return {f.name: np.array([v[f.name] for v in values]) for f in pack.features}


def needed_features(pack: Pack) -> set[str]:
    """The features some table's conditions read, with the features their expressions read:
    the others only describe evidence in explanations and need not be computed to score."""
    need = {n for ct in pack.tables for cr in ct.rows for c in cr.conditions for n in c.names}
    for f in reversed(pack.features):  # an expr feature reads only features declared above it
        if f.kind == "expr" and f.name in need:
            need |= set(pack.expr_conditions[f.name].names)
    return need


def prepare_kinds(
    pack: Pack, kinds: list[tuple[str, tuple[str, ...], int | None]], scoring_only: bool = False
) -> dict[str, Any]:
    """What `batch_features` needs to know of each item kind, computed once for a list of kinds:
    per feature, which kinds it counts and with what weight, and each kind's metric band.
    `scoring_only`: compute only the features the tables read (a search needs scores only)."""
    prepared: dict[str, Any] = {
        "bands": np.array([np.nan if b is None else b for _, _, b in kinds], dtype=float),
        "needed": needed_features(pack) if scoring_only else None,
    }
    for f in pack.features:
        if f.kind == "expr":
            continue
        match = np.array(
            [_matches(pack.filters[f.name], (pol, frozenset(tags), band)) for pol, tags, band in kinds], dtype=bool
        )
        by_polarity: dict[str, float] = {str(k): v for k, v in f.weights.items()}
        weights = np.array(
            [by_polarity.get(pol, 1.0) if m else 0.0 for (pol, _, _), m in zip(kinds, match, strict=True)]
        )
        prepared[f.name] = (match, weights)
    return prepared


def batch_features(
    pack: Pack,
    kinds: list[tuple[str, tuple[str, ...], int | None]],
    cell: np.ndarray | None,
    statement: np.ndarray | None,
    prepared: dict[str, Any] | None = None,
    given: Mapping[str, np.ndarray] | None = None,
    scope: str | None = None,
) -> dict[str, np.ndarray]:
    """Feature arrays for a batch of cells given item-kind counts (cells x kinds); the same values
    `features.compute` gives for the same items. `prepared`: `prepare_kinds(pack, kinds)`, when
    the same kinds serve many batches. `given`: feature arrays computed elsewhere, taken as
    they are (a search computes the statement-scope ones once per distinct statement);
    `scope`: compute only the counted features of that scope (no expressions)."""
    prepared = prepared or prepare_kinds(pack, kinds)
    out: dict[str, np.ndarray] = dict(given or {})
    bands, needed = prepared["bands"], prepared.get("needed")
    for f in pack.features:
        if (needed is not None and f.name not in needed) or f.name in out:
            continue
        if scope is not None and (f.kind == "expr" or f.scope != scope):
            continue
        if f.kind == "expr":
            raw = compile_np(pack.expr_conditions[f.name].node)(out)
            out[f.name] = np.asarray(raw, dtype=bool) if f.type == "bool" else np.asarray(raw, dtype=float)
            continue
        counts = cell if f.scope == "category" else statement
        if counts is None:
            raise ValueError(f"feature {f.name!r} of scope {f.scope!r}: no counts of that scope were given")
        match, w = prepared[f.name]
        if f.kind in ("count", "share"):
            total = counts @ w
            if f.kind == "share":
                n = counts.sum(axis=1)
                total = np.divide(total, n, out=np.zeros_like(total), where=n > 0)
            out[f.name] = np.round(total, 6) if f.type == "number" else total.astype(np.int64)
        elif f.kind == "any":
            out[f.name] = np.asarray((counts[:, match] > 0).any(axis=1))
        else:
            present = (counts > 0) & match[None, :] & ~np.isnan(bands)[None, :]
            fill = np.inf if f.kind == "worst_metric" else -np.inf
            vals = np.where(present, bands[None, :], fill)
            best = vals.min(axis=1) if f.kind == "worst_metric" else vals.max(axis=1)
            out[f.name] = np.where(np.isfinite(best), best, f.default)
    return out
