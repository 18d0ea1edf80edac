"""Rule conditions in plain words (engine/reports/plain.py): each feature by its term and in its
unit, the opposite of a condition where a rule must stop applying, and no identifier left in
a sentence a person reads."""

from __future__ import annotations

import re

import pytest
from conftest import CASES, ROOT, run_json

from engine.model.locate import Packs
from engine.reports.plain import condition

PACKS = Packs(ROOT / "rules")


@pytest.fixture(scope="module")
def cqc():
    return PACKS.get("cqc-la")


def test_a_share_is_a_percentage_and_a_count_a_number(cqc):
    f = {"shortfall_share": 0.6667, "statement_serious": 10, "serious_shortfalls": 5}
    assert condition(cqc, "shortfall_share >= 0.6", f) == (
        "the share of the category's evidence showing shortfalls at least 60% (it is 67%)"
    )
    assert condition(cqc, "shortfall_share >= 0.6", f, negate=True).endswith("below 60% (it is 67%)")
    assert condition(cqc, "statement_serious >= 3", f, negate=True) == (
        "fewer than 3 serious shortfalls across the statement (it has 10)"
    )
    assert condition(cqc, "serious_shortfalls >= 1", f, negate=True).startswith("no serious shortfalls")


def test_a_flag_and_its_negation(cqc):
    assert (
        condition(cqc, "not leading_only", {"leading_only": False})
        == "not only the leading findings read (it is not so)"
    )
    assert condition(cqc, "not leading_only", {"leading_only": False}, negate=True) == (
        "only the leading findings read (it is not so)"
    )


def test_a_condition_that_is_not_one_comparison_keeps_its_text_and_values(cqc):
    got = condition(cqc, "n_strength > n_shortfall", {"n_strength": 1, "n_shortfall": 2})
    assert got == "n_strength > n_shortfall (n_strength = 1, n_shortfall = 2)"


@pytest.mark.parametrize("framework", ["cqc-la", "ofsted-ilacs"])
def test_every_feature_has_a_term(framework):
    pack = PACKS.get(framework)
    assert [f.name for f in pack.features if not f.term] == []


@pytest.mark.parametrize(
    "case", ["blackpool-2025.yaml", "lincolnshire-2023.yaml", "blackpool-2020-ofsted-monitoring.yaml"]
)
def test_why_not_says_it_in_sentences_without_identifiers(case):
    obj = run_json("explain", str(CASES / case))
    says = [w["says"] for st in obj["statements"] for w in st["why_not"]]
    assert says, case
    for s in says:
        assert s.startswith("To reach ") and s.endswith(".")
        assert re.search(r"\b[a-z]+_[a-z_]+\b", s) is None, s  # no feature or rule id
