"""The consistency chart: every council on the percentage axis, with the rating bands, the
ambiguous gaps between them and each published rating; and, per statement, how
published scores are spread across councils. One self-contained HTML page (inline SVG and
CSS, nothing remote, every name escaped) or Markdown.

It takes the JSON object of `consistency` and the pack's bands as plain values, so the page
shows exactly what the command computed.
"""

from __future__ import annotations

from html import escape
from typing import Any

PALETTE = (
    "#c0392b",
    "#e67e22",
    "#27ae60",
    "#2f6db5",
    "#7d3c98",
    "#566573",
)  # worst rating first: as the case page and the brief
CSS = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1000px;padding:0 1rem;color:#222}"
    "h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}.meta{color:#555}"
    "svg text{font:11px system-ui,sans-serif;fill:#222}"
)


def _margin_text(m: dict[str, Any] | None, label: dict[str, str]) -> str:
    return "–" if m is None else f"{m['points']} to {label.get(m['rating'], m['rating'])}"


def _axis(x0: float, width: float, lo: float, hi: float):
    return lambda pct: x0 + (pct - lo) / (hi - lo) * width


def councils_svg(result: dict[str, Any], bands: list[dict[str, Any]]) -> str:
    lo = max(0.0, 10 * ((min(b["min_percent"] for b in bands) - 5) // 10))
    hi = 10 * -(-max(b["max_percent"] for b in bands) // 10)
    councils = sorted(result["councils"], key=lambda c: (c["percent"] is None, c["percent"] or 0, c["council"]))
    label_w, plot_w, row_h, top = 260, 640, 14, 46
    x = _axis(label_w, plot_w, lo, hi)
    height = top + row_h * len(councils) + 30
    colour = {b["id"]: PALETTE[i % len(PALETTE)] for i, b in enumerate(bands)}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {label_w + plot_w + 20} {height}" '
        f'width="100%" aria-label="Each council\'s overall percentage on the rating bands">',
        '<defs><pattern id="gap" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="2" height="4" fill="#999"/></pattern></defs>',
    ]
    for b in bands:
        x1, x2 = x(b["min_percent"]), x(b["max_percent"])
        out.append(
            f'<rect class="band" data-rating="{escape(b["id"])}" x="{x1:.1f}" y="{top - 14}" width="{x2 - x1:.1f}" '
            f'height="{height - top - 16}" fill="{colour[b["id"]]}" opacity="0.12"/>'
            f'<text x="{(x1 + x2) / 2:.1f}" y="{top - 20}" text-anchor="middle">{escape(b["label"])}</text>'
        )
    for a, b in zip(bands, bands[1:], strict=False):
        if b["min_percent"] > a["max_percent"]:
            x1, x2 = x(a["max_percent"]), x(b["min_percent"])
            out.append(
                f'<rect class="gap" x="{x1:.1f}" y="{top - 14}" width="{x2 - x1:.1f}" height="{height - top - 16}" '
                f'fill="url(#gap)" opacity="0.6"><title>ambiguous: between {a["max_percent"]}% and '
                f"{b['min_percent']}%</title></rect>"
            )
    for pct in range(int(lo), int(hi) + 1, 10):
        out.append(f'<text x="{x(pct):.1f}" y="{height - 8}" text-anchor="middle">{pct}%</text>')
    exceptions = {(e["council"], e["line"]) for e in result["exceptions"]}
    for i, c in enumerate(councils):
        y = top + i * row_h
        out.append(f'<text x="{label_w - 6}" y="{y + 4}" text-anchor="end">{escape(c["council"])}</text>')
        if c["percent"] is None:
            continue
        cx = x(c["percent"])
        exc = (c["council"], c["line"]) in exceptions
        title = (
            f"{c['council']}: {c['sum']}/{c['out_of']} = {c['percent']}%, published {c['published']}, "
            f"derived {c['derived']}" + (" (exception)" if exc else "")
        )
        ring = ' stroke="#000" stroke-width="2"' if exc else ""
        out.append(
            f'<circle class="council{" exception" if exc else ""}" data-rating="{escape(str(c["published"]))}" '
            f'cx="{cx:.1f}" cy="{y}" r="4.5" fill="{colour.get(c["published"], "#000")}"'
            f"{ring}><title>{escape(title)}</title></circle>"
        )
        if exc:
            out.append(f'<text class="exception-mark" x="{cx + 8:.1f}" y="{y + 4}">✗ exception</text>')
    out.append("</svg>")
    return "".join(out)


def distribution(result: dict[str, Any], statements: list[tuple[str, str]], scores: list[int]) -> list[dict[str, Any]]:
    """Per statement, how many councils published each score."""
    rows = []
    for sid, name in statements:
        counts = {s: 0 for s in scores}
        for c in result["councils"]:
            v = c.get("scores", {}).get(sid)
            if v in counts:
                counts[v] += 1
        rows.append({"id": sid, "name": name, "counts": counts})
    return rows


def distribution_svg(rows: list[dict[str, Any]], scores: list[int]) -> str:
    label_w, bar_w, row_h = 300, 560, 22
    most = max((sum(r["counts"].values()) for r in rows), default=1) or 1
    shades = {s: PALETTE[min(i, len(PALETTE) - 1)] for i, s in enumerate(scores)}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {label_w + bar_w + 20} {row_h * len(rows) + 40}" '
        'width="100%" aria-label="Published scores per statement across councils">'
    ]
    for i, s in enumerate(scores):
        out.append(
            f'<rect x="{label_w + i * 90}" y="4" width="12" height="12" fill="{shades[s]}"/>'
            f'<text x="{label_w + i * 90 + 16}" y="14">score {s}</text>'
        )
    for i, r in enumerate(rows):
        y = 28 + i * row_h
        out.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{escape(r["name"])}</text>')
        x0 = label_w
        for s in scores:
            n = r["counts"][s]
            w = n / most * bar_w
            if n:
                out.append(
                    f'<rect class="score-bar" data-statement="{escape(r["id"])}" data-score="{s}" data-count="{n}" '
                    f'x="{x0:.1f}" y="{y}" width="{w:.1f}" height="16" fill="{shades[s]}"><title>{escape(r["name"])}: '
                    f"{n} council(s) scored {s}</title></rect>"
                )
                if w > 18:
                    out.append(f'<text x="{x0 + w / 2:.1f}" y="{y + 12}" text-anchor="middle" fill="#fff">{n}</text>')
            x0 += w
    out.append("</svg>")
    return "".join(out)


def _summary(result: dict[str, Any]) -> str:
    return (
        f"{result['agree']} of {result['total']} published overall ratings follow from their own scores; "
        f"{len(result['ambiguous'])} sum(s) in an ambiguous gap; {len(result['exceptions'])} exception(s); "
        f"{result['within_one_point']} council(s) within one score point of another rating."
    )


def html(
    result: dict[str, Any],
    bands: list[dict[str, Any]],
    statements: list[tuple[str, str]],
    scores: list[int],
    title: str,
) -> str:
    e = escape
    label = {b["id"]: b["label"] for b in bands}
    rows = distribution(result, statements, scores)
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{e(title)}</title>"
        f"<style>{CSS}</style></head><body><h1>{e(title)}</h1><p class='summary'>{e(_summary(result))}</p>",
        "<h2>Every council on the rating bands</h2><p class='meta'>Each dot is a council at its overall percentage "
        "(sum of statement scores over the most it could have), coloured by its published rating; hatched strips "
        "are the gaps between published bands where the reading decides; a ringed dot marked ✗ is an exception.</p>",
        councils_svg(result, bands),
        "<h2>Published scores per statement</h2>",
        distribution_svg(rows, scores),
        "<h2>Councils</h2><table class='sortable'><tr><th>council</th><th>sum</th><th>%</th><th>published</th>"
        "<th>derived</th><th>up</th><th>down</th></tr>",
    ]
    for c in result["councils"]:
        parts.append(
            f"<tr><td>{e(c['council'])}</td><td>{c['sum']}/{c['out_of']}</td><td>{c['percent']}</td>"
            f"<td>{e(label.get(c['published'], str(c['published'])))}</td>"
            f"<td>{e(label.get(c['derived'], str(c['derived'])))}</td>"
            f"<td>{e(_margin_text(c['to_next']['up'], label))}</td>"
            f"<td>{e(_margin_text(c['to_next']['down'], label))}</td></tr>"
        )
    parts.append("</table></body></html>\n")
    return "".join(parts)


def markdown(
    result: dict[str, Any],
    bands: list[dict[str, Any]],
    statements: list[tuple[str, str]],
    scores: list[int],
    title: str,
) -> str:
    def md(text: Any) -> str:
        return escape(str(text)).replace("|", "\\|")

    label = {b["id"]: b["label"] for b in bands}
    lines = [
        f"# {md(title)}",
        "",
        _summary(result),
        "",
        "| council | sum | % | published | derived | up | down |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in result["councils"]:
        lines.append(
            f"| {md(c['council'])} | {c['sum']}/{c['out_of']} | {c['percent']} | "
            f"{md(label.get(c['published'], c['published']))} | {md(label.get(c['derived'], c['derived']))} | "
            f"{md(_margin_text(c['to_next']['up'], label))} | {md(_margin_text(c['to_next']['down'], label))} |"
        )
    lines += [
        "",
        "## Published scores per statement",
        "",
        "| statement | " + " | ".join(f"score {s}" for s in scores) + " |",
        "|---|" + "---|" * len(scores),
    ]
    for r in distribution(result, statements, scores):
        lines.append(f"| {md(r['name'])} | " + " | ".join(str(r["counts"][s]) for s in scores) + " |")
    return "\n".join(lines) + "\n"


def for_pack(pack, result: dict[str, Any], table: str, kind: str = "html") -> str:
    """The chart of a `consistency` result on `pack`'s bands (`kind`: html or md); `table`
    names the ratings table in the title."""
    bands = [
        {"id": r.id, "label": r.label, "min_percent": r.min_percent, "max_percent": r.max_percent}
        for r in pack.core.ratings
    ]
    statements = [(s.id, s.name) for s in pack.core.statements]
    title = f"{pack.core.framework.name}: consistency of published ratings ({table})"
    return (markdown if kind == "md" else html)(result, bands, statements, pack.scores, title)
