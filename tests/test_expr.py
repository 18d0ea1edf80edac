"""The condition language: what it accepts, and what it refuses by name (see UNSUPPORTED)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.base.errors import ExpressionError, RederiveError
from engine.model.expr import MAX_LENGTH, Condition, parse

KNOWN = ["a", "b", "share", "flag"]


@pytest.mark.parametrize(
    "text, env, expected",
    [
        ("a >= 2", {"a": 2}, True),
        ("a + b * 2 == 7", {"a": 1, "b": 3}, True),
        ("(a + b) * 2 == 8", {"a": 1, "b": 3}, True),
        ("not flag and share < 0.5", {"flag": False, "share": 0.4}, True),
        ("flag or a > 10", {"flag": False, "a": 3}, False),
        ("-a < 0", {"a": 1}, True),
        ("a / b == 0", {"a": 1, "b": 0}, True),  # division by zero reads as 0, never raises
        ("true and not false", {}, True),
    ],
)
def test_evaluates(text, env, expected):
    assert Condition.build(text, KNOWN)(env) is expected


UNSUPPORTED = {
    "__import__('os')": "'__import__' is not part of the condition language",
    "a.b": "attribute access not allowed",
    "f(a)": "function calls are not allowed",
    "lambda: 1": "not part of the condition language",
    "a.__class__": "not part of the condition language",
    "a[0]": "subscripts not allowed",
    "'text'": "strings not allowed",
    "a = 1": "assignment",
    "1 < a < 3": "chained comparisons are not allowed",
    "a ** 2": "unexpected '*'",
    "a if b else 1": "not part of the condition language",
    "": "empty condition",
    "a and": "unexpected end of condition",
    "(a": "expected ')'",
}


@pytest.mark.parametrize("text, message", UNSUPPORTED.items())
def test_refused_by_name(text, message):
    with pytest.raises(ExpressionError) as exc:
        Condition.build(text, KNOWN + ["f"])
    assert message in str(exc.value)


def test_unknown_name_suggests():
    with pytest.raises(ExpressionError, match=r"unknown name 'shar' \(did you mean 'share'\?\)"):
        Condition.build("shar > 1", KNOWN)


def test_bounded_length_depth_and_terms():
    with pytest.raises(ExpressionError, match="characters; the limit"):
        parse("a or " * (MAX_LENGTH // 5 + 1) + "a")
    with pytest.raises(ExpressionError, match="nested deeper"):
        parse("(" * 40 + "a" + ")" * 40)
    with pytest.raises(ExpressionError, match="tokens"):
        parse(" or ".join(["a"] * 150))
    ten_thousand = " and ".join(["a > 1"] * 10_000)
    with pytest.raises(ExpressionError):
        parse(ten_thousand)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_fuzz_only_own_errors(text):
    try:
        Condition.build(text, KNOWN)
    except RederiveError:
        pass
