"""The derive object: a derivation beside the published result, as the stable JSON shape."""

from __future__ import annotations

from typing import Any

from engine.evaluation.aggregate import to_edge
from engine.evaluation.derive import Derivation, StatementResult
from engine.evaluation.probability import of_derivation
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


def chance(dist: dict | None, derived: Any) -> dict[str, Any]:
    """A derived result's probability of being the published one, and the whole distribution
    (nothing where the pack holds no probability table or nothing was derived)."""
    if not dist or derived is None:
        return {}
    return {"probability": dist.get(derived, 0.0), "distribution": {str(k): v for k, v in dist.items()}}


def read_summary(pack: Pack, lc: LoadedCase, der: Derivation, st: StatementResult) -> dict[str, Any] | None:
    """What was read of a statement's findings, sentence by sentence, in one line: how many
    findings, of which shortfalls (serious ones: a tag the pack marks `serious`), strengths and
    mixed, and how many sentences were read as stating no finding. None for curated evidence."""
    read = [der.items[iid] for c in st.cells for iid in c.items if der.items[iid].reading is not None]
    none = sum(1 for ne in lc.case.not_evidence if ne.statement == st.id)
    if not read and not none:
        return None
    serious_tags = {t.id for t in pack.core.tags if t.serious}
    n = {p: sum(1 for it in read if it.polarity == p) for p in ("shortfall", "strength", "mixed")}
    serious = sum(1 for it in read if it.polarity != "strength" and serious_tags.intersection(it.tags))
    text = (
        f"{len(read)} sentence(s) of findings: {n['shortfall']} shortfall(s)"
        + (f" ({serious} serious)" if serious_tags else "")
        + f", {n['strength']} strength(s), {n['mixed']} mixed"
        + (f"; {none} more read as stating no finding" if none else "")
    )
    return {"findings": len(read), **n, "serious": serious, "no_finding": none, "text": text}


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
    probs = of_derivation(pack, der)
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
                **chance(probs[0].get(st.id) if probs else None, st.score),
            }
        )
        if read := _read(der, st):  # an extracted case: how each item was read
            statements[-1]["read"] = read
        if summary := read_summary(pack, lc, der, st):
            statements[-1]["read_summary"] = summary
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
            **chance(probs[1] if probs else None, ov.value),
        },
        **({"finding": finding} if finding is not None else {}),
    }
