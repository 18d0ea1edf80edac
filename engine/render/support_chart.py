"""The chart of `consistency --reports`: per statement or judgement, every published score
against the score its evidence derives (one dot each, within its cell), the least supported
marked; then the least supported listed with their weightiest finding. One self-contained
HTML page (inline SVG and CSS, nothing remote, every name escaped), drawn from the command's
JSON object so the page shows exactly what it computed."""

from __future__ import annotations

from html import escape
from typing import Any

from engine.render.chart import CSS

LOW = 0.25  # a published score the engine gives at most this probability is marked


def _cell_svg(name: str, scores: list[dict[str, Any]], scale: list[int], labels: dict[int, str]) -> str:
    cell, left, top = 70, 60, 20
    n = len(scale)
    w, h = left + cell * n + 10, top + cell * n + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {w} {h}" width="{w}" '
        f'aria-label="{escape(name)}: published score across, derived score down">'
    ]
    for i, sc in enumerate(scale):
        out.append(
            f'<text x="{left + cell * i + cell / 2}" y="{top + cell * n + 16}" text-anchor="middle">'
            f"{sc}</text>"
            f'<text x="{left - 6}" y="{top + cell * i + cell / 2 + 4}" text-anchor="end">{sc}</text>'
        )
        for j in range(n):
            fill = "#eef6ee" if i == j else "#fafafa"
            out.append(
                f'<rect x="{left + cell * j}" y="{top + cell * i}" width="{cell}" height="{cell}" '
                f'fill="{fill}" stroke="#ccc"/>'
            )
    out.append(f'<text x="{left + cell * n / 2}" y="{h - 4}" text-anchor="middle">published</text>')
    out.append(f'<text x="4" y="{top + 12}">derived</text>')
    placed: dict[tuple[int, int], int] = {}
    for s in scores:
        if s["derived"] is None:
            continue
        key = (s["published"], s["derived"])
        k = placed.get(key, 0)
        placed[key] = k + 1
        col, row = scale.index(s["published"]), scale.index(s["derived"])
        x = left + cell * col + 8 + (k % 8) * 7.5
        y = top + cell * row + 8 + (k // 8) * 7.5
        low = s["probability_of_published"] <= LOW
        tip = f"{s['council']} ({s['file']}): published {s['published']}, derived {s['derived']}, p {s['probability_of_published']:.0%}"
        out.append(
            f'<circle class="{"low" if low else "score"}" cx="{x:.1f}" cy="{min(y, top + cell * (row + 1) - 4):.1f}" '
            f'r="3" fill="{"#c0392b" if low else "#566573"}"><title>{escape(tip)}</title></circle>'
        )
    out.append("</svg>")
    return "".join(out)


def html(
    result: dict[str, Any], statements: list[tuple[str, str]], scale: list[int], labels: dict[int, str], title: str
) -> str:
    scores = result["scores"]
    low = [s for s in scores if s["probability_of_published"] <= LOW]
    right = "; ".join(
        f"derived {escape(labels.get(int(d), d))}: {v['percent']}% ({v['right']} of {v['of']})"
        for d, v in result["engine_right"].items()
    )
    parts = [
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{CSS}.low{{color:#c0392b}}.grid{{display:flex;flex-wrap:wrap;gap:1rem}}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{len(scores)} published scores of {result["reports"]} reports, {result["councils"]} '
        f"councils; {len(low)} with a probability of {LOW:.0%} or less, marked red. "
        f"{escape(result['note'][0].upper() + result['note'][1:])}.</p>",
        '<p class="meta">Scores: ' + " · ".join(f"{k} {escape(v)}" for k, v in sorted(labels.items())) + "</p>",
        f'<p class="meta">How often the engine is itself right, on held-out councils: {right}.</p>',
        '<div class="grid">',
    ]
    for sid, name in statements:
        own = [s for s in scores if s["statement"] == sid]
        if own:
            parts.append(
                f"<figure><figcaption>{escape(name)}</figcaption>{_cell_svg(name, own, scale, labels)}</figure>"
            )
    parts.append(
        "</div><h2>The least supported</h2><table><tr><th>#</th><th>council</th><th>report</th>"
        "<th>statement</th><th>published</th><th>derived</th><th>p</th><th>weightiest finding</th></tr>"
    )
    for s in low:
        f = s["findings"][0] if s["findings"] else None
        finding = "–" if f is None else f"{escape(f['polarity'])} (line {f['line']}): “{escape(f['quote'])}”"
        parts.append(
            f'<tr class="least"><td>{s["rank"]}</td><td>{escape(str(s["council"]))}</td><td>{escape(s["file"])}</td>'
            f"<td>{escape(s['statement'])}</td><td>{escape(labels.get(s['published'], str(s['published'])))}</td>"
            f"<td>{escape(labels.get(s['derived'], str(s['derived'])))}</td>"
            f"<td>{s['probability_of_published']:.0%}</td><td>{finding}</td></tr>"
        )
    parts.append("</table></body></html>\n")
    return "".join(parts)


def for_pack(pack, result: dict[str, Any]) -> str:
    """The chart of a `consistency --reports` result on `pack`'s statements and scale."""
    statements = [(s.id, s.name) for s in pack.core.statements]
    labels = {lv.score: lv.label or str(lv.score) for lv in pack.core.scale.levels}
    title = f"{pack.core.framework.name}: how well the evidence supports each published score"
    return html(result, statements, list(pack.scores), labels, title)
