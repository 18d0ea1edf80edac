"""Rule overrides: change pack data (a threshold, a band, a row) on a copy, for a rule what-if.

An override file names changes as `file` + `path` + `value`. A path is the same dotted
path errors print, where a list element may also be named by its id:
`tables[category_judgement].rows[some_shortfalls].when[0]`; `rows[+]` appends.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, Literal

from engine.base.errors import Problem
from engine.base.models import Strict, validated
from engine.base.yamlio import Document, load_yaml

_SEG = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


class RuleChange(Strict):
    file: Literal["pack.yaml", "features.yaml", "tables.yaml", "cues.yaml"]  # cues.yaml: read when reports are
    path: str
    value: Any


class RuleOverride(Strict):
    name: str
    description: str = ""
    framework: str | None = None  # the pack it changes; cases of other frameworks are left out
    changes: list[RuleChange]


def load_override(path: Path) -> tuple[Document, RuleOverride]:
    doc = load_yaml(path)
    return doc, validated(doc, RuleOverride)


def _segments(path: str) -> list[str]:
    return [a or b for a, b in _SEG.findall(path)]


def get_path(data: Any, path: str) -> Any:
    """The value at `path` inside `data` (the same paths as `set_path`); KeyError if absent."""
    node = data
    for seg in _segments(path):
        if isinstance(node, dict):
            if seg not in node:
                raise KeyError(f"no key {seg!r}")
            node = node[seg]
        elif isinstance(node, list):
            ids = [x.get("id") if isinstance(x, dict) else None for x in node]
            i = int(seg) if seg.lstrip("-").isdigit() else (ids.index(seg) if seg in ids else None)
            if i is None or not -len(node) <= i < len(node):
                raise KeyError(f"no element {seg!r}")
            node = node[i]
        else:
            raise KeyError(f"{seg!r}: cannot go inside a {type(node).__name__}")
    return node


def set_path(data: Any, path: str, value: Any) -> None:
    """Set `value` at `path` inside `data`; raise KeyError with a readable reason."""
    segs = _segments(path)
    if not segs:
        raise KeyError("empty path")
    node = data
    for n, seg in enumerate(segs):
        last = n == len(segs) - 1
        if isinstance(node, dict):
            if seg not in node and not last:
                raise KeyError(f"no key {seg!r} (keys: {', '.join(map(str, node))})")
            if last:
                node[seg] = copy.deepcopy(value)
                return
            node = node[seg]
        elif isinstance(node, list):
            if seg == "+" and last:
                node.append(copy.deepcopy(value))
                return
            if seg.lstrip("-").isdigit():
                i = int(seg)
            else:
                ids = [x.get("id") if isinstance(x, dict) else None for x in node]
                if seg not in ids:
                    raise KeyError(f"no element with id {seg!r} (ids: {', '.join(str(i) for i in ids if i)})")
                i = ids.index(seg)
            if not -len(node) <= i < len(node):
                raise KeyError(f"index {i} out of range ({len(node)} elements)")
            if last:
                node[i] = copy.deepcopy(value)
                return
            node = node[i]
        else:
            raise KeyError(f"{seg!r}: cannot go inside a {type(node).__name__}")


def transform_for(doc: Document, override: RuleOverride):
    """A pack-loading transform that applies the override to copies of the pack documents."""

    def transform(docs: dict[str, Document]) -> list[Problem]:
        """Apply the changes to the documents given (the pack's files, or its cue file)."""
        problems = []
        for name in {ch.file for ch in override.changes} & set(docs):
            docs[name].data = copy.deepcopy(docs[name].data)  # documents are fresh per load; copy anyway
        for i, ch in enumerate(override.changes):
            if ch.file not in docs:
                continue  # a change to another file of the pack, applied when that file is read
            target = docs[ch.file]
            try:
                set_path(target.data, ch.path, ch.value)
            except KeyError as exc:
                problems.append(doc.problem(("changes", i, "path"), f"{ch.file}: {ch.path}: {exc.args[0]}"))
        return problems

    return transform
