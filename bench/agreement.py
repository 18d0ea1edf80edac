#!/usr/bin/env python3
"""Extraction-only agreement with the published scores, on whole reports and on pages cut short.

Whole reports and single-statement pages: extract, derive, compare each assessed statement.
Cut pages: each statement of a full report kept to its first k key-finding paragraphs (the
paragraphs that yield evidence, in order), as the pages users meet are, then derived alone.
Not a test (tests/test_extract.py holds floors on these figures); run it by hand:

    .venv/bin/python bench/agreement.py [--format json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.evaluation.derive import derive  # noqa: E402
from engine.ingest.extract import blind, extract, extract_items, load_cues, read_published, sections  # noqa: E402
from engine.model.case import Item  # noqa: E402
from engine.model.pack import load_pack  # noqa: E402

FULL = [
    ROOT / "cases" / "sources" / "blackpool-2025-cqc-la-assessment.txt",
    ROOT / "cases" / "sources" / "lincolnshire-2023-cqc-la-pilot-assessment.txt",
]
PAGES = sorted((ROOT / "tests" / "data" / "reports").glob("*.txt"))


def whole(pack, cues, reports: list[Path]) -> list[dict]:
    """One row per report: statements agreeing / assessed, and the derived and published rating."""
    rows = []
    for report in reports:
        data = extract(pack, report, report.name, cues)
        der = derive(pack, [Item.model_validate(x) for x in data["items"]])
        pub = data["published"]
        pairs = [(st.id, st.score, pub["scores"].get(st.id)) for st in der.statements if st.assessed]
        rows.append(
            {
                "report": report.name,
                "agree": sum(d == p for _, d, p in pairs),
                "assessed": len(pairs),
                "misses": [f"{s} {d} vs {p}" for s, d, p in pairs if d != p],
                "rating": der.overall.value,
                "published_rating": pub.get("rating"),
            }
        )
    return rows


def cut(pack, cues, reports: list[Path], ks=(1, 2, 3, 4)) -> dict[int, tuple[int, int]]:
    """k -> (statements agreeing, statements compared) over every statement of every report."""
    out = {k: [0, 0] for k in ks}
    for report in reports:
        lines = report.read_text(encoding="utf-8").splitlines()
        evidence = blind(cues, lines)
        published = read_published(cues, lines, sections(cues, lines)).scores
        items = extract_items(cues, evidence, report.name)
        for sid, score in published.items():
            own = [it for it in items if it.statement == sid]
            paragraphs = sorted({it.source.line for it in own})
            for k in ks:
                kept = [it for it in own if it.source.line in paragraphs[:k]]
                if score is None or not kept:
                    continue
                out[k][1] += 1
                out[k][0] += derive(pack, kept).statement(sid).score == score
    return {k: (a, n) for k, (a, n) in out.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--format", choices=["text", "json"], default="text")
    args = ap.parse_args(argv)
    pack = load_pack(ROOT / "rules" / "cqc-la")
    cues = load_cues(pack)
    rows, cuts = whole(pack, cues, FULL + PAGES), cut(pack, cues, FULL)
    if args.format == "json":
        print(
            json.dumps({"whole": rows, "cut": {str(k): {"agree": a, "of": n} for k, (a, n) in cuts.items()}}, indent=2)
        )
        return 0
    for r in rows:
        miss = f"  (misses: {', '.join(r['misses'])})" if r["misses"] else ""
        rating = f"; rating {r['rating']} vs {r['published_rating']}" if r["published_rating"] else ""
        print(f"{r['report']}: {r['agree']}/{r['assessed']}{rating}{miss}")
    for k, (a, n) in cuts.items():
        print(f"cut_to_first_{k}_paragraphs: {a}/{n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
