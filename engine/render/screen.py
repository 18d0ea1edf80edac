"""What every view writes with: a rich console set up for the output stream, and JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, TextIO


def to_json(value: Any, out: TextIO) -> None:
    json.dump(value, out, indent=2, ensure_ascii=False)
    out.write("\n")


def emit(
    value: Any,
    out: TextIO,
    fmt: str,
    as_csv: Callable[[Any, TextIO], None],
    as_table: Callable[[Any, TextIO], None],
) -> None:
    """A command's result as its --format asks: CSV, JSON or the terminal view."""
    if fmt == "csv":
        as_csv(value, out)
    elif fmt == "json":
        to_json(value, out)
    else:
        as_table(value, out)


def console(out: TextIO):
    from rich.console import Console  # imported lazily: start-up time matters at the terminal

    # NO_COLOR (no-color.org): no colour, and no other escape codes either, so output pipes cleanly.
    plain = bool(os.environ.get("NO_COLOR"))
    if plain:
        return Console(
            file=out,
            highlight=False,
            soft_wrap=False,
            width=None if out.isatty() else 120,
            no_color=True,
            color_system=None,
        )
    return Console(file=out, highlight=False, soft_wrap=False, width=None if out.isatty() else 120)
