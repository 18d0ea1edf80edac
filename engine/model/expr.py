"""The condition language of decision-table rows: parsed, checked against known names, never eval-ed.

Grammar (lowest to highest precedence)::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | cmp
    cmp     := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum)?
    sum     := prod (("+" | "-") prod)*
    prod    := unary (("*" | "/") unary)*
    unary   := "-" unary | atom
    atom    := NUMBER | "true" | "false" | NAME | "(" expr ")"

Anything else (attribute access, calls, subscripts, strings, lambdas) is refused by name
at parse time. Size and depth are bounded by MAX_LENGTH, MAX_TOKENS and MAX_DEPTH.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from engine.base.errors import ExpressionError

MAX_LENGTH = 1_000
MAX_TOKENS = 200
MAX_DEPTH = 32

Value = int | float | bool


@dataclass(frozen=True)
class Num:
    value: Value


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


Node = Num | Name | Unary | Binary

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>==|!=|<=|>=|[<>()+\-*/])|(?P<bad>\S))"
)
_BAD_CHARS = {
    ".": "attribute access",
    "[": "subscripts",
    "]": "subscripts",
    "'": "strings",
    '"': "strings",
    ",": "argument lists",
    ":": "lambdas and slices",
    "=": "assignment (use == to compare)",
}
_KEYWORDS = {"and", "or", "not", "true", "false"}
_REFUSED_WORDS = {
    "lambda",
    "import",
    "__import__",
    "eval",
    "exec",
    "if",
    "else",
    "for",
    "in",
    "is",
    "None",
    "def",
    "class",
    "yield",
    "await",
}
# the operators of the condition language; engine/batch.py applies the same ones to arrays
COMPARISONS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokenize(text: str) -> list[_Tok]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"condition is {len(text)} characters; the limit is {MAX_LENGTH}", 0, text)
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            break
        if m.group("bad") is not None:
            toks.append(_Tok("bad", m.group("bad"), m.start("bad")))
            pos = m.end()
            continue
        kind = "num" if m.group("num") else "name" if m.group("name") else "op"
        tok = _Tok(kind, m.group(kind), m.start(kind))
        toks.append(tok)
        if len(toks) > MAX_TOKENS:
            raise ExpressionError(f"condition has more than {MAX_TOKENS} tokens", tok.pos, text)
        pos = m.end()
    return toks


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokenize(text)
        for tok in self.toks:
            if tok.kind == "name" and (tok.text in _REFUSED_WORDS or tok.text.startswith("__")):
                raise self._error(f"{tok.text!r} is not part of the condition language", tok)
        for tok in self.toks:
            if tok.kind == "bad":
                what = _BAD_CHARS.get(tok.text, f"the character {tok.text!r}")
                raise ExpressionError(f"{what} not allowed in a condition (at column {tok.pos + 1})", tok.pos, text)
        self.i = 0
        self.depth = 0

    def _peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _error(self, message: str, tok: _Tok | None = None) -> ExpressionError:
        pos = tok.pos if tok else len(self.text)
        return ExpressionError(f"{message} (at column {pos + 1})", pos, self.text)

    def _take(self, text: str | None = None) -> _Tok:
        tok = self._peek()
        if tok is None:
            raise self._error(f"expected {text!r}, found end of condition" if text else "unexpected end of condition")
        if text is not None and tok.text != text:
            raise self._error(f"expected {text!r}, found {tok.text!r}", tok)
        self.i += 1
        return tok

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._error(f"condition nested deeper than {MAX_DEPTH} levels", self._peek())

    def parse(self) -> Node:
        if not self.toks:
            raise ExpressionError("empty condition", 0, self.text)
        node = self._or()
        tok = self._peek()
        if tok is not None:
            if tok.text == "(":
                raise self._error("function calls are not allowed", tok)
            raise self._error(f"unexpected {tok.text!r}", tok)
        return node

    def _binary_chain(self, ops: set[str], sub: Callable[[], Node]) -> Node:
        self._enter()
        node = sub()
        while (tok := self._peek()) is not None and tok.text in ops:
            self.i += 1
            node = Binary(tok.text, node, sub())
        self.depth -= 1
        return node

    def _or(self) -> Node:
        return self._binary_chain({"or"}, self._and)

    def _and(self) -> Node:
        return self._binary_chain({"and"}, self._not)

    def _not(self) -> Node:
        tok = self._peek()
        if tok is not None and tok.text == "not":
            self.i += 1
            self._enter()
            node = Unary("not", self._not())
            self.depth -= 1
            return node
        return self._cmp()

    def _cmp(self) -> Node:
        left = self._sum()
        tok = self._peek()
        if tok is not None and tok.text in COMPARISONS:
            self.i += 1
            right = self._sum()
            nxt = self._peek()
            if nxt is not None and nxt.text in COMPARISONS:
                raise self._error("chained comparisons are not allowed: join them with 'and'", nxt)
            return Binary(tok.text, left, right)
        return left

    def _sum(self) -> Node:
        return self._binary_chain({"+", "-"}, self._prod)

    def _prod(self) -> Node:
        return self._binary_chain({"*", "/"}, self._unary)

    def _unary(self) -> Node:
        tok = self._peek()
        if tok is not None and tok.text == "-":
            self.i += 1
            self._enter()
            node = Unary("-", self._unary())
            self.depth -= 1
            return node
        return self._atom()

    def _atom(self) -> Node:
        tok = self._take()
        if tok.kind == "num":
            return Num(float(tok.text) if "." in tok.text else int(tok.text))
        if tok.text == "(":
            self._enter()
            node = self._or()
            self._take(")")
            self.depth -= 1
            return node
        if tok.kind == "name":
            if tok.text == "true":
                return Num(True)
            if tok.text == "false":
                return Num(False)
            if tok.text in _REFUSED_WORDS or tok.text.startswith("__"):
                raise self._error(f"{tok.text!r} is not part of the condition language", tok)
            if tok.text in _KEYWORDS:
                raise self._error(f"unexpected keyword {tok.text!r}", tok)
            return Name(tok.text)
        raise self._error(f"unexpected {tok.text!r}", tok)


def parse(text: str) -> Node:
    """Parse a condition; raise ExpressionError with the column of the first problem."""
    if not isinstance(text, str):
        raise ExpressionError(f"a condition must be text, found {type(text).__name__}", 0, str(text))
    return _Parser(text).parse()


def names(node: Node) -> set[str]:
    if isinstance(node, Name):
        return {node.name}
    if isinstance(node, Unary):
        return names(node.operand)
    if isinstance(node, Binary):
        return names(node.left) | names(node.right)
    return set()


def suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_names(node: Node, known: Iterable[str], text: str = "") -> None:
    known = set(known)
    for n in sorted(names(node)):
        if n not in known:
            raise ExpressionError(f"unknown name {n!r}{suggest(n, known)}", text.find(n), text)


def compile_node(node: Node) -> Callable[[Mapping[str, Value]], Value]:
    """Turn a parsed condition into a closure over a mapping of feature values."""
    if isinstance(node, Num):
        v = node.value
        return lambda env: v
    if isinstance(node, Name):
        key = node.name
        return lambda env: env[key]
    if isinstance(node, Unary):
        f = compile_node(node.operand)
        if node.op == "not":
            return lambda env: not f(env)
        return lambda env: -f(env)
    assert isinstance(node, Binary)
    left, right = compile_node(node.left), compile_node(node.right)
    if node.op == "and":
        return lambda env: bool(left(env)) and bool(right(env))
    if node.op == "or":
        return lambda env: bool(left(env)) or bool(right(env))
    if node.op in COMPARISONS:
        cmp = COMPARISONS[node.op]
        return lambda env: cmp(left(env), right(env))
    if node.op == "/":
        return lambda env: (left(env) / r) if (r := right(env)) else 0.0
    arith = ARITHMETIC[node.op]
    return lambda env: arith(left(env), right(env))


def unparse(node: Node) -> str:
    if isinstance(node, Num):
        return "true" if node.value is True else "false" if node.value is False else str(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Unary):
        return f"not {unparse(node.operand)}" if node.op == "not" else f"-{unparse(node.operand)}"
    return f"({unparse(node.left)} {node.op} {unparse(node.right)})"


@dataclass(frozen=True)
class Condition:
    """A checked, compiled condition with its source text."""

    text: str
    node: Node
    fn: Callable[[Mapping[str, Value]], Value]

    @classmethod
    def build(cls, text: str, known: Iterable[str]) -> Condition:
        node = parse(text)
        check_names(node, known, text)
        return cls(text, node, compile_node(node))

    def __call__(self, env: Mapping[str, Value]) -> bool:
        return bool(self.fn(env))

    @property
    def names(self) -> set[str]:
        return names(self.node)
