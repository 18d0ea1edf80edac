"""A council's corrections of its report's reading, kept as sentence labels.

Reading an item the other way (its polarity or category set), or adding one from a sentence of
the report, is a correction of the reader. Each becomes a row in the shared label format
(file, statement, line, start, end, key, polarity, intensity, category) in a label file of the
workspace, so that `rederive train-reader --labels WORKSPACE/labels --texts
WORKSPACE/sources ...` retrains on the council's own corrections. A row is found in its text
at its line and span, or by its key.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from engine.analysis.scenario import Change, apply
from engine.authoring.train_reader import COLUMNS
from engine.base.errors import UsageError
from engine.ingest.heldout import sentence_key
from engine.model.case import Item, LoadedCase, fold, resolve_source
from engine.model.pack import Pack


def _lines(lc: LoadedCase) -> dict[str, list[str]]:
    out = {}
    for rel in lc.case.sources:
        real, _ = resolve_source(lc.folder, rel)
        if real is not None:
            out[rel] = real.read_text(encoding="utf-8").splitlines()
    return out


def _place(lines: dict[str, list[str]], quote: str, file: str | None, line: int | None) -> tuple[str, int, int, int]:
    """Where a quote stands: its source, 1-based line and character span within the line."""
    want = fold(quote)
    order = [(file, lines[file])] if file in lines else []
    order += [(f, ls) for f, ls in lines.items() if f != file]
    for f, ls in order:
        candidates = [line] if line is not None and f == file else []
        candidates += [n for n in range(1, len(ls) + 1) if n != line]
        for n in candidates:
            if n < 1 or n > len(ls):
                continue
            text = ls[n - 1]
            at = text.find(quote)
            if at >= 0:
                return f, n, at, at + len(quote)
            if want and want in fold(text):
                return f, n, 0, len(text)
    raise UsageError(f"the sentence {quote[:60]!r} stands in none of the case's sources")


def rows_of(pack: Pack, lc: LoadedCase, changes: list[Change]) -> list[dict[str, Any]]:
    """A label row for each item the changes read otherwise or add from the report."""
    before = {it.id: it for it in lc.case.items}
    after = {it.id: it for it in apply(pack, list(lc.case.items), changes, "corrections")}
    touched: list[Item] = []
    for ch in changes:
        if ch.op == "set" and ch.item is not None and ch.field in ("polarity", "category", "statement"):
            if ch.item in after and after[ch.item] not in touched:
                touched.append(after[ch.item])
        elif ch.op == "add":
            touched += [after[a.id] for a in ch.items or [] if a.id in after]
    lines = _lines(lc)
    out = []
    for it in touched:
        old = before.get(it.id)
        src = it.source if old is None else old.source
        file, line, start, end = _place(lines, it.quote, src.file if src else None, src.line if src else None)
        reading = (old or it).reading
        intensity = reading.intensity if reading is not None and reading.intensity else 2
        out.append(
            {
                "file": Path(file).name,
                "statement": it.statement,
                "line": line,
                "start": start,
                "end": end,
                "key": sentence_key(it.quote),
                "polarity": it.polarity,
                "intensity": intensity,
                "category": it.category,
            }
        )
    return out


def merged(existing: str | None, rows: list[dict[str, Any]]) -> tuple[str, int]:
    """The label file's text with the rows added, a row of the same sentence and statement
    replaced (the latest correction stands); and how many rows it holds."""
    kept: dict[tuple[str, str, str], dict[str, Any]] = {}
    if existing:
        for r in csv.DictReader(io.StringIO(existing), delimiter="\t"):
            kept[(r["file"], r["statement"], r["key"])] = r
    for r in rows:
        kept[(r["file"], r["statement"], r["key"])] = {k: str(v) for k, v in r.items()}
    buf = io.StringIO()
    w = csv.DictWriter(buf, COLUMNS, delimiter="\t", lineterminator="\n")
    w.writeheader()
    for r in kept.values():
        w.writerow({k: r[k] for k in COLUMNS})
    return buf.getvalue(), len(kept)
