"""Aggregation bands as data: exact bands, and the gaps between them reported as ambiguous."""

from __future__ import annotations

import pytest

from engine.evaluation import aggregate


def overall(pack, scores):
    return aggregate.apply(pack.core.aggregation.statements_to_overall, scores, 4)


def statement(pack, scores):
    return aggregate.apply(pack.core.aggregation.category_to_statement, scores, 4)


@pytest.mark.parametrize(
    "total, rating",
    [
        (9, "inadequate"),
        (13, "inadequate"),
        (15, "requires_improvement"),
        (22, "requires_improvement"),
        (23, "good"),
        (31, "good"),
        (32, "outstanding"),
        (36, "outstanding"),
    ],
)
def test_overall_bands_for_nine_statements(pack, total, rating):
    scores = [1] * 9
    i = 0
    while sum(scores) < total:
        scores[i % 9] += 1
        i += 1
    r = overall(pack, scores)
    assert (r.value, r.ambiguous) == (rating, False)


def test_sum_of_14_is_ambiguous_with_both_readings(pack):
    r = overall(pack, [2, 2, 2, 2, 2, 1, 1, 1, 1])
    assert r.total == 14 and r.percent == pytest.approx(38.89)
    assert r.ambiguous
    assert r.readings == {"truncate": "inadequate", "round_half_up": "requires_improvement"}
    assert r.value == r.readings[pack.core.aggregation.statements_to_overall.choose]


def test_category_step_10_of_16_is_ambiguous(pack):
    r = statement(pack, [3, 3, 2, 2])
    assert r.percent == 62.5 and r.ambiguous
    assert r.readings == {"truncate": 2, "round_half_up": 3}


def test_category_step_14_of_16_is_ambiguous(pack):
    r = statement(pack, [4, 4, 3, 3])
    assert r.percent == 87.5 and r.ambiguous and r.readings == {"truncate": 3, "round_half_up": 4}


@pytest.mark.parametrize(
    "scores, expected", [([1], 1), ([1, 2], 1), ([2, 2], 2), ([3, 2, 2], 2), ([3, 3, 2], 3), ([4, 4, 4, 3, 4], 4)]
)
def test_category_step(pack, scores, expected):
    r = statement(pack, scores)
    assert r.value == expected and not r.ambiguous


def test_not_assessed_left_out(pack):
    assert overall(pack, []).value is None
    assert overall(pack, [3, 3]).value == "good"


def test_truncate_reading_chosen_when_pack_says_so(pack):
    step = pack.core.aggregation.statements_to_overall.model_copy(update={"choose": "truncate"})
    assert aggregate.apply(step, [2, 2, 2, 2, 2, 1, 1, 1, 1], 4).value == "inadequate"


def test_counted_cells_leave_out_thin_ones_unless_all_are_thin():
    from engine.evaluation.aggregate import counted_cells

    assert counted_cells([3, 1, 2], 2) == [True, False, True]
    assert counted_cells([1, 1], 2) == [True, True]
    assert counted_cells([1, 5], 1) == [True, True]
    assert counted_cells([], 2) == []
