"""Invariants of derivation (hypothesis): bounds, monotonicity, determinism."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import PACK, _unique, items

from engine.evaluation.derive import derive

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


def _counted(der):
    return {(c.statement, c.category) for s in der.statements for c in s.cells if c.counted}


def _check_monotone(its, extra, direction):
    """Every cell score moves only the item's way; so do statement and overall scores, unless
    the item is the one that makes its category count (the pack's category_min_items), which
    brings a new score into the statement's average: it can move that either way."""
    d_before, d_after = derive(PACK, its), derive(PACK, its + [extra])
    before, after = _scores(d_before), _scores(d_after)
    for key, v in before[0].items():
        if v is not None and after[0][key] is not None:
            assert (after[0][key] >= v) if direction > 0 else (after[0][key] <= v), key
    if _counted(d_before) != _counted(d_after):
        return
    for key, v in before[1].items():
        if v is not None:
            assert (after[1][key] >= v) if direction > 0 else (after[1][key] <= v), key
    if before[2] is not None:
        assert (after[2] >= before[2]) if direction > 0 else (after[2] <= before[2])


def test_the_item_that_makes_a_category_count_can_move_its_statement_either_way():
    """A shortfall alone in people's experience (one item) is left out beside categories with
    two; a strength added there makes it count, and its score 2 lowers the statement."""
    from engine.model.case import Item, SourceRef

    def it(i, cat, pol):
        return Item(
            id=f"i{i}",
            statement="equity",
            category=cat,
            polarity=pol,
            quote="q",
            source=SourceRef(file="r.txt", line=1),
        )

    base = [
        it(1, "people_experience", "shortfall"),
        it(2, "staff_leaders", "strength"),
        it(3, "staff_leaders", "strength"),
        it(4, "partners", "shortfall"),
        it(5, "partners", "strength"),
    ]
    assert PACK.core.aggregation.category_min_items == 2
    before = derive(PACK, base).statement("equity")
    assert [(c.category, c.score, c.counted) for c in before.cells] == [
        ("people_experience", 2, False),
        ("staff_leaders", 3, True),
        ("partners", 2, True),
    ]
    assert (before.step.percent, before.score) == (62.5, 3)  # (3 + 2) / 8, read half up
    after = derive(PACK, base + [it(6, "people_experience", "strength")]).statement("equity")
    assert all(c.counted for c in after.cells)
    assert after.score == 2  # (2 + 3 + 2) / 12 = 58.3%
    thin = derive(PACK, [it(1, "people_experience", "shortfall"), it(2, "staff_leaders", "strength")])
    assert all(c.counted for c in thin.statement("equity").cells)  # all thin: all count


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
