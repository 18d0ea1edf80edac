"""Derivation: evidence items -> feature values -> decision-table rows -> category scores
-> statement scores -> overall rating. The published block is never read here.

The trace kept is small and plain (row indices, feature values, item ids); `explain`
expands it into a tree when one is asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from engine.base.errors import EvaluationError
from engine.evaluation import aggregate, features
from engine.model.case import Item
from engine.model.pack import CompiledTable, Pack


@dataclass(frozen=True)
class RowTrace:
    index: int
    id: str
    score: int
    fired: bool
    kept: bool
    failed: int | None  # index of the first condition that failed, None if fired


@dataclass(frozen=True)
class CellResult:
    statement: str
    category: str
    table: str | None
    score: int | None
    kept: str | None  # row id, "default", or None when nothing applied
    rows: tuple[RowTrace, ...]
    features: dict[str, features.Value]
    feature_items: dict[str, tuple[str, ...]]
    items: tuple[str, ...]
    counted: bool = True  # False: too few items to count towards the statement (pack's category_min_items)


@dataclass(frozen=True)
class StatementResult:
    id: str
    assessed: bool
    score: int | None
    step: aggregate.StepResult
    cells: tuple[CellResult, ...]


@dataclass(frozen=True)
class Derivation:
    framework: str
    statements: tuple[StatementResult, ...]
    overall: aggregate.StepResult
    items: dict[str, Item] = field(default_factory=dict)

    def statement(self, sid: str) -> StatementResult:
        return next(s for s in self.statements if s.id == sid)


def evaluate_table(
    ct: CompiledTable, env: dict[str, features.Value]
) -> tuple[int | None, str | None, tuple[RowTrace, ...]]:
    """Apply a decision table's hit policy; return (score, kept row id, row traces)."""
    policy = ct.table.hit_policy
    fired: list[int] = []
    failed_at: list[int | None] = []
    for cr in ct.rows:
        fail: int | None = None
        for c_i, cond in enumerate(cr.conditions):
            if not cond(env):
                fail = c_i
                break
        failed_at.append(fail)
        if fail is None:
            fired.append(cr.index)
    kept: int | None = None
    if fired:
        if policy == "first":
            kept = fired[0]
        elif policy == "unique":
            if len(fired) > 1:
                ids = ", ".join(ct.rows[i].row.id for i in fired)
                raise EvaluationError(f"table {ct.table.id!r} has hit policy 'unique' but rows {ids} all fired")
            kept = fired[0]
        else:
            pick = min if policy == "collect_min" else max
            best = pick(ct.rows[i].row.score for i in fired)
            kept = next(i for i in fired if ct.rows[i].row.score == best)
    traces = []
    for cr, fail in zip(ct.rows, failed_at, strict=True):
        traces.append(RowTrace(cr.index, cr.row.id, cr.row.score, fail is None, cr.index == kept, fail))
    if kept is not None:
        return ct.rows[kept].row.score, ct.rows[kept].row.id, tuple(traces)
    if ct.table.default is not None:
        return ct.table.default.score, "default", tuple(traces)
    return None, None, tuple(traces)


def _reading(items: Sequence[Item]) -> tuple:
    """What a statement's result depends on, of its items in order: each one's id, cell,
    polarity, tags and comparison (never its quote or source)."""
    return tuple(
        (it.id, it.category, it.polarity, tuple(it.tags), it.metric.comparison if it.metric else None) for it in items
    )


def derive(
    pack: Pack, items: Sequence[Item], reuse: Derivation | None = None, memo: dict[tuple, StatementResult] | None = None
) -> Derivation:
    """Derive every score from evidence items alone. `reuse`, a derivation of items most of
    which are these same objects, lends the result of each statement whose items are
    unchanged (the same objects in the same order): a statement depends on its items only.
    `memo`, a dict kept between calls on one pack, lends the result of a statement whose
    items read the same as in an earlier call (many derivations of one search share them)."""
    by_cell: dict[tuple[str, str], list[Item]] = defaultdict(list)
    by_statement: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        by_cell[(it.statement, it.category)].append(it)
        by_statement[it.statement].append(it)
    before: dict[str, list[Item]] = defaultdict(list)
    if reuse is not None and reuse.framework == pack.id:
        for it in reuse.items.values():
            before[it.statement].append(it)
    max_score = max(pack.scores)
    results: list[StatementResult] = []
    for sid in pack.statement_ids:
        old, new = before.get(sid), by_statement.get(sid, [])
        if (
            reuse is not None
            and old is not None
            and len(old) == len(new)
            and all(a is b for a, b in zip(old, new, strict=True))
        ):
            results.append(reuse.statement(sid))
            continue
        key = (sid, _reading(new)) if memo is not None else None
        if memo is not None and key in memo:
            results.append(memo[key])
            continue
        cells: list[CellResult] = []
        shared: dict = {}  # the statement-scope features, computed once for all its cells
        for cid in pack.category_ids:
            cell_items = by_cell.get((sid, cid))
            if not cell_items:
                continue
            values, used = features.compute(pack, cell_items, by_statement[sid], shared)
            ct = pack.table_for(sid, cid)
            if ct is None:
                score, kept, tid = None, None, None
                traces: tuple = ()
            else:
                score, kept, traces = evaluate_table(ct, values)
                tid = ct.table.id
            cells.append(
                CellResult(sid, cid, tid, score, kept, traces, values, used, tuple(it.id for it in cell_items))
            )
        # among the cells a table scored, those with too few items may be left out
        flags = iter(
            aggregate.counted_cells(
                [len(c.items) for c in cells if c.score is not None], pack.core.aggregation.category_min_items
            )
        )
        cells = [replace(c, counted=False) if c.score is not None and not next(flags) else c for c in cells]
        scored = [c.score for c in cells if c.score is not None and c.counted]
        step = aggregate.apply(pack.core.aggregation.category_to_statement, scored, max_score)
        value = int(step.value) if scored and step.value is not None else None  # a statement score is a number
        results.append(StatementResult(sid, bool(scored), value, step, tuple(cells)))
        if memo is not None and key is not None:
            memo[key] = results[-1]
    overall = aggregate.apply(
        pack.core.aggregation.statements_to_overall, [s.score for s in results if s.score is not None], max_score
    )
    return Derivation(pack.id, tuple(results), overall, {it.id: it for it in items})
