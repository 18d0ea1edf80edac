"""Two reports of one council, side by side: per statement or judgement the published and the
derived change, and the evidence that changed.

Each side is a case file or a report (text, web page, PDF) read with the pack's default
reading. Findings are paired across the two by meaning: the same statement and polarity, and
enough meaningful words in common (the reader's category is preferred, not required, since a
finding may move category as its wording moves). What stays unpaired is new in the later
report or no longer in it. A change of published grade follows from the evidence when the
derived score moves the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.base.errors import UsageError
from engine.evaluation.derive import derive
from engine.ingest.reader import FUNCTION_WORDS, words
from engine.model.case import Item
from engine.model.pack import Pack

SHARED = 0.3  # share of meaningful words two findings must have in common (of the smaller) to pair
SHOWN = 5  # findings listed per statement, side and kind


@dataclass
class Side:
    path: Path
    council: str | None
    date: str | None
    published: dict[str, int | None]
    rating: str | None
    items: list[Item]
    source: str  # the file the items' lines refer to


def read_side(path: Path, packs: Any, framework: str | None) -> tuple[Pack, Side]:
    """A case file as it is, or a report read with the default reading (nothing written)."""
    if not path.is_file():
        raise UsageError(f"no such case or report: {path}")
    if path.suffix.lower() in (".yaml", ".yml"):
        from engine.model.case import load_case

        loaded = load_case(path, packs.pack_for(path.parent))
        return packs.get(loaded.case.framework, path.parent), side_of_case(loaded)
    from engine.ingest.cues import load_cues
    from engine.ingest.extract import extract
    from engine.ingest.readers import read_report
    from engine.ingest.writing import detect, rendering_name

    rendering = read_report(path)
    fw = detect(packs, path, rendering.text, path.parent, framework)
    pack = packs.get(fw, path.parent)
    data = extract(pack, path, rendering_name(path, rendering), load_cues(pack), text=rendering.text)
    found: dict[str, Any] = data.get("published") or {}
    return pack, Side(
        path,
        data.get("council"),
        found.get("date"),
        dict(found.get("scores") or {}),
        found.get("rating"),
        [Item.model_validate(x) for x in data["items"]],
        str(path),
    )


def side_of_case(loaded: Any) -> Side:
    """A loaded case as one side of a comparison (its items' lines refer to its first source)."""
    case = loaded.case
    pub = case.published
    item_file = case.items[0].source.file if case.items else loaded.path.name
    return Side(
        loaded.path,
        case.council,
        pub.date,
        dict(pub.scores),
        pub.rating,
        list(case.items),
        str(loaded.folder / item_file),
    )


def _content(it: Item) -> frozenset[str]:
    return frozenset(w for w in words(it.quote) if w not in FUNCTION_WORDS and len(w) > 2)


def pair(old: list[Item], new: list[Item]) -> tuple[list[tuple[Item, Item, float]], list[Item], list[Item]]:
    """Findings paired by meaning (greedy, most words in common first): the pairs, and what
    stays unpaired in the old and in the new."""
    cand = []
    wo = {id(it): _content(it) for it in old}
    wn = {id(it): _content(it) for it in new}
    for a in old:
        for b in new:
            if a.statement != b.statement or a.polarity != b.polarity:
                continue
            x, y = wo[id(a)], wn[id(b)]
            if not x or not y:
                continue
            share = len(x & y) / min(len(x), len(y))
            if share >= SHARED:
                cand.append((share + (0.05 if a.category == b.category else 0.0), a, b, share))
    cand.sort(key=lambda c: -c[0])
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, a, b, share in cand:
        if id(a) in used_a or id(b) in used_b:
            continue
        used_a.add(id(a))
        used_b.add(id(b))
        pairs.append((a, b, round(share, 2)))
    return pairs, [a for a in old if id(a) not in used_a], [b for b in new if id(b) not in used_b]


def _finding(it: Item, source: str) -> dict[str, Any]:
    d = {"id": it.id, "category": it.category, "polarity": it.polarity, "quote": it.quote, "line": it.source.line}
    if it.source.page is not None:
        d["page"] = it.source.page
    d["file"] = source
    return d


def _counts(items: list[Item], categories: list[str]) -> dict[str, dict[str, int]]:
    return {
        c: {
            p: sum(1 for it in items if it.category == c and it.polarity == p)
            for p in ("strength", "shortfall", "mixed")
        }
        for c in categories
    }


def compare(pack: Pack, old: Side, new: Side) -> dict[str, Any]:
    """Per statement: published and derived scores of each side, whether the published change
    follows the derived one, and the findings new, gone and kept."""
    d_old, d_new = derive(pack, old.items), derive(pack, new.items)
    pairs, gone, came = pair(old.items, new.items)
    categories = list(pack.category_ids)
    out = []
    for sid in pack.statement_ids:
        so, sn = d_old.statement(sid), d_new.statement(sid)
        po, pn = old.published.get(sid), new.published.get(sid)
        do = so.score if so.assessed else None
        dn = sn.score if sn.assessed else None
        pub_move = None if po is None or pn is None else (pn > po) - (pn < po)
        der_move = None if do is None or dn is None else (dn > do) - (dn < do)
        own_gone = [it for it in gone if it.statement == sid]
        own_new = [it for it in came if it.statement == sid]
        out.append(
            {
                "statement": sid,
                "published": {"old": po, "new": pn},
                "derived": {"old": do, "new": dn},
                "follows": None if pub_move is None or der_move is None else pub_move == der_move,
                "kept": sum(1 for a, _, _ in pairs if a.statement == sid),
                "new_findings": len(own_new),
                "gone_findings": len(own_gone),
                "counts": {
                    "old": _counts([it for it in old.items if it.statement == sid], categories),
                    "new": _counts([it for it in new.items if it.statement == sid], categories),
                },
                # the shortfalls first: what a council asks first is what went wrong, and what was mended
                "new": [_finding(it, new.source) for it in _first(own_new)],
                "gone": [_finding(it, old.source) for it in _first(own_gone)],
            }
        )
    return {
        "framework": pack.id,
        "old": _meta(old, d_old),
        "new": _meta(new, d_new),
        "statements": out,
        "paired_by": f"the same statement and polarity, and at least {SHARED:.0%} of the smaller finding's "
        "meaningful words in common",
    }


def _first(items: list[Item]) -> list[Item]:
    order = {"shortfall": 0, "mixed": 1, "strength": 2}
    return sorted(items, key=lambda it: (order[it.polarity], it.source.line))[:SHOWN]


def _meta(side: Side, der: Any) -> dict[str, Any]:
    return {
        "file": side.source,
        "council": side.council,
        "date": side.date,
        "published_rating": side.rating,
        "derived_rating": der.overall.value,
        "items": len(side.items),
    }
