"""A third, minimal framework (two statements, three grades) runs through every command,
and the engine names no framework: proof that CQC lives in rules/, not in engine/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, run_json

from engine.case import Item, SourceRef
from engine.derive import derive, evaluate_table
from engine.errors import EvaluationError
from engine.pack import load_pack

TOY_RULES = ROOT / "tests" / "fixtures" / "rules"
TOY_CASE = str(ROOT / "tests" / "fixtures" / "cases" / "toy-case.yaml")
TOY = load_pack(TOY_RULES / "toy")


def item(i, statement="alpha", category="records", polarity="strength", tags=()):
    return Item(id=f"i{i}", statement=statement, category=category, polarity=polarity, tags=list(tags),
                quote="q", source=SourceRef(file="f", line=1))


def test_derive_explain_diff_check_on_toy_pack():
    [obj] = run_json("derive", TOY_CASE, "--rules", str(TOY_RULES))
    assert {s["id"]: s["derived"] for s in obj["statements"]} == {"alpha": 2, "beta": 1}
    assert obj["overall"]["derived"] == "weak" and obj["overall"]["out_of"] == 6
    ex = run_json("explain", TOY_CASE, "--rules", str(TOY_RULES))
    beta = next(s for s in ex["statements"] if s["id"] == "beta")
    [voices] = beta["categories"]
    assert voices["table"] == "voices_table" and voices["kept"] == "v_bad"  # specific table beats the wildcard
    d = run_json("diff", TOY_CASE, "--rules", str(TOY_RULES))
    assert d["overall"] == {"compared": 1, "agree": 0}
    code, out, _ = run_cli("check", str(TOY_RULES / "toy"), TOY_CASE)
    assert code == 0, out


def test_collect_min_keeps_lowest_fired_row():
    der = derive(TOY, [item(1), item(2), item(3, polarity="shortfall", tags=["unsafe"])])
    [cell] = der.statement("alpha").cells
    assert cell.score == 1 and cell.kept == "weak_unsafe"
    assert [r.id for r in cell.rows if r.fired] == ["weak_unsafe"]


def test_default_applies_when_no_row_fires():
    der = derive(TOY, [item(1), item(2, polarity="shortfall")])
    [cell] = der.statement("alpha").cells
    assert (cell.score, cell.kept) == (2, "default")


def test_first_keeps_first_in_order():
    der = derive(TOY, [item(1, "beta", "voices"), item(2, "beta", "voices", "shortfall")])
    [cell] = der.statement("beta").cells
    assert cell.kept == "v_bad" and [r.fired for r in cell.rows] == [True, True]


def _with_policy(policy):
    ct = TOY.tables[0]
    table = ct.table.model_copy(update={"hit_policy": policy})
    return type(ct)(table, ct.rows)


def test_collect_max_and_unique():
    env = {"n": 3, "bad": 0, "good": 3, "unsafe": True}
    score, kept, _ = evaluate_table(_with_policy("collect_max"), env)
    assert (score, kept) == (3, "strong_all_good")
    with pytest.raises(EvaluationError, match="hit policy 'unique' but rows weak_unsafe, strong_all_good all fired"):
        evaluate_table(_with_policy("unique"), env)
    score, kept, _ = evaluate_table(_with_policy("unique"), {"n": 3, "bad": 0, "good": 3, "unsafe": False})
    assert (score, kept) == (3, "strong_all_good")


def _framework_words() -> set[str]:
    words = {"cqc", "ofsted", "ilacs", "care act", "safeguarding", "council"}
    for pack_dir in (ROOT / "rules").iterdir():
        if (pack_dir / "pack.yaml").is_file():
            p = load_pack(pack_dir)
            words |= {p.id, *p.statement_ids, *p.category_ids, *p.tag_ids, *(r.id for r in p.core.ratings)}
    csv = ROOT / "tests" / "data" / "cqc-la-ratings.csv"
    for line in csv.read_text().splitlines()[1:]:
        words.add(line.split(",")[0].lower())
    words |= {"blackpool", "lincolnshire"}
    return {w.lower() for w in words}


# The case schema's own field names are framework-neutral vocabulary, allowed in engine/.
ALLOWED = {"council", "partners"}


@pytest.mark.parametrize("path", sorted((ROOT / "engine").glob("*.py")), ids=lambda p: p.name)
def test_engine_names_no_framework(path: Path):
    text = path.read_text().lower()
    hits = []
    for w in _framework_words() - ALLOWED:
        if re.search(rf"(?<![a-z_]){re.escape(w)}(?![a-z_])", text):
            hits.append(w)
    assert not hits, f"{path.name} names {sorted(hits)}"
