"""`rederive schemas [-o DIR]`: write the JSON Schemas of the YAML files."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from engine.cli.common import common

HELP = "write the JSON Schemas of packs, cases and rule tests"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", type=Path, default=Path("schemas"), metavar="DIR")
    p.add_argument("--force", action="store_true", help="replace schema files that differ")
    common(p)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.authoring.schemas import write_all
    from engine.render import terminal as render

    written = write_all(args.output, force=args.force)
    if args.format == "json":
        render.to_json({"written": [str(p) for p in written]}, out)
    else:
        out.write("".join(f"wrote {p}\n" for p in written) or f"{args.output}: up to date\n")
    return 0
