"""What the explorer's templates show, as plain values: built from the same objects the
commands print (derive, explain, whatif's `moved`, counterfactual), never recomputed here."""

from __future__ import annotations

from typing import Any

from engine.analysis.scenario import Change
from engine.analysis.whatif import moved
from engine.model.case import Item
from engine.model.pack import Pack
from engine.reports.derived import derive_object
from engine.reports.plain import set_change
from engine.web.served import Current, NotServed, Served


def cases_page(served: Served) -> dict[str, Any]:
    rows = []
    for cid in served.ids():
        cur = served.current(cid)
        obj = derive_object(cur.pack, cur.case, cur.derivation)
        ov = obj["overall"]
        rows.append(
            {
                "id": cid,
                "council": obj["council"],
                "framework": cur.pack.id,
                "framework_name": cur.pack.core.framework.name,
                "unit": cur.pack.core.framework.unit,
                "overall": ov,
                "derived_label": ov["derived"] and cur.pack.rating_label(ov["derived"]),
                "published_label": ov["published"] and cur.pack.rating_label(ov["published"]),
                "n_items": len(cur.case.case.items),
                "file": cur.case.path.name,
                "uploaded_as": served.upload_name(cid),
                "date": cur.case.case.published.date,
                "kind": cur.case.case.kind,
            }
        )
    frameworks = [(f, served.packs.get(f).core.framework.name) for f in served.frameworks()]
    return {"cases": rows, "ratings": served.ratings is not None, "frameworks": frameworks}


def _bands_svg(cur: Current, obj: dict[str, Any]) -> str:
    """The overall percentage on the rating bands: the review brief's picture."""
    from engine.analysis.review import next_rating
    from engine.render.brief import chart_svg

    bands = [
        {"rating": r.id, "label": r.label, "min_percent": r.min_percent, "max_percent": r.max_percent}
        for r in cur.pack.core.ratings
    ]
    return chart_svg({"derive": obj, "bands": bands, "next_rating": next_rating(cur.pack, cur.derivation)})


def _flips(pack: Pack, it: Item) -> list[dict[str, Any]]:
    """The changes that read an item the other way: its tags that the new polarity cannot
    carry are cleared first (as the counterfactual search flips an item)."""
    applies = {t.id: t.applies_to for t in pack.core.tags}
    out = []
    for to in [p for p in ("strength", "shortfall") if p != it.polarity]:
        kept = [t for t in it.tags if applies.get(t) in ("any", to)]
        changes = [] if kept == list(it.tags) else [{"op": "set", "item": it.id, "field": "tags", "value": kept}]
        changes.append({"op": "set", "item": it.id, "field": "polarity", "value": to})
        out.append({"to": to, "changes": changes})
    return out


POLICY_WORDS = {
    "first": "the first rule that applies gives the score",
    "unique": "exactly one rule applies and gives the score",
    "collect_min": "of the rules that apply, the lowest score counts",
    "collect_max": "of the rules that apply, the highest score counts",
}


def _items(cur: Current, statement: str, sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pages = {(src["file"], ln["n"]): ln["page"] for src in sources for ln in src["lines"] if ln["page"] is not None}
    out = []
    for it in cur.case.case.items:
        if it.statement != statement:
            continue
        hypothetical = it.source.file.startswith("(")
        out.append(
            {
                "id": it.id,
                "polarity": it.polarity,
                "category": it.category,
                "category_label": cur.pack.category_name(it.category),
                "tags": list(it.tags),
                "quote": it.quote,
                "line": None if hypothetical else it.source.line,
                "page": pages.get((it.source.file, it.source.line)),
                "file": it.source.file,
                "note": it.note,
                "flips": _flips(cur.pack, it),
                "reading": it.reading.model_dump() if it.reading is not None else None,
            }
        )
    return out


def _marks(cur: Current) -> dict[str, dict[str, Any]]:
    """Each cited line (`file:line`) with the items that cite it, for the report's highlights."""
    marks: dict[str, dict[str, Any]] = {}
    for it in cur.case.case.items:
        key = f"{it.source.file}:{it.source.line}"
        m = marks.setdefault(key, {"items": [], "quotes": [], "polarity": it.polarity, "statement": it.statement})
        m["items"].append(it.id)
        m["quotes"].append({"quote": it.quote, "polarity": it.polarity})
        if m["polarity"] != it.polarity:
            m["polarity"] = "mixed"
    return marks


def panel(served: Served, cid: str, changes: list[Change], statement: str | None) -> dict[str, Any]:
    """The case as it stands after `changes`: the statement table, the overall on its bands,
    what moved against the case on disk, and the chosen statement's explanation and items."""
    from engine.analysis.review import change_notes
    from engine.reports.explain import explain

    cur = served.current(cid, changes)
    obj = derive_object(cur.pack, cur.case, cur.derivation)
    shifts = moved(cur.base, cur.derivation) if changes else []
    ids = list(cur.pack.statement_ids)
    chosen = statement if statement in ids else None
    detail = explain(cur.pack, cur.case, cur.derivation, chosen)["statements"][0] if chosen else None
    return {
        "id": cid,
        "obj": obj,
        "pack": cur.pack,
        "changes": [c.model_dump(exclude_none=True) for c in changes],
        "labels": [c.label() for c in changes],
        "notes": change_notes(served.get(cid).case, changes, cur.pack),
        "policy_words": POLICY_WORDS,
        "unit": cur.pack.core.framework.unit,
        "moved": shifts,
        "moved_cells": {(m["statement"], m["category"]) for m in shifts if m["level"] == "category"},
        "moved_statements": {m["statement"]: m for m in shifts if m["level"] == "statement"},
        "moved_overall": next((m for m in shifts if m["level"] == "overall"), None),
        "categories": [(c.id, c.short or c.id) for c in cur.pack.core.categories],
        "category_names": [(c.id, c.name) for c in cur.pack.core.categories],
        "statement": chosen,
        "detail": detail,
        "items": _items(cur, chosen, served.lines(cid)) if chosen else [],
        "marks": _marks(cur),
        "bands_svg": _bands_svg(cur, obj),
        "before_percent": cur.base.overall.percent,
    }


def _targets(pack: Pack) -> list[tuple[str, str]]:
    out = [(f"overall={r.id}", f"overall rating: {r.label}") for r in pack.core.ratings]
    for s in pack.core.statements:
        out += [(f"{s.id}={n}", f"{s.name}: {n}") for n in pack.scores]
    return out


def _first_target(pack: Pack, derived: str | None) -> str:
    """The target the form offers first: the rating next above the derived one (next below at
    the top), never the rating the case already has."""
    order = [r.id for r in pack.core.ratings]
    if derived not in order:
        return f"overall={order[0]}"
    i = order.index(derived)
    return f"overall={order[i + 1] if i + 1 < len(order) else order[i - 1]}"


def case_page(served: Served, cid: str, statement: str | None) -> dict[str, Any]:
    ctx = panel(served, cid, [], statement)
    pack = ctx["pack"]
    sources = served.lines(cid)
    return {
        **ctx,
        "sources": sources,
        "targets": _targets(pack),
        "first_target": _first_target(pack, ctx["obj"]["overall"]["derived"]),
        "max_changes": pack.core.counterfactual.max_changes,
        "statements": [(s.id, s.name) for s in pack.core.statements],
        "polarities": ("strength", "shortfall", "mixed"),
    }


def sentences(served: Served, cid: str, key: str) -> list[str]:
    """The sentences of one report line (`file:line`), offered when an item is added from it
    (fetched when asked: the case page does not carry every line's sentences)."""
    from engine.ingest.extract import split_sentences

    file, _, n = key.rpartition(":")
    for src in served.lines(cid):
        if src["file"] != file:
            continue
        for ln in src["lines"]:
            if str(ln["n"]) == n and ln["text"].strip() and not ln["mark"]:
                return split_sentences(ln["text"])
    raise NotServed(f"{cid}: no line {key!r} in its report")


PAGE = 10  # sets shown at a time


def _set_view(s: dict[str, Any], pack: Pack) -> dict[str, Any]:
    return {
        "labels": s["changes"],
        "details": [{**d, "words": set_change(pack, d)} for d in s.get("details", [])],
        "plausibility": s.get("plausibility"),
        "changes": s["scenario"]["changes"],
        "statements": s["statements"],
    }


def sets(pack: Pack, result: dict[str, Any], q) -> dict[str, Any]:
    """The minimal sets of changes a counterfactual search found, each with its scenario's
    changes, a page at a time; for a target out of reach, the closest set and the next bound."""
    key, _, goal = q.target.partition("=")

    def said(value: Any) -> str:
        return pack.rating_label(str(value)) if key == "overall" else f"{value}"

    what = "the overall rating" if key == "overall" else pack.statement(key).name
    listed = result.get("sets", [])
    shown = result.get("first", 0) + len(listed)
    close = result.get("closest")
    return {
        "result": result,
        "target": f"{what}: {said(goal)}",
        "baseline": said(result["baseline"]),
        "sets": [_set_view(s, pack) for s in listed],
        "first": result.get("first", 0),
        "more": max(0, min(PAGE, result.get("sets_ranked", result["sets_total"]) - shown)),
        "closest": {**close, "gets": said(close["gets"]), "set": _set_view(close["set"], pack)} if close else None,
        "next_bound": result.get("needs_at_least") if (result.get("needs_at_least") or 99) <= MAX_CHANGES else None,
        "max_bound": MAX_CHANGES,
    }


MAX_CHANGES = 6  # the largest bound the explorer searches (as the command line)
