"""Curated and extracted evidence side by side: what each has that the other lacks or reads differently.

Two items are the same evidence when they cite the same line of the same report (by file
name) and one quote contains the other (whitespace folded).
"""

from __future__ import annotations

import os
from typing import Any

from engine.model.case import Item, LoadedCase, fold


def _key(it: Item) -> tuple[str, int]:
    return (os.path.basename(it.source.file), it.source.line)


def _brief(it: Item) -> dict[str, Any]:
    return {
        "id": it.id,
        "statement": it.statement,
        "category": it.category,
        "polarity": it.polarity,
        "tags": list(it.tags),
        "quote": it.quote,
        "file": it.source.file,
        "line": it.source.line,
    }


def item_diff(curated: LoadedCase, extracted: LoadedCase) -> dict[str, Any]:
    by_line: dict[tuple[str, int], list[Item]] = {}
    for it in extracted.case.items:
        by_line.setdefault(_key(it), []).append(it)
    used: set[str] = set()
    only_curated, differ = [], []
    matched = 0
    for it in curated.case.items:
        q = fold(it.quote)
        match = next(
            (e for e in by_line.get(_key(it), []) if e.id not in used and (q in fold(e.quote) or fold(e.quote) in q)),
            None,
        )
        if match is None:
            only_curated.append(_brief(it))
            continue
        used.add(match.id)
        matched += 1
        fields = [f for f in ("statement", "category", "polarity") if getattr(it, f) != getattr(match, f)]
        if fields:
            differ.append({"fields": fields, "curated": _brief(it), "extracted": _brief(match)})
    only_extracted = [_brief(e) for e in extracted.case.items if e.id not in used]
    return {
        "curated": str(curated.path),
        "extracted": str(extracted.path),
        "matched": matched,
        "only_curated": only_curated,
        "only_extracted": only_extracted,
        "differ": differ,
        "summary": {
            "curated": len(curated.case.items),
            "extracted": len(extracted.case.items),
            "matched": matched,
            "differ": len(differ),
        },
    }
