"""How well each published score is supported by its report's own evidence, across a corpus.

Every report the index names is read with the pack's default reading and every indexed score
derived from its evidence alone (the published score is never an input). The pack's
probability table (calibrated leave-one-council-out) gives the probability that a statement
derived `d` was published `k`; a published score the evidence supports little is one the
engine gives a low probability. The scores are ranked from least supported, each with the
findings that pull its derived score away from the published one (quote, line, reading) and,
where the evidence derives another score, the fewest sentences that would have to read
otherwise for it to derive the published one (`rederive counterfactual`'s exact search, the
most arguable set).

A low-support score is a question for a reader of the report, not an error of the
inspectorate: the engine is itself wrong as often as its calibration says (`engine_right`:
how often, on held-out councils, a score derived so was published so).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.authoring.corpus import IndexRow, Page, read_pages
from engine.base.errors import UsageError
from engine.evaluation.derive import derive
from engine.evaluation.probability import statement_distribution
from engine.model.case import Item
from engine.model.pack import Pack
from engine.model.packfiles import ProbabilityTable

FINDINGS = 3  # findings shown for each score
MAX_CHANGES = 3  # the largest set of changed readings searched for a score derived otherwise

NOTE = (
    "a published score the evidence supports little is a question for a reader of the report, not an "
    "error of the inspectorate: the engine's own derived score is wrong as often as its record on held-out "
    "councils says (how often the engine is itself right)"
)


def _weight(it: Item, serious: frozenset[str]) -> tuple[int, float, int]:
    """How much a finding weighs: serious first, then the reader's confidence and intensity."""
    conf = it.reading.confidence if it.reading is not None and it.reading.confidence is not None else 0.5
    inten = it.reading.intensity if it.reading is not None and it.reading.intensity is not None else 2
    return (int(bool(serious.intersection(it.tags))), conf, inten)


def _finding(it: Item) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": it.id,
        "category": it.category,
        "polarity": it.polarity,
        "tags": list(it.tags),
        "quote": it.quote,
        "file": it.source.file.removeprefix("sources/"),
        "line": it.source.line,
    }
    if it.source.page is not None:
        d["page"] = it.source.page
    if it.reading is not None:
        d["reading"] = {"by": it.reading.by, "confidence": it.reading.confidence, "because": it.reading.because[:3]}
    return d


def deciding_findings(pack: Pack, items: list[Item], derived: int | None, published: int) -> list[dict[str, Any]]:
    """The findings that weigh most towards the derived score against the published one:
    shortfalls where it derives lower, strengths where higher (then mixed findings), the
    heaviest of all where they agree."""
    serious = frozenset(t.id for t in pack.core.tags if t.serious)
    if derived is None:
        return []
    if derived == published:
        pool = sorted(items, key=lambda it: _weight(it, serious), reverse=True)
    else:  # the findings of the derived side first, then the mixed ones
        side = "shortfall" if derived < published else "strength"
        pool = [
            it
            for pol in (side, "mixed")
            for it in sorted(
                (it for it in items if it.polarity == pol), key=lambda it: _weight(it, serious), reverse=True
            )
        ]
    return [_finding(it) for it in pool[:FINDINGS]]


def _engine_right(table: ProbabilityTable) -> dict[int, dict[str, Any]]:
    """Per derived score: how often held-out councils' scores derived so were published so."""
    out = {}
    for d, row in table.counts.items():
        n = sum(row.values())
        if n:
            out[d] = {"right": row.get(d, 0), "of": n, "percent": round(100 * row.get(d, 0) / n, 1)}
    return out


def _table(pack: Pack) -> ProbabilityTable:
    """The pack's probability table, or the reason there is none."""
    cal = pack.core.calibration
    if cal is None or cal.probabilities is None:
        raise UsageError(
            f"pack {pack.id!r} holds no probability table (calibration.probabilities): "
            "run `rederive calibrate` on a corpus of published reports first"
        )
    return cal.probabilities


def support(
    pack: Pack,
    cues: Any,
    reports: list[Path],
    rows: list[IndexRow],
    advance: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    """Every published score the index rows name, with the probability the engine gives it,
    least supported first."""
    _table(pack)  # refused before any report is read
    pages, missing = read_pages(pack, cues, reports, rows, advance, memo={})
    return rank(pack, pages, [r.file for r in missing])


def rank(pack: Pack, pages: list[Page], missing: list[str]) -> dict[str, Any]:
    """Published scores with their evidence (a page each: one statement of one report), least
    supported first."""
    table = _table(pack)
    scale = list(pack.scores)
    right = _engine_right(table)
    scored = [_scored(pack, page, scale, table) for page in pages]
    scored.sort(
        key=lambda s: (
            s["probability_of_published"],
            -abs((s["derived"] or s["published"]) - s["published"]),
            s["council"],
            s["statement"],
        )
    )
    for rank, s in enumerate(scored, 1):
        s["rank"] = rank
        s["engine_right"] = right.get(s["derived"]) if s["derived"] is not None else None
    levels = _levels(scored)
    return {
        "framework": pack.id,
        "scores": scored,
        "missing": missing,
        "reports": len({s["file"] for s in scored}),
        "councils": len({s["council"] for s in scored}),
        "support_levels": levels,
        "engine_right": {str(k): v for k, v in sorted(right.items())},
        "probabilities_from": table.corpus,
        "note": NOTE,
    }


def _scored(pack: Pack, page: Page, scale: list[int], table: ProbabilityTable) -> dict[str, Any]:
    sid = page.row.statement
    der = derive(pack, page.items)
    st = der.statement(sid)
    derived = st.score if st.assessed else None
    own = [it for it in page.items if it.statement == sid]
    if derived is None:
        dist: dict[int, float] = {}
        p_pub = 0.0
    else:
        dist = statement_distribution(table, scale, derived)
        p_pub = dist.get(page.row.published, 0.0)
    out = {
        "file": page.row.file,
        "line": page.row.line,
        "council": page.row.group,
        "statement": sid,
        "published": page.row.published,
        "derived": derived,
        "probability_of_published": round(p_pub, 4),
        "distribution": {str(k): round(v, 4) for k, v in dist.items()},
        "apart": None if derived is None else derived - page.row.published,
        "items": len(own),
        "findings": deciding_findings(pack, own, derived, page.row.published),
    }
    if derived is not None and derived != page.row.published:
        out["would_read_otherwise"] = otherwise(pack, page, own)
    return out


def otherwise(pack: Pack, page: Page, own: list[Item]) -> dict[str, Any]:
    """The fewest findings that would have to read otherwise (or be absent, or be added) for the
    evidence to derive the published score: the most arguable such set, by exact search."""
    from engine.analysis.counterfactual import search
    from engine.model.case import Case, LoadedCase

    sid = page.row.statement
    case = Case(case=page.row.file, council=page.row.group, framework=pack.id, sources=[page.row.file], items=own)
    res = search(
        pack,
        LoadedCase(Path(page.row.file), case),
        (sid, page.row.published),
        max_changes=MAX_CHANGES,
        max_sets=1,
        closest=False,
    )
    if not res["sets"]:
        return {"changes": None, "within": MAX_CHANGES, "sentences": []}
    keep = ("kind", "to", "category", "polarity", "quote", "line", "confidence", "plausibility")
    return {
        "changes": res["minimal_size"],
        "sets": res["sets_total"],
        "sentences": [{k: d[k] for k in keep if k in d} for d in res["sets"][0]["details"]],
    }


def _levels(scored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """How many published scores stand at each level of support, and how many of them the
    engine derived as published (its own error rate at that level, on this corpus)."""
    out = []
    for p in sorted({s["probability_of_published"] for s in scored}):
        at = [s for s in scored if s["probability_of_published"] == p]
        agree = sum(s["derived"] == s["published"] for s in at)
        out.append({"probability_of_published": p, "scores": len(at), "derived_as_published": agree})
    return out
