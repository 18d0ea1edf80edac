"""`rederive agree PAGES_DIR --index INDEX.tsv`: extraction-only agreement over a corpus of
pages and an index of their published scores, with the baseline and weighted kappa."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from engine.base.errors import LoadError, UsageError
from engine.cli.common import common

HELP = "agreement of extraction alone with published scores over a folder of pages and an index"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("pages", type=Path, metavar="PAGES_DIR")
    p.add_argument(
        "--index",
        required=True,
        type=Path,
        metavar="INDEX.tsv",
        help="tab-separated: file, statement, published[, council]",
    )
    p.add_argument("--framework", default=None, help="pack id (default: detected from the first page)")
    p.add_argument(
        "--reading",
        choices=["reader", "cues"],
        default="reader",
        help="read sentences with the pack's learned reader (default) or with its cues alone",
    )
    p.add_argument(
        "--rules-override",
        type=Path,
        default=None,
        metavar="OVERRIDE.yaml",
        help="derive with these pack changes (a calibration's output, for example)",
    )
    common(p, formats=("table", "json", "csv"))


def load_pack_and_cues(args: argparse.Namespace, first_page: Path | None):
    """The pack the pages follow (named, or detected from the first page), with its cues and
    any rule override applied."""
    from engine.ingest.extract import load_cues
    from engine.ingest.readers import read_report
    from engine.ingest.writing import detect
    from engine.model.locate import Packs

    packs = Packs(args.rules)
    text = read_report(first_page).text if first_page else ""
    try:
        framework = detect(packs, first_page or args.pages, text, Path.cwd(), args.framework)
    except LoadError:
        raise UsageError("cannot tell which framework these pages follow: name it with --framework") from None
    pack = packs.get(framework, Path.cwd())
    reading = getattr(args, "reading", "reader")
    cues = load_cues(pack, with_reader=reading == "reader")
    if getattr(args, "rules_override", None) is not None:
        from engine.analysis.override import load_override, transform_for
        from engine.model.pack import load_pack

        doc, override = load_override(args.rules_override)
        transform = transform_for(doc, override)
        pack = load_pack(pack.root, transform)
        cues = load_cues(pack, transform, with_reader=reading == "reader")
    return pack, cues


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.authoring.corpus import read_index, read_pages, report, score_pages
    from engine.render import terminal as render

    if not args.pages.is_dir():
        raise UsageError(f"no such folder: {args.pages}")
    if not args.index.is_file():
        raise UsageError(f"no such index: {args.index}")
    from engine.authoring.corpus import index_files

    first = next((args.pages / f for f in index_files(args.index) if (args.pages / f).is_file()), None)
    pack, cues = load_pack_and_cues(args, first)
    rows = read_index(args.index, pack)
    with render.progress(sys.stderr, len(rows), "reading pages", enabled=args.format != "json") as advance:
        pages, missing = read_pages(pack, cues, args.pages, rows, advance)
    result = report(pack, score_pages(pack, pages), missing)
    if cues.reader is not None:  # say when the reader has seen these pages' labels: figures in-sample
        import hashlib

        trained = set(cues.reader.provenance.get("texts", {}))  # SHA-256 of each text its labels came from
        seen = sum(
            1 for p in result["pages"] if hashlib.sha256((args.pages / p["file"]).read_bytes()).hexdigest() in trained
        )
        result["reader"] = {
            "file": cues.reader.path,
            "pages_it_was_trained_on": seen,
            "note": "pages whose labels trained the reader are read in-sample; "
            "`rederive calibrate --labels` gives the figures with the reader refitted without them",
        }
    from engine.render import csvout
    from engine.render.agreement_view import agreement_text

    render.emit(result, out, args.format, csvout.agree, agreement_text)
    return 0
