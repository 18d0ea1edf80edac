"""`rederive review CASE [-o BRIEF.md|BRIEF.html]`: the review-request brief."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from engine.cli.common import check_output, common, load

HELP = "the review-request brief: process checks, sensitivity, draft, deadline"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", metavar="CASE")
    p.add_argument("-o", "--output", type=Path, default=None, metavar="BRIEF.md|BRIEF.html")
    p.add_argument("--force", action="store_true", help="replace an existing output file")
    p.add_argument(
        "--scenario",
        type=Path,
        default=None,
        metavar="SCENARIO.yaml",
        help="the brief of the case with a scenario's changes: stated at its top, and the draft marked not for submission",
    )
    common(p)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.analysis.review import brief
    from engine.base.atomic import write_text
    from engine.render import terminal as render
    from engine.render.brief import html, markdown

    [(pack, lc, der)] = load(args, [args.case])
    check_output(args.output, args.force, (".md", ".html", ".htm"))
    notes = None
    if args.scenario is not None:
        from engine.analysis.review import change_notes
        from engine.analysis.scenario import apply, load_scenario
        from engine.evaluation.derive import derive
        from engine.model.case import LoadedCase

        sc = load_scenario(args.scenario)
        notes = change_notes(lc, list(sc.changes), pack)
        items = apply(pack, list(lc.case.items), list(sc.changes), str(args.scenario))
        lc = LoadedCase(lc.path, lc.case.model_copy(update={"items": items}))
        der = derive(pack, items)
    steps = 2 * len(pack.statement_ids) + 2
    with render.progress(sys.stderr, steps, "sensitivity", enabled=args.format != "json") as advance:
        b = brief(pack, lc, der, advance, changes=notes)
    if args.output is not None:
        text = markdown(b) if args.output.suffix.lower() == ".md" else html(b)
        write_text(args.output, text, force=args.force)
    if args.format == "json":
        render.to_json(
            {k: b[k] for k in ("case", "deadline", "draft", "checks", "sensitivity", "changes", "coverage")}, out
        )
    else:
        render.review_text(b, out, args.output)
    return 0
