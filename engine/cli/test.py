"""`rederive test [PATH...]`: run the YAML rule tests of packs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from engine.base.errors import UsageError
from engine.cli.common import common

HELP = "run the YAML rule tests of packs (rules/<pack>/tests/*.yaml)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="test files or folders (default: rules/)")
    common(p)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.authoring.ruletest import find_test_files, iter_outcomes
    from engine.render import terminal as render

    roots = [Path(p) for p in args.paths] or [args.rules or Path("rules")]
    missing = [str(p) for p in roots if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    outcomes = [o for f in find_test_files(roots) for o in iter_outcomes(f)]
    if not outcomes:
        raise UsageError(f"no rule tests under {', '.join(map(str, roots))}")
    passed = sum(o.passed for o in outcomes)
    if args.format == "json":
        render.to_json(
            {"passed": passed, "failed": len(outcomes) - passed, "tests": [o.__dict__ for o in outcomes]}, out
        )
    else:
        for o in outcomes:
            if not o.passed:
                out.write(o.summary() + "\n")
        out.write(f"rule tests: {passed} passed, {len(outcomes) - passed} failed\n")
    return 0 if passed == len(outcomes) else 1
