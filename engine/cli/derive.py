"""`rederive derive CASE...`: derived scores and rating beside the published ones."""

from __future__ import annotations

import argparse
from typing import TextIO

from engine.cli.common import common, load

HELP = "derived scores and rating beside the published ones"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("cases", nargs="+", metavar="CASE")
    common(p, formats=("table", "json", "csv"))


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.render import terminal as render
    from engine.reports.derived import derive_object

    loaded = load(args, args.cases)
    objs = [derive_object(p, lc, d) for p, lc, d in loaded]
    if args.format == "json":
        render.to_json(objs, out)
        return 0
    if args.format == "csv":
        from engine.render import csvout

        csvout.derive(objs, out)
        return 0
    for (pack, _, _), obj in zip(loaded, objs, strict=True):  # each case in its own pack's columns
        render.derive_table([obj], [(c.id, c.short or c.id) for c in pack.core.categories], out)
    return 0
