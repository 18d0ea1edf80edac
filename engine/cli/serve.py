"""`rederive serve [CASE|DIR|REPORT ...]`: the explorer, a local web app over the same library
the commands call, with a JSON API that answers what they print with `--format json`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from engine.base.errors import UsageError
from engine.cli.common import common

HELP = "a local web explorer of cases: evidence, scores, what-if, what would it take"
BUNDLED = Path(__file__).resolve().parents[2] / "cases"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "cases",
        nargs="*",
        metavar="CASE|DIR|REPORT",
        help="cases, folders of cases or reports (default: the bundled cases)",
    )
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any free port)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: the loopback address only)")
    p.add_argument("--open", action="store_true", help="open the explorer in the default browser")
    p.add_argument(
        "--workspace",
        type=Path,
        default=Path("rederive-workspace"),
        help="folder that uploaded reports are extracted into (default: ./rederive-workspace)",
    )
    p.add_argument("--ratings", type=Path, default=None, metavar="CSV", help="a ratings table for the consistency page")
    common(p)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.web.served import Served

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: give a port from 1 to 65535 (or 0 for any free port)")
    if args.ratings is not None and not args.ratings.is_file():
        raise UsageError(f"--ratings: no such file: {args.ratings}")
    missing = [c for c in args.cases if not Path(c).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    if args.workspace.exists() and not args.workspace.is_dir():
        raise UsageError(f"--workspace {args.workspace} is a file, not a folder")
    served = Served(args.cases or [str(BUNDLED)], args.rules, args.workspace, args.ratings)
    if not served.ids():
        raise UsageError(f"no case files in {', '.join(args.cases)}")
    from engine.web.app import LOOPBACK, serve

    def ready(url: str) -> None:
        if args.host not in LOOPBACK:
            sys.stderr.write(
                f"warning: listening on {url}, not the loopback address: anyone who can reach it"
                f" can use the explorer and add reports to {args.workspace}\n"
            )
        if args.format == "json":
            import json

            out.write(json.dumps({"url": url, "cases": served.ids()}) + "\n")
        else:
            out.write(f"rederive explorer: {url}  ({len(served.ids())} cases; Ctrl-C stops it)\n")
        out.flush()
        if args.open:
            import webbrowser

            webbrowser.open(url)

    serve(served, args.host, args.port, ready)
    return 0
