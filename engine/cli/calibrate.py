"""`rederive calibrate PACK --pages DIR --index TSV -o OVERRIDE.yaml`: fit the numbers a pack
declares under `calibration:` to published pages, with leave-one-council-out figures."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from engine.base.errors import UsageError
from engine.cli.common import check_output, common

HELP = "fit the pack's declared numbers to a corpus of pages (leave-one-council-out figures)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("pack", type=Path, metavar="PACK_DIR")
    p.add_argument(
        "--pages",
        required=True,
        action="append",
        type=Path,
        metavar="DIR",
        help="a folder holding the pages the indexes name (repeat for several: each file is looked up in turn)",
    )
    p.add_argument(
        "--index",
        required=True,
        action="append",
        type=Path,
        metavar="INDEX.tsv",
        help="an index of published scores (repeat to pool several corpora: each council is one group)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="OVERRIDE.yaml",
        help="write the fitted values as a rule override",
    )
    p.add_argument("--force", action="store_true", help="replace an existing output file")
    p.add_argument(
        "--labels",
        type=Path,
        default=None,
        metavar="DIR|FILE.tsv",
        help="refit the pack's sentence reader inside every fold from these labels (as train-reader takes them)",
    )
    p.add_argument(
        "--texts",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="with --labels: a folder holding the labelled texts (repeat for several)",
    )
    p.add_argument(
        "--not-nested",
        action="store_true",
        help="with --labels: choose each fold's values on the other councils' cross-fitted readings "
        "(a reader per council, not per pair of councils: far fewer readers to train, slightly optimistic)",
    )
    p.add_argument(
        "--reading",
        choices=["reader", "cues"],
        default="reader",
        help="read the pages with the pack's learned reader (default) or with its cues alone",
    )
    common(p)


def _refit(args: argparse.Namespace, pack):
    from engine.authoring.calibrate import Refit
    from engine.authoring.train_reader import features_of, group_map, label_files, read_labels
    from engine.ingest.cues import load_cues

    if not args.texts:
        raise UsageError("--labels needs --texts: the folders holding the labelled texts")
    for d in args.texts:
        if not d.is_dir():
            raise UsageError(f"--texts: no such folder: {d}")
    files = label_files(args.labels, pack)
    if not files:
        raise UsageError(f"{args.labels}: no label file names the statements of pack {pack.id!r}")
    labels, account = read_labels(pack, files, args.texts, group_map(pack, args.index))
    return Refit(labels, features_of(load_cues(pack, with_reader=False), labels), account)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.authoring.calibrate import calibrate, grid, override_yaml
    from engine.authoring.corpus import read_index
    from engine.base.atomic import write_text
    from engine.model.pack import load_pack
    from engine.render import terminal as render

    if not (args.pack / "pack.yaml").is_file():
        raise UsageError(f"{args.pack}: not a framework pack (no pack.yaml)")
    for d in args.pages:
        if not d.is_dir():
            raise UsageError(f"no such folder: {d}")
    check_output(args.output, args.force)
    pack = load_pack(args.pack)
    rows = [r for index in args.index for r in read_index(index, pack)]
    grid(pack)  # a pack with nothing to fit is refused before any work
    refit = _refit(args, pack) if args.labels is not None else None
    with render.progress(
        sys.stderr, len({r.group for r in rows}), "calibrating", enabled=args.format != "json"
    ) as advance:
        result = calibrate(
            pack,
            rows,
            args.pages,
            " + ".join(str(i) for i in args.index),
            advance,
            refit,
            reading=args.reading,
            nested=not args.not_nested,
        )
    if args.output is not None:
        schema = Path(__file__).resolve().parents[2] / "schemas" / "rule-override.schema.json"
        write_text(
            args.output, override_yaml(result, os.path.relpath(schema, args.output.parent.resolve())), force=args.force
        )
        result["written"] = str(args.output)
    from engine.render.agreement_view import calibration_text

    render.to_json(result, out) if args.format == "json" else calibration_text(result, out)
    return 0
