"""`rederive train-reader PACK --labels DIR --texts DIR...`: fit the pack's learned sentence
reader to labelled sentences, with leave-one-group-out sentence accuracy, and write it to the
pack (its provenance beside the weights)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from engine.base.errors import UsageError
from engine.cli.common import check_output, common

HELP = "fit the pack's sentence reader to labelled sentences (cross-validated) and write it"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("pack", type=Path, metavar="PACK_DIR")
    p.add_argument(
        "--labels",
        required=True,
        type=Path,
        action="append",
        metavar="DIR|FILE.tsv",
        help="label files (tab-separated: file, statement, line, start, end, key, polarity, intensity, category); "
        "repeat for several folders (the explorer's corrections with the pack's own labels)",
    )
    p.add_argument(
        "--texts",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="a folder holding the labelled texts (repeat for several; a PDF is read as extract reads it)",
    )
    p.add_argument(
        "--index",
        action="append",
        type=Path,
        default=[],
        metavar="INDEX",
        help="an index naming each text's council (as agree takes it): cross-validation leaves a council out whole",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="READER.json",
        help="where to write the reader (default: the file the pack's cues.yaml names, in the pack)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing reader file")
    p.add_argument(
        "--no-cv", action="store_true", help="skip the cross-validation (the provenance then has no accuracy)"
    )
    p.add_argument(
        "--date", default=None, metavar="YYYY-MM-DD", help="the date the provenance records (default: today)"
    )
    p.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="TEXT",
        help="leave out the labels of this labelled text (a file name; repeat for several): a reader for "
        "reading that report as one that has not learnt from it (cues.yaml reader.held_out)",
    )
    common(p)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.authoring.train_reader import label_files, train_pack
    from engine.base.atomic import write_text
    from engine.model.pack import load_pack
    from engine.render import terminal as render
    from engine.render.reader_view import reader_text

    if not (args.pack / "pack.yaml").is_file():
        raise UsageError(f"{args.pack}: not a framework pack (no pack.yaml)")
    for d in args.texts:
        if not d.is_dir():
            raise UsageError(f"--texts: no such folder: {d}")
    if not args.texts:
        raise UsageError("--texts: name at least one folder holding the labelled texts")
    pack = load_pack(args.pack)
    files = list(dict.fromkeys(f for where in args.labels for f in label_files(where, pack)))
    if not files:
        raise UsageError(f"{', '.join(map(str, args.labels))}: no label file names the statements of pack {pack.id!r}")
    target = args.output
    if target is None:
        from engine.ingest.cues import load_cues

        cfg = load_cues(pack, with_reader=False).data.reader
        target = args.pack / (cfg.file if cfg is not None else "reader.json")
    check_output(target, args.force)
    with render.progress(sys.stderr, 0, "training", enabled=args.format != "json") as advance:
        text, result = train_pack(
            pack,
            files,
            args.texts,
            args.index,
            cv=not args.no_cv,
            date=args.date,
            advance=advance,
            without=args.without,
        )
    write_text(target, text, force=args.force)
    result["written"] = str(target)
    render.to_json(result, out) if args.format == "json" else reader_text(result, out)
    return 0
