"""The application and its safety checks, and the server that runs it.

Safe by default: the server binds to the loopback address; requests must name a host the
server answers to (so a page elsewhere cannot reach it by renaming itself in DNS); a POST
from a browser must come from the explorer's own pages (its Origin is checked); every page
is sent with a content security policy that runs only the explorer's own script.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from engine.web import api, pages
from engine.web.served import Served

STATIC = Path(__file__).resolve().parent / "static"
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SameOrigin:
    """Refuse a state-changing request a browser sends from another site: a POST whose Origin
    is not the server's own, or that the browser marks cross-site. Tools that send no Origin
    (curl, scripts) are not browsers carrying someone's session, and pass. Every answer
    carries the security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and not _same_origin(headers):
            msg = "refused: a request that changes or computes state must come from the explorer's own pages"
            await JSONResponse({"error": msg, "problems": [msg]}, status_code=403)(scope, receive, send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def _same_origin(headers: dict[str, str]) -> bool:
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    return origin != "null" and urlsplit(origin).netloc == headers.get("host", "")


async def _not_found(request: Request, exc: Exception) -> Response:
    """No such route (an id holding a slash, say) or method: located, as JSON under /api/."""
    status = getattr(exc, "status_code", 404)
    what = "no such address" if status == 404 else f"{request.method} is not answered here"
    msg = f"{request.url.path}: {what}"
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": msg, "problems": [msg]}, status_code=status)
    return pages.error_page(msg, status)


async def _internal(request: Request, exc: Exception) -> Response:
    """A bug, not bad input: said briefly, as the command line says it (exit 3)."""
    import os

    if os.environ.get("REDERIVE_DEBUG"):
        raise exc
    msg = f"internal error: {type(exc).__name__}: {exc} (run with REDERIVE_DEBUG=1 for details)"
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": msg, "problems": [msg]}, status_code=500)
    return pages.error_page(msg, 500)


def create_app(served: Served, hosts: list[str] | None = None) -> Starlette:
    """The explorer over `served`; `hosts`: the host names it answers to (default: loopback)."""
    allowed = list(hosts or LOOPBACK)
    return Starlette(
        routes=[
            *api.routes(served),
            *pages.routes(served),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=allowed),
            Middleware(SameOrigin),
            Middleware(GZipMiddleware, minimum_size=1024),
        ],
        exception_handlers={404: _not_found, 405: _not_found, Exception: _internal},
    )


def serve(served: Served, host: str, port: int, ready=None) -> None:
    """Run the explorer until interrupted; `ready(url)` is called once it listens."""
    import uvicorn

    hosts = list(LOOPBACK) if host in LOOPBACK else ["*"]
    config = uvicorn.Config(create_app(served, hosts), host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    if ready is not None:
        original = server.startup

        async def startup(sockets=None) -> None:
            await original(sockets)
            bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
            ready(f"http://{'[' + host + ']' if ':' in host else host}:{bound}/")

        server.startup = startup  # type: ignore[method-assign]  # uvicorn has no hook for "listening"
    server.run()
