"""The review-request brief: process checks, sensitivity, a draft on process grounds, the deadline.

What counts as a ground, the deadline rule, the holiday calendar, the word limit and the
draft wording all come from the pack's `review:` section; this module only applies them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from engine.analysis.counterfactual import search
from engine.base.errors import RederiveError
from engine.evaluation import aggregate
from engine.evaluation.derive import Derivation
from engine.model.case import LoadedCase
from engine.model.pack import Pack
from engine.reports.plain import change_words, set_in_words


def working_days_after(start: dt.date, days: int, country: str, subdiv: str | None) -> dt.date:
    """The date `days` working days after `start`, skipping weekends and public holidays."""
    import holidays  # a maintained calendar, not a hand-written list

    cal = holidays.country_holidays(country, subdiv=subdiv, years=range(start.year, start.year + 2))
    d, left = start, days
    while left:
        d += dt.timedelta(days=1)
        if d.weekday() < 5 and d not in cal:
            left -= 1
    return d


def words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _quotes(lc: LoadedCase, der: Derivation, cell, ct, limit: int = 2) -> list[dict[str, Any]]:
    """Quotes of the items the kept row's conditions counted (strengths for a default)."""
    names: set[str] = set()
    if ct is not None and cell.kept not in (None, "default"):
        row = next(cr for cr in ct.rows if cr.row.id == cell.kept)
        for c in row.conditions:
            names |= c.names
    ids: list[str] = []
    for n in sorted(names):
        for i in cell.feature_items.get(n, ()):
            if i not in ids:
                ids.append(i)
    if not ids:
        ids = list(cell.items)
    out = []
    for i in ids[:limit]:
        it = der.items[i]
        out.append(
            {
                "id": it.id,
                "polarity": it.polarity,
                "quote": it.quote,
                "file": it.source.file,
                "line": it.source.line,
                **({"page": it.source.page} if it.source.page else {}),
            }
        )
    return out


def _deciding(pack: Pack, lc: LoadedCase, der: Derivation, st) -> list[dict[str, Any]]:
    """Each category cell of a statement with the row that decided it, its reason and quotes."""
    out = []
    for cell in st.cells:
        ct = pack.table_for(st.id, cell.category)
        reason = ""
        if ct is not None:
            reason = (
                ct.table.default.reason
                if cell.kept == "default" and ct.table.default
                else next((cr.row.reason for cr in ct.rows if cr.row.id == cell.kept), "")
            )
        out.append(
            {
                "category": cell.category,
                "category_name": pack.category_name(cell.category),
                "score": cell.score,
                "row": cell.kept,
                "reason": reason,
                "counted": cell.counted,
                "quotes": _quotes(lc, der, cell, ct),
            }
        )
    return out


def _overall_check(pack: Pack, pub) -> list[dict[str, Any]]:
    """Does the published rating follow from the published scores by the published bands?"""
    scores = [v for v in pub.scores.values() if v is not None]
    if pub.rating is None or not scores:
        return []
    r = aggregate.apply(pack.core.aggregation.statements_to_overall, scores, max(pack.scores))
    follows = pub.rating in set(r.readings.values())
    status = "ambiguous" if r.ambiguous else ("pass" if follows else "fail")
    return [
        {
            "id": "overall_follows_from_scores",
            "check": "the overall rating follows from the published scores",
            "status": status,
            "process_ground": status != "pass",
            "detail": f"published scores sum to {r.total}/{r.count * max(pack.scores)} = {r.percent}%: "
            f"the published bands give {pack.rating_label(str(r.value))}"
            + (f" (readings {r.readings})" if r.ambiguous else "")
            + f"; the published rating is {pack.rating_label(pub.rating)}",
            "readings": r.readings,
        }
    ]


def checks(pack: Pack, lc: LoadedCase, der: Derivation) -> list[dict[str, Any]]:
    pub = lc.case.published
    out: list[dict[str, Any]] = _overall_check(pack, pub)
    for st in der.statements:
        published = pub.scores.get(st.id)
        if published is None:
            continue
        name = pack.statement(st.id).name
        if not st.assessed:
            out.append(
                {
                    "id": "statement_without_evidence",
                    "check": "a published score without evidence",
                    "statement": st.id,
                    "statement_name": name,
                    "status": "fail",
                    "process_ground": True,
                    "detail": f"{name} is published as {published} but the case holds no evidence for it",
                }
            )
            continue
        deciding = _deciding(pack, lc, der, st)
        supported = st.score == published
        out.append(
            {
                "id": "statement_supported_by_evidence",
                "check": "the score the evidence gives",
                "statement": st.id,
                "statement_name": name,
                "status": "pass" if supported else "differs",
                "process_ground": False,
                "derived": st.score,
                "published": published,
                "deciding": deciding,
                "detail": f"{name}: the rules give {st.score} from the report's evidence; published {published}"
                + ("" if supported else " (a difference of judgement is not a ground for review)"),
            }
        )
        if st.step.ambiguous:
            out.append(
                {
                    "id": "ambiguous_boundary",
                    "check": "a score on a band edge",
                    "statement": st.id,
                    "statement_name": name,
                    "status": "ambiguous",
                    "process_ground": False,
                    "detail": f"{name}: category scores give {st.step.percent}%, between bands (readings {st.step.readings})",
                }
            )
        missing = [c for c in pack.category_ids if c not in {x.category for x in st.cells}]
        if missing:
            out.append(
                {
                    "id": "categories_without_evidence",
                    "check": "categories without evidence",
                    "statement": st.id,
                    "statement_name": name,
                    "status": "note",
                    "process_ground": False,
                    "detail": f"{name}: no evidence in {', '.join(pack.category_name(c) for c in missing)}",
                }
            )
    return out


def sensitivity(pack: Pack, lc: LoadedCase, der: Derivation, advance=lambda: None) -> list[dict[str, Any]]:
    """The least change to the next score up and down, per statement and overall; `advance`
    is called after each search (a progress bar's step)."""
    from engine.analysis.counterfactual import build

    out: list[dict[str, Any]] = []
    order = [r.id for r in pack.core.ratings]
    state = build(pack, list(lc.case.items))  # shared: each statement's options are computed once

    def entry(level: str, current, target, res) -> dict[str, Any]:
        first = res["sets"][0] if res["sets"] else None
        named = level == "overall"
        return {
            "level": level,
            "level_name": "Overall rating" if named else pack.statement(level).name,
            "current": current,
            "target": target,
            "current_label": pack.rating_label(current) if named else current,
            "target_label": pack.rating_label(target) if named else target,
            "minimal_changes": res["minimal_size"],
            "sets": res["sets_total"],
            "example": first["changes"] if first else [],
            "example_words": set_in_words(pack, first) if first else [],
            "seconds": res["seconds"],
        }

    for st in der.statements:
        if st.score is None:
            continue
        for step in (1, -1):
            t = st.score + step
            if t in pack.scores:
                res = search(pack, lc, (st.id, t), max_sets=1, state=state, base=der, closest=False)
                out.append(entry(st.id, st.score, t, res))
                advance()
    if der.overall.value in order:
        i = order.index(der.overall.value)
        for step in (1, -1):
            if 0 <= i + step < len(order):
                res = search(pack, lc, ("overall", order[i + step]), max_sets=1, state=state, base=der, closest=False)
                out.append(entry("overall", der.overall.value, order[i + step], res))
                advance()
    return out


def draft(pack: Pack, lc: LoadedCase, found: list[dict[str, Any]], changed: int = 0) -> dict[str, Any]:
    rv = pack.core.review
    assert rv is not None
    pub = lc.case.published
    fill = {
        "council": lc.case.council,
        "published_date": pub.date or "(date not given)",
        "rating": pack.rating_label(pub.rating),
    }
    grounds = [c for c in found if c["process_ground"]]
    if grounds:
        parts = [rv.draft_opening.format(**fill)]
        for n, g in enumerate(grounds, start=1):
            parts.append(f"{n}. {g['detail']}.")
        if rv.draft_closing:
            parts.append(rv.draft_closing.format(**fill))
    else:
        parts = [rv.draft_no_ground.format(**fill)]
    if changed:  # never sent as the report's: it rests on the changes stated at the brief's top
        parts.insert(
            0,
            f"[NOT FOR SUBMISSION: drafted from the evidence with {changed} hypothetical change(s), "
            "not from the report as published.]",
        )
    text = "\n\n".join(p.strip() for p in parts)
    while words(text) > rv.word_limit and len(parts) > 2:
        parts.pop(-2)  # drop the last listed ground, keep opening and closing
        text = "\n\n".join(p.strip() for p in parts)
    n = words(text)
    if n > rv.word_limit:
        raise RederiveError(f"the draft has {n} words; the limit is {rv.word_limit}")
    return {"text": text, "words": n, "limit": rv.word_limit, "grounds": len(grounds), "hypothetical": bool(changed)}


def change_notes(original: LoadedCase, changes: list[Any], pack: Pack | None = None) -> list[dict[str, Any]]:
    """Each change made to a case's evidence (a what-if, a scenario), with the quote and line of
    the item it changes (an added item: its own quote and line, where it gives them) and, given
    the pack, the change in plain words (`says`)."""
    by_id = {it.id: it for it in original.case.items}
    out = []
    for ch in changes:
        note: dict[str, Any] = {"change": ch.label()}
        if pack is not None:
            note["says"] = change_words(pack, ch)
        it = by_id.get(ch.item) if ch.item else None
        if it is not None:
            note.update({"item": it.id, "quote": it.quote, "file": it.source.file, "line": it.source.line})
        elif ch.op == "add" and ch.items:
            first = ch.items[0]
            if getattr(first, "quote", None):
                note["quote"] = first.quote
            if getattr(first, "source", None) is not None:
                note.update({"file": first.source.file, "line": first.source.line})
        out.append(note)
    return out


def brief(
    pack: Pack, lc: LoadedCase, der: Derivation, advance=lambda: None, changes: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The review brief. `changes`: the hypothetical changes the case's evidence carries
    (`change_notes`), stated at the brief's top; its checks and draft then say the scores rest
    on them, never that they are the report's."""
    rv = pack.core.review
    if rv is None:
        raise RederiveError(f"framework pack {pack.id!r} has no 'review:' section: it defines no review process")
    pub = lc.case.published
    deadline = None
    if pub.date:
        deadline = working_days_after(
            dt.date.fromisoformat(pub.date), rv.working_days, rv.calendar.country, rv.calendar.subdiv
        ).isoformat()
    found = checks(pack, lc, der)
    if changes:
        for c in found:
            c["detail"] = c["detail"].replace(
                "from the report's evidence", f"from the evidence as changed ({len(changes)} hypothetical change(s))"
            )
    from engine.reports.derived import derive_object

    derived = derive_object(pack, lc, der)
    assessed = [st for st in der.statements if st.assessed]
    missing = [pack.statement(st.id).name for st in der.statements if not st.assessed]
    return {
        "case": lc.slug,
        "council": lc.case.council,
        "framework": pack.id,
        "framework_name": pack.core.framework.name,
        "published": {
            "date": pub.date,
            "rating": pub.rating,
            "rating_label": pack.rating_label(pub.rating) if pub.rating else None,
            "indicative": pub.indicative,
        },
        "bands": [
            {"rating": r.id, "label": r.label, "min_percent": r.min_percent, "max_percent": r.max_percent}
            for r in pack.core.ratings
        ],
        "next_rating": next_rating(pack, der),
        "max_changes": pack.core.counterfactual.max_changes,
        "deadline": deadline,
        "deadline_rule": f"{rv.working_days} working days after publication, skipping weekends and public holidays"
        f" ({rv.calendar.country}{'-' + rv.calendar.subdiv if rv.calendar.subdiv else ''})",
        "ground": rv.ground,
        "not_grounds": rv.not_grounds,
        "who": rv.who,
        "draft": draft(pack, lc, found, len(changes or [])),
        "changes": changes or [],
        "coverage": {"assessed": len(assessed), "of": len(der.statements), "missing": missing},
        "checks": found,
        "sensitivity": sensitivity(pack, lc, der, advance),
        "derive": derived,
    }


def next_rating(pack: Pack, der: Derivation) -> dict[str, Any] | None:
    """The least sum of statement scores that gives the next rating up, under the pack's reading."""
    order = [r.id for r in pack.core.ratings]
    ov = der.overall
    if ov.value not in order or order.index(ov.value) + 1 >= len(order):
        return None
    want = order[order.index(ov.value) + 1]
    top = ov.count * max(pack.scores)
    step = pack.core.aggregation.statements_to_overall
    if step.of != "mean":  # the rating follows the middle score, not the sum: search the scores
        from engine.reports.compare import to_next

        up = to_next(pack, [st.score for st in der.statements if st.assessed and st.score is not None])["up"]
        return (
            None
            if up is None
            else {
                "rating": up["rating"],
                "label": pack.rating_label(up["rating"]),
                "points": up["points"],
                "sum": None,
                "out_of": top,
                "percent": None,
                "ambiguous": False,
            }
        )
    for total in range(ov.total + 1, top + 1):
        res = aggregate.apply(step, [total], top)  # one pseudo-score `total` out of `top`: the same percentage
        if res.value == want:
            return {
                "rating": want,
                "label": pack.rating_label(want),
                "sum": total,
                "out_of": top,
                "points": total - ov.total,
                "percent": round(100.0 * total / top, 2),
                "ambiguous": res.ambiguous,
            }
    return None
