"""Writes that never leave a half-written file and never overwrite without being asked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from engine.base.errors import LoadError, Problem


class ExistsError(LoadError):
    """The output exists and --force was not given."""


def write_text(path: Path, text: str, force: bool = False) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over the target."""
    if path.exists() and not force:
        msg = f"{path} exists: not overwritten (use --force to replace it)"
        raise ExistsError(msg, [Problem(str(path), None, None, "", msg)])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        # Interrupted or failed: the target keeps its old content (or stays absent).
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
