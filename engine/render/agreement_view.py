"""Agreement and calibration over a corpus of pages, as terminal text."""

from __future__ import annotations

from typing import Any, TextIO

from engine.render.screen import console
from engine.render.terminal import score_text


def agreement_text(result: dict[str, Any], out: TextIO) -> None:
    """A corpus agreement run: the figures beside their baseline and kappa, then each page."""
    from rich.markup import escape
    from rich.table import Table

    con = console(out)
    s = result["summary"]
    base = s["baseline"]
    table = Table(
        title=f"Extraction-only agreement ({result['framework']}): {s['compared']} pages of "
        f"{result['councils']} councils",
        title_justify="left",
    )
    for col in ("file", "statement", "published", "derived", "items", "deciding rows"):
        table.add_column(col, no_wrap=col != "deciding rows")
    for p in result["pages"]:
        mark = "" if p["derived"] == p["published"] else " ✗"
        rows = ", ".join(
            f"{d['category']}={d['score']}({d['row']})" + ("" if d["counted"] else "*") for d in p["deciding"]
        )
        table.add_row(
            escape(p["file"]),
            p["statement"],
            str(p["published"]),
            f"{score_text(p['derived'])}{mark}",
            f"{p['items']}{'~' if p.get('uncued') else ''}",
            escape(rows),
        )
    con.print(table)
    con.print(
        f"exact {s['exact']}/{s['compared']} = {s['exact_percent']}% · within one {s['within_one_percent']}% · "
        f"baseline (always {base['grade']}) {base['exact_percent']}% · quadratic weighted kappa {s['kappa']}"
    )
    m = s["confusion"]["matrix"]
    con.print(
        "confusion (rows published, columns derived): "
        + "; ".join(f"{p}: " + " ".join(f"{d}={n}" for d, n in row.items() if n) for p, row in m.items())
    )
    weak = [p for p in result["pages"] if p.get("uncued")]
    if weak:
        con.print(
            f"~: {len(weak)} page(s) read from findings no cue reads (descriptive only; a weak basis), "
            f"{sum(p['derived'] == p['published'] for p in weak)} of them exact"
        )
    rd = result.get("reader")
    if rd and rd["pages_it_was_trained_on"]:
        con.print(
            f"[yellow]the learned reader was trained on the labels of {rd['pages_it_was_trained_on']} of these pages: "
            f"these figures are in-sample[/] ({escape(rd['note'])})"
        )
    if result["missing"]:
        con.print(
            f"[yellow]{len(result['missing'])} page(s) named by the index are not in the folder[/]: "
            + escape(", ".join(result["missing"]))
        )
    if result["index_disagrees_with_page"]:
        con.print(
            "[yellow]the index and the page's own score differ for[/]: "
            + escape(", ".join(result["index_disagrees_with_page"]))
        )


def calibration_text(r: dict[str, Any], out: TextIO) -> None:
    con = console(out)

    def line(label: str, f: dict[str, Any] | None) -> str:
        if f is None:
            return f"{label}: (not on the grid)"
        return (
            f"{label}: exact {f['exact']}/{f['compared']} = {f['exact_percent']}% · within one {f['within_one_percent']}% · "
            f"kappa {f['kappa']} · baseline (always {f['baseline']['grade']}) {f['baseline']['exact_percent']}%"
        )

    con.print(
        f"calibration of {r['framework']} on {r['pages']} pages of {r['councils']} councils ({r['index']}), "
        f"{r['combinations']} combinations"
    )
    con.print(f"chosen: {r['chosen']}")
    con.print(line("in-sample (chosen values)", r["in_sample"]))
    cur = r.get("current")
    con.print(line(f"in-sample (values in the pack now{': ' + str(cur['values']) if cur else ''})", cur))
    con.print(line("leave-one-council-out", r["leave_one_council_out"]))
    for sid, f in r["in_sample"].get("by_statement", {}).items():
        lo = r["leave_one_council_out"].get("by_statement", {}).get(sid, {})
        con.print(
            f"  {sid}: in-sample {f['exact']}/{f['compared']} = {f['exact_percent']}% (kappa {f['kappa']}) · "
            f"leave-one-council-out {lo.get('exact')}/{lo.get('compared')} = {lo.get('exact_percent')}% (kappa {lo.get('kappa')})"
        )
    if r["missing"]:
        con.print(f"{len(r['missing'])} page(s) named by the index are not in the folder")
    if r.get("written"):
        con.print(
            f"wrote {r['written']} (use it with: rederive agree --rules-override, rederive whatif --rules-override)"
        )
