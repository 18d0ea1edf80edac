"""A derived score's probability: from the pack's table of held-out scores, a distribution over
the scale for every assessed statement and over the ratings for the overall result, in the
derive JSON, CSV, explain and the table, for curated and extracted cases alike."""

from __future__ import annotations

import pytest
from conftest import CQC, ROOT, run_cli, run_json

from engine.evaluation.probability import overall_distribution, statement_distribution
from engine.model.pack import load_pack
from engine.model.packfiles import ProbabilityTable

PACK = load_pack(CQC)


def test_a_statement_distribution_leans_on_the_counts_and_sums_to_one():
    table = ProbabilityTable(corpus="t", counts={2: {2: 8, 3: 2}, 3: {3: 10}}, smoothing=2.0)
    d = statement_distribution(table, [1, 2, 3, 4], 2)
    assert abs(sum(d.values()) - 1) < 1e-9 and d[2] > d[3] > d[1] > 0 and d[4] > 0
    # a derived score the corpus never gave leans wholly on how often each score is published
    never = statement_distribution(table, [1, 2, 3, 4], 1)
    assert max(never, key=never.get) == 3


def test_the_overall_distribution_takes_a_reports_statements_as_erring_together():
    step = PACK.core.aggregation.statements_to_overall
    sure = [{1: 0.7, 2: 0.3}] * 9  # nine statements derived 1, each 70% sure
    got = overall_distribution(step, sure, 4)
    assert got == {"inadequate": 0.7, "requires_improvement": 0.3}
    mixed = [{2: 1.0}] * 8 + [{3: 0.5, 4: 0.5}]
    got = overall_distribution(step, mixed, 4)
    assert abs(sum(got.values()) - 1) < 1e-6 and set(got) == {"requires_improvement"}


@pytest.mark.parametrize(
    "case", ["cases/blackpool-2025.yaml", "cases/lincolnshire-2023.yaml", "cases/blackpool-2020-ofsted-monitoring.yaml"]
)
def test_every_derived_score_of_a_bundled_case_has_its_probability(case):
    [obj] = run_json("derive", case)
    for st in obj["statements"]:
        if st["assessed"]:
            assert 0 < st["probability"] <= 1 and st["probability"] == st["distribution"][str(st["derived"])]
            assert abs(sum(st["distribution"].values()) - 1) < 1e-3
    ov = obj["overall"]
    assert 0 < ov["probability"] <= 1 and abs(sum(ov["distribution"].values()) - 1) < 1e-3


def test_every_derived_score_of_an_extracted_case_has_its_probability_and_read_summary(tmp_path):
    page = ROOT / "tests" / "data" / "reports" / "blackpool-2025-learning-improvement-innovation.txt"
    code, _, err = run_cli("extract", str(page), "-o", str(tmp_path / "page.yaml"))
    assert code == 0, err
    [obj] = run_json("derive", str(tmp_path / "page.yaml"))
    [st] = [s for s in obj["statements"] if s["assessed"]]
    assert 0 < st["probability"] <= 1 and "probability" in obj["overall"]
    summary = st["read_summary"]
    assert summary["findings"] == summary["shortfall"] + summary["strength"] + summary["mixed"] > 10
    assert summary["text"].startswith(f"{summary['findings']} sentence(s) of findings: ")
    code, out, _ = run_cli("explain", str(tmp_path / "page.yaml"), "--statement", "learning")
    assert "probability: " in out and "read: " in out
    code, csv_out, _ = run_cli("derive", str(tmp_path / "page.yaml"), "--format", "csv")
    assert csv_out.splitlines()[0].split(",")[9] == "probability"


def test_a_pack_without_a_probability_table_gives_none(tmp_path):
    [obj] = run_json("derive", "tests/fixtures/cases/toy-case.yaml", "--rules", "tests/fixtures/rules")
    assert all("probability" not in st for st in obj["statements"]) and "probability" not in obj["overall"]


def test_counterfactual_sets_come_most_arguable_first_with_each_changes_quote_and_line():
    got = run_json("counterfactual", "cases/blackpool-2025.yaml", "--target", "overall=requires_improvement")
    plaus = [s["plausibility"] for s in got["sets"]]
    assert plaus == sorted(plaus, reverse=True) and all(0 < p <= 1 for p in plaus)
    for s in got["sets"]:
        assert len(s["details"]) == len(s["changes"])
        for d in s["details"]:
            if d["kind"] != "add_item":
                assert d["quote"] and d["line"] > 0 and d["statement_name"]
    # a mixed finding read the other way is a better argument than a clear shortfall read so
    first = got["sets"][0]["details"]
    assert all(d["polarity"] == "mixed" and d["plausibility"] == 0.5 for d in first)
