"""The derive object: a derivation beside the published result, as the stable JSON shape."""

from __future__ import annotations

from typing import Any

from engine.evaluation.aggregate import to_edge
from engine.evaluation.derive import Derivation, StatementResult
from engine.model.case import LoadedCase
from engine.model.pack import Pack


def basis(pack: Pack, der: Derivation, st: StatementResult) -> dict[str, Any]:
    """How firm a statement's score is: the evidence items it rests on (in the categories
    that count), how far its percentage sits from the nearest band edge, in points, and how
    many of its items were read without a cue (a tag the pack marks `uncued`)."""
    counted = [it for c in st.cells if c.counted for it in c.items]
    weak = pack.uncued_tags
    return {
        "items": len(counted),
        "to_edge": to_edge(pack.core.aggregation.category_to_statement, st.step.percent) if st.assessed else None,
        "uncued": sum(1 for it in counted if weak.intersection(der.items[it].tags)) if weak else 0,
    }


def _read(der: Derivation, st: StatementResult) -> list[dict[str, Any]]:
    """How each of an extracted statement's items was read (by what, and why)."""
    out = []
    for c in st.cells:
        for iid in c.items:
            it = der.items[iid]
            if it.reading is not None:
                out.append(
                    {
                        "id": it.id,
                        "category": it.category,
                        "polarity": it.polarity,
                        "reading": it.reading.model_dump(exclude_none=True),
                    }
                )
    return out


def derive_object(pack: Pack, lc: LoadedCase, der: Derivation) -> dict[str, Any]:
    pub = lc.case.published
    statements = []
    for st in der.statements:
        published = pub.scores.get(st.id)
        statements.append(
            {
                "id": st.id,
                "name": pack.statement(st.id).name,
                "assessed": st.assessed,
                "derived": st.score,
                "published": published,
                "match": (st.score == published) if published is not None and st.assessed else None,
                "categories": {c.category: c.score for c in st.cells},
                "not_counted": [
                    c.category for c in st.cells if not c.counted
                ],  # too few items (pack's category_min_items)
                "percent": st.step.percent,
                "ambiguous": st.step.ambiguous,
                "readings": dict(st.step.readings),
                "basis": basis(pack, der, st),
            }
        )
        if read := _read(der, st):  # an extracted case: how each item was read
            statements[-1]["read"] = read
    ov = der.overall
    assessed = [s.id for s in der.statements if s.assessed]
    finding = None
    if pack.core.findings is not None:
        band = next((f for f in pack.core.findings.from_overall if f.rating == ov.value), None)
        derived_finding = band.label if band else None
        finding = {
            "derived": derived_finding,
            "published": pub.finding,
            "match": (derived_finding == pub.finding) if pub.finding is not None and derived_finding else None,
        }
    return {
        "case": lc.slug,
        "council": lc.case.council,
        "framework": pack.id,
        "indicative": pub.indicative,
        "statements": statements,
        "overall": {
            "derived": ov.value,
            "published": pub.rating,
            "match": (ov.value == pub.rating) if pub.rating is not None else None,
            "percent": ov.percent,
            "sum": ov.total,
            "out_of": ov.count * max(pack.scores),
            "assessed": len(assessed),
            "of": len(der.statements),
            "ambiguous": ov.ambiguous,
            "readings": dict(ov.readings),
            "chosen": ov.chosen,
            "of_scores": pack.core.aggregation.statements_to_overall.of,  # mean (a sum's percentage) or lower_median
        },
        **({"finding": finding} if finding is not None else {}),
    }
