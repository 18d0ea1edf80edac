"""Hostile input: refused with a located message, in bounded time and memory, never a traceback.
Hypothesis fuzzes the case and pack loaders: only rederive's own error class may escape."""

from __future__ import annotations

import os
import shutil
import tracemalloc
from pathlib import Path

import yaml
from conftest import CQC, ROOT, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.base.errors import RederiveError
from engine.model.case import load_case
from engine.model.locate import Packs
from engine.model.pack import load_pack

MINI = ROOT / "tests" / "bad" / "cases" / "sources" / "mini.txt"


def _case_dir(tmp_path: Path) -> Path:
    d = tmp_path / "cases"
    (d / "sources").mkdir(parents=True)
    shutil.copy(MINI, d / "sources" / "mini.txt")
    return d


def test_100_mb_file_refused_before_reading(tmp_path: Path):
    big = tmp_path / "huge.yaml"
    with big.open("wb") as f:  # sparse: 100 MB on paper, nothing on disk
        f.truncate(100 * 1024 * 1024)
    tracemalloc.start()
    code, out, _ = run_cli("check", str(big))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 1 and f"{big}: file is 104,857,600 bytes; the limit is" in out
    assert peak < 5 * 1024 * 1024


def test_symlinked_source_leaving_the_folder_is_refused(tmp_path: Path):
    d = _case_dir(tmp_path)
    outside = tmp_path / "secret.txt"
    outside.write_text("People told us the service was good.\n")
    os.symlink(outside, d / "sources" / "link.txt")
    (d / "c.yaml").write_text("case: c\ncouncil: C\nframework: cqc-la\nsources: [sources/link.txt]\n")
    code, out, _ = run_cli("check", str(d / "c.yaml"), "--rules", str(ROOT / "rules"))
    assert code == 1 and "source path 'sources/link.txt' leaves the case folder" in out


def test_huge_condition_in_a_pack_is_refused(tmp_path: Path):
    root = tmp_path / "rules" / "cqc-la"
    shutil.copytree(CQC, root)
    text = (root / "tables.yaml").read_text()
    huge = " and ".join(["n_items > 1"] * 10_000)
    (root / "tables.yaml").write_text(text.replace('"serious_shortfalls >= 1"]', f'"{huge}"]', 1))
    code, out, _ = run_cli("check", str(root))
    assert code == 1 and "characters; the limit is 1000" in out


def test_call_in_a_pack_condition_is_refused(tmp_path: Path):
    root = tmp_path / "rules" / "cqc-la"
    shutil.copytree(CQC, root)
    text = (root / "tables.yaml").read_text()
    (root / "tables.yaml").write_text(text.replace('"serious_shortfalls >= 1"]', '"__import__(1)"]', 1))
    code, out, _ = run_cli("check", str(root))
    assert code == 1 and "'__import__' is not part of the condition language" in out
    assert "tables.yaml:" in out


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@st.composite
def case_documents(draw):
    doc = {
        "case": "f",
        "council": "F",
        "framework": "cqc-la",
        "sources": ["sources/mini.txt"],
        "items": [
            {
                "id": "i",
                "statement": "equity",
                "category": "partners",
                "polarity": "strength",
                "quote": "People told us",
                "source": {"file": "sources/mini.txt", "line": 2},
            }
        ],
    }
    item, source = doc["items"][0], doc["items"][0]["source"]
    for _ in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from([doc, item, source]))
        key = draw(st.sampled_from(sorted(target) + ["extra"]))
        target[key] = draw(json_values)
    return doc


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(case_documents())
def test_fuzz_case_loader(tmp_path_factory, doc):
    d = _case_dir(tmp_path_factory.mktemp("fuzz"))
    path = d / "f.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    try:
        load_case(path, Packs(ROOT / "rules").pack_for(d))
    except RederiveError:
        pass


@FUZZ
@given(st.sampled_from(["pack.yaml", "features.yaml", "tables.yaml"]), st.data())
def test_fuzz_pack_loader(tmp_path_factory, name, data):
    root = tmp_path_factory.mktemp("pk") / "cqc-la"
    shutil.copytree(CQC, root)
    doc = yaml.safe_load((root / name).read_text())
    top = data.draw(st.sampled_from(sorted(doc)))
    node = doc[top]
    if isinstance(node, list) and node:
        entry = data.draw(st.sampled_from(node))
        if isinstance(entry, dict):
            entry[data.draw(st.sampled_from(sorted(entry) + ["x"]))] = data.draw(json_values)
        else:
            node[0] = data.draw(json_values)
    else:
        doc[top] = data.draw(json_values)
    (root / name).write_text(yaml.safe_dump(doc, allow_unicode=True))
    try:
        load_pack(root)
    except RederiveError:
        pass
