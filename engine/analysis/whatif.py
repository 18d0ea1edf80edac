"""What-if: derive before and after a change, on copies, and list what moved and why.

Evidence what-if applies a scenario to a case's items; rule what-if derives every case
with the pack and with an overridden copy of it. The result of either is a plain value.
"""

from __future__ import annotations

from typing import Any

from engine.analysis.scenario import Change, apply
from engine.evaluation.derive import Derivation, derive
from engine.model.case import LoadedCase
from engine.model.pack import Pack
from engine.reports.derived import derive_object


def moved(before: Derivation, after: Derivation) -> list[dict[str, Any]]:
    """Every category score, kept row, statement score and the overall rating that changed."""
    out: list[dict[str, Any]] = []
    for sb, sa in zip(before.statements, after.statements, strict=True):
        cb = {c.category: c for c in sb.cells}
        ca = {c.category: c for c in sa.cells}
        for cat in [*cb, *(c for c in ca if c not in cb)]:
            b, a = cb.get(cat), ca.get(cat)
            bs, as_ = (b.score if b else None), (a.score if a else None)
            bk, ak = (b.kept if b else None), (a.kept if a else None)
            if bs != as_ or bk != ak:
                out.append(
                    {
                        "level": "category",
                        "statement": sb.id,
                        "category": cat,
                        "before": bs,
                        "after": as_,
                        "rows": {"before": bk, "after": ak},
                        "table": cell.table if (cell := a or b) is not None else None,
                    }
                )
        if sb.score != sa.score:
            out.append(
                {
                    "level": "statement",
                    "statement": sb.id,
                    "before": sb.score,
                    "after": sa.score,
                    "percent": {"before": sb.step.percent, "after": sa.step.percent},
                }
            )
    if before.overall.value != after.overall.value:
        out.append(
            {
                "level": "overall",
                "before": before.overall.value,
                "after": after.overall.value,
                "percent": {"before": before.overall.percent, "after": after.overall.percent},
                "ambiguous": after.overall.ambiguous,
            }
        )
    return out


def evidence_whatif(pack: Pack, lc: LoadedCase, changes: list[Change], origin: str = "scenario") -> dict[str, Any]:
    base = derive(pack, lc.case.items)
    items = apply(pack, list(lc.case.items), changes, origin)
    new = derive(pack, items)
    return {
        "case": lc.slug,
        "before": derive_object(pack, lc, base),
        "after": derive_object(pack, lc, new),
        "changes": [{**c.model_dump(exclude_none=True), "label": c.label()} for c in changes],
        "moved": moved(base, new),
    }


def rules_whatif(base: Pack, changed: Pack, cases: list[LoadedCase], override_name: str) -> dict[str, Any]:
    results = []
    for lc in cases:
        before, after = derive(base, lc.case.items), derive(changed, lc.case.items)
        m = moved(before, after)
        pub = lc.case.published
        for entry in m:
            if entry["level"] == "statement":
                entry["published"] = pub.scores.get(entry["statement"])
            elif entry["level"] == "overall":
                entry["published"] = pub.rating
        results.append(
            {
                "case": lc.slug,
                "moved": m,
                "overall": {"before": before.overall.value, "after": after.overall.value, "published": pub.rating},
            }
        )
    return {"override": override_name, "cases": results, "moved_cases": sum(1 for r in results if r["moved"])}
