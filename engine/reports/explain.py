"""Explanations: the trace of a derivation expanded into a tree of plain values.

statement <- categories <- rows (fired / kept, with reasons) <- feature values <- evidence
items (quote, file, line); plus, for the next score up and down, the nearest row that did
not fire and its first failing condition ("why not").
"""

from __future__ import annotations

import os
from typing import Any

from engine.evaluation.derive import CellResult, Derivation, StatementResult
from engine.evaluation.probability import of_derivation
from engine.model.case import LoadedCase
from engine.model.pack import Pack
from engine.reports import plain
from engine.reports.derived import basis, chance, read_summary


def _num(v: object) -> object:
    """Rounded for prose: 0.4, not 0.39999999999999997."""
    return round(v, 4) if isinstance(v, float) else v


def _rel(case: LoadedCase, file: str) -> str:
    """A source path as the JSON interface gives it: relative to the case file's folder."""
    return file if not os.path.isabs(file) else os.path.relpath(file, case.folder)


def _why_not(pack: Pack, cell: CellResult, target: int, statement_target: int) -> dict[str, Any] | None:
    ct = pack.table_for(cell.statement, cell.category)
    if ct is None or cell.score is None:
        return None
    candidates = [rt for rt in cell.rows if rt.score == target]
    fired = [rt for rt in candidates if rt.fired]
    base = {"statement_target": statement_target, "category": cell.category, "target": target}
    if fired:
        rt = fired[0]
        blockers = [b for b in cell.rows if b.fired and b.score != target and b.score == cell.score]
        detail = "; ".join(
            f"{b.id}: "
            + ", ".join(
                f"{c.text} ({', '.join(f'{n} = {_num(cell.features[n])}' for n in sorted(c.names))})"
                for c in ct.rows[b.index].conditions
            )
            for b in blockers
        )
        out = {
            **base,
            "row": rt.id,
            "fired": True,
            "failing": None,
            "blocked_by": [b.id for b in blockers],
            "because": f"row {rt.id!r} fired, but hit policy {ct.table.hit_policy!r} kept {cell.kept!r}"
            + (f"; to move, each of these rows must stop firing: {detail}" if detail else ""),
        }
        conds = {b.id: [c.text for c in ct.rows[b.index].conditions] for b in blockers}
        return {**out, "says": plain.why_not(pack, out, conds, cell.features)}
    best = None
    for rt in candidates:
        cr = ct.rows[rt.index]
        failing = sum(1 for c in cr.conditions if not c(cell.features))
        if best is None or failing < best[0]:
            best = (failing, rt, cr)
    if best is None:
        d = ct.table.default
        if d is not None and d.score == target:
            out = {
                **base,
                "row": "default",
                "fired": False,
                "failing": None,
                "because": f"the default ({target}) applies only when no row fires; row {cell.kept!r} fired",
            }
        else:
            out = {
                **base,
                "row": None,
                "fired": False,
                "failing": None,
                "because": f"no row of table {ct.table.id!r} gives {target}",
            }
        return {**out, "says": plain.why_not(pack, out, {}, cell.features)}
    failing_n, rt, cr = best
    cond = cr.conditions[rt.failed] if rt.failed is not None else None
    values = {n: cell.features[n] for n in sorted(cond.names)} if cond else {}
    out = {
        **base,
        "row": rt.id,
        "fired": False,
        "failing": cond.text if cond else None,
        "values": values,
        "conditions_failing": failing_n,
        "because": f"{cond.text} is false with " + ", ".join(f"{k} = {v}" for k, v in values.items()) if cond else "",
    }
    failing_all = [c.text for c in cr.conditions if not c(cell.features)]
    return {**out, "says": plain.why_not(pack, {**out, "failing_all": failing_all}, {}, cell.features)}


def explain_cell(pack: Pack, lc: LoadedCase, der: Derivation, cell: CellResult) -> dict[str, Any]:
    ct = pack.table_for(cell.statement, cell.category)
    rows = []
    for rt in cell.rows:
        row = ct.rows[rt.index].row if ct else None
        rows.append(
            {
                "id": rt.id,
                "score": rt.score,
                "fired": rt.fired,
                "kept": rt.kept,
                "reason": row.reason if row else "",
                "failing": (ct.rows[rt.index].conditions[rt.failed].text if ct and rt.failed is not None else None),
            }
        )
    if cell.kept == "default" and ct and ct.table.default:
        rows.append(
            {
                "id": "default",
                "score": ct.table.default.score,
                "fired": True,
                "kept": True,
                "reason": ct.table.default.reason,
                "failing": None,
            }
        )
    evidence = []
    for iid in cell.items:
        it = der.items[iid]
        evidence.append(
            {
                "id": it.id,
                "polarity": it.polarity,
                "tags": list(it.tags),
                "quote": it.quote,
                "file": _rel(lc, it.source.file),
                "line": it.source.line,
                **({"page": it.source.page} if it.source.page else {}),
                **({"heading": it.heading} if it.heading else {}),
                **({"metric": it.metric.model_dump()} if it.metric else {}),
                **({"reading": it.reading.model_dump(exclude_none=True)} if it.reading else {}),
            }
        )
    agg = pack.core.aggregation
    not_counted = (
        None
        if cell.counted
        else (
            f"{len(cell.items)} item(s), fewer than the {agg.category_min_items} a category needs to count towards its "
            f"statement when another category has them"
            + (f" ({agg.category_min_items_reason})" if agg.category_min_items_reason else "")
        )
    )
    return {
        "category": cell.category,
        "score": cell.score,
        "table": cell.table,
        "counted": cell.counted,
        "not_counted_because": not_counted,
        "hit_policy": ct.table.hit_policy if ct else None,
        "kept": cell.kept,
        "rows": rows,
        "features": dict(cell.features),
        "feature_items": {k: list(v) for k, v in cell.feature_items.items() if v},
        "evidence": evidence,
    }


def explain_statement(pack: Pack, lc: LoadedCase, der: Derivation, st: StatementResult) -> dict[str, Any]:
    why_not = []
    if st.score is not None:
        for direction, target_stmt in (("up", st.score + 1), ("down", st.score - 1)):
            if target_stmt not in pack.scores:
                continue
            for cell in st.cells:
                if cell.score is None or not cell.counted:  # an uncounted cell cannot move the statement
                    continue
                t = cell.score + (1 if direction == "up" else -1)
                if t not in pack.scores:
                    continue
                w = _why_not(pack, cell, t, target_stmt)
                if w:
                    why_not.append({"direction": direction, **w})
    return {
        "id": st.id,
        "name": pack.statement(st.id).name,
        "assessed": st.assessed,
        "derived": st.score,
        "published": lc.case.published.scores.get(st.id),
        "percent": st.step.percent,
        "ambiguous": st.step.ambiguous,
        "readings": st.step.readings,
        "basis": basis(pack, der, st),
        **chance((probs[0].get(st.id) if (probs := of_derivation(pack, der)) else None), st.score),
        **({"read_summary": summary} if (summary := read_summary(pack, lc, der, st)) else {}),
        "categories": [explain_cell(pack, lc, der, c) for c in st.cells],
        "why_not": why_not,
    }


def explain(pack: Pack, lc: LoadedCase, der: Derivation, statement: str | None = None) -> dict[str, Any]:
    sts = [s for s in der.statements if statement is None or s.id == statement]
    return {
        "case": lc.slug,
        "council": lc.case.council,
        "framework": pack.id,
        "statements": [explain_statement(pack, lc, der, s) for s in sts],
    }
