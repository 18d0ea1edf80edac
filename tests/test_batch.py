"""The compiled batch evaluator gives the same scores, kept rows and row traces as derive,
for every cell of every case and every rule test: one semantics, two speeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CASES, ROOT, load

from engine.authoring.ruletest import _items, find_test_files, load_tests
from engine.evaluation.batch import BatchPack, stack_features
from engine.evaluation.derive import derive, evaluate_table
from engine.model.pack import load_pack

PACK_DIRS = sorted(p for p in (ROOT / "rules").iterdir() if (p / "pack.yaml").is_file()) + [
    ROOT / "tests/fixtures/rules/toy"
]


def _cells_of_cases(packs, pack_id):
    for case in sorted(CASES.glob("*.yaml")):
        lc = load(case, packs)
        if lc.case.framework == pack_id:
            yield derive(packs.get(pack_id), lc.case.items)


def _cells_of_rule_tests(pack, pack_dir: Path):
    for f in find_test_files([pack_dir / "tests"]):
        _, tf = load_tests(f)
        for t in tf.tests:
            if t.items is not None:
                yield derive(pack, _items(t))


@pytest.mark.parametrize("pack_dir", PACK_DIRS, ids=lambda p: p.name)
def test_batch_equals_one_at_a_time(pack_dir: Path, packs):
    pack = load_pack(pack_dir)
    ders = list(_cells_of_rule_tests(pack, pack_dir))
    if pack_dir.parent == ROOT / "rules":
        ders += list(_cells_of_cases(packs, pack.id))
    bp = BatchPack(pack)
    by_table: dict[str, list] = {}
    for der in ders:
        for st in der.statements:
            for cell in st.cells:
                if cell.table is not None:
                    by_table.setdefault(cell.table, []).append(cell)
    assert by_table
    for tid, cells in by_table.items():
        bt = bp.tables[tid]
        trace = bt.evaluate(stack_features(pack, [c.features for c in cells]), len(cells))
        for i, cell in enumerate(cells):
            assert bt.row_traces(trace, i) == (cell.score, cell.kept, cell.rows)
            assert evaluate_table(bt.ct, cell.features) == (cell.score, cell.kept, cell.rows)
