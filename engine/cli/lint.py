"""`rederive lint PACK|CASE...`: dead, overlapping or uncovered rows, unused features and tags."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from engine.cli.common import common

HELP = "find dead, overlapping or uncovered rows, unused features and tags"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PACK|CASE")
    common(p)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.authoring.lint import lint_paths
    from engine.model.locate import Packs
    from engine.render import terminal as render

    findings = lint_paths([Path(p) for p in args.paths], Packs(args.rules))
    failing = [f for f in findings if f.severity != "info"]
    if args.format == "json":
        render.to_json({"ok": not failing, "findings": [f.__dict__ for f in findings]}, out)
    else:
        out.write("".join(f"{f}\n" for f in findings))
        out.write(f"lint: {len(failing)} error(s) or warning(s), {len(findings) - len(failing)} note(s)\n")
    return 1 if failing else 0
