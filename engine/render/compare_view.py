"""The comparison of two reports of one council, for the terminal."""

from __future__ import annotations

from typing import Any, TextIO

from engine.render.screen import console


def _arrow(pair: dict[str, Any]) -> str:
    o, n = pair["old"], pair["new"]
    return f"{'–' if o is None else o} → {'–' if n is None else n}"


def compare_text(result: dict[str, Any], out: TextIO) -> None:
    from rich.markup import escape
    from rich.table import Table

    con = console(out)
    o, n = result["old"], result["new"]
    con.print(
        f"{escape(str(o['council']))}: {escape(o['file'])} ({o['date'] or '?'}) → {escape(n['file'])} ({n['date'] or '?'})"
    )
    con.print(
        f"overall: published {o['published_rating'] or '–'} → {n['published_rating'] or '–'}; "
        f"derived {o['derived_rating'] or '–'} → {n['derived_rating'] or '–'}"
    )
    table = Table(title_justify="left")
    for col in ("statement", "published", "derived", "follows", "kept", "new", "gone"):
        table.add_column(col)
    for st in result["statements"]:
        follows = {True: "✓", False: "✗", None: ""}[st["follows"]]
        table.add_row(
            st["statement"],
            _arrow(st["published"]),
            _arrow(st["derived"]),
            follows,
            str(st["kept"]),
            str(st["new_findings"]),
            str(st["gone_findings"]),
        )
    con.print(table)
    for st in result["statements"]:
        for kind in ("new", "gone"):
            for f in st[kind]:
                con.print(
                    f"  {st['statement']} {kind}: {f['polarity']} ({f['category']}, line {f['line']}): "
                    f"“{escape(f['quote'])}”"
                )
    con.print(f"findings paired by {escape(result['paired_by'])}; ✓: the published change follows the derived one")
