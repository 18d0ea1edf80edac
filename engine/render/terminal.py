"""Rendering: terminal tables and trees (rich), JSON. Nothing upstream knows about formatting."""

from __future__ import annotations

from typing import Any, TextIO

from engine.render.screen import console, to_json  # noqa: F401  (to_json: what every command prints as JSON)


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


def _score(v: Any) -> str:
    return "–" if v is None else str(v)


def derive_table(objects: list[dict[str, Any]], categories: list[tuple[str, str]], out: TextIO) -> None:
    """`categories`: (id, column heading) pairs, in the pack's order."""
    from rich.table import Table

    con = console(out)
    for obj in objects:
        ind = " (indicative)" if obj.get("indicative") else ""
        t = Table(title=f"{obj['council']} · {obj['case']} · {obj['framework']}{ind}", title_justify="left")
        t.add_column("statement")
        for _, heading in categories:
            t.add_column(heading, justify="center")
        t.add_column("%", justify="right")
        t.add_column("basis", justify="right")
        t.add_column("derived", justify="center")
        t.add_column("published", justify="center")
        t.add_column("", justify="center")
        for st in obj["statements"]:
            # a cell left out of the statement's score (too few items) shows in parentheses
            cells = [
                f"({_score(st['categories'].get(c))})"
                if c in st.get("not_counted", ())
                else _score(st["categories"].get(c))
                for c, _ in categories
            ]
            pct = "" if st["percent"] is None else f"{st['percent']:.1f}" + ("?" if st["ambiguous"] else "")
            t.add_row(
                st["id"],
                *cells,
                pct,
                _basis(st),
                _score(st["derived"]) if st["assessed"] else "no evidence read",
                _score(st["published"]),
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
            t.caption = (
                f"overall: derived {ov['derived']} · published {_score(ov['published'])} {_mark(ov['match'])}"
                f" · {how}{note}"
            )
        else:
            t.caption = f"overall: not derived, no statement has evidence · published {_score(ov['published'])}"
        t.caption += "\nbasis: evidence items counted · ±points from the nearest band edge (how firm the score is)"
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
            f"[bold]{st['id']}[/] ({escape(st['name'])}): derived {_score(st['derived'])}, "
            f"published {_score(st['published'])}{pct}{amb}"
        )
        root.add(f"basis: {basis_words(st)}")
        for cat in st["categories"]:
            uncounted = (
                f" [yellow]not counted: {escape(cat['not_counted_because'])}[/]" if not cat.get("counted", True) else ""
            )
            node = root.add(
                f"[bold]{cat['category']}[/] = {_score(cat['score'])} "
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
                wn.add(f"{w['direction']} → {w['category']} {w['target']}: row {w['row']}: {escape(str(w['because']))}")
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
        return f"{m['statement']}.{m['category']}: {_score(m['before'])} → {_score(m['after'])}{why}"
    if m["level"] == "statement":
        pub = f", published {m['published']}" if "published" in m else ""
        return f"[bold]{m['statement']}[/]: {_score(m['before'])} → {_score(m['after'])} ({m['percent']['before']}% → {m['percent']['after']}%{pub})"
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
        return
    con.print(
        f"Minimal size: {result['minimal_size']} change(s); {result['sets_total']:,} minimal set(s)"
        f" ({result['sets_listed']} listed); {result['examined']:,} candidates examined in {result['seconds']} s."
    )
    touched = ", ".join(f"{k} ({v})" for k, v in result["statements_touched"].items())
    con.print(f"Statements the minimal sets touch (number of sets): {touched}")
    for n, st in enumerate(result["sets"], start=1):
        ov = st["result"]["overall"]
        amb = f", ambiguous: {ov['readings']}" if ov["ambiguous"] else ""
        con.print(
            f"[bold]{n}.[/] {escape('; '.join(st['changes']))}\n   → overall {ov['derived']} "
            f"({ov['sum']}/{ov['out_of']}{escape(amb)}); statements: {', '.join(st['statements'])}"
        )


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
            f"{_score(p['derived'])}{mark}",
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
