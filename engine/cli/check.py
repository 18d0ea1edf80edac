"""`rederive check PATH...`: validate packs and cases; every problem as file:line:col."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from engine.cli.common import common

HELP = "validate packs and cases; list every problem as file:line:col"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH")
    common(p)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.authoring.check import iter_problems
    from engine.model.locate import Packs
    from engine.render import terminal as render

    problems = list(iter_problems([Path(p) for p in args.paths], Packs(args.rules)))
    if args.format == "json":
        render.to_json({"problems": [p.__dict__ for p in problems], "ok": not problems}, out)
    else:
        render.problems_text(problems, out)
        if not problems:
            out.write(f"ok: {len(args.paths)} path(s), no problems\n")
    return 1 if problems else 0
