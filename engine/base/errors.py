"""One exception root for everything rederive refuses, and the located problem it carries.

A `Problem` is a plain value (file, line, column, path inside the document, message);
loaders yield every problem they find and raise the first one wrapped in an error, so
`rederive check` can print all of them and every other command can stop at the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    col: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.col or 1}"
        inside = f" [{self.path}]" if self.path else ""
        return f"{where}:{inside} {self.message}"


class RederiveError(Exception):
    """Root of every error rederive reports to a user (never shown as a traceback)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        if self.problems:
            return "\n".join(str(p) for p in self.problems)
        return super().__str__()


class LoadError(RederiveError):
    """A file could not be read, parsed or validated."""


class ExpressionError(RederiveError):
    """A rule condition could not be parsed or refers to something unknown."""

    def __init__(self, message: str, position: int = 0, text: str = "") -> None:
        super().__init__(message)
        self.position = position
        self.text = text


class EvaluationError(RederiveError):
    """A decision table broke its own hit policy at evaluation time."""


class UsageError(RederiveError):
    """The command line asked for something that cannot be done (exit 2)."""


def value_or_raise(found: Iterable[Problem | T], kind: type[T], what: str) -> T:
    """The loaders' pattern: an iterator yields every problem, then the loaded value if there
    were none. Return that value, or raise the first problem with all of them attached."""
    problems: list[Problem] = []
    for item in found:
        if isinstance(item, kind):
            return item
        problems.append(item)  # type: ignore[arg-type]  # the loaders yield problems, then the one value
    raise LoadError(problems[0].message if problems else f"{what} did not load", problems)
