"""`rederive consistency --ratings CSV`: does each published rating follow from its own scores?
`rederive consistency --reports DIR|FILE... --index INDEX`: which published scores does their
own reports' evidence support least?"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from engine.base.errors import UsageError
from engine.cli.common import check_output, common

HELP = "does each published rating follow from its scores (--ratings), and its scores from the evidence (--reports)?"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ratings", type=Path, metavar="CSV", help="a table of published ratings and scores")
    p.add_argument(
        "--reports",
        nargs="+",
        type=Path,
        default=None,
        metavar="DIR|FILE",
        help="read these reports (folders or files) and rank their published scores by how little their "
        "own evidence supports them (with --index)",
    )
    p.add_argument(
        "--index",
        type=Path,
        default=None,
        metavar="INDEX",
        help="the reports' published scores, as `agree` takes it (file, statement, published, council)",
    )
    p.add_argument(
        "--framework", default=None, help="pack id (default: the one pack whose statement ids are the CSV's columns)"
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="CHART.html|CHART.md",
        help="also write a chart: every council on the rating bands (--ratings), or every published score "
        "against the derived one, the least supported marked (--reports, HTML)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing chart file")
    common(p, formats=("table", "json", "csv"))


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.base.atomic import write_text
    from engine.model.locate import Packs
    from engine.render import chart
    from engine.render import terminal as render
    from engine.reports.compare import consistency, csv_header

    if (args.ratings is None) == (args.reports is None):
        raise UsageError(
            "name either --ratings CSV (ratings against scores) or --reports with --index (scores against evidence)"
        )
    if args.reports is not None:
        return _support(args, out)
    check_output(args.output, args.force, (".md", ".html", ".htm"))
    packs = Packs(args.rules)
    framework = args.framework or packs.detect_for_columns(csv_header(args.ratings), args.ratings.parent)
    pack = packs.get(framework, args.ratings.parent)
    result = consistency(pack, args.ratings)
    if args.output is not None:
        kind = "md" if args.output.suffix.lower() == ".md" else "html"
        write_text(args.output, chart.for_pack(pack, result, args.ratings.name, kind), force=args.force)
    from engine.render import csvout
    from engine.render.consistency_view import consistency_table

    ids = list(pack.statement_ids)
    render.emit(result, out, args.format, lambda r, o: csvout.consistency(r, ids, o), consistency_table)
    return 0 if not result["exceptions"] else 1


def _support(args: argparse.Namespace, out: TextIO) -> int:
    """The published scores of a corpus of reports, least supported by their evidence first."""
    import sys

    from engine.authoring.corpus import index_files, read_index
    from engine.authoring.support import support
    from engine.cli.agree import load_pack_and_cues
    from engine.render import terminal as render

    if args.index is None:
        raise UsageError("--reports needs --index: the reports' published scores (file, statement, published, council)")
    if not args.index.is_file():
        raise UsageError(f"no such index: {args.index}")
    if args.output is not None:
        if args.output.suffix.lower() not in (".html", ".htm"):
            raise UsageError(f"{args.output}: the chart of --reports is a web page: name it .html")
        check_output(args.output, args.force, (".html", ".htm"))
    for r in args.reports:
        if not r.exists():
            raise UsageError(f"no such report or folder: {r}")
    dirs = list(dict.fromkeys(r if r.is_dir() else r.parent for r in args.reports))
    # files named alone: only their scores; a folder among them: every score the index names
    named = {r.name for r in args.reports} if all(r.is_file() for r in args.reports) else set()
    first = next(
        (d / f for f in index_files(args.index) for d in dirs if (d / f).is_file() and (not named or f in named)),
        None,
    )
    if first is None:
        raise UsageError(f"none of the files {args.index} names is among the reports given")
    args.reading = "reader"
    pack, cues = load_pack_and_cues(args, first)

    rows = [r for r in read_index(args.index, pack) if not named or r.file in named]
    with render.progress(sys.stderr, len(rows), "reading reports", enabled=args.format != "json") as advance:
        result = support(pack, cues, dirs, rows, advance)
    if args.output is not None:
        from engine.base.atomic import write_text
        from engine.render.support_chart import for_pack

        write_text(args.output, for_pack(pack, result), force=args.force)
        result["written"] = str(args.output)
    from engine.render import csvout
    from engine.render.consistency_view import support_table

    render.emit(result, out, args.format, csvout.support, support_table)
    return 0
