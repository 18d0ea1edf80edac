"""A second framework (Ofsted ILACS) and a third, toy one run through every command unchanged."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import CASES, ROOT, run_cli, run_json

OFSTED = CASES / "blackpool-2020-ofsted-monitoring.yaml"
LETTER = CASES / "sources" / "blackpool-2020-ofsted-ilacs-monitoring-visit.txt"
FIX = ROOT / "tests" / "fixtures"
TOY_RULES = FIX / "rules"


def test_ofsted_case_derives_explains_and_states_its_finding():
    [obj] = run_json("derive", str(OFSTED))
    assert obj["framework"] == "ofsted-ilacs"
    assessed = {s["id"]: s["derived"] for s in obj["statements"] if s["assessed"]}
    assert set(assessed) == {"help_and_protection", "leaders_impact"}
    assert (
        obj["overall"]["assessed"] == 2 and obj["overall"]["of"] == 4
    )  # the four judgements; overall effectiveness is the rating
    assert obj["finding"]["published"] == "progress too slow"
    assert obj["finding"]["derived"] in {"progress too slow", "progress is being made", "sufficient progress"}
    ex = run_json("explain", str(OFSTED), "--statement", "help_and_protection")
    for cat in ex["statements"][0]["categories"]:
        for ev in cat["evidence"]:
            assert ev["quote"] in (CASES / ev["file"]).read_text().splitlines()[ev["line"] - 1]


def test_ofsted_whatif_counterfactual_and_diff():
    w = run_json("whatif", str(OFSTED), "--drop", "hp06", "--set", "hp10.polarity=strength")
    assert w["before"]["case"] == w["after"]["case"] == "blackpool-2020-ofsted-monitoring"
    assert run_json("derive", str(OFSTED))[0]["overall"]["derived"] == "inadequate"
    target = "requires_improvement_to_be_good"  # one grade up from what the evidence derives
    cf = run_json("counterfactual", str(OFSTED), "--target", f"overall={target}", "--max-sets", "2")
    assert cf["minimal_size"] and cf["sets"]
    for s in cf["sets"]:
        assert s["result"]["overall"]["derived"] == target
    d = run_json("diff", str(OFSTED))
    assert d["overall"]["compared"] == 1
    # cases of two frameworks: one agreement table each, never one that adds their scores up
    both = run_json("diff", str(OFSTED), str(CASES / "blackpool-2025.yaml"))
    assert [r["framework"] for r in both] == ["cqc-la", "ofsted-ilacs"]
    assert both[0]["cases"] == ["blackpool-2025"] and both[1]["cases"] == ["blackpool-2020-ofsted-monitoring"]
    assert both[0]["total"]["exact"] == 9 and both[1] == d
    code, text, _ = run_cli("diff", str(OFSTED), str(CASES / "blackpool-2025.yaml"), "--format", "markdown")
    assert code == 0 and "cases, cqc-la)" in text and "cases, ofsted-ilacs)" in text
    only = run_json("diff", str(OFSTED), str(CASES / "blackpool-2025.yaml"), "--framework", "cqc-la")
    assert only == both[0]


def test_extract_recognises_the_monitoring_letter(tmp_path: Path):
    out = tmp_path / "letter.yaml"
    code, text, err = run_cli("extract", str(LETTER), "-o", str(out), "--format", "json")
    assert code == 0, err
    info = json.loads(text)
    assert info["framework"] == "ofsted-ilacs"  # detected from the letter's wording
    assert info["published"] == {
        "rating": "inadequate",
        "scores": {},
        "date": "2020-01-21",
        "indicative": False,
        "finding": "progress too slow",
    }
    [obj] = run_json("derive", str(out))
    assert {s["id"] for s in obj["statements"] if s["assessed"]} == {"help_and_protection", "leaders_impact"}
    # blind: without the judgement and progress lines, the same evidence
    stripped = tmp_path / "stripped" / LETTER.name
    stripped.parent.mkdir()
    keep = [
        ln
        for ln in LETTER.read_text().splitlines()
        if not re.search(r"judged inadequate|progress has been too slow", ln)
    ]
    stripped.write_text("\n".join(keep) + "\n")
    out2 = tmp_path / "stripped" / "s.yaml"
    assert run_cli("extract", str(stripped), "-o", str(out2), "--framework", "ofsted-ilacs")[0] == 0
    [obj2] = run_json("derive", str(out2))
    assert [s["derived"] for s in obj["statements"]] == [s["derived"] for s in obj2["statements"]]
    assert obj2["overall"]["published"] is None


@pytest.fixture()
def toy_workspace(tmp_path: Path) -> Path:
    """The toy framework and case in a folder of their own (rules/ beside cases/)."""
    shutil.copytree(TOY_RULES, tmp_path / "rules")
    shutil.copytree(FIX / "cases", tmp_path / "cases")
    shutil.copytree(FIX / "reports", tmp_path / "reports")
    shutil.copy(FIX / "ratings.csv", tmp_path / "ratings.csv")
    return tmp_path


def test_toy_pack_runs_through_every_command(toy_workspace: Path):
    ws = toy_workspace
    case = str(ws / "cases" / "toy-case.yaml")
    rules = ["--rules", str(ws / "rules")]
    assert run_json("derive", case, *rules)[0]["finding"] == {"derived": "needs work", "published": None, "match": None}
    assert run_json("explain", case, *rules)["framework"] == "toy"
    assert run_json("diff", case, *rules)["total"]["compared"] == 2
    assert run_json("whatif", case, "--drop", "b2", *rules)["moved"]
    cf = run_json("counterfactual", case, "--target", "overall=adequate", *rules)
    assert cf["minimal_size"] == 1
    cons = run_json("consistency", "--ratings", str(ws / "ratings.csv"), *rules)
    assert cons["total"] == 2 and cons["agree"] == 2
    assert run_cli("check", str(ws / "rules" / "toy"), case, *rules)[0] == 0
    assert run_cli("lint", str(ws / "rules" / "toy"), *rules)[0] == 1  # the toy's 'voices_table' has a gap, on purpose
    assert run_cli("test", str(ws / "rules" / "toy"), *rules)[0] == 0
    code, _, err = run_cli(
        "extract", str(ws / "reports" / "toy-report.txt"), "-o", str(ws / "cases" / "x.yaml"), *rules
    )
    assert code == 1 and "exists with other content: not overwritten" in err  # the toy case's own source is kept
    out = ws / "extracted" / "toy.yaml"
    assert run_cli("extract", str(ws / "reports" / "toy-report.txt"), "-o", str(out), *rules)[0] == 0
    [ext] = run_json("derive", str(out), *rules)
    assert ext["council"] == "Toy Council" and ext["overall"]["published"] == "adequate"
    review = run_json("review", case, "-o", str(ws / "brief.html"), *rules)
    assert review["draft"]["words"] <= 60 and (ws / "brief.html").read_text().startswith("<!doctype html>")
    assert run_cli("schemas", "-o", str(ws / "schemas"))[0] == 0
