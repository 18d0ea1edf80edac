"""The JSON API: each route answers what the matching command prints with `--format json`.

    GET  /api/cases                          id, council, framework of every served case
    GET  /api/cases/{id}/derive              rederive derive CASE (the case's object)
    GET  /api/cases/{id}/explain?statement=  rederive explain CASE [--statement ID]
    POST /api/cases/{id}/whatif              rederive whatif CASE --scenario (the body: a scenario)
    POST /api/cases/{id}/counterfactual      rederive counterfactual CASE --target ... --max-changes ...
    POST /api/extract                        an uploaded report, extracted; answers the new case's id
    POST /api/cases/{id}/labels              the body's changes that correct a reading, kept as label rows

An error answers with a status code and `{"error": ..., "problems": [...]}`, the located
lines the command line prints after `error:`.
"""

from __future__ import annotations

import io
import json
from typing import Any, Literal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine.analysis.scenario import Change, Scenario
from engine.base.errors import LoadError, Problem, RederiveError, UsageError
from engine.base.models import Strict, validated
from engine.base.yamlio import parse_yaml
from engine.web.served import NotServed, Served

MAX_JSON_BYTES = 1024 * 1024
BODY = "(request body)"


class TooLarge(RederiveError):
    """A request body over its limit (answered 413)."""


class CounterfactualQuery(Strict):
    target: str
    max_changes: int | None = None
    max_sets: int = 50
    first: int = 0  # the ranked sets passed over before those listed (the next page)
    reading: Literal["round_half_up", "truncate"] | None = None
    changes: list[Change] = []  # applied first: the search starts from the case as it stands


def json_response(value: Any, status: int = 200) -> Response:
    """The value as the command line prints it (the render layer's JSON)."""
    from engine.render.screen import to_json

    out = io.StringIO()
    to_json(value, out)
    return Response(out.getvalue(), status_code=status, media_type="application/json")


def error_response(exc: RederiveError) -> Response:
    lines = [str(p) for p in exc.problems] or [str(exc)]
    status = 404 if isinstance(exc, NotServed) else 413 if isinstance(exc, TooLarge) else 400
    return json_response({"error": lines[0], "problems": lines}, status)


def _fail(message: str, line: int | None = None, col: int | None = None) -> LoadError:
    return LoadError(message, [Problem(BODY, line, col, "", message)])


async def read_body(request: Request, limit: int = MAX_JSON_BYTES) -> bytes:
    """The request body, refused past `limit` bytes (before it is all read)."""
    check_declared(request, limit, "the request body")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            msg = f"the request body is over the limit of {limit:,} bytes"
            raise TooLarge(msg, [Problem(BODY, None, None, "", msg)])
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(raw: bytes, model: type[Strict]) -> Any:
    """A JSON body validated by `model`; a malformed body or a wrong key is located."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(f"the body is not UTF-8 (byte {exc.start})") from None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(f"malformed JSON: {exc.msg}", exc.lineno, exc.colno) from None
    doc = parse_yaml(text, BODY)  # JSON is YAML: the same loader locates every problem at its line
    if not isinstance(doc.data, dict):
        raise _fail("expected a JSON object", 1, 1)
    return validated(doc, model)


def with_body(model: type[Strict], answer):
    """A route whose request body is JSON validated by `model`: `answer(request, body)` is
    called with it, and a malformed body answers with its located error."""

    async def route(request: Request) -> Response:
        try:
            body = parse_json(await read_body(request), model)
        except RederiveError as exc:
            return error_response(exc)
        return await answer(request, body)

    return route


def routes(served: Served) -> list[Route]:
    async def guarded(work, *args) -> Response:
        try:
            return json_response(await run_in_threadpool(work, *args))
        except RederiveError as exc:
            return error_response(exc)

    async def cases(request: Request) -> Response:
        return await guarded(
            lambda: [
                {"id": cid, "council": e.case.case.council, "framework": e.pack.id}
                for cid, e in ((c, served.get(c)) for c in served.ids())
            ]
        )

    async def derive(request: Request) -> Response:
        from engine.reports.derived import derive_object

        def work():
            cur = served.current(request.path_params["id"])
            return derive_object(cur.pack, cur.case, cur.derivation)

        return await guarded(work)

    async def explain(request: Request) -> Response:
        return await guarded(explain_of, served, request.path_params["id"], request.query_params.get("statement"))

    async def whatif(request: Request, sc: Scenario) -> Response:
        from engine.analysis.whatif import evidence_whatif

        def work():
            entry = served.get(request.path_params["id"])
            return evidence_whatif(entry.pack, entry.case, list(sc.changes), "scenario")

        return await guarded(work)

    async def labels(request: Request, sc: Scenario) -> Response:
        return await guarded(served.save_labels, request.path_params["id"], list(sc.changes))

    async def counterfactual(request: Request, q: CounterfactualQuery) -> Response:
        return await guarded(counterfactual_of, served, request.path_params["id"], q)

    async def extract(request: Request) -> Response:
        try:
            raw, name, choice = await read_upload(request)
        except RederiveError as exc:
            return error_response(exc)

        def work():
            entry = served.add_report(raw, name, choice["framework"], choice["reading"] or "reader")
            return {
                "id": entry.id,
                "council": entry.case.case.council,
                "framework": entry.pack.id,
                "items": len(entry.case.case.items),
                "case_file": entry.case.path.name,
            }

        return await guarded(work)

    return [
        Route("/api/cases", cases),
        Route("/api/cases/{id}/derive", derive),
        Route("/api/cases/{id}/explain", explain),
        Route("/api/cases/{id}/whatif", with_body(Scenario, whatif), methods=["POST"]),
        Route("/api/cases/{id}/counterfactual", with_body(CounterfactualQuery, counterfactual), methods=["POST"]),
        Route("/api/extract", extract, methods=["POST"]),
        Route("/api/cases/{id}/labels", with_body(Scenario, labels), methods=["POST"]),
    ]


def explain_of(served: Served, cid: str, statement: str | None) -> dict[str, Any]:
    from engine.model.expr import suggest
    from engine.reports.explain import explain

    cur = served.current(cid)
    if statement is not None and statement not in cur.pack.statement_ids:
        raise UsageError(f"unknown statement {statement!r}{suggest(statement, cur.pack.statement_ids)}")
    return explain(cur.pack, cur.case, cur.derivation, statement)


def counterfactual_of(served: Served, cid: str, q: CounterfactualQuery) -> dict[str, Any]:
    from engine.analysis.counterfactual import parse_target, search

    cur = served.current(cid, list(q.changes))
    pack = cur.pack if q.reading is None else cur.pack.with_reading(q.reading)
    if q.max_changes is not None and not 0 <= q.max_changes <= 6:
        raise UsageError("max_changes must be between 0 and 6")
    if q.first < 0 or not 0 <= q.max_sets <= 1000:
        raise UsageError("first must be 0 or more, and max_sets between 0 and 1000")
    return search(pack, cur.case, parse_target(pack, q.target), q.max_changes, q.max_sets, first=q.first)


async def read_upload(request: Request) -> tuple[bytes, str, dict[str, str | None]]:
    """The one file of a multipart upload (field `file`), within the readers' size limit, and
    the form's choices: `framework` (a pack id; empty: told by the report's wording) and
    `reading` (`reader` or `cues`)."""
    from engine.ingest.readers import MAX_PDF_BYTES

    check_declared(request, MAX_PDF_BYTES + 64 * 1024, "the upload", required=True)
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception as exc:  # a malformed multipart body: the parser's own message
        raise _fail(f"expected a multipart form with one file: {exc}") from None
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise _fail("expected a multipart form with the report in the field 'file'")
    raw = await upload.read()
    await upload.close()
    choice = {k: (v if isinstance(v := form.get(k), str) and v else None) for k in ("framework", "reading")}
    if choice["reading"] not in (None, "reader", "cues"):
        raise _fail(f"reading {choice['reading']!r}: expected 'reader' or 'cues'")
    return raw, (upload.filename or "upload").rsplit("/", 1)[-1].rsplit("\\", 1)[-1], choice


def check_declared(request: Request, limit: int, what: str, required: bool = False) -> None:
    """Refuse a body whose declared length is over `limit` (or, `required`, not declared)."""
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        if required:
            raise _fail(f"{what} must declare its Content-Length")
        return
    if int(declared) > limit:
        msg = f"{what} is {int(declared):,} bytes; the limit is {limit:,} bytes"
        raise TooLarge(msg, [Problem(BODY, None, None, "", msg)])
