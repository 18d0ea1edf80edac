"""The review brief as Markdown or as one self-contained HTML page (inline CSS and SVG).

Every piece of report text is escaped; the page reads on screen and in print.
"""

from __future__ import annotations

from html import escape
from typing import Any


def _page(q: dict[str, Any]) -> str:
    """ ", p. N" for a quote from a paged document (a PDF's rendering)."""
    return f", p. {q['page']}" if q.get("page") else ""


def long_date(value: Any) -> str:
    """A date as a person reads it, "Thursday 28 August 2025"; JSON keeps the ISO date."""
    import datetime as dt

    if value is None:
        return "not known (no publication date)"
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"{day:%A} {day.day} {day:%B %Y}"


def chart_svg(b: dict[str, Any]) -> str:
    sts = b["derive"]["statements"]
    row_h, left, width = 26, 300, 680
    scale = (width - left - 20) / 4
    h = 40 + row_h * len(sts)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {h + 110}" width="100%" '
        f'aria-label="Derived and published score per statement, and the overall percentage">',
        "<style>text{font:12px system-ui,sans-serif;fill:#222}.d{fill:#2f6db5}.p{fill:none;stroke:#c0392b;stroke-width:2}"
        ".g{stroke:#ccc}.band{opacity:.18}</style>",
    ]
    out.append(
        '<rect class="d" x="4" y="4" width="14" height="10"/><text x="22" y="13">derived</text>'
        '<rect class="p" x="90" y="3" width="14" height="12"/><text x="108" y="13">published</text>'
    )
    for s in range(1, 5):
        x = left + s * scale
        out.append(
            f'<line class="g" x1="{x:.0f}" y1="20" x2="{x:.0f}" y2="{h - 10}"/><text x="{x - 3:.0f}" y="14">{s}</text>'
        )
    for i, st in enumerate(sts):
        y = 28 + i * row_h
        name = st["name"] if len(st["name"]) <= 44 else st["name"][:43].rstrip() + "…"  # the bars start at 300 px
        out.append(f'<text x="4" y="{y + 13}">{escape(name)}<title>{escape(st["name"])}</title></text>')
        if st["derived"] is not None:
            out.append(
                f'<rect class="d" x="{left}" y="{y + 3}" width="{st["derived"] * scale:.0f}" height="10">'
                f"<title>derived {st['derived']}</title></rect>"
            )
        if st["published"] is not None:
            out.append(
                f'<rect class="p" x="{left}" y="{y + 1}" width="{st["published"] * scale:.0f}" height="14">'
                f"<title>published {st['published']}</title></rect>"
            )
    y0 = h + 10
    out.append(f'<text x="4" y="{y0 + 8}">Overall percentage and rating bands</text>')
    colours = ["#c0392b", "#e67e22", "#27ae60", "#2f6db5"]
    bands = b["bands"]
    for n, band in enumerate(bands):
        x1 = 4 + (band["min_percent"] - 25) / 75 * (width - 24)
        x2 = 4 + (min(band["max_percent"] + 1, 100) - 25) / 75 * (width - 24)
        out.append(
            f'<rect class="band" x="{x1:.0f}" y="{y0 + 18}" width="{x2 - x1:.0f}" height="30" fill="{colours[n % 4]}"/>'
            f'<text x="{x1 + 3:.0f}" y="{y0 + 62}">{escape(band["label"])}</text>'
        )
    pct = b["derive"]["overall"]["percent"]
    if pct is not None:
        x = 4 + (pct - 25) / 75 * (width - 24)
        out.append(
            f'<line x1="{x:.0f}" y1="{y0 + 14}" x2="{x:.0f}" y2="{y0 + 52}" stroke="#111" stroke-width="3"/>'
            f'<text x="{x + 4:.0f}" y="{y0 + 80}">derived {pct}%</text>'
        )
    nxt = b.get("next_rating")
    if nxt and nxt.get("percent") is not None:  # a rating not read off a percentage has no line here
        x = 4 + (nxt["percent"] - 25) / 75 * (width - 24)
        out.append(
            f'<line x1="{x:.0f}" y1="{y0 + 14}" x2="{x:.0f}" y2="{y0 + 52}" stroke="#111" stroke-dasharray="4 3"/>'
            f'<text x="{x + 4:.0f}" y="{y0 + 96}">{escape(nxt["label"])} from {nxt["sum"]}/{nxt["out_of"]} '
            f"(+{nxt['points']} score points{', an ambiguous boundary' if nxt['ambiguous'] else ''})</text>"
        )
    out.append("</svg>")
    return "".join(out)


CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.pass{color:#1e7e34}.fail,.differs{color:#b00020}.ambiguous,.note{color:#8a5a00}
blockquote{margin:.3rem 0 .3rem 1rem;padding-left:.6rem;border-left:3px solid #bbb;color:#333}
.draft{white-space:pre-wrap;border:1px solid #ccc;padding:1rem;background:#fafafa}
.meta{color:#555}
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}table,blockquote,svg{break-inside:avoid}a{color:inherit}}
"""


def _caveats(b: dict[str, Any]) -> list[str]:
    """What the brief's scores rest on besides the report as published, and what it does not
    cover, as plain sentences (empty for a whole case as it is on disk)."""
    out = []
    if b.get("changes"):
        out.append(
            f"These scores rest on {len(b['changes'])} hypothetical change(s) to the report's evidence, listed "
            "below: they are not the scores of the report as published, and the draft is not for submission."
        )
    cov = b.get("coverage") or {}
    if cov.get("missing"):
        out.append(
            f"This case covers {cov['assessed']} of {cov['of']} statements: its overall result is not a rating "
            f"of the council (not assessed: {', '.join(cov['missing'])})."
        )
    return out


def _check_name(c: dict[str, Any]) -> str:
    """A process check as a person reads it: what it checks and for which statement (the ids
    stay in the JSON)."""
    what = c.get("check") or c["id"]
    where = c.get("statement_name") or c.get("statement")
    return f"{where}: {what}" if where else what[:1].upper() + what[1:]


def _change_line(c: dict[str, Any]) -> str:
    where = f" ({c['file']}:{c['line']})" if c.get("line") else ""
    quote = f": “{c['quote']}”" if c.get("quote") else ""
    said = f"{c['says']} [{c['change']}]" if c.get("says") else c["change"]
    return f"{said}{where}{quote}"


def html(b: dict[str, Any]) -> str:
    e = escape
    pub = b["published"]
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>Review brief: {e(b['council'])}</title><style>{CSS}</style></head><body>",
        f"<h1>Review brief: {e(b['council'])}</h1>",
        f"<p class='meta'>Case {e(b['case'])} · {e(b.get('framework_name') or b['framework'])} · published "
        f"{e(str(pub['date']))} · rating {e(str(pub.get('rating_label') or pub['rating']))}</p>",
        f"<p><strong>Deadline: {e(long_date(b['deadline']))}</strong> ({e(b['deadline_rule'])}). "
        f"Submitted by {e(b['who'])}.</p>",
        f"<p>The only ground: {e(b['ground'])}. Not grounds: {e('; '.join(b['not_grounds']))}.</p>",
        *[f"<p class='caveat'><strong>{e(c)}</strong></p>" for c in _caveats(b)],
        *(
            ["<h2>Hypothetical changes</h2><ol>", *[f"<li>{e(_change_line(c))}</li>" for c in b["changes"]], "</ol>"]
            if b.get("changes")
            else []
        ),
        "<h2>Derived and published scores</h2>",
        chart_svg(b),
        "<h2>Process checks</h2><table><tr><th>check</th><th>status</th><th>finding</th></tr>",
    ]
    for c in b["checks"]:
        parts.append(
            f"<tr><td title='{e(c['id'])}'>{e(_check_name(c))}</td>"
            f"<td class='{e(c['status'])}'>{e(c['status'])}{' (process ground)' if c['process_ground'] else ''}</td>"
            f"<td>{e(c['detail'])}"
        )
        for d in c.get("deciding", []):
            uncounted = (
                " (not counted: too few items beside the other categories)" if not d.get("counted", True) else ""
            )
            parts.append(
                f"<div><em>{e(d.get('category_name') or d['category'])}</em> = {e(str(d['score']))}{uncounted}: "
                f"{e(d['reason'])} <span class='meta'>(rule {e(str(d['row']))})</span></div>"
            )
            for q in d["quotes"]:
                parts.append(
                    f"<blockquote>“{e(q['quote'])}” <span class='meta'>({e(q['file'])}:{q['line']}{_page(q)})</span></blockquote>"
                )
        parts.append("</td></tr>")
    parts.append(
        "</table><h2>Sensitivity: least change of evidence to the next score</h2>"
        "<table><tr><th>level</th><th>now</th><th>target</th><th>minimal changes</th><th>the most arguable example</th></tr>"
    )
    for s in b["sensitivity"]:
        mc = s["minimal_changes"]
        parts.append(
            f"<tr><td title='{e(s['level'])}'>{e(s.get('level_name') or s['level'])}</td>"
            f"<td>{e(str(s.get('current_label', s['current'])))}</td><td>{e(str(s.get('target_label', s['target'])))}</td>"
            f"<td>{'more than ' + str(b['max_changes']) if mc is None else mc}</td>"
            f"<td>{'<br>'.join(e(w) for w in (s.get('example_words') or s['example']))}</td></tr>"
        )
    d = b["draft"]
    parts.append(
        f"</table><h2>Draft request (process grounds only)</h2><p class='meta'>{d['words']} of {d['limit']} words</p>"
        f"<div class='draft'>{e(d['text'])}</div></body></html>\n"
    )
    return "".join(parts)


def _md(text: str) -> str:
    """Report text inside Markdown: no raw HTML a renderer could run, no table breaks."""
    return escape(str(text), quote=False).replace("|", "\\|")


def markdown(b: dict[str, Any]) -> str:
    pub = b["published"]
    lines = [
        f"# Review brief: {_md(b['council'])}",
        "",
        f"Case `{b['case']}` · {b.get('framework_name') or b['framework']} · published {pub['date']} · rating "
        f"{pub.get('rating_label') or pub['rating']}",
        "",
        f"**Deadline: {long_date(b['deadline'])}** ({b['deadline_rule']}). Submitted by {b['who']}.",
        "",
        f"The only ground: {b['ground']}. Not grounds: {'; '.join(b['not_grounds'])}.",
        "",
        *[line for c in _caveats(b) for line in (f"**{_md(c)}**", "")],
        *(
            [
                "## Hypothetical changes",
                "",
                *[f"{n}. {_md(_change_line(c))}" for n, c in enumerate(b["changes"], 1)],
                "",
            ]
            if b.get("changes")
            else []
        ),
        "## Process checks",
        "",
        "| check | status | finding |",
        "|---|---|---|",
    ]
    for c in b["checks"]:
        detail = _md(c["detail"])
        lines.append(
            f"| {_md(_check_name(c))} | {c['status']}{' (process ground)' if c['process_ground'] else ''} | {detail} |"
        )
    lines += ["", "### The rule that decided each category, and its quotes", ""]
    for c in b["checks"]:
        for dd in c.get("deciding", []):
            uncounted = (
                " (not counted: too few items beside the other categories)" if not dd.get("counted", True) else ""
            )
            lines.append(
                f"- **{_md(c.get('statement_name') or c['statement'])} · {_md(dd.get('category_name') or dd['category'])} "
                f"= {dd['score']}**{uncounted}: {_md(dd['reason'])} (rule `{dd['row']}`)"
            )
            for q in dd["quotes"]:
                lines.append(f"  > “{_md(q['quote'])}” ({_md(q['file'])}:{q['line']}{_page(q)})")
    lines += [
        "",
        "## Sensitivity",
        "",
        "| level | now | target | minimal changes | the most arguable example |",
        "|---|---|---|---|---|",
    ]
    for s in b["sensitivity"]:
        mc = s["minimal_changes"]
        lines.append(
            f"| {_md(s.get('level_name') or s['level'])} | {s.get('current_label', s['current'])} | "
            f"{s.get('target_label', s['target'])} | {'more than ' + str(b['max_changes']) if mc is None else mc} "
            f"| {_md('; '.join(s.get('example_words') or s['example']))} |"
        )
    d = b["draft"]
    lines += [
        "",
        "## Draft request (process grounds only)",
        "",
        f"_{d['words']} of {d['limit']} words_",
        "",
        *[f"> {_md(line)}" if line else ">" for line in d["text"].splitlines()],
        "",
    ]
    return "\n".join(lines)
