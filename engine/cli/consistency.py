"""`rederive consistency --ratings CSV`: does each published rating follow from its own scores?"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from engine.cli.common import common

HELP = "does each published rating follow from its own published scores?"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ratings", required=True, type=Path, metavar="CSV")
    p.add_argument("--framework", default=None, help="pack id (default: the one pack whose statement ids are the CSV's columns)")
    common(p)


def _csv_header(path: Path) -> list[str]:
    import csv

    from engine.base.errors import LoadError, Problem

    try:
        with path.open(encoding="utf-8", newline="") as f:
            return next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(str(exc), [Problem(str(path), None, None, "", f"cannot read ratings table: {exc}")]) from None


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.model.locate import Packs
    from engine.render import terminal as render
    from engine.reports.compare import consistency

    packs = Packs(args.rules)
    framework = args.framework or packs.detect_for_columns(_csv_header(args.ratings), args.ratings.parent)
    pack = packs.get(framework, args.ratings.parent)
    result = consistency(pack, args.ratings)
    render.to_json(result, out) if args.format == "json" else render.consistency_table(result, out)
    return 0 if not result["exceptions"] else 1
