"""YAML rule tests: every table row of every pack is pinned, and failures say where and why."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RULES, run_cli

from engine.authoring.ruletest import _items, find_test_files, iter_outcomes, load_tests, pack_of
from engine.base.errors import LoadError
from engine.model.pack import load_pack


def _kept_rows(pack_dir: Path) -> set[tuple[str, str]]:
    from engine.evaluation.derive import derive

    pack = load_pack(pack_dir)
    kept: set[tuple[str, str]] = set()
    for f in find_test_files([pack_dir / "tests"]):
        _, tf = load_tests(f)
        for t in tf.tests:
            if t.features is not None:
                kept.add((t.table, t.expect.row))
                continue
            for st in derive(pack, _items(t)).statements:
                for c in st.cells:
                    kept.add((c.table, c.kept))
    return kept


PACKS = sorted(p for p in RULES.iterdir() if (p / "pack.yaml").is_file())


@pytest.mark.parametrize("pack_dir", PACKS, ids=lambda p: p.name)
def test_every_row_of_every_table_is_pinned(pack_dir: Path):
    pack = load_pack(pack_dir)
    kept = _kept_rows(pack_dir)
    missing = []
    for ct in pack.tables:
        for cr in ct.rows:
            if (ct.table.id, cr.row.id) not in kept:
                missing.append(f"{ct.table.id}.{cr.row.id}")
        if ct.table.default is not None and (ct.table.id, "default") not in kept:
            missing.append(f"{ct.table.id}.default")
    assert not missing, f"rows no rule test keeps: {missing}"


def _write(tmp_path: Path, body: str) -> Path:
    import shutil

    root = tmp_path / "rules" / "cqc-la"
    shutil.copytree(RULES / "cqc-la", root)
    f = root / "tests" / "extra.yaml"
    f.write_text(body)
    return f


def test_failure_names_file_line_expected_got_and_explains(tmp_path: Path):
    f = _write(
        tmp_path,
        """tests:
  - name: deliberately wrong
    statement: equity
    items:
      - {category: partners, polarity: strength, count: 2}
    expect:
      categories: {equity.partners: 1}
""",
    )
    [o] = list(iter_outcomes(f))
    assert not o.passed and o.line == 2
    assert o.mismatches == ["category equity.partners: expected 1, got 3"]
    assert any("kept default" in e for e in o.explanation)
    code, out, _ = run_cli("test", str(f))
    assert code == 1 and f"{f}:2: FAIL deliberately wrong" in out and "0 passed, 1 failed" in out


def test_unknown_names_in_a_rule_test_are_located(tmp_path: Path):
    f = _write(
        tmp_path,
        """tests:
  - name: typo
    statement: equity
    items:
      - {category: partner, polarity: strength}
    expect: {}
""",
    )
    with pytest.raises(LoadError) as exc:
        list(iter_outcomes(f))
    [p] = exc.value.problems
    assert (p.line, p.path) == (5, "tests[0].items[0].category")
    assert "did you mean 'partners'" in p.message
    assert pack_of(f).name == "cqc-la"
