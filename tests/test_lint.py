"""Lint finds what a table can never do, each finding located and named."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from conftest import CQC, ROOT, run_cli

from engine.authoring.lint import iter_findings
from engine.model.pack import load_pack

TOY = ROOT / "tests" / "fixtures" / "rules" / "toy"


def _toy(tmp_path: Path, tables: str) -> Path:
    root = tmp_path / "rules" / "toy"
    shutil.copytree(TOY, root)
    (root / "tables.yaml").write_text(tables)
    return root


def _codes(root: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in iter_findings(load_pack(root)):
        out.setdefault(f.code, []).append(f)
    return out


def test_cqc_pack_lints_clean():
    code, out, _ = run_cli("lint", str(CQC))
    assert code == 0, out
    assert "0 error(s) or warning(s)" in out


def test_never_true_condition(tmp_path):
    root = _toy(
        tmp_path,
        """tables:
  - id: t
    source: s
    hit_policy: first
    default: {score: 2, reason: d}
    rows:
      - {id: impossible, score: 1, when: ["bad < 0"], reason: r}
      - {id: fine, score: 3, when: ["good > bad"], reason: r}
""",
    )
    [f] = _codes(root)["never-true"]
    assert (f.line, f.path) == (7, "tables[0].rows[0].when[0]")
    assert "'bad < 0' can never be true" in f.message


def test_unreachable_under_first_and_gap_without_default(tmp_path):
    root = _toy(
        tmp_path,
        """tables:
  - id: t
    source: s
    hit_policy: first
    rows:
      - {id: some_bad, score: 1, when: ["bad >= 1"], reason: r}
      - {id: more_bad, score: 1, when: ["bad >= 2"], reason: r}
      - {id: good, score: 3, when: ["good >= 1"], reason: r}
""",
    )
    codes = _codes(root)
    [u] = codes["unreachable"]
    assert "'more_bad' fires" in u.message and "'first' never keeps it" in u.message
    [g] = codes["gap"]
    assert "no default" in g.message and "bad=0" in g.message and "good=0" in g.message
    code, out, _ = run_cli("lint", str(root))
    assert code == 1 and "warning unreachable" in out


def test_overlap_under_unique_is_an_error(tmp_path):
    root = _toy(
        tmp_path,
        """tables:
  - id: t
    source: s
    hit_policy: unique
    default: {score: 2, reason: d}
    rows:
      - {id: a, score: 1, when: ["bad >= 1"], reason: r}
      - {id: b, score: 3, when: ["good >= 1"], reason: r}
""",
    )
    [o] = _codes(root)["overlap"]
    assert o.severity == "error" and "rows 'a' and 'b' both fire under hit policy 'unique'" in o.message


def test_unused_features_tags_and_uncovered_cells(tmp_path):
    root = _toy(
        tmp_path,
        """tables:
  - id: t
    source: s
    categories: [records]
    hit_policy: collect_min
    default: {score: 2, reason: d}
    rows:
      - {id: a, score: 1, when: ["bad >= 1"], reason: r}
""",
    )
    codes = _codes(root)
    assert {f.message.split("'")[1] for f in codes["unused-feature"]} == {"n", "good", "unsafe"}
    assert {f.message.split("'")[1] for f in codes["unused-tag"]} == {"notable"}
    assert len(codes["no-table"]) == 2  # voices of alpha and beta
    assert all(f.severity == "info" for f in codes["unused-feature"])


def test_lint_reports_case_evidence_no_table_scores(tmp_path):
    root = _toy(
        tmp_path,
        """tables:
  - id: t
    source: s
    categories: [records]
    hit_policy: collect_min
    default: {score: 2, reason: d}
    rows:
      - {id: a, score: 1, when: ["bad >= 1"], reason: r}
""",
    )
    cases = tmp_path / "cases"
    shutil.copytree(ROOT / "tests" / "fixtures" / "cases", cases)
    code, out, _ = run_cli("lint", str(cases / "toy-case.yaml"), "--rules", str(root.parent))
    assert code == 1
    assert "warning no-table: evidence in statement 'beta', category 'voices', which no table scores" in out


@pytest.mark.parametrize("fmt", ["json"])
def test_lint_json(fmt):
    import json

    code, out, _ = run_cli("lint", str(CQC), "--format", fmt)
    obj = json.loads(out)
    assert obj["ok"] is True and all(f["severity"] == "info" for f in obj["findings"])


def test_generated_cells_have_the_values_compute_gives():
    """The generated cells' feature values are computed for all cells at once: they equal, to
    the type, what features.compute gives for the same items (every 7th cell compared)."""
    import random

    from engine.authoring.lint import RANDOM_CELLS, SEED, _make, generated_envs
    from engine.evaluation.features import compute, item_kinds
    from engine.model.pack import load_pack

    for root in ("rules/cqc-la", "rules/ofsted-ilacs"):
        pack = load_pack(ROOT / root)
        kinds = item_kinds(pack)
        envs = generated_envs(pack)
        sid, cid, other = pack.statement_ids[0], pack.category_ids[0], pack.category_ids[-1]
        single = [i for i, (_, tags, _) in enumerate(kinds) if len(tags) <= 1]
        cells = [(i,) for i in range(len(kinds))] + list(itertools.combinations_with_replacement(single, 2))
        cells += [(i, i, i) for i in range(len(kinds))]
        expected = [
            compute(pack, _make(pack, kinds, c, sid, cid, 0), _make(pack, kinds, c, sid, cid, 0))[0] for c in cells
        ]
        rng = random.Random(SEED)
        for _ in range(RANDOM_CELLS):
            cell = _make(pack, kinds, [rng.randrange(len(kinds)) for _ in range(rng.randint(1, 12))], sid, cid, 0)
            extra = _make(pack, kinds, [rng.randrange(len(kinds)) for _ in range(rng.randint(0, 8))], sid, other, 100)
            expected.append(compute(pack, cell, cell + extra)[0])
        assert len(envs) == len(expected)
        for got, want in list(zip(envs, expected, strict=True))[::7]:
            assert got == want and [type(v) for v in got.values()] == [type(v) for v in want.values()], (got, want)


def test_lint_checks_the_cue_file_and_the_readers_it_names(tmp_path):
    """A held-out reader listed in cues.yaml but missing, and a cue naming no category of the
    pack, are errors at their lines (extraction would refuse the pack for them)."""
    root = tmp_path / "rules" / "cqc-la"
    shutil.copytree(CQC, root)
    (root / "reader-held-out-2.json").unlink()
    found = {f.code: f for f in iter_findings(load_pack(root))}
    missing = found["reader-file"]
    assert missing.severity == "error" and "reader-held-out-2.json" in missing.message
    lines = (root / "cues.yaml").read_text().splitlines()
    assert "reader-held-out-2.json" in lines[missing.line - 1]
    text = (root / "cues.yaml").read_text().replace("category: partners", "category: partnerz", 1)
    (root / "cues.yaml").write_text(text)
    (root / "reader-held-out-2.json").write_text("{}")
    found = {f.code: f for f in iter_findings(load_pack(root))}
    assert "unknown category 'partnerz'" in found["cues"].message
    code, out, _ = run_cli("lint", str(root))
    assert code == 1 and "cues.yaml:" in out and "partnerz" in out
