"""`rederive consistency --ratings CSV`: does each published rating follow from its own scores?"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from engine.cli.common import check_output, common

HELP = "does each published rating follow from its own published scores?"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ratings", required=True, type=Path, metavar="CSV")
    p.add_argument("--framework", default=None, help="pack id (default: the one pack whose statement ids are the CSV's columns)")
    p.add_argument("-o", "--output", type=Path, default=None, metavar="CHART.html|CHART.md",
                   help="also write a chart of every council on the rating bands")
    p.add_argument("--force", action="store_true", help="replace an existing chart file")
    common(p)


def _csv_header(path: Path) -> list[str]:
    import csv

    from engine.base.errors import LoadError, Problem

    try:
        with path.open(encoding="utf-8", newline="") as f:
            return next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(str(exc), [Problem(str(path), None, None, "", f"cannot read ratings table: {exc}")]) from None


def _write_chart(pack, result: dict, ratings: Path, output: Path, force: bool) -> None:
    from engine.base.atomic import write_text
    from engine.render import chart

    bands = [{"id": r.id, "label": r.label, "min_percent": r.min_percent, "max_percent": r.max_percent}
             for r in pack.core.ratings]
    statements = [(s.id, s.name) for s in pack.core.statements]
    title = f"{pack.core.framework.name}: consistency of published ratings ({ratings.name})"
    render = chart.markdown if output.suffix.lower() == ".md" else chart.html
    write_text(output, render(result, bands, statements, pack.scores, title), force=force)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.model.locate import Packs
    from engine.render import terminal as render
    from engine.reports.compare import consistency

    check_output(args.output, args.force, (".md", ".html", ".htm"))
    packs = Packs(args.rules)
    framework = args.framework or packs.detect_for_columns(_csv_header(args.ratings), args.ratings.parent)
    pack = packs.get(framework, args.ratings.parent)
    result = consistency(pack, args.ratings)
    if args.output is not None:
        _write_chart(pack, result, args.ratings, args.output, args.force)
    render.to_json(result, out) if args.format == "json" else render.consistency_table(result, out)
    return 0 if not result["exceptions"] else 1
