"""What `rederive counterfactual` prints: the minimal sets, most arguable first, and for a
target out of reach how far the best set gets and the next bound worth searching."""

from __future__ import annotations

from typing import Any, TextIO

from engine.render.screen import console


def counterfactual_text(result: dict[str, Any], out: TextIO) -> None:
    from rich.markup import escape

    con = console(out)
    con.print(
        f"Counterfactual on {result['case']}: target {result['target']} ({result['direction']}), "
        f"derived now {result['baseline']}"
    )
    if result["minimal_size"] is None:
        if result.get("bound"):
            con.print(
                f"No set of at most {result['max_changes']} changes reaches it, proved by a bound without "
                f"enumerating ({result['seconds']} s): {escape(result['bound']['reason'])}."
            )
        else:
            con.print(
                f"No set of up to {result['max_changes']} changes reaches the target "
                f"(exhaustive: {result['examined']:,} candidates in {result['seconds']} s)."
            )
        _out_of_reach_text(con, result, escape)
        return
    con.print(
        f"Minimal size: {result['minimal_size']} change(s); {result['sets_total']:,} minimal set(s)"
        f" ({result['sets_listed']} listed); {result['examined']:,} candidates examined in {result['seconds']} s."
    )
    touched = ", ".join(f"{k} ({v})" for k, v in result["statements_touched"].items())
    con.print(f"Statements the minimal sets touch (number of sets): {touched}")
    con.print(
        "Listed most arguable first: plausibility is each change's (the reader's own doubt for an item it read, else the pack's) multiplied."
    )
    lines = []  # the sets printed at once: one console call, not one per line
    for n, st in enumerate(result["sets"], start=1):
        ov = st["result"]["overall"]
        amb = f", ambiguous: {ov['readings']}" if ov["ambiguous"] else ""
        lines.append(
            f"[bold]{n}.[/] {escape('; '.join(st['changes']))} [dim](plausibility {st['plausibility']:.2f})[/]\n"
            f"   → overall {ov['derived']} ({ov['sum']}/{ov['out_of']}{escape(amb)}); statements: "
            f"{', '.join(st['statements'])}"
        )
        lines += [
            f"   [dim]{escape(d['item'])} at {escape(d['file'])}:{d['line']}: “{escape(d['quote'][:160])}”[/]"
            for d in st.get("details", [])
            if "quote" in d
        ]
    if lines:
        con.print("\n".join(lines))
    if result["sets_listed"] < result["sets_total"]:
        con.print(f"[dim]{result['sets_listed']} of {result['sets_total']:,} listed: --max-sets N for more.[/]")


def _out_of_reach_text(con, result: dict[str, Any], escape) -> None:
    close = result.get("closest")
    if close:
        words = "The closest" if close["exact"] else "The closest found"
        con.print(
            f"{words} with at most {result['max_changes']} changes: {close['gets']} (overall "
            f"{close['percent']}%), by {close['changes']}: {escape('; '.join(close['set']['changes']))}."
        )
    if result.get("needs_at_least"):
        con.print(
            f"No set of fewer than {result['needs_at_least']} changes can reach it: "
            f"try --max-changes {result['needs_at_least']}"
            + (" (the search goes up to 6)." if result["needs_at_least"] > 6 else ".")
        )
