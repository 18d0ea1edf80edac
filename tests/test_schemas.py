"""JSON Schemas: generated from the models, committed, in sync; every YAML file names and meets its schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, run_cli

from engine.authoring.schemas import generate, schema_for
from engine.base.yamlio import load_yaml

SCHEMAS = ROOT / "schemas"
YAML_FILES = sorted(
    p for p in ROOT.rglob("*.yaml") if ".venv" not in p.parts and not p.relative_to(ROOT).parts[:2] == ("tests", "bad")
)


def test_committed_schemas_match_the_models():
    generated = generate()
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.schema.json")}
    assert committed == generated, "schemas/ is out of date: run `rederive schemas --force`"


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_yaml_names_its_schema_and_meets_it(path: Path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    expected = os.path.relpath(SCHEMAS / schema_for(path), path.parent)
    assert first == f"# yaml-language-server: $schema={expected}"
    schema = json.loads((SCHEMAS / schema_for(path)).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(load_yaml(path).data, schema, cls=jsonschema.Draft202012Validator)


def test_schemas_command_writes_atomically_and_never_overwrites(tmp_path: Path):
    code, out, _ = run_cli("schemas", "-o", str(tmp_path))
    assert code == 0 and len(list(tmp_path.glob("*.schema.json"))) == 8
    code, out, _ = run_cli("schemas", "-o", str(tmp_path))
    assert code == 0 and "up to date" in out
    victim = tmp_path / "case.schema.json"
    victim.write_text("{}")
    code, _, err = run_cli("schemas", "-o", str(tmp_path))
    assert code == 1 and "exists: not overwritten (use --force" in err
    assert victim.read_text() == "{}"
    code, _, _ = run_cli("schemas", "-o", str(tmp_path), "--force")
    assert code == 0 and victim.read_text() == generate()["case.schema.json"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_interrupted_write_leaves_no_half_file(tmp_path: Path, monkeypatch):
    from engine.base import atomic

    target = tmp_path / "out.txt"
    target.write_text("old")

    def boom(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_text(target, "new" * 1000, force=True)
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]
    with pytest.raises(KeyboardInterrupt):
        atomic.write_text(tmp_path / "fresh.txt", "x")
    assert not (tmp_path / "fresh.txt").exists()
