"""The consistency view: published overall ratings beside the ones their own scores give."""

from __future__ import annotations

from typing import Any, TextIO

from engine.render.screen import console


def _short(rating: Any) -> str:
    """A rating id by its initials (a_rating_id: ARI), for narrow columns."""
    return "".join(w[0] for w in str(rating).split("_") if w).upper() if rating else "–"


def _margin(m: dict[str, Any] | None, arrow: str) -> str:
    return "" if m is None else f"{arrow}{m['points']} {_short(m['rating'])}"


def consistency_table(result: dict[str, Any], out: TextIO) -> None:
    from rich.markup import escape
    from rich.table import Table

    con = console(out)
    table = Table(title="Published overall ratings and the margin to the next rating", title_justify="left")
    for col in ("line", "council", "sum", "%", "pub", "der", "up", "down", ""):
        table.add_column(col, justify="right" if col in ("line", "sum", "%") else "left", no_wrap=col != "council")
    exceptions = {e["line"] for e in result["exceptions"]}
    seen: set[str] = set()
    for c in result.get("councils", []):
        flag = (
            "✗"
            if c["line"] in exceptions
            else ("≈" if c["readings"].get("truncate") != c["readings"].get("round_half_up") else "")
        )
        seen |= {str(c["published"]), str(c["derived"])}
        table.add_row(
            str(c["line"]),
            escape(c["council"]),
            f"{c['sum']}/{c['out_of']}",
            f"{c['percent']}",
            _short(c["published"]),
            _short(c["derived"]),
            _margin(c["to_next"]["up"], "↑"),
            _margin(c["to_next"]["down"], "↓"),
            flag,
        )
    if result.get("councils"):
        con.print(table)
        con.print("pub: published, der: derived; " + ", ".join(f"{_short(r)} {r}" for r in sorted(seen)))
    con.print(f"{result['agree']} of {result['total']} published overall ratings follow from their own scores.")
    median = result.get("rule", {}).get("of") == "lower_median"
    if median:
        con.print(f"The rule: the lower median of the scores ({escape(str(result['rule'].get('reason') or ''))})")
    if result.get("not_rated"):
        con.print(f"Not rated overall (left out): {len(result['not_rated'])}.")
    for label, rows in (("Ambiguous sums", result["ambiguous"]), ("Exceptions", result["exceptions"])):
        if rows:
            con.print(f"[bold]{label}[/] ({len(rows)}):")
            for e in rows:
                scores = ", ".join(f"{k} {v}" for k, v in e["scores"].items() if v is not None)
                how = (
                    f"scores {scores}: median {e['percent']}% → {e['derived']}"
                    if median
                    else f"sum {e['sum']}/{e['out_of']} = {e['percent']}% → {e['derived']} (readings {e['readings']})"
                )
                con.print(f"  line {e['line']} {escape(e['council'])}: {how}, published {e['published']}")
        else:
            con.print(f"{label}: none.")
    con.print(
        f"{result.get('within_one_point', 0)} of {result['total']} councils are within one statement score point "
        "of another rating (↑ up, ↓ down; ≈ an ambiguous sum, ✗ an exception)."
    )


def support_table(result: dict[str, Any], out: TextIO, limit: int = 20) -> None:
    """The least supported published scores, each with its weightiest finding, and how often the
    engine is right at each derived score."""
    from rich.markup import escape
    from rich.table import Table

    con = console(out)
    scores = result["scores"]
    table = Table(
        title=f"Published scores least supported by their own evidence ({len(scores)} scores of "
        f"{result['reports']} reports, {result['councils']} councils)",
        title_justify="left",
    )
    for col in ("#", "council", "statement", "pub", "der", "p(pub)", "weightiest finding"):
        table.add_column(col, justify="right" if col in ("#", "p(pub)") else "left")
    for s in scores[:limit]:
        f = s["findings"][0] if s["findings"] else None
        finding = "–" if f is None else f"{f['polarity']} ({f['file']}:{f['line']}): “{f['quote'][:110]}”"
        table.add_row(
            str(s["rank"]),
            escape(str(s["council"])),
            s["statement"],
            str(s["published"]),
            "–" if s["derived"] is None else str(s["derived"]),
            f"{s['probability_of_published']:.0%}",
            escape(finding),
        )
    con.print(table)
    if len(scores) > limit:
        con.print(f"… {len(scores) - limit} more, better supported: --format json or csv lists them all")
    right = ", ".join(
        f"derived {d}: {v['percent']}% ({v['right']}/{v['of']})" for d, v in result["engine_right"].items()
    )
    con.print(f"the engine itself, on held-out councils ({escape(result['probabilities_from'])}): {right}")
    if result["missing"]:
        con.print(f"not found: {len(result['missing'])} file(s) the index names")
    con.print(escape(result["note"]))
