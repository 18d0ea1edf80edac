"""`rederive consistency --ratings CSV`: does each published rating follow from its own scores?"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from engine.cli.common import check_output, common

HELP = "does each published rating follow from its own published scores?"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ratings", required=True, type=Path, metavar="CSV")
    p.add_argument(
        "--framework", default=None, help="pack id (default: the one pack whose statement ids are the CSV's columns)"
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="CHART.html|CHART.md",
        help="also write a chart of every council on the rating bands",
    )
    p.add_argument("--force", action="store_true", help="replace an existing chart file")
    common(p, formats=("table", "json", "csv"))


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.base.atomic import write_text
    from engine.model.locate import Packs
    from engine.render import chart
    from engine.render import terminal as render
    from engine.reports.compare import consistency, csv_header

    check_output(args.output, args.force, (".md", ".html", ".htm"))
    packs = Packs(args.rules)
    framework = args.framework or packs.detect_for_columns(csv_header(args.ratings), args.ratings.parent)
    pack = packs.get(framework, args.ratings.parent)
    result = consistency(pack, args.ratings)
    if args.output is not None:
        kind = "md" if args.output.suffix.lower() == ".md" else "html"
        write_text(args.output, chart.for_pack(pack, result, args.ratings.name, kind), force=args.force)
    if args.format == "csv":
        from engine.render import csvout

        csvout.consistency(result, list(pack.statement_ids), out)
    elif args.format == "json":
        render.to_json(result, out)
    else:
        from engine.render.consistency_view import consistency_table

        consistency_table(result, out)
    return 0 if not result["exceptions"] else 1
