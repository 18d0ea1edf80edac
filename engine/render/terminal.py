"""Rendering: terminal tables and trees (rich), JSON. Nothing upstream knows about formatting."""

from __future__ import annotations

from typing import Any, TextIO

from engine.render.counterfactual_view import counterfactual_text  # noqa: F401  (what `counterfactual` prints)
from engine.render.screen import console, emit, to_json  # noqa: F401  (what every command prints with)


def number(v: Any) -> str:
    """A feature value as a person reads it: floats to four decimals, 0.4 not 0.39999999999999997."""
    if isinstance(v, float):
        return f"{round(v, 4):g}" if abs(v) < 1e15 else str(v)
    return str(v)


def _basis(st: dict[str, Any]) -> str:
    b = st.get("basis") or {}
    if not st.get("assessed"):
        return "none"
    edge = "" if b.get("to_edge") is None else f" ±{b['to_edge']:g}"
    return f"{b.get('items', 0)}{'~' if b.get('uncued') else ''}{edge}"


def chance_words(st: dict[str, Any]) -> str:
    """A derived result's probability as a sentence, with the likeliest other results."""
    dist = st.get("distribution") or {}
    others = [f"{k} {v:.0%}" for k, v in dist.items() if str(k) != str(st["derived"]) and v >= 0.05]
    return (
        f"{st['probability']:.0%} that the published score is the derived one"
        + (f" (else {', '.join(others)})" if others else "")
        + ", from how often held-out councils' scores derived so were published so"
    )


def basis_words(st: dict[str, Any]) -> str:
    """A statement's basis as a sentence: what it rests on, or that nothing could be read."""
    b = st.get("basis") or {}
    if not st.get("assessed"):
        return "no readable evidence for this statement: nothing to score it on"
    edge = (
        ""
        if b.get("to_edge") is None
        else f"; {b['to_edge']:g} point(s) from a band edge"
        + (
            " (close: a small change could move it)"
            if b["to_edge"] < 5
            else " (far from an edge, but on weak evidence)"
            if b.get("uncued")
            else " (firm)"
        )
    )
    uncued = (
        f", {b['uncued']} of them read without a strength or shortfall cue (descriptive findings: a weak basis)"
        if b.get("uncued")
        else ""
    )
    return f"rests on {b.get('items', 0)} evidence item(s){uncued}{edge}"


def _mark(match: bool | None) -> str:
    return "[green]✓[/]" if match else ("[red]✗[/]" if match is False else "·")


def score_text(v: Any) -> str:
    return "–" if v is None else str(v)


def derive_table(objects: list[dict[str, Any]], categories: list[tuple[str, str]], out: TextIO) -> None:
    """`categories`: (id, column heading) pairs, in the pack's order."""
    from rich.table import Table

    con = console(out)
    for obj in objects:
        ind = " (indicative)" if obj.get("indicative") else ""
        t = Table(title=f"{obj['council']} · {obj['case']} · {obj['framework']}{ind}", title_justify="left")
        t.add_column("statement", no_wrap=True)
        for _, heading in categories:
            t.add_column(heading, justify="center")
        t.add_column("%", justify="right")
        t.add_column("basis", justify="right")
        t.add_column("derived", justify="center", no_wrap=True)
        chance = any("probability" in st for st in obj["statements"])
        if chance:
            t.add_column("p", justify="right")
        t.add_column("published", justify="center")
        t.add_column("", justify="center")
        for st in obj["statements"]:
            # a cell left out of the statement's score (too few items) shows in parentheses
            cells = [
                f"({score_text(st['categories'].get(c))})"
                if c in st.get("not_counted", ())
                else score_text(st["categories"].get(c))
                for c, _ in categories
            ]
            pct = "" if st["percent"] is None else f"{st['percent']:.1f}" + ("?" if st["ambiguous"] else "")
            t.add_row(
                st["id"],
                *cells,
                pct,
                _basis(st),
                score_text(st["derived"]) if st["assessed"] else "none read",
                *([f"{st['probability']:.0%}" if "probability" in st else ""] if chance else []),
                score_text(st["published"]),
                _mark(st["match"]),
            )
        ov = obj["overall"]
        note = f" · ambiguous: {ov['readings']} (pack reads {ov['chosen']})" if ov["ambiguous"] else ""
        if ov["assessed"]:
            how = (
                f"the lower median of {ov['assessed']} of {ov['of']} statements"
                if ov.get("of_scores") == "lower_median"
                else f"{ov['sum']}/{ov['out_of']} = {ov['percent']}% over {ov['assessed']} of {ov['of']} statements"
            )
            p = f" (p {ov['probability']:.0%})" if "probability" in ov else ""
            t.caption = (
                f"overall: derived {ov['derived']}{p} · published {score_text(ov['published'])} {_mark(ov['match'])}"
                f" · {how}{note}"
            )
        else:
            t.caption = f"overall: not derived, no statement has evidence · published {score_text(ov['published'])}"
        t.caption += "\nbasis: evidence items counted · ±points from the nearest band edge (how firm the score is)"
        if chance:
            t.caption += "\np: how often held-out councils' scores derived so were published so (see explain)"
        if any((st.get("basis") or {}).get("uncued") for st in obj["statements"]):
            t.caption += "\n~: some items read without a cue (descriptive findings only; see explain)"
        if any(st.get("not_counted") for st in obj["statements"]):
            t.caption += "\n(n): a category with too few items to count towards its statement (see explain)"
        t.caption_justify = "left"
        con.print(t)


def explain_tree(obj: dict[str, Any], out: TextIO) -> None:
    from rich.markup import escape
    from rich.tree import Tree

    con = console(out)
    for st in obj["statements"]:
        amb = f" ambiguous {st['readings']}" if st["ambiguous"] else ""
        pct = f" · {st['percent']}%" if st["percent"] is not None else " · not assessed (no evidence)"
        root = Tree(
            f"[bold]{st['id']}[/] ({escape(st['name'])}): derived {score_text(st['derived'])}, "
            f"published {score_text(st['published'])}{pct}{amb}"
        )
        root.add(f"basis: {basis_words(st)}")
        if "probability" in st:
            root.add(f"probability: {chance_words(st)}")
        if "read_summary" in st:
            root.add(f"read: {escape(st['read_summary']['text'])}")
        for cat in st["categories"]:
            uncounted = (
                f" [yellow]not counted: {escape(cat['not_counted_because'])}[/]" if not cat.get("counted", True) else ""
            )
            node = root.add(
                f"[bold]{cat['category']}[/] = {score_text(cat['score'])} "
                f"(table {cat['table']}, {cat['hit_policy']}, kept {cat['kept']}){uncounted}"
            )
            rows = node.add("rows")
            for r in cat["rows"]:
                flag = "[green]kept[/]" if r["kept"] else ("fired" if r["fired"] else "[dim]no[/]")
                fail = f" [dim]— fails: {escape(r['failing'])}[/]" if r.get("failing") else ""
                rows.add(f"{flag} {r['id']} → {r['score']}: {escape(r['reason'])}{fail}")
            feats = ", ".join(f"{k}={number(v)}" for k, v in cat["features"].items())
            node.add(f"features: {escape(feats)}")
            ev = node.add(f"evidence ({len(cat['evidence'])})")
            for e in cat["evidence"]:
                tags = f" [{', '.join(e['tags'])}]" if e["tags"] else ""
                under = f" [dim](under “{escape(e['heading'])}”)[/]" if e.get("heading") else ""
                page = f" (p. {e['page']})" if e.get("page") else ""
                leaf = ev.add(
                    f"{e['id']} {e['polarity']}{escape(tags)} {escape(e['file'])}:{e['line']}{page}{under}\n"
                    f"[italic]“{escape(e['quote'])}”[/]"
                )
                if e.get("reading"):
                    rd = e["reading"]
                    leaf.add(f"[dim]read by {rd['by']}: {escape('; '.join(rd['because']))}[/]")
        if st["why_not"]:
            wn = root.add("why not")
            for w in st["why_not"]:
                leaf = wn.add(escape(str(w.get("says") or w["because"])))
                leaf.add(
                    f"[dim]{w['direction']} → {w['category']} {w['target']}: row {w['row']}: {escape(str(w['because']))}[/]"
                )
        con.print(root)


def diff_table(result: dict[str, Any], out: TextIO) -> None:
    from rich.table import Table

    con = console(out)
    t = Table(title=f"Agreement over {len(result['cases'])} case(s) · {result['framework']}", title_justify="left")
    for col in ("statement", "compared", "exact", "within one"):
        t.add_column(col, justify="left" if col == "statement" else "right")
    for st in result["statements"]:
        t.add_row(st["id"], str(st["compared"]), str(st["exact"]), str(st["within_one"]))
    tot = result["total"]
    t.add_row("[bold]all[/]", str(tot["compared"]), str(tot["exact"]), str(tot["within_one"]))
    ov = result["overall"]
    t.caption = f"overall rating: {ov['agree']} of {ov['compared']} agree"
    t.caption_justify = "left"
    con.print(t)
    m = result["confusion"]["matrix"]
    ct = Table(title="Confusion (rows published, columns derived)", title_justify="left")
    ct.add_column("pub\\der")
    cols = list(next(iter(m.values())).keys()) if m else []
    for c in cols:
        ct.add_column(c, justify="right")
    for p, row in m.items():
        ct.add_row(p, *[str(row[c]) for c in cols])
    con.print(ct)
    if result["disagreements"]:
        con.print("[bold]Disagreements[/]")
        for d in result["disagreements"]:
            rows = "; ".join(f"{r['category']}={r['score']} by {r['row']}" for r in d["deciding_rows"])
            con.print(
                f"  {d['case']} {d['statement']}: derived {d['derived']}, published {d['published']}"
                + (f" ← {rows}" if rows else "")
            )
    else:
        con.print("No disagreements.")


def problems_text(problems: list[Any], out: TextIO) -> None:
    out.writelines(f"{p}\n" for p in problems)


def _moved_line(m: dict[str, Any]) -> str:
    if m["level"] == "category":
        rows = m["rows"]
        why = f" (row {rows['before']} → {rows['after']})" if rows["before"] != rows["after"] else ""
        return f"{m['statement']}.{m['category']}: {score_text(m['before'])} → {score_text(m['after'])}{why}"
    if m["level"] == "statement":
        pub = f", published {m['published']}" if "published" in m else ""
        return f"[bold]{m['statement']}[/]: {score_text(m['before'])} → {score_text(m['after'])} ({m['percent']['before']}% → {m['percent']['after']}%{pub})"
    amb = " (an ambiguous boundary)" if m.get("ambiguous") else ""
    return f"[bold]overall[/]: {m['before']} → {m['after']} ({m['percent']['before']}% → {m['percent']['after']}%){amb}"


def whatif_text(result: dict[str, Any], out: TextIO) -> None:
    from rich.markup import escape

    con = console(out)
    con.print(f"What-if on {result['case']}: {len(result['changes'])} change(s)")
    for ch in result["changes"]:
        con.print(f"  · {escape(ch['label'])}")
    if not result["moved"]:
        con.print("Nothing moved: every score and the overall rating stay as they were.")
    for m in result["moved"]:
        con.print("  " + _moved_line(m))


def rules_whatif_text(result: dict[str, Any], out: TextIO) -> None:
    con = console(out)
    con.print(f"Rule what-if {result['override']!r}: {result['moved_cases']} of {len(result['cases'])} case(s) move")
    for r in result["cases"]:
        if not r["moved"]:
            con.print(f"{r['case']}: nothing moves")
            continue
        con.print(f"[bold]{r['case']}[/]")
        for m in r["moved"]:
            con.print("  " + _moved_line(m))


def review_text(b: dict[str, Any], out: TextIO, written) -> None:
    from rich.markup import escape

    con = console(out)
    con.print(
        f"Review brief for {escape(b['council'])}: deadline [bold]{b['deadline']}[/] ({escape(b['deadline_rule'])})"
    )
    grounds = [c for c in b["checks"] if c["process_ground"]]
    con.print(f"Process checks: {len(b['checks'])}, process grounds found: {len(grounds)}")
    for c in grounds:
        con.print(f"  · {escape(c['detail'])}")
    d = b["draft"]
    con.print(f"Draft: {d['words']} of {d['limit']} words")
    if written is not None:
        con.print(f"wrote {escape(str(written))}")


class _NoProgress:
    def __enter__(self):
        return lambda: None

    def __exit__(self, *exc):
        return False


def progress(out: TextIO, total: int, label: str, enabled: bool = True):
    """A rich progress bar on a terminal; nothing when piped or asked for JSON."""
    if not enabled or not out.isatty():
        return _NoProgress()
    from rich.progress import Progress

    class _Bar:
        def __enter__(self):
            self.p = Progress(console=console(out), transient=True)
            self.p.__enter__()
            self.task = self.p.add_task(label, total=total)
            return lambda: self.p.advance(self.task)

        def __exit__(self, *exc):
            return self.p.__exit__(*exc)

    return _Bar()


def diff_markdown(result: dict[str, Any], out: TextIO) -> None:
    """The agreement table as Markdown (for an issue, a pull request or a report)."""
    w = out.write
    w(f"# Agreement of derived with published scores ({len(result['cases'])} cases, {result['framework']})\n\n")
    w("| statement | compared | exact | within one |\n|---|---:|---:|---:|\n")
    for st in result["statements"]:
        w(f"| {st['id']} | {st['compared']} | {st['exact']} | {st['within_one']} |\n")
    tot = result["total"]
    pct = f" ({100 * tot['exact'] / tot['compared']:.0f}%)" if tot["compared"] else ""
    w(f"| **all** | {tot['compared']} | {tot['exact']}{pct} | {tot['within_one']} |\n\n")
    ov = result["overall"]
    w(f"Overall rating: {ov['agree']} of {ov['compared']} agree.\n\n")
    if result["disagreements"]:
        w("| case | statement | derived | published |\n|---|---|---:|---:|\n")
        for d in result["disagreements"]:
            w(f"| {d['case']} | {d['statement']} | {d['derived']} | {d['published']} |\n")


def item_diff_text(result: dict[str, Any], out: TextIO) -> None:
    from rich.markup import escape

    con = console(out)
    s = result["summary"]
    con.print(
        f"curated {s['curated']} items, extracted {s['extracted']}: {s['matched']} matched, "
        f"{s['differ']} read differently, {len(result['only_curated'])} only curated, "
        f"{len(result['only_extracted'])} only extracted"
    )
    for d in result["differ"]:
        c, e = d["curated"], d["extracted"]
        diffs = ", ".join(f"{f}: {c[f]} vs {e[f]}" for f in d["fields"])
        con.print(f"  differ {c['id']} ~ {e['id']} ({c['file']}:{c['line']}): {escape(diffs)}")
    for label, key in (("only curated", "only_curated"), ("only extracted", "only_extracted")):
        for it in result[key][:200]:
            con.print(
                f"  {label} {it['id']} {it['statement']}.{it['category']} {it['polarity']} "
                f"{escape(it['file'])}:{it['line']} “{escape(it['quote'][:90])}”"
            )
