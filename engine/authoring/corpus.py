"""Agreement over a corpus of pages: each page extracted exactly as `rederive extract` reads
it (blind to its score lines), derived, and compared with the grade an index publishes for it.

The index is a tab-separated table with a header: `file` (relative to the pages folder),
`statement` (a statement id of the pack), `published` (the published score) and, optionally,
`council` (the group a cross-validation holds out together; the file name otherwise). Pages
the index names but the folder lacks are listed, never silently dropped.

The index may also be a table the pack describes (`published_table` in pack.yaml: one row per
report, a column per statement, in the publisher's own wording):
each graded statement of each row is then one entry, and a report is read once.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.base.errors import LoadError, Problem
from engine.evaluation.derive import Derivation, derive
from engine.model.case import Item
from engine.model.pack import Pack
from engine.reports.agreement import summary

REQUIRED = ("file", "statement", "published")


@dataclass(frozen=True)
class IndexRow:
    line: int
    file: str
    group: str
    statement: str
    published: int


@dataclass
class Page:
    row: IndexRow
    items: list[Item]  # the evidence of the row's statement only
    page_published: int | None  # the score the page itself prints, read apart from the evidence


def _dialect(text: str) -> str:
    head = text.split("\n", 1)[0]
    return "\t" if "\t" in head else ","


def index_files(path: Path) -> list[str]:
    """The files an index names, in order (for detecting the framework from the first)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [r["file"].strip() for r in csv.DictReader(text.splitlines(), delimiter=_dialect(text)) if r.get("file")]


def read_index(path: Path, pack: Pack) -> list[IndexRow]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(str(exc), [Problem(name, None, None, "", f"cannot read index: {exc}")]) from None
    reader = csv.DictReader(text.splitlines(), delimiter=_dialect(text))
    tab = pack.core.published_table
    if tab is not None and "statement" not in (reader.fieldnames or []) and tab.file in (reader.fieldnames or []):
        return _table_index(path, pack)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        msg = f"missing column(s) {', '.join(missing)}: expected a tab-separated header with {', '.join(REQUIRED)} (and council)"
        raise LoadError(msg, [Problem(name, 1, 1, "", msg)])
    rows = []
    for line, r in enumerate(reader, start=2):
        sid, raw = (r.get("statement") or "").strip(), (r.get("published") or "").strip()
        if sid not in pack.statement_ids or not raw.isdigit() or int(raw) not in pack.scores:
            msg = (
                f"statement {sid!r} is not one of the pack's"
                if sid not in pack.statement_ids
                else f"published score {raw!r} is not on the scale {pack.scores}"
            )
            raise LoadError(msg, [Problem(name, line, 1, "", msg)])
        rows.append(IndexRow(line, r["file"].strip(), (r.get("council") or r["file"]).strip(), sid, int(raw)))
    return rows


def _table_index(path: Path, pack: Pack) -> list[IndexRow]:
    from engine.reports.compare import published_rows

    return [
        IndexRow(row["line"], row["file"], row["council"], sid, v)
        for row in published_rows(pack, path)
        for sid, v in row["scores"].items()
        if v is not None
    ]


_TEXTS: dict[tuple[str, int, int], str] = {}


def _text(path: Path) -> str:
    """A report's text rendering, read once per run (a calibration reads each report many times)."""
    from engine.ingest.readers import read_report

    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _TEXTS:
        _TEXTS[key] = read_report(path).text
    return _TEXTS[key]


def locate(pages: Path | list[Path], file: str) -> Path:
    """Where an index's file lies: the first of the folders that holds it (else in the first)."""
    dirs = [pages] if isinstance(pages, Path) else pages
    return next((d / file for d in dirs if (d / file).is_file()), dirs[0] / file)


def read_pages(
    pack: Pack,
    cues: Any,
    pages_dir: Path | list[Path],
    rows: list[IndexRow],
    advance: Callable[[], None] = lambda: None,
    memo: dict[Any, Any] | None = None,
) -> tuple[list[Page], list[IndexRow]]:
    """Extract every page the index names (the user's reading, blind to the score lines); a
    page several rows name is read once (`memo`: see extract)."""
    from engine.ingest.extract import extract

    pages, missing = [], []
    done: dict[str, dict[str, Any]] = {}
    for row in rows:
        path = locate(pages_dir, row.file)
        if not path.is_file():
            missing.append(row)
            advance()
            continue
        if row.file not in done:
            data = extract(pack, path, path.name, cues, text=_text(path), memo=memo)
            done[row.file] = {"items": [Item.model_validate(x) for x in data["items"]], "published": data["published"]}
        data = done[row.file]
        items = [it for it in data["items"] if it.statement == row.statement]
        pages.append(Page(row, items, data["published"].get("scores", {}).get(row.statement)))
        advance()
    return pages, missing


def _deciding(der: Derivation, sid: str) -> list[dict[str, Any]]:
    st = der.statement(sid)
    return [
        {"category": c.category, "score": c.score, "row": c.kept, "items": len(c.items), "counted": c.counted}
        for c in st.cells
    ]


def score_pages(pack: Pack, pages: list[Page]) -> list[dict[str, Any]]:
    """Each page's derived score for its statement, beside the published one, with the rows
    that decided it; only the page's own statement is scored."""
    out = []
    for page in pages:
        sid = page.row.statement
        der = derive(pack, page.items)
        st = der.statement(sid)
        out.append(
            {
                "file": page.row.file,
                "council": page.row.group,
                "statement": sid,
                "published": page.row.published,
                "derived": st.score if st.assessed else None,
                "items": sum(len(c.items) for c in st.cells),
                "percent": st.step.percent,
                "uncued": sum(1 for it in page.items if pack.uncued_tags.intersection(it.tags)),
                "page_published": page.page_published,
                "deciding": _deciding(der, sid),
            }
        )
    return out


def report(pack: Pack, scored: list[dict[str, Any]], missing: list[IndexRow]) -> dict[str, Any]:
    pairs = [(p["published"], p["derived"]) for p in scored]
    by_statement = {}
    for sid in pack.statement_ids:
        own = [(p["published"], p["derived"]) for p in scored if p["statement"] == sid]
        if own:
            s = summary(own, pack.scores)
            by_statement[sid] = {"compared": s["compared"], "exact": s["exact"], "within_one": s["within_one"]}
    index_vs_page = [
        p["file"] for p in scored if p["page_published"] is not None and p["page_published"] != p["published"]
    ]
    return {
        "framework": pack.id,
        "pages": scored,
        "missing": [r.file for r in missing],
        "councils": len({p["council"] for p in scored}),
        "summary": summary(pairs, pack.scores),
        "by_statement": by_statement,
        "index_disagrees_with_page": index_vs_page,
    }
