"""`rederive compare OLD NEW`: two reports (or cases) of one council, and the evidence that changed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from engine.base.errors import UsageError
from engine.cli.common import common

HELP = "two reports or cases of one council: the published and derived changes, and the evidence that changed"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", type=Path, metavar="OLD", help="the earlier report (text, web page, PDF) or case file")
    p.add_argument("new", type=Path, metavar="NEW", help="the later report or case file")
    p.add_argument("--framework", default=None, help="pack id (default: detected from the report's wording)")
    common(p)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.authoring.compare import compare, read_side
    from engine.model.locate import Packs
    from engine.render import terminal as render

    packs = Packs(args.rules)
    pack_old, old = read_side(args.old, packs, args.framework)
    pack_new, new = read_side(args.new, packs, args.framework)
    if pack_old.id != pack_new.id:
        raise UsageError(
            f"{args.old} follows {pack_old.id} and {args.new} {pack_new.id}: compare reports of one framework"
        )
    result = compare(pack_old, old, new)
    if args.format == "json":
        render.to_json(result, out)
    else:
        from engine.render.compare_view import compare_text

        compare_text(result, out)
    return 0
