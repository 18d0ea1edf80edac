"""CSV for spreadsheets: the JSON objects the commands print, flattened to one row per case
and statement (derive), statement (diff), council (consistency) or page (agree).

Proper CSV: the `csv` module, a header row, RFC 4180 quoting and line ends, UTF-8; a value
is written as the JSON shows it (a missing one as an empty cell, true/false as words).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write(header: list[str], rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    w = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n", extrasaction="raise")
    w.writeheader()
    for row in rows:
        w.writerow({k: cell(row.get(k)) for k in header})


def pairs(mapping: dict[str, Any]) -> str:
    """A mapping in one cell: `key=value;key=value` (a missing value left empty)."""
    return ";".join(f"{k}={cell(v)}" for k, v in mapping.items())


DERIVE = [
    "case",
    "council",
    "framework",
    "statement",
    "categories",
    "percent",
    "basis",
    "to_edge",
    "derived",
    "probability",
    "published",
    "match",
]


def derive(objs: list[dict[str, Any]], out: TextIO) -> None:
    """One row per case and statement, and one overall row per case (statement `overall`,
    basis: the statements assessed)."""
    rows = []
    for o in objs:
        head = {"case": o["case"], "council": o["council"], "framework": o["framework"]}
        for st in o["statements"]:
            basis = st.get("basis") or {}
            rows.append(
                {
                    **head,
                    "statement": st["id"],
                    "categories": pairs(st["categories"]),
                    "percent": st["percent"],
                    "basis": basis.get("items"),
                    "to_edge": basis.get("to_edge"),
                    "derived": st["derived"],
                    "probability": st.get("probability"),
                    "published": st["published"],
                    "match": st["match"],
                }
            )
        ov = o["overall"]
        rows.append(
            {
                **head,
                "statement": "overall",
                "categories": "",
                "percent": ov["percent"],
                "basis": ov.get("assessed"),
                "derived": ov["derived"],
                "probability": ov.get("probability"),
                "published": ov["published"],
                "match": ov["match"],
            }
        )
    write(DERIVE, rows, out)


DIFF = ["framework", "statement", "compared", "exact", "within_one"]


def diff(groups: list[dict[str, Any]], out: TextIO) -> None:
    """One row per framework and statement, an `all statements` row and an `overall` row
    (exact: the overall ratings that agree)."""
    rows = []
    for g in groups:
        rows += [{"framework": g["framework"], **s, "statement": s["id"]} for s in g["statements"]]
        rows.append({"framework": g["framework"], "statement": "all statements", **g["total"]})
        rows.append(
            {
                "framework": g["framework"],
                "statement": "overall",
                "compared": g["overall"]["compared"],
                "exact": g["overall"]["agree"],
            }
        )
    write(DIFF, [{k: r.get(k) for k in DIFF} for r in rows], out)


def consistency(result: dict[str, Any], statements: list[str], out: TextIO) -> None:
    """One row per council: its scores, sum, percent, published and derived rating, whether
    one follows from the other, and the points to the next rating up and down."""
    header = [
        "council",
        "line",
        *statements,
        "sum",
        "out_of",
        "percent",
        "published",
        "derived",
        "follows",
        "ambiguous",
        "up_rating",
        "up_points",
        "down_rating",
        "down_points",
    ]
    rows = []
    for c in result["councils"]:
        nxt = c.get("to_next") or {}
        up, down = nxt.get("up") or {}, nxt.get("down") or {}
        readings = set((c.get("readings") or {}).values())
        rows.append(
            {
                "council": c["council"],
                "line": c["line"],
                **{s: c["scores"].get(s) for s in statements},
                "sum": c["sum"],
                "out_of": c["out_of"],
                "percent": c["percent"],
                "published": c["published"],
                "derived": c["derived"],
                "follows": c["published"] == c["derived"] if c["published"] else None,
                "ambiguous": len(readings) > 1,
                "up_rating": up.get("rating"),
                "up_points": up.get("points"),
                "down_rating": down.get("rating"),
                "down_points": down.get("points"),
            }
        )
    write(header, rows, out)


def agree(result: dict[str, Any], out: TextIO) -> None:
    """One row per page: its council, statement, published and derived score."""
    pages = result["pages"]
    skip = {"deciding"}
    header = [k for k in dict.fromkeys(k for p in pages for k in p) if k not in skip]
    flat = []
    for p in pages:
        flat.append(
            {
                k: pairs(v) if isinstance(v, dict) else ";".join(map(cell, v)) if isinstance(v, list) else v
                for k, v in p.items()
                if k not in skip
            }
        )
    write(header, flat, out)


SUPPORT = [
    "rank",
    "council",
    "file",
    "statement",
    "published",
    "derived",
    "probability_of_published",
    "apart",
    "items",
    "engine_right_percent",
    "would_take_changes",
    "finding_quote",
    "finding_line",
    "finding_polarity",
]


def support(result: dict[str, Any], out: TextIO) -> None:
    """One row per published score, least supported first, with its weightiest finding."""
    rows = []
    for s in result["scores"]:
        f = s["findings"][0] if s["findings"] else {}
        rows.append(
            {
                **{k: s.get(k) for k in SUPPORT[:9]},
                "engine_right_percent": (s.get("engine_right") or {}).get("percent"),
                "would_take_changes": (s.get("would_read_otherwise") or {}).get("changes"),
                "finding_quote": f.get("quote"),
                "finding_line": f.get("line"),
                "finding_polarity": f.get("polarity"),
            }
        )
    write(SUPPORT, rows, out)
