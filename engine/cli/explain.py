"""`rederive explain CASE [--statement ID]`: why each score is what it is."""

from __future__ import annotations

import argparse
from typing import TextIO

from engine.base.errors import UsageError
from engine.cli.common import common, load

HELP = "why each score is what it is: rows, features, quotes"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", metavar="CASE")
    p.add_argument("--statement", default=None, metavar="ID")
    common(p)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.model.expr import suggest
    from engine.render import terminal as render
    from engine.reports.explain import explain

    [(pack, lc, der)] = load(args, [args.case])
    if args.statement is not None and args.statement not in pack.statement_ids:
        raise UsageError(f"unknown statement {args.statement!r}{suggest(args.statement, pack.statement_ids)}")
    obj = explain(pack, lc, der, args.statement)
    render.to_json(obj, out) if args.format == "json" else render.explain_tree(obj, out)
    return 0
