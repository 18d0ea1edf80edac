"""The explorer's pages: the served cases, one case with its report, and the fragments the
page's script asks for as evidence changes (a panel re-derived with the changes, the sets of
changes that reach a target), the scenario file, the review brief and the consistency chart.

Templates autoescape everything they show; the page script only sends change lists back
and swaps in the fragments the server renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from engine.analysis.scenario import Change, Scenario
from engine.base.errors import LoadError, RederiveError
from engine.base.models import Strict, validated
from engine.web.api import (
    CounterfactualQuery,
    counterfactual_of,
    error_response,
    read_body,
    with_body,
)
from engine.web.served import Served
from engine.web.view import case_page, cases_page, panel, sentences, sets

TEMPLATES = Path(__file__).resolve().parent / "templates"
ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


class PanelQuery(Strict):
    changes: list[Change] = []
    statement: str | None = None


class ScenarioQuery(Strict):
    changes: list[Change] = []
    name: str = "explorer"
    description: str = ""


def _html(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(ENV.get_template(template).render(**context), status_code=status)


def error_page(message: str, status: int = 404) -> HTMLResponse:
    return _html("error.html", status, message=message)


def _attachment(text: str, name: str, media: str) -> Response:
    return Response(text, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})


def routes(served: Served) -> list[Route]:
    async def guarded(work, *args) -> Response:
        try:
            return await run_in_threadpool(work, *args)
        except RederiveError as exc:
            return error_response(exc)

    async def index(request: Request) -> Response:
        return await guarded(
            lambda: _html("cases.html", ratings_served=served.ratings is not None, **cases_page(served))
        )

    async def case(request: Request) -> Response:
        cid = request.path_params["id"]

        def work():
            try:
                return _html(
                    "case.html",
                    ratings_served=served.ratings is not None,
                    **case_page(served, cid, request.query_params.get("statement")),
                )
            except RederiveError as exc:
                return error_page(str(exc))

        return await run_in_threadpool(work)

    async def panel_route(request: Request, q: PanelQuery) -> Response:
        cid = request.path_params["id"]
        return await guarded(lambda: _html("panel.html", **panel(served, cid, list(q.changes), q.statement)))

    async def sentences_route(request: Request) -> Response:
        return await guarded(sentences_of, served, request.path_params["id"], request.query_params.get("line", ""))

    async def take(request: Request, q: CounterfactualQuery) -> Response:
        cid = request.path_params["id"]
        return await guarded(
            lambda: _html("sets.html", **sets(served.get(cid).pack, counterfactual_of(served, cid, q), q))
        )

    async def scenario(request: Request, q: ScenarioQuery) -> Response:
        cid = request.path_params["id"]
        return await guarded(scenario_file, served, cid, q)

    async def scenario_read(request: Request) -> Response:
        try:
            raw = await read_body(request)
        except RederiveError as exc:
            return error_response(exc)
        name = request.query_params.get("name") or "scenario.yaml"
        return await guarded(read_scenario, served, request.path_params["id"], raw, Path(name).name)

    async def brief_route(request: Request, q: PanelQuery) -> Response:
        kind = "html" if request.path_params["kind"] == "html" else "md"
        return await guarded(brief_file, served, request.path_params["id"], list(q.changes), kind)

    async def consistency(request: Request) -> Response:
        return await guarded(consistency_page, served)

    async def support_route(request: Request) -> Response:
        return await guarded(support_page, served)

    async def compare_route(request: Request) -> Response:
        q = request.query_params
        return await guarded(compare_page, served, q.get("old", ""), q.get("new", ""))

    return [
        Route("/", index),
        Route("/cases/{id}", case),
        Route("/cases/{id}/panel", with_body(PanelQuery, panel_route), methods=["POST"]),
        Route("/cases/{id}/sentences", sentences_route),
        Route("/cases/{id}/take", with_body(CounterfactualQuery, take), methods=["POST"]),
        Route("/cases/{id}/scenario.yaml", with_body(ScenarioQuery, scenario), methods=["POST"]),
        Route("/cases/{id}/scenario/read", scenario_read, methods=["POST"]),
        Route("/cases/{id}/brief.{kind:str}", with_body(PanelQuery, brief_route), methods=["POST"]),
        Route("/consistency", consistency),
        Route("/consistency/support", support_route),
        Route("/consistency/compare", compare_route),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
    ]


def sentences_of(served: Served, cid: str, key: str) -> Response:
    """The sentences of one line of a case's report (`file:line`), as JSON."""
    from engine.web.api import json_response

    return json_response(sentences(served, cid, key))


def scenario_file(served: Served, cid: str, q: ScenarioQuery) -> Response:
    """The changes as a scenario file `rederive whatif --scenario` reads (checked on the case first)."""
    import yaml

    served.current(cid, list(q.changes))  # refuse changes the case does not take
    sc = Scenario(
        name=q.name,
        description=q.description or f"evidence changes to {cid} made in the explorer",
        changes=list(q.changes),
    )
    text = yaml.safe_dump(sc.model_dump(exclude_none=True), sort_keys=False, allow_unicode=True, width=100)
    return _attachment(text, f"{cid}-scenario.yaml", "application/yaml")


def read_scenario(served: Served, cid: str, raw: bytes, name: str) -> Response:
    """A scenario file's changes, checked against the case, for the page to apply."""

    from engine.base.yamlio import parse_yaml

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LoadError(f"{name}: not UTF-8 text") from None
    sc = validated(parse_yaml(text, name), Scenario)
    served.current(cid, list(sc.changes), name)
    return JSONResponse({"name": sc.name, "changes": [c.model_dump(exclude_none=True) for c in sc.changes]})


def brief_file(served: Served, cid: str, changes: list[Change], kind: str) -> Response:
    """The review brief of the case as it stands (with the changes), as `rederive review -o` writes it."""
    from engine.analysis.review import brief, change_notes
    from engine.render.brief import html, markdown

    cur = served.current(cid, changes)
    b = brief(
        cur.pack,
        cur.case,
        cur.derivation,
        changes=change_notes(served.get(cid).case, changes, cur.pack) if changes else None,
    )
    if kind == "html":
        return _attachment(html(b), f"{cid}-brief.html", "text/html; charset=utf-8")
    return _attachment(markdown(b), f"{cid}-brief.md", "text/markdown; charset=utf-8")


def consistency_page(served: Served) -> Response:
    """The consistency chart of the ratings table given with --ratings, as `consistency -o` writes it."""
    if served.ratings is None:
        return error_page("no ratings table is served: start the explorer with --ratings CSV")
    from engine.render import chart
    from engine.reports.compare import consistency, csv_header

    framework = served.packs.detect_for_columns(csv_header(served.ratings), served.ratings.parent)
    pack = served.packs.get(framework, served.ratings.parent)
    page = chart.for_pack(pack, consistency(pack, served.ratings), served.ratings.name)
    return HTMLResponse(in_explorer(page, served, pack.id))


def in_explorer(page: str, served: Served, framework: str, where: str = "consistency") -> str:
    """A chart page as the explorer shows it: its header (a way back to the cases), its script
    (the councils' table sorts by any column) and each council linked to its case where one is
    served."""
    import html as h

    cases: dict[str, str] = {}
    for cid in served.ids():
        if served.get(cid).pack.id == framework:  # a council's case of the table's framework
            cases.setdefault(served.get(cid).case.case.council, cid)
    for council, cid in sorted(cases.items(), key=lambda kv: -len(kv[0])):
        cell = f"<tr><td>{h.escape(council)}</td>"
        page = page.replace(cell, f"<tr><td><a href='/cases/{h.escape(cid)}'>{h.escape(council)}</a></td>")
    head = (
        "<link rel='stylesheet' href='/static/explorer.css'><script src='/static/explorer.js' defer></script>"
        "</head><body><header class='top'><a href='/' class='brand'>rederive</a> "
        f"<a href='/'>cases</a> · <strong>{h.escape(where)}</strong>"
        + ("" if where == "evidence support" else " · <a href='/consistency/support'>evidence support</a>")
        + "</header>"
    )
    return page.replace("</head><body>", head, 1)


def support_page(served: Served) -> Response:
    """The served cases' published scores ranked by how little their own evidence supports them
    (`consistency --reports` over what is served), per framework, with the form to set two
    cases of one council side by side."""
    import html as h

    from engine.authoring.corpus import IndexRow, Page
    from engine.authoring.support import rank
    from engine.render.support_chart import for_pack

    by: dict[str, list] = {}
    for cid in served.ids():
        entry = served.get(cid)
        cal = entry.pack.core.calibration
        if cal is None or cal.probabilities is None:
            continue
        case = entry.case.case
        for sid, score in case.published.scores.items():
            if score is not None:
                row = IndexRow(0, cid, case.council, sid, score)
                by.setdefault(entry.pack.id, []).append(Page(row, list(case.items), None))
    if not by:
        return error_page("no served case has a framework whose pack holds a probability table")
    parts = []
    for fw, pages in sorted(by.items()):
        pack = served.packs.get(fw)
        page = for_pack(pack, rank(pack, pages, []))
        body = page[page.index("<body>") + len("<body>") : page.rindex("</body>")]
        for cid in sorted({p.row.file for p in pages}, key=len, reverse=True):
            e = h.escape(cid)
            body = body.replace(f"<td>{e}</td>", f"<td><a href='/cases/{e}'>{e}</a></td>")
        parts.append(body)
    options = "".join(
        f"<option value='{h.escape(cid)}'>{h.escape(served.get(cid).case.case.council)} · {h.escape(cid)}</option>"
        for cid in served.ids()
    )
    form = (
        "<h2>Two reports of one council</h2><form action='/consistency/compare' method='get' class='compare'>"
        f"<label>earlier <select name='old'>{options}</select></label> "
        f"<label>later <select name='new'>{options}</select></label> <button>Compare</button></form>"
    )
    style = page[page.index("<head>") : page.index("</head>")]
    doc = f"<!doctype html><html lang='en'>{style}</head><body>{form}{''.join(parts)}</body></html>"
    return HTMLResponse(in_explorer(doc, served, "", "evidence support"))


def compare_page(served: Served, old: str, new: str) -> Response:
    """Two served cases side by side: per statement the published and derived change, and the
    findings no longer there beside the new ones, as `rederive compare` gives them."""
    import html as h

    from engine.authoring.compare import compare, side_of_case
    from engine.render.chart import CSS

    if not old or not new:
        return error_page("name two served cases: /consistency/compare?old=CASE&new=CASE")
    a, b = served.get(old), served.get(new)
    if a.pack.id != b.pack.id:
        return error_page(f"{old} follows {a.pack.id} and {new} {b.pack.id}: compare cases of one framework")
    r = compare(a.pack, side_of_case(a.case), side_of_case(b.case))
    o, n = r["old"], r["new"]
    pack = a.pack
    names = {st.id: st.name for st in pack.core.statements}
    who = str(o["council"]) if o["council"] == n["council"] else f"{o['council']} → {n['council']} (two councils)"

    def label(rating: Any) -> str:
        return "–" if rating is None else pack.rating_label(str(rating))

    def arrow(p: dict) -> str:
        return f"{'–' if p['old'] is None else p['old']} → {'–' if p['new'] is None else p['new']}"

    def items(fs: list, cid: str, sid: str) -> str:
        return (
            "".join(
                f"<li class='{h.escape(f['polarity'])}'><a href='/cases/{h.escape(cid)}#s={h.escape(sid)}'>line {f['line']}</a> "
                f"{h.escape(f['polarity'])} ({h.escape(pack.category_name(f['category']))}): “{h.escape(f['quote'])}”</li>"
                for f in fs
            )
            or "<li>none</li>"
        )

    rows = "".join(
        f"<tr><td title='{h.escape(st['statement'])}'>{h.escape(names.get(st['statement'], st['statement']))}</td>"
        f"<td>{arrow(st['published'])}</td><td>{arrow(st['derived'])}</td>"
        f"<td>{ {True: '✓', False: '✗', None: ''}[st['follows']] }</td><td>{st['kept']}</td>"
        f"<td>{st['gone_findings']}</td><td>{st['new_findings']}</td></tr>"
        for st in r["statements"]
    )
    sides = "".join(
        f"<h3>{h.escape(names.get(st['statement'], st['statement']))}</h3><div class='sides'><div><h4>no longer there ({h.escape(old)})</h4>"
        f"<ul>{items(st['gone'], old, st['statement'])}</ul></div><div><h4>new ({h.escape(new)})</h4>"
        f"<ul>{items(st['new'], new, st['statement'])}</ul></div></div>"
        for st in r["statements"]
        if st["gone"] or st["new"]
    )
    doc = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>compare {h.escape(old)} and {h.escape(new)}</title>"
        f"<style>{CSS}.sides{{display:grid;grid-template-columns:1fr 1fr;gap:1rem}}li.shortfall{{color:#8e2c20}}</style>"
        f"</head><body><h1>{h.escape(who)}: {h.escape(old)} → {h.escape(new)}</h1>"
        f"<p class='meta'>overall: published {h.escape(label(o['published_rating']))} → "
        f"{h.escape(label(n['published_rating']))}; derived {h.escape(label(o['derived_rating']))} → "
        f"{h.escape(label(n['derived_rating']))}. Findings paired by "
        f"{h.escape(r['paired_by'])}; ✓: the published change follows the derived one.</p>"
        "<table id='compare'><tr><th>statement</th><th>published</th><th>derived</th><th>follows</th><th>kept</th>"
        f"<th>no longer there</th><th>new</th></tr>{rows}</table>{sides}</body></html>"
    )
    return HTMLResponse(in_explorer(doc, served, "", "compare"))
