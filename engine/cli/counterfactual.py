"""`rederive counterfactual CASE --target ...`: all minimal sets of evidence changes that reach a target."""
from __future__ import annotations

import argparse
from typing import TextIO

from engine.base.errors import UsageError
from engine.cli.common import common, load

HELP = "all minimal sets of evidence changes that reach a target"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", metavar="CASE")
    p.add_argument("--target", required=True, metavar="overall=RATING|STATEMENT=SCORE")
    p.add_argument("--max-changes", type=int, default=None, metavar="K")
    p.add_argument("--max-sets", type=int, default=50, metavar="N", help="sets listed in full (the count is always exact)")
    p.add_argument("--reading", choices=["round_half_up", "truncate"], default=None,
                   help="read ambiguous boundary sums this way instead of the pack's choice")
    common(p)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.analysis.counterfactual import parse_target, search
    from engine.render import terminal as render

    [(pack, lc, _)] = load(args, [args.case])
    if args.reading is not None:
        pack = pack.with_reading(args.reading)
    if args.max_changes is not None and not 0 <= args.max_changes <= 6:
        raise UsageError("--max-changes must be between 0 and 6")
    result = search(pack, lc, parse_target(pack, args.target), args.max_changes, args.max_sets)
    render.to_json(result, out) if args.format == "json" else render.counterfactual_text(result, out)
    return 0
