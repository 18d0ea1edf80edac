"""A third, minimal framework (two statements, three grades) runs through every command,
and the engine names no framework: proof that CQC lives in rules/, not in engine/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, run_json

from engine.base.errors import EvaluationError
from engine.evaluation.derive import derive, evaluate_table
from engine.model.case import Item, SourceRef
from engine.model.pack import load_pack

TOY_RULES = ROOT / "tests" / "fixtures" / "rules"
TOY_CASE = str(ROOT / "tests" / "fixtures" / "cases" / "toy-case.yaml")
TOY = load_pack(TOY_RULES / "toy")


def item(i, statement="alpha", category="records", polarity="strength", tags=()):
    return Item(
        id=f"i{i}",
        statement=statement,
        category=category,
        polarity=polarity,
        tags=list(tags),
        quote="q",
        source=SourceRef(file="f", line=1),
    )


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


def _pack_ids() -> set[str]:
    ids: set[str] = set()
    for pack_dir in (ROOT / "rules").iterdir():
        if (pack_dir / "pack.yaml").is_file():
            p = load_pack(pack_dir)
            ids |= {
                p.id,
                *p.statement_ids,
                *p.category_ids,
                *p.tag_ids,
                *(r.id for r in p.core.ratings),
                *(t.table.id for t in p.tables),
            }
    return ids


def _proper_names() -> set[str]:
    names = {"cqc", "ofsted", "ilacs", "care act", "blackpool", "lincolnshire"}
    csv = ROOT / "tests" / "data" / "cqc-la-ratings.csv"
    for line in csv.read_text().splitlines()[1:]:
        names.add(line.split(",")[0].lower())
    return names


@pytest.mark.parametrize(
    "path", sorted((ROOT / "engine").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT / "engine"))
)
def test_engine_names_no_framework(path: Path):
    """No pack id (statement, category, tag, rating, table, feature) as a string literal in the
    engine, and no framework or council name anywhere in its text."""
    import ast

    text = path.read_text()
    literals = {n.value for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    hits = sorted(literals & _pack_ids())
    lowered = text.lower()
    hits += sorted(w for w in _proper_names() if re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", lowered))
    assert not hits, f"{path.name} names {hits}"
