"""`rederive counterfactual CASE --target ...`: all minimal sets of evidence changes that reach a target."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from engine.base.errors import UsageError
from engine.cli.common import common, load

HELP = "all minimal sets of evidence changes that reach a target"
LARGE = 200_000  # candidate sets from which a search says how large it is and shows progress


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", metavar="CASE")
    p.add_argument("--target", required=True, metavar="overall=RATING|STATEMENT=SCORE")
    p.add_argument("--max-changes", type=int, default=None, metavar="K")
    p.add_argument(
        "--max-sets", type=int, default=50, metavar="N", help="sets listed in full (the count is always exact)"
    )
    p.add_argument(
        "--reading",
        choices=["round_half_up", "truncate"],
        default=None,
        help="read ambiguous boundary sums this way instead of the pack's choice",
    )
    common(p)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.analysis.counterfactual import parse_target, search
    from engine.render import terminal as render

    [(pack, lc, _)] = load(args, [args.case])
    if args.reading is not None:
        pack = pack.with_reading(args.reading)
    if args.max_changes is not None and not 0 <= args.max_changes <= 6:
        raise UsageError("--max-changes must be between 0 and 6")
    from engine.analysis.candidates import build

    state = build(pack, list(lc.case.items))  # one state: counted here, searched below

    def progress(steps: int):
        """Say how large a search is before it starts; show progress when it is large."""
        from engine.analysis.counterfactual import candidates_count

        k = pack.core.counterfactual.max_changes if args.max_changes is None else args.max_changes
        n = candidates_count(state, list(pack.statement_ids), k)
        large = n > LARGE and args.format != "json"
        if large:
            sys.stderr.write(f"searching up to {n:,} candidate sets of up to {k} changes\n")
        bar = render.progress(sys.stderr, steps, "searching", enabled=large)
        advance = bar.__enter__()
        ended.append(bar)
        return advance

    ended: list = []
    result = search(
        pack, lc, parse_target(pack, args.target), args.max_changes, args.max_sets, state=state, progress=progress
    )
    for bar in ended:
        bar.__exit__(None, None, None)
    render.to_json(result, out) if args.format == "json" else render.counterfactual_text(result, out)
    return 0
