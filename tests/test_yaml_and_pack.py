"""The strict YAML reader and the pack loader: every mistake refused at load time, located."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CQC, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.base.errors import LoadError, RederiveError
from engine.base.yamlio import parse_yaml
from engine.model.pack import iter_pack_problems, load_pack


def test_locations_are_kept():
    doc = parse_yaml("a:\n  b:\n    - x\n    - y\n", "f.yaml")
    assert doc.data == {"a": {"b": ["x", "y"]}}
    assert doc.where(("a", "b", 1)) == (4, 7)
    assert doc.problem(("a", "b", 1), "m").path == "a.b[1]"


def test_no_implicit_dates():
    assert parse_yaml("d: 2025-08-06\n", "f").data == {"d": "2025-08-06"}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_yaml_only_own_errors(text):
    try:
        parse_yaml(text, "fuzz.yaml")
    except RederiveError:
        pass


def test_size_limit(tmp_path: Path):
    from engine.base.yamlio import MAX_FILE_BYTES, load_yaml

    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.seek(MAX_FILE_BYTES + 1)
        f.write(b"\n")
    with pytest.raises(LoadError, match="the limit is"):
        load_yaml(big)


def _pack_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    root = tmp_path / "rules" / "cqc-la"
    shutil.copytree(CQC, root)
    text = (root / file).read_text()
    assert old in text, f"{old!r} not in {file}"
    (root / file).write_text(text.replace(old, new, 1))
    return root


PACK_MISTAKES = [
    (
        "tables.yaml",
        '"serious_shortfalls >= 1"]',
        '"serious_shortfals >= 1"]',
        "unknown name 'serious_shortfals' (did you mean 'serious_shortfalls'?)",
    ),
    ("tables.yaml", "categories: [outcomes]", "categories: [outcome]", "unknown category 'outcome'"),
    (
        "tables.yaml",
        "hit_policy: first",
        "hit_policy: any",
        "Input should be 'first', 'unique', 'collect_min' or 'collect_max'",
    ),
    ("tables.yaml", "score: 4\n", "score: 5\n", "score 5 is not on the scale"),
    (
        "tables.yaml",
        'when: ["shortfall_share >= 0.4"]',
        'when: ["shortfall_share.real >= 0.4"]',
        "attribute access not allowed",
    ),
    (
        "features.yaml",
        "tags_any: [exceptional]",
        "tags_any: [exceptionl]",
        "unknown tag 'exceptionl' (did you mean 'exceptional'?)",
    ),
    (
        "features.yaml",
        "expr: strength_share - shortfall_share",
        "expr: strength_share - nothing",
        "unknown name 'nothing'",
    ),
    ("pack.yaml", "theme: leadership\n", "theme: leadrship\n", "unknown theme 'leadrship'"),
    ("pack.yaml", "{rating: good, min_percent: 63", "{rating: gud, min_percent: 63", "unknown rating 'gud'"),
    ("pack.yaml", "choose: round_half_up", "choose: nearest", "Input should be 'round_half_up' or 'truncate'"),
]


@pytest.mark.parametrize("file, old, new, message", PACK_MISTAKES, ids=[m[3][:40] for m in PACK_MISTAKES])
def test_pack_mistake_refused(tmp_path: Path, file, old, new, message):
    root = _pack_copy(tmp_path, file, old, new)
    problems = [p for p in iter_pack_problems(root) if not hasattr(p, "core")]
    assert any(message in p.message for p in problems), [str(p) for p in problems]
    assert all(p.file.endswith(file) and p.line for p in problems)
    with pytest.raises(LoadError):
        load_pack(root)
    code, out, _ = run_cli("check", str(root))
    assert code == 1 and message in out


def test_real_pack_is_clean():
    code, out, _ = run_cli("check", str(CQC))
    assert code == 0, out
