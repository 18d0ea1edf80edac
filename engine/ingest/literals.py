"""The literal strings every match of a regular expression must contain, read off the
pattern by a small public parser of the syntax cue files use (no private `re` module).

`required_literals(pattern)` returns a set of strings one of which is in every text the
pattern matches, or None when that cannot be told (a construct it does not know, or a
pattern with no required literal). None is always safe: the caller then runs the regex.
Being wrong the other way would hide matches, so anything unfamiliar gives up: an unknown
escape, a back-reference, inline flags. Tests compare the filtered search with the plain
regex on every sentence of every report and on generated text.
"""

from __future__ import annotations

from dataclasses import dataclass

# Escapes that stand for one literal character; any other letter escape is a class or an
# assertion (\b \s \w \d ...), and a digit escape is a back-reference (refused).
_LITERAL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}
_CLASS_ESCAPES = set("bBAZsSwWdD")


class _Unknown(Exception):
    """A construct this parser does not read: the caller gives up on filtering."""


@dataclass
class _Node:
    kind: str  # "lit" (one character), "group" (alternatives), "other" (matches some text, no literal known)
    char: str = ""
    branches: list[list[_Node]] | None = None
    min_repeat: int = 1
    max_repeat: int | None = 1


class _Reader:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0

    def peek(self, k: int = 0) -> str:
        return self.p[self.i + k] if self.i + k < len(self.p) else ""

    def take(self) -> str:
        ch = self.peek()
        if not ch:
            raise _Unknown("unexpected end")
        self.i += 1
        return ch

    def alternatives(self, closing: str) -> list[list[_Node]]:
        branches: list[list[_Node]] = [[]]
        while self.peek() and self.peek() != closing:
            if self.peek() == "|":
                self.take()
                branches.append([])
                continue
            node = self.atom()
            self.quantifier(node)
            branches[-1].append(node)
        return branches

    def atom(self) -> _Node:
        ch = self.take()
        if ch == "\\":
            esc = self.take()
            if esc in _LITERAL_ESCAPES:
                return _Node("lit", _LITERAL_ESCAPES[esc])
            if esc in _CLASS_ESCAPES:
                return _Node("other")
            if esc.isalnum():
                raise _Unknown(f"escape \\{esc}")
            return _Node("lit", esc)
        if ch == "[":
            self.char_class()
            return _Node("other")
        if ch == "(":
            return self.group()
        if ch in ".^$":
            return _Node("other")
        if ch in "*+?{)":
            raise _Unknown(f"{ch!r} with nothing before it")
        return _Node("lit", ch)

    def char_class(self) -> None:
        if self.peek() == "^":
            self.take()
        if self.peek() == "]":
            self.take()
        while self.take() != "]":
            if self.p[self.i - 1] == "\\":
                self.take()

    def group(self) -> _Node:
        if self.peek() == "?":
            self.take()
            kind = self.take()
            if kind == "P" and self.peek() == "<":
                while self.take() != ">":
                    pass
            elif kind in "=!" or (kind == "<" and self.peek() in "=!"):
                if kind == "<":
                    self.take()
                self.alternatives(")")
                self.take()
                return _Node("other", min_repeat=0)  # a look-around consumes nothing and requires nothing
            elif kind != ":":
                raise _Unknown(f"group (?{kind}")
        branches = self.alternatives(")")
        if self.take() != ")":
            raise _Unknown("unclosed group")
        return _Node("group", branches=branches)

    def quantifier(self, node: _Node) -> None:
        ch = self.peek()
        if ch in ("*", "?"):
            node.min_repeat, node.max_repeat = 0, (1 if ch == "?" else None)
        elif ch == "+":
            node.max_repeat = None
        elif ch == "{":
            end = self.p.find("}", self.i)
            low, _, high = self.p[self.i + 1 : end].partition(",")
            if end < 0 or not low.strip().isdigit():
                raise _Unknown("repeat")
            node.min_repeat = int(low)
            node.max_repeat = None if _ else int(low)
            self.i = end
        else:
            return
        self.take()
        if self.peek() in ("?", "+"):  # lazy or possessive: the same text is required
            self.take()


def _required(seq: list[_Node]) -> set[str] | None:
    """Every item of a sequence is required, so each run of literal characters is a
    candidate, and so is a group whose every branch has one; the candidate whose shortest
    string is longest filters best."""
    candidates: list[set[str]] = []
    run = ""
    for node in [*seq, None]:
        if node is not None and node.kind == "lit" and node.min_repeat == node.max_repeat == 1:
            run += node.char
            continue
        if run:
            candidates.append({run})
            run = ""
        if node is None or node.min_repeat == 0:
            continue
        sub: set[str] | None = None
        if node.kind == "lit":
            sub = {node.char}
        elif node.kind == "group":
            branches = [_required(b) for b in node.branches or []]
            if branches and all(b is not None for b in branches):
                sub = set().union(*(b for b in branches if b is not None))
        if sub:
            candidates.append(sub)
    return max(candidates, key=lambda cand: min(map(len, cand))) if candidates else None


def required_literals(pattern: str) -> set[str] | None:
    """One of these strings is in every text `pattern` matches; None when that cannot be told."""
    reader = _Reader(pattern)
    try:
        branches = reader.alternatives("")
        if reader.peek():
            return None  # an unbalanced ')'
    except _Unknown:
        return None
    return _required([_Node("group", branches=branches)])
