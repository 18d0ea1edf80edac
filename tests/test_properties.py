"""Invariants of derivation (hypothesis): bounds, monotonicity, determinism."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import PACK, _unique, items

from engine.derive import derive

case_items = st.lists(items(), min_size=1, max_size=40).map(_unique)


def _scores(der):
    cells = {(c.statement, c.category): c.score for s in der.statements for c in s.cells}
    stmts = {s.id: s.score for s in der.statements}
    order = {r.id: i for i, r in enumerate(PACK.core.ratings)}  # worst first
    return cells, stmts, order.get(der.overall.value, None)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(case_items)
def test_scores_within_scale_and_deterministic(its):
    a, b = derive(PACK, its), derive(PACK, list(its))
    assert a == b
    for s in a.statements:
        assert s.score is None or 1 <= s.score <= 4
        for c in s.cells:
            assert c.score is None or 1 <= c.score <= 4
    assert a.overall.value in {None, *[r.id for r in PACK.core.ratings]}


def _check_monotone(its, extra, direction):
    before = _scores(derive(PACK, its))
    after = _scores(derive(PACK, its + [extra]))
    for key, v in before[0].items():
        if v is not None and after[0][key] is not None:
            assert (after[0][key] >= v) if direction > 0 else (after[0][key] <= v), key
    for key, v in before[1].items():
        if v is not None:
            assert (after[1][key] >= v) if direction > 0 else (after[1][key] <= v), key
    if before[2] is not None:
        assert (after[2] >= before[2]) if direction > 0 else (after[2] <= before[2])


@SETTINGS
@given(case_items, st.data())
def test_adding_a_strength_never_lowers_a_score(its, data):
    host = data.draw(st.sampled_from(its))
    extra = data.draw(items(polarity="strength", statement=host.statement, category=host.category, ident="added"))
    _check_monotone(its, extra, +1)


@SETTINGS
@given(case_items, st.data())
def test_adding_a_shortfall_never_raises_a_score(its, data):
    host = data.draw(st.sampled_from(its))
    extra = data.draw(items(polarity="shortfall", statement=host.statement, category=host.category, ident="added"))
    _check_monotone(its, extra, -1)


@SETTINGS
@given(case_items)
def test_order_of_items_does_not_matter(its):
    assert _scores(derive(PACK, its)) == _scores(derive(PACK, list(reversed(its))))
