"""What several commands share: the argument parser, the common options, loading cases."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NoReturn

from engine.base.errors import UsageError


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def common(p: argparse.ArgumentParser, formats: tuple[str, ...] = ("table", "json")) -> None:
    p.add_argument("--format", choices=list(formats), default="table", help="output format (default: table)")
    p.add_argument("--rules", type=Path, default=None, help="folder of framework packs (default: nearest rules/)")


def load(args: argparse.Namespace, paths: list[str]) -> list[tuple[Any, Any, Any]]:
    """(pack, loaded case, derivation) for every case file in `paths` (files or folders)."""
    from engine.evaluation.derive import derive
    from engine.model.locate import Packs, expand_cases, load_cases
    from engine.render import terminal as render

    packs = Packs(args.rules)
    files = expand_cases(paths)
    if not files:
        raise UsageError(f"no case files in {', '.join(paths)}")
    with_progress = len(files) > 1 and getattr(args, "format", "table") == "table"
    with render.progress(sys.stderr, len(files), "deriving", enabled=with_progress) as advance:
        lcs = []
        for f in files:
            lcs.extend(load_cases([f], packs))
            advance()
    out = []
    for lc in lcs:
        pack = packs.get(lc.case.framework, lc.folder)
        out.append((pack, lc, derive(pack, lc.case.items)))
    return out


def check_output(output: Path | None, force: bool, suffixes: tuple[str, ...] | None = None) -> None:
    """An output file the command may write: of a kind it writes, and never replacing a file
    without --force."""
    if output is None:
        return
    if suffixes is not None and output.suffix.lower() not in suffixes:
        kinds = " or ".join(s for s in suffixes if s != ".htm")
        raise UsageError(f"-o: write a {kinds} file, not {output.name!r}")
    if output.exists() and not force:
        raise UsageError(f"{output} exists: not overwritten (use --force to replace it)")
