"""A strict YAML reader that remembers where every value came from.

Safe constructors only; duplicate keys, merge keys, tabs used as indentation,
non-UTF-8 bytes and implicit dates are refused; file size, nesting depth and alias
expansion are bounded by the named constants below, so a hostile file fails fast
with a located message instead of exhausting time or memory.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.base.errors import LoadError, Problem

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]
_STR = "tag:yaml.org,2002:str"


# libyaml's parser when PyYAML was built with it (about ten times faster), the pure one otherwise;
# either way only the safe constructors run, and we build the values ourselves from the nodes.
_Base = getattr(yaml, "CSafeLoader", None) if getattr(yaml, "__with_libyaml__", False) else None


class _StrictLoader(_Base or yaml.SafeLoader):  # type: ignore[misc]  # the base is chosen at import: libyaml's when present
    """A safe loader without implicit timestamps: dates stay strings, validated where used."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class Document:
    """Parsed YAML data plus the line and column of every value, keyed by its path."""

    file: str
    data: Any
    locations: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: PathKey) -> tuple[int | None, int | None]:
        """The location of `path`, or of its closest located ancestor."""
        key = tuple(path)
        while True:
            if key in self.locations:
                return self.locations[key]
            if not key:
                return (None, None)
            key = key[:-1]

    def problem(self, path: PathKey, message: str) -> Problem:
        line, col = self.where(path)
        return Problem(self.file, line, col, format_path(path), message)


def _fail(file: str, line: int | None, col: int | None, message: str, path: str = "") -> LoadError:
    p = Problem(file, line, col, path, message)
    return LoadError(message, [p])


_TAB_INDENT = re.compile(r"^( *)\t", re.MULTILINE)


def read_text(path: Path, display: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file within the size bound, or raise a located LoadError."""
    name = display or str(path)
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise _fail(name, None, None, f"cannot read file: {exc.strerror or exc}") from None
    if size > max_bytes:
        raise _fail(name, None, None, f"file is {size:,} bytes; the limit is {max_bytes:,} bytes")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(name, None, None, f"cannot read file: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _fail(name, line, col, f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded") from None


def parse_yaml(text: str, file: str) -> Document:
    """Parse one YAML document strictly; raise LoadError with file:line:col on any problem."""
    if not text.strip():
        raise _fail(file, 1, 1, "empty file: expected a YAML mapping")
    m = _TAB_INDENT.search(text)
    if m:
        tab_line = text.count("\n", 0, m.start()) + 1
        raise _fail(file, tab_line, len(m.group(1)) + 1, "tab character in indentation: YAML indents with spaces")
    try:
        loader = _StrictLoader(text)
    except yaml.YAMLError as exc:
        raise _fail(file, None, None, f"malformed YAML: {exc}") from None
    line: int | None
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            line = _deep_line(text)
            raise _fail(file, line, 1, f"nesting too deep: the limit is {MAX_DEPTH} levels") from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            col = mark.column + 1 if mark else None
            msg = exc.problem or exc.context or "malformed YAML"
            if "nesting depth" in msg:  # libyaml's own bound, far above ours: report ours
                raise _fail(file, line, col, f"nesting too deep: the limit is {MAX_DEPTH} levels") from None
            raise _fail(file, line, col, f"malformed YAML: {msg}") from None
        except yaml.YAMLError as exc:
            raise _fail(file, None, None, f"malformed YAML: {exc}") from None
        if node is None:
            raise _fail(file, 1, 1, "empty document: expected a YAML mapping")
        doc = Document(file, None)
        counter = [0]
        doc.data = _convert(loader, node, (), doc, counter, 0)
        return doc
    finally:
        loader.dispose()


def _deep_line(text: str) -> int | None:
    """The first line where flow brackets nest deeper than MAX_DEPTH (quotes ignored: a hint only)."""
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        for ch in line:
            depth += ch in "[{"
            depth -= ch in "]}"
            if depth > MAX_DEPTH:
                return number
    return None


def _convert(loader: _StrictLoader, node: Node, path: PathKey, doc: Document, counter: list[int], depth: int) -> Any:
    counter[0] += 1
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if counter[0] > MAX_NODES:
        raise _fail(
            doc.file, line, col, f"document expands to more than {MAX_NODES:,} values (alias bomb?)", format_path(path)
        )
    if depth > MAX_DEPTH:
        raise _fail(doc.file, line, col, f"nesting too deep: the limit is {MAX_DEPTH} levels", format_path(path))
    doc.locations.setdefault(path, (line, col))
    if isinstance(node, ScalarNode):
        if node.tag == _STR:  # the safe constructor would return node.value unchanged
            return node.value
        try:
            return loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise _fail(
                doc.file, line, col, f"unsupported value: {getattr(exc, 'problem', exc)}", format_path(path)
            ) from None
    if isinstance(node, SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            raise _fail(doc.file, line, col, f"unsupported tag {node.tag}", format_path(path))
        return [_convert(loader, child, path + (i,), doc, counter, depth + 1) for i, child in enumerate(node.value)]
    if isinstance(node, MappingNode):
        if node.tag != "tag:yaml.org,2002:map":
            raise _fail(doc.file, line, col, f"unsupported tag {node.tag}", format_path(path))
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            kl, kc = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _fail(
                    doc.file, kl, kc, "merge keys (<<) are not supported: write the keys out", format_path(path)
                )
            if not isinstance(key_node, ScalarNode):
                raise _fail(doc.file, kl, kc, "mapping keys must be plain scalars", format_path(path))
            key = _convert(loader, key_node, path + ("<key>",), doc, counter, depth + 1)
            if not isinstance(key, (str, int, float, bool)):
                raise _fail(doc.file, kl, kc, "mapping keys must be plain scalars", format_path(path))
            key_path: PathKey = (*path, key)  # type: ignore[arg-type]  # a float or bool key: kept as YAML gave it
            if key in out:
                first: tuple[int | None, int | None] = doc.locations.get(key_path, (None, None))
                raise _fail(
                    doc.file, kl, kc, f"duplicate key {key!r} (first defined at line {first[0]})", format_path(key_path)
                )
            doc.locations[key_path] = (kl, kc)
            out[key] = _convert(loader, value_node, key_path, doc, counter, depth + 1)
        return out
    raise _fail(doc.file, line, col, "unsupported YAML node", format_path(path))


def load_yaml(path: Path, display: str | None = None) -> Document:
    name = display or str(path)
    return parse_yaml(read_text(path, name), name)
