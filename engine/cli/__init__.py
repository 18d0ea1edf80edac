"""Command line: `main(argv) -> int` parses arguments and calls library functions.

One module per command in this package, each with `HELP`, `add_arguments(parser)` and
`run(args, out) -> int`; `COMMANDS` is the registry. Exit codes: 0 done; 1 problems found
(bad input, failed checks); 2 usage error; 3 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TextIO

from engine.base.errors import RederiveError, UsageError
from engine.cli.common import Parser

COMMANDS = (
    "derive",
    "explain",
    "diff",
    "consistency",
    "compare",
    "check",
    "whatif",
    "counterfactual",
    "review",
    "extract",
    "agree",
    "calibrate",
    "train-reader",
    "lint",
    "test",
    "schemas",
    "serve",
)


def command(name: str) -> ModuleType:
    """The module of command `name` (it imports only argparse until it runs)."""
    return importlib.import_module(f"engine.cli.{name.replace('-', '_')}")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="rederive", description="Re-derive inspection ratings from report evidence, explain them, diff them."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMANDS:
        module = command(name)
        module.add_arguments(sub.add_parser(name, help=module.HELP))
    return parser


def run(args: argparse.Namespace, out: TextIO) -> int:
    if args.command is None:
        raise UsageError(f"a command is required: {', '.join(COMMANDS)} (see --help)")
    return command(args.command).run(args, out)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = build_parser().parse_args(list(argv) if argv is not None else None)
        return run(args, out)
    except UsageError as exc:
        err.write(f"{exc}\n")
        return 2
    except RederiveError as exc:
        for line in [str(p) for p in exc.problems] or [str(exc)]:
            err.write(f"error: {line}\n")
        return 1
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug, not bad input: say so briefly; REDERIVE_DEBUG=1 shows the traceback
        if os.environ.get("REDERIVE_DEBUG"):
            raise
        err.write(f"internal error: {type(exc).__name__}: {exc} (run with REDERIVE_DEBUG=1 for details)\n")
        return 3


def main_entry() -> None:
    # rederive uses no pydantic plugin; looking them up scans every installed package's
    # metadata on the first model built (~10 ms of a cold start). A user who sets the
    # variable keeps their value.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sys.exit(main())
